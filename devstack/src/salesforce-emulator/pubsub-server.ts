// Pub/Sub API (eventbus.v1.PubSub) over gRPC with TLS, from the official proto in ./proto.
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { EventBus } from './event-bus.ts';
import { topicToEventName } from './event-bus.ts';
import type { OrgStore, SRecord, StoredEvent } from './store.ts';
import type { TlsMaterial } from '../keys/index.ts';

const PROTO = join(dirname(fileURLToPath(import.meta.url)), 'proto', 'pubsub_api.proto');
const MAX_REQUESTED = 100;

export interface PubSubAuth {
  /** The session's user when the token/instance/org triple identifies a live session. */
  userOf(accessToken: string, instanceUrl: string, tenantId: string): string | undefined;
  /** The permission sets as assigned: Read on an event to subscribe to it, Create to publish it. */
  allows(userId: string, eventName: string, access: 'Read' | 'Create'): boolean;
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

interface ManagedFetchRequest {
  subscriptionId?: string;
  developerName?: string;
  numRequested?: number;
  commitReplayIdRequest?: { commitRequestId?: string; replayId?: Buffer } | null;
}

interface ProducerEvent {
  id: string;
  schemaId: string;
  payload: Buffer;
}

const TOPIC_NOT_FOUND = 'sfdc.platform.eventbus.grpc.service.topic.not.found';
const PERMISSION_DENIED = 'sfdc.platform.eventbus.grpc.service.permission.denied';

export async function startPubSub(
  opts: PubSubOptions
): Promise<{ port: number; endpoint: string; dropSubscribers(): void; stop(): Promise<void> }> {
  const def = protoLoader.loadSync(PROTO, { keepCase: false, longs: Number, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    eventbus: { v1: { PubSub: { service: grpc.ServiceDefinition } } };
  };
  const server = new grpc.Server();
  /** Open streams, ended by an emulated outage or stop(). */
  const streams = new Set<{ emit(event: 'error', error: grpc.ServiceError): boolean; end(): void }>();
  const timers = new Set<NodeJS.Timeout>();

  const userOf = (md: grpc.Metadata): string | undefined =>
    opts.auth.userOf(
      String(md.get('accesstoken')[0] ?? ''),
      String(md.get('instanceurl')[0] ?? ''),
      String(md.get('tenantid')[0] ?? '')
    );
  const authorised = (md: grpc.Metadata): boolean => userOf(md) !== undefined;
  /** The event behind a topic, when the org has it (its metadata exists). */
  const eventOf = (topic: string): string | undefined => {
    const eventName = topicToEventName(topic);
    if (!eventName) return undefined;
    try {
      opts.bus.currentSchema(eventName);
      return eventName;
    } catch {
      return undefined;
    }
  };
  const topicNotFound = (topic: string): grpc.ServiceError =>
    grpcError(grpc.status.NOT_FOUND, `Topic ${topic} not found`, TOPIC_NOT_FOUND);
  const denied = (topic: string, what: 'publish' | 'subscribe'): grpc.ServiceError =>
    grpcError(grpc.status.PERMISSION_DENIED, `The user has no permission to ${what} to ${topic}`, PERMISSION_DENIED);
  /** Publishes a batch as the user; per-event errors are PublishResults, as the Publish RPC documents. */
  const publishBatch = (
    userId: string,
    topicName: string,
    events: ProducerEvent[]
  ): { results: unknown[]; schemaId: string; rpcId: string } | grpc.ServiceError => {
    const eventName = eventOf(topicName);
    if (!eventName) return topicNotFound(topicName);
    if (!opts.auth.allows(userId, eventName, 'Create')) return denied(topicName, 'publish');
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
    return { results, schemaId: events[0]?.schemaId ?? '', rpcId: randomUUID() };
  };
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
  /** A stream's user; when the org is down or the session is not valid the stream ends with that error instead. */
  const streamUser = (stream: grpc.ServerDuplexStream<unknown, unknown>): string | undefined => {
    if (!up()) {
      stream.emit('error', unavailable());
      return undefined;
    }
    const userId = userOf(stream.metadata);
    if (!userId) stream.emit('error', unauth());
    return userId;
  };

  server.addService(pkg.eventbus.v1.PubSub.service, {
    GetTopic(call: grpc.ServerUnaryCall<{ topicName: string }, unknown>, cb: grpc.sendUnaryData<unknown>) {
      if (!up()) return cb(unavailable());
      const userId = userOf(call.metadata);
      if (!userId) return cb(unauth());
      const eventName = eventOf(call.request.topicName);
      if (!eventName) return cb(topicNotFound(call.request.topicName));
      cb(null, {
        topicName: call.request.topicName,
        tenantGuid: opts.store.orgId,
        canPublish: opts.auth.allows(userId, eventName, 'Create'),
        canSubscribe: opts.auth.allows(userId, eventName, 'Read'),
        schemaId: opts.bus.currentSchema(eventName).schemaId,
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
      call: grpc.ServerUnaryCall<{ topicName: string; events: ProducerEvent[] }, unknown>,
      cb: grpc.sendUnaryData<unknown>
    ) {
      if (!up()) return cb(unavailable());
      const userId = userOf(call.metadata);
      if (!userId) return cb(unauth());
      const response = publishBatch(userId, call.request.topicName, call.request.events);
      if (response instanceof Error) return cb(response);
      cb(null, response);
    },
    Subscribe(stream: grpc.ServerDuplexStream<FetchRequest, unknown>) {
      const userId = streamUser(stream);
      if (!userId) return;
      let delivery: Delivery | undefined;
      stream.on('data', (req: FetchRequest) => {
        if (!delivery) {
          const name = req.topicName ?? '';
          const eventName = eventOf(name);
          // Pub/Sub API "Subscribe RPC Method": the first FetchRequest names the topic; an unknown one ends the stream.
          if (!eventName) return void stream.emit('error', topicNotFound(name));
          if (!opts.auth.allows(userId, eventName, 'Read')) return void stream.emit('error', denied(name, 'subscribe'));
          const preset = presetOf(req.replayPreset);
          let cursor: number;
          if (preset === 'EARLIEST') cursor = 0;
          else if (preset === 'LATEST') cursor = opts.store.latestReplayId();
          else {
            const id = decodeReplayId(req.replayId);
            // Salesforce accepts any replay id inside the retention window; outside it, or malformed, is an error.
            if (id === undefined || (id !== 0 && !opts.store.hasEvent(name, id) && id > opts.store.latestReplayId())) {
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
          delivery = deliver(stream, name, cursor);
        } else if (req.topicName && req.topicName !== delivery.topic) {
          // "The topic can't change in subsequent FetchRequests within the same subscribe stream."
          stream.emit(
            'error',
            grpcError(
              grpc.status.INVALID_ARGUMENT,
              `The topic can't change within a subscription (${delivery.topic} → ${req.topicName}); call Subscribe again.`,
              'sfdc.platform.eventbus.grpc.subscription.fetch.topic.change'
            )
          );
          return;
        }
        delivery.request(req.numRequested ?? 0);
      });
      stream.on('end', () => stream.end());
    },
    // Pub/Sub API "PublishStream RPC Method": one PublishResponse per PublishRequest on a long-lived stream.
    PublishStream(stream: grpc.ServerDuplexStream<{ topicName: string; events: ProducerEvent[] }, unknown>) {
      const userId = streamUser(stream);
      if (!userId) return;
      streams.add(stream);
      const forget = () => streams.delete(stream);
      stream.on('data', (req: { topicName: string; events: ProducerEvent[] }) => {
        const response = publishBatch(userId, req.topicName, req.events ?? []);
        if (response instanceof Error) {
          forget();
          stream.emit('error', response);
          return;
        }
        stream.write(response);
      });
      stream.on('end', () => {
        forget();
        stream.end();
      });
      stream.on('cancelled', forget);
      stream.on('error', forget);
    },
    // Pub/Sub API "ManagedSubscribe RPC Method" (beta): the subscription is a ManagedEventSubscription record
    // (Tooling API; `Metadata` holds topicName, defaultReplay, state) and the server keeps the replay id the client
    // commits, so a new stream resumes after it.
    ManagedSubscribe(stream: grpc.ServerDuplexStream<ManagedFetchRequest, unknown>) {
      const userId = streamUser(stream);
      if (!userId) return;
      let delivery: Delivery | undefined;
      let subscription: SRecord | undefined;
      stream.on('data', (req: ManagedFetchRequest) => {
        if (!delivery) {
          subscription = opts.store
            .all('ManagedEventSubscription')
            .find(
              (r) =>
                (!!req.subscriptionId && r.Id === req.subscriptionId) ||
                (!!req.developerName && r.DeveloperName === req.developerName)
            );
          const ref = req.subscriptionId || req.developerName || '';
          if (!subscription) {
            stream.emit(
              'error',
              grpcError(
                grpc.status.NOT_FOUND,
                `Managed subscription ${ref} not found`,
                'sfdc.platform.eventbus.grpc.managed.subscription.not.found'
              )
            );
            return;
          }
          const config = (subscription.Metadata ?? {}) as {
            topicName?: string;
            state?: string;
            defaultReplay?: string;
          };
          const topic = String(config.topicName ?? '');
          const eventName = eventOf(topic);
          if (!eventName) return void stream.emit('error', topicNotFound(topic));
          if (!opts.auth.allows(userId, eventName, 'Read'))
            return void stream.emit('error', denied(topic, 'subscribe'));
          if (config.state !== 'RUN') {
            stream.emit(
              'error',
              grpcError(
                grpc.status.FAILED_PRECONDITION,
                `Managed subscription ${ref} is not in the RUN state`,
                'sfdc.platform.eventbus.grpc.managed.subscription.stopped'
              )
            );
            return;
          }
          const committed =
            typeof subscription.CommittedReplayId === 'number' ? subscription.CommittedReplayId : undefined;
          const cursor = committed ?? (config.defaultReplay === 'EARLIEST' ? 0 : opts.store.latestReplayId());
          delivery = deliver(stream, topic, cursor);
        } else if (
          (req.subscriptionId && req.subscriptionId !== subscription!.Id) ||
          (req.developerName && req.developerName !== subscription!.DeveloperName)
        ) {
          stream.emit(
            'error',
            grpcError(
              grpc.status.INVALID_ARGUMENT,
              'The subscription_id cannot change within the same subscribe stream.',
              'sfdc.platform.eventbus.grpc.managed.subscription.change'
            )
          );
          return;
        }
        const commit = req.commitReplayIdRequest;
        if (commit && commit.replayId && commit.replayId.length > 0) {
          const id = decodeReplayId(commit.replayId);
          const valid = id !== undefined && id <= opts.store.latestReplayId();
          if (valid) opts.store.update('ManagedEventSubscription', subscription!.Id, { CommittedReplayId: id });
          delivery.respond({
            events: [],
            latestReplayId: encodeReplayId(opts.store.latestReplayId()),
            rpcId: randomUUID(),
            pendingNumRequested: delivery.pending(),
            commitResponse: {
              commitRequestId: commit.commitRequestId ?? '',
              replayId: commit.replayId,
              processTime: Date.now(),
              ...(!valid && { error: { code: 'COMMIT', msg: 'The Replay ID validation failed.' } })
            }
          });
        }
        delivery.request(req.numRequested ?? 0);
      });
      stream.on('end', () => stream.end());
    }
  });

  interface Delivery {
    topic: string;
    request(n: number): void;
    pending(): number;
    respond(message: unknown): void;
  }

  /**
   * Pull-based delivery of one topic from `cursor` on: up to the requested number of events, keepalives with the
   * latest replay id when idle. `event.id` is the event's EventUuid, the same on every redelivery.
   */
  function deliver(stream: grpc.ServerDuplexStream<unknown, unknown>, topic: string, start: number): Delivery {
    let cursor = start;
    let pending = 0;
    let lastSent = Date.now();
    let closed = false;
    streams.add(stream);
    const respond = (message: unknown): void => {
      if (closed) return;
      lastSent = Date.now();
      stream.write(message);
    };
    const send = (events: StoredEvent[]): void => {
      if (events.length > 0) cursor = events[events.length - 1]!.replayId;
      pending -= events.length;
      respond({
        events: events.map((e) => ({
          event: { id: e.eventUuid, schemaId: e.schemaId, payload: e.payload, headers: [] },
          replayId: encodeReplayId(e.replayId)
        })),
        latestReplayId: encodeReplayId(Math.max(cursor, opts.store.latestReplayId())),
        rpcId: randomUUID(),
        pendingNumRequested: pending
      });
    };
    const drain = (): void => {
      if (pending <= 0 || closed) return;
      const batch = opts.store.eventsAfter(topic, cursor, pending);
      if (batch.length > 0) send(batch);
    };
    const unlisten = opts.bus.onEvent((e) => {
      if (e.topic === topic) drain();
    });
    const keepalive = setInterval(
      () => {
        if (!closed && Date.now() - lastSent >= (opts.keepaliveMs ?? 270_000)) send([]);
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
    stream.on('end', finish);
    stream.on('cancelled', finish);
    stream.on('error', finish);
    return {
      topic,
      request(n: number) {
        pending = Math.min(MAX_REQUESTED, pending + Math.max(0, n));
        drain();
      },
      pending: () => pending,
      respond
    };
  }

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
