// Pub/Sub API (eventbus.v1.PubSub) over gRPC with TLS, from the official proto in ./proto.
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { EventBus } from './event-bus.ts';
import { topicToEventName } from './event-bus.ts';
import type { OrgStore, StoredEvent } from './store.ts';
import type { TlsMaterial } from '../keys/index.ts';

const PROTO = join(dirname(fileURLToPath(import.meta.url)), 'proto', 'pubsub_api.proto');
const MAX_REQUESTED = 100;

export interface PubSubAuth {
  /** Returns true when the token/instance/org triple identifies a live session. */
  check(accessToken: string, instanceUrl: string, tenantId: string): boolean;
}

export interface PubSubOptions {
  host?: string;
  port?: number;
  tls: TlsMaterial;
  bus: EventBus;
  store: OrgStore;
  auth: PubSubAuth;
  /** Idle keepalive period; Salesforce uses up to 270 s, tests shorten it. */
  keepaliveMs?: number;
  /** False during an emulated outage: every RPC answers UNAVAILABLE (fault tests, B01). */
  available?: () => boolean;
}

export function encodeReplayId(n: number): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(n));
  return buf;
}

export function decodeReplayId(buf: Buffer | Uint8Array | undefined): number | undefined {
  if (!buf || buf.length !== 8) return undefined;
  return Number(Buffer.from(buf).readBigUInt64BE());
}

function grpcError(code: grpc.status, message: string, sfErrorCode: string): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  metadata.set('error-code', sfErrorCode);
  const error: grpc.ServiceError = Object.assign(new Error(message), { code, details: message, metadata });
  return error;
}

function presetOf(v: unknown): 'LATEST' | 'EARLIEST' | 'CUSTOM' {
  if (v === 1 || v === 'EARLIEST') return 'EARLIEST';
  if (v === 2 || v === 'CUSTOM') return 'CUSTOM';
  return 'LATEST';
}

interface FetchRequest {
  topicName?: string;
  replayPreset?: number | string;
  replayId?: Buffer;
  numRequested?: number;
}

export async function startPubSub(
  opts: PubSubOptions
): Promise<{ port: number; endpoint: string; dropSubscribers(): void; stop(): Promise<void> }> {
  const def = protoLoader.loadSync(PROTO, { keepCase: false, longs: Number, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    eventbus: { v1: { PubSub: { service: grpc.ServiceDefinition } } };
  };
  const server = new grpc.Server();
  const streams = new Set<grpc.ServerDuplexStream<FetchRequest, unknown>>();
  const timers = new Set<NodeJS.Timeout>();

  const authorised = (md: grpc.Metadata): boolean =>
    opts.auth.check(
      String(md.get('accesstoken')[0] ?? ''),
      String(md.get('instanceurl')[0] ?? ''),
      String(md.get('tenantid')[0] ?? '')
    );
  const up = (): boolean => opts.available?.() ?? true;
  const unavailable = (): grpc.ServiceError =>
    grpcError(
      grpc.status.UNAVAILABLE,
      'Pub/Sub API unavailable (emulated outage)',
      'sfdc.platform.eventbus.unavailable'
    );
  const unauth = (): grpc.ServiceError =>
    grpcError(
      grpc.status.UNAUTHENTICATED,
      'Invalid or missing session',
      'sfdc.platform.eventbus.grpc.service.auth.error'
    );

  server.addService(pkg.eventbus.v1.PubSub.service, {
    GetTopic(call: grpc.ServerUnaryCall<{ topicName: string }, unknown>, cb: grpc.sendUnaryData<unknown>) {
      if (!up()) return cb(unavailable());
      if (!authorised(call.metadata)) return cb(unauth());
      const eventName = topicToEventName(call.request.topicName);
      let schemaId: string;
      try {
        if (!eventName) throw new Error('not an event topic');
        schemaId = opts.bus.currentSchema(eventName).schemaId;
      } catch {
        return cb(
          grpcError(
            grpc.status.NOT_FOUND,
            `Topic ${call.request.topicName} not found`,
            'sfdc.platform.eventbus.grpc.topic.not.found'
          )
        );
      }
      cb(null, {
        topicName: call.request.topicName,
        tenantGuid: opts.store.orgId,
        canPublish: true,
        canSubscribe: true,
        schemaId,
        rpcId: randomUUID()
      });
    },
    GetSchema(call: grpc.ServerUnaryCall<{ schemaId: string }, unknown>, cb: grpc.sendUnaryData<unknown>) {
      if (!up()) return cb(unavailable());
      if (!authorised(call.metadata)) return cb(unauth());
      const schema = opts.bus.schemaById(call.request.schemaId);
      if (!schema) {
        return cb(
          grpcError(
            grpc.status.NOT_FOUND,
            `Schema ${call.request.schemaId} not found`,
            'sfdc.platform.eventbus.grpc.schema.not.found'
          )
        );
      }
      cb(null, { schemaJson: schema.schemaJson, schemaId: schema.schemaId, rpcId: randomUUID() });
    },
    Publish(
      call: grpc.ServerUnaryCall<
        { topicName: string; events: { id: string; schemaId: string; payload: Buffer }[] },
        unknown
      >,
      cb: grpc.sendUnaryData<unknown>
    ) {
      if (!up()) return cb(unavailable());
      if (!authorised(call.metadata)) return cb(unauth());
      const { topicName, events } = call.request;
      if (!topicToEventName(topicName)) {
        return cb(
          grpcError(
            grpc.status.NOT_FOUND,
            `Topic ${topicName} not found`,
            'sfdc.platform.eventbus.grpc.topic.not.found'
          )
        );
      }
      const results = events.map((ev) => {
        try {
          const stored = opts.bus.publishAvro(topicName, ev.schemaId, Buffer.from(ev.payload));
          return { replayId: encodeReplayId(stored.replayId), correlationKey: ev.id };
        } catch (err) {
          return {
            replayId: Buffer.alloc(0),
            error: { code: 'PUBLISH', msg: (err as Error).message },
            correlationKey: ev.id
          };
        }
      });
      cb(null, { results, schemaId: events[0]?.schemaId ?? '', rpcId: randomUUID() });
    },
    Subscribe(stream: grpc.ServerDuplexStream<FetchRequest, unknown>) {
      if (!up()) {
        stream.emit('error', unavailable());
        return;
      }
      if (!authorised(stream.metadata)) {
        stream.emit('error', unauth());
        return;
      }
      let topic: string | undefined;
      let cursor = 0;
      let pending = 0;
      let lastSent = Date.now();
      let closed = false;
      streams.add(stream);

      const send = (events: StoredEvent[]): void => {
        if (closed) return;
        if (events.length > 0) cursor = events[events.length - 1]!.replayId;
        pending -= events.length;
        lastSent = Date.now();
        stream.write({
          events: events.map((e) => ({
            event: { id: randomUUID(), schemaId: e.schemaId, payload: e.payload, headers: [] },
            replayId: encodeReplayId(e.replayId)
          })),
          latestReplayId: encodeReplayId(Math.max(cursor, opts.store.latestReplayId())),
          rpcId: randomUUID(),
          pendingNumRequested: pending
        });
      };
      const drain = (): void => {
        if (!topic || pending <= 0 || closed) return;
        const batch = opts.store.eventsAfter(topic, cursor, pending);
        if (batch.length > 0) send(batch);
      };
      const unlisten = opts.bus.onEvent((e) => {
        if (e.topic === topic) drain();
      });
      const keepalive = setInterval(
        () => {
          if (Date.now() - lastSent >= (opts.keepaliveMs ?? 270_000)) send([]);
        },
        Math.min(opts.keepaliveMs ?? 270_000, 1000)
      );
      timers.add(keepalive);
      const finish = (): void => {
        if (closed) return;
        closed = true;
        unlisten();
        clearInterval(keepalive);
        timers.delete(keepalive);
        streams.delete(stream);
      };
      stream.on('data', (req: FetchRequest) => {
        if (!topic) {
          const name = req.topicName ?? '';
          if (!topicToEventName(name)) {
            finish();
            stream.emit(
              'error',
              grpcError(grpc.status.NOT_FOUND, `Topic ${name} not found`, 'sfdc.platform.eventbus.grpc.topic.not.found')
            );
            return;
          }
          topic = name;
          const preset = presetOf(req.replayPreset);
          if (preset === 'EARLIEST') cursor = 0;
          else if (preset === 'LATEST') cursor = opts.store.latestReplayId();
          else {
            const id = decodeReplayId(req.replayId);
            // Salesforce accepts any replay id inside the retention window; outside it, or malformed, is an error.
            if (id === undefined || (id !== 0 && !opts.store.hasEvent(name, id) && id > opts.store.latestReplayId())) {
              finish();
              stream.emit(
                'error',
                grpcError(
                  grpc.status.INVALID_ARGUMENT,
                  'The Replay ID validation failed.',
                  'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted'
                )
              );
              return;
            }
            cursor = id;
          }
        }
        pending = Math.min(MAX_REQUESTED, pending + Math.max(0, req.numRequested ?? 0));
        drain();
      });
      stream.on('end', () => {
        finish();
        stream.end();
      });
      stream.on('cancelled', finish);
      stream.on('error', finish);
    },
    PublishStream(stream: grpc.ServerDuplexStream<unknown, unknown>) {
      stream.emit(
        'error',
        grpcError(
          grpc.status.UNIMPLEMENTED,
          'PublishStream is not emulated',
          'sfdc.platform.eventbus.grpc.unimplemented'
        )
      );
    },
    ManagedSubscribe(stream: grpc.ServerDuplexStream<unknown, unknown>) {
      stream.emit(
        'error',
        grpcError(
          grpc.status.UNIMPLEMENTED,
          'ManagedSubscribe is not emulated',
          'sfdc.platform.eventbus.grpc.unimplemented'
        )
      );
    }
  });

  const creds = grpc.ServerCredentials.createSsl(
    null,
    [{ private_key: Buffer.from(opts.tls.key), cert_chain: Buffer.from(opts.tls.cert) }],
    false
  );
  const host = opts.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${opts.port ?? 0}`, creds, (err, p) => (err ? reject(err) : resolve(p)))
  );
  return {
    port,
    endpoint: `localhost:${port}`,
    /** Ends every open subscription with UNAVAILABLE, as an outage would. */
    dropSubscribers() {
      for (const s of streams) s.emit('error', unavailable());
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      for (const s of streams) {
        try {
          s.end();
        } catch {
          // already ended with an error (an emulated outage)
        }
      }
      // A stream a client never closed must not keep the emulator alive: shut down hard after a grace period.
      await Promise.race([
        new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
        new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())
      ]);
      server.forceShutdown();
    }
  };
}
