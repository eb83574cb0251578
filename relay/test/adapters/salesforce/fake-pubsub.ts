/**
 * A loopback Salesforce Pub/Sub API (gRPC over TLS, from the real proto) for adapter tests: GetTopic, GetSchema,
 * Publish (per-event results, auth check, "down" mode) and Subscribe (pull flow control, replay ids).
 */
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { pubSubService } from '../../../src/adapters/salesforce/pubsub-channel.ts';

const require = createRequire(import.meta.url);
const avro = require('avro-js') as {
  parse(s: unknown): { fromBuffer(b: Buffer): Record<string, unknown>; toBuffer(v: unknown): Buffer };
};
const selfsigned = require('selfsigned') as {
  generate(
    attrs: { name: string; value: string }[],
    opts: Record<string, unknown>
  ): Promise<{ private: string; cert: string }>;
};

const opt = (name: string, type: string) => ({ name, type: ['null', type], default: null });

export const CALL_EVENT_SCHEMA = {
  type: 'record',
  name: 'TeamsCallEvent__e',
  namespace: 'com.sforce.eventbus',
  fields: [
    { name: 'CreatedDate', type: 'long' },
    { name: 'CreatedById', type: 'string' },
    ...[
      'EventId__c',
      'TeamsCallId__c',
      'Kind__c',
      'State__c',
      'Reason__c',
      'Direction__c',
      'CallerNumber__c',
      'CallerName__c',
      'DialledNumber__c',
      'AgentUserId__c',
      'AgentTeamsId__c',
      'Target__c',
      'Participants__c',
      'Presence__c',
      'RelatedCallId__c'
    ].map((f) => opt(f, 'string')),
    opt('Sequence__c', 'double'),
    opt('OccurredAt__c', 'long')
  ]
};

export const COMMAND_SCHEMA = {
  type: 'record',
  name: 'TeamsCallCommand__e',
  namespace: 'com.sforce.eventbus',
  fields: [
    { name: 'CreatedDate', type: 'long' },
    { name: 'CreatedById', type: 'string' },
    ...['CommandId__c', 'TeamsCallId__c', 'Action__c', 'Argument__c', 'RequestedBy__c'].map((f) => opt(f, 'string')),
    opt('IssuedAt__c', 'long')
  ]
};

const SCHEMAS: Record<string, { id: string; schema: object }> = {
  '/event/TeamsCallEvent__e': { id: 'schema-event-1', schema: CALL_EVENT_SCHEMA },
  '/event/TeamsCallCommand__e': { id: 'schema-command-1', schema: COMMAND_SCHEMA }
};

const replayBytes = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

interface Subscription {
  call: grpc.ServerDuplexStream<Record<string, unknown>, Record<string, unknown>>;
  requested: number;
  /** index into `commands` of the next event to deliver */
  cursor: number;
}

export class FakePubSub {
  cert = '';
  endpoint = '';
  validToken = 'token-1';
  /** `down`: every RPC fails UNAVAILABLE. */
  down = false;
  /** Event ids Salesforce rejects with a per-event error. */
  readonly rejectIds = new Set<string>();
  /** Decoded events accepted by Publish, in order. */
  readonly published: Record<string, unknown>[] = [];
  readonly publishRequestSizes: number[] = [];
  readonly fetchRequests: Record<string, unknown>[] = [];
  /** Replay ids the server still retains (older ones are "corrupted"/invalid). */
  oldestRetained = 1;
  /** Subscriptions ever opened (accepted), so tests can wait for a new one. */
  subscriptionsOpened = 0;
  private readonly commands: { replay: number; payload: Buffer }[] = [];
  private readonly subscriptions = new Set<Subscription>();
  private server: grpc.Server | undefined;
  private nextReplay = 1;

  async start(): Promise<void> {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      days: 1,
      keySize: 2048,
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' }
          ]
        }
      ]
    });
    this.cert = pems.cert;
    const server = new grpc.Server();
    server.addService(pubSubService().service, {
      GetTopic: (call: grpc.ServerUnaryCall<{ topicName: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        if (this.reject(call, cb)) return;
        const s = SCHEMAS[call.request.topicName];
        if (!s) return cb({ code: grpc.status.NOT_FOUND, details: 'no topic' });
        cb(null, { topicName: call.request.topicName, canPublish: true, canSubscribe: true, schemaId: s.id });
      },
      GetSchema: (call: grpc.ServerUnaryCall<{ schemaId: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        if (this.reject(call, cb)) return;
        const s = Object.values(SCHEMAS).find((x) => x.id === call.request.schemaId);
        if (!s) return cb({ code: grpc.status.NOT_FOUND, details: 'no schema' });
        cb(null, { schemaId: s.id, schemaJson: JSON.stringify(s.schema) });
      },
      Publish: (
        call: grpc.ServerUnaryCall<
          { topicName: string; events: { id: string; schemaId: string; payload: Buffer }[] },
          unknown
        >,
        cb: grpc.sendUnaryData<unknown>
      ) => {
        if (this.reject(call, cb)) return;
        const type = avro.parse(SCHEMAS[call.request.topicName]!.schema);
        this.publishRequestSizes.push(call.request.events.length);
        const results = call.request.events.map((e) => {
          if (this.rejectIds.has(e.id))
            return { correlationKey: e.id, error: { code: 'PUBLISH', msg: 'INVALID_FIELD: bad value' } };
          const decoded = type.fromBuffer(e.payload);
          if (call.request.topicName === '/event/TeamsCallCommand__e') {
            this.commands.push({ replay: this.nextReplay, payload: e.payload });
          }
          this.published.push(JSON.parse(JSON.stringify(decoded)) as Record<string, unknown>);
          return { correlationKey: e.id, replayId: replayBytes(this.nextReplay++) };
        });
        cb(null, { results, schemaId: call.request.events[0]?.schemaId ?? '' });
        this.pump();
      },
      Subscribe: (call: grpc.ServerDuplexStream<Record<string, unknown>, Record<string, unknown>>) => {
        if (this.down || call.metadata.get('accesstoken')[0] !== this.validToken) {
          call.emit('error', {
            code: this.down ? grpc.status.UNAVAILABLE : grpc.status.UNAUTHENTICATED,
            details: 'refused'
          });
          return;
        }
        const sub: Subscription = { call, requested: 0, cursor: this.commands.length };
        let first = true;
        call.on('data', (req: Record<string, unknown>) => {
          this.fetchRequests.push(req);
          if (first) {
            first = false;
            const preset = req['replayPreset'];
            if (preset === 'CUSTOM' || preset === 2) {
              const wanted = Number(Buffer.from(req['replayId'] as Buffer).readBigUInt64BE());
              if (wanted < this.oldestRetained) {
                call.emit('error', {
                  code: grpc.status.INVALID_ARGUMENT,
                  details:
                    'The Replay ID validation failed. sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted'
                });
                return;
              }
              sub.cursor = this.commands.findIndex((c) => c.replay > wanted);
              if (sub.cursor < 0) sub.cursor = this.commands.length;
            } else if (preset === 'EARLIEST' || preset === 1) sub.cursor = 0;
            this.subscriptions.add(sub);
            this.subscriptionsOpened += 1;
          }
          sub.requested += Number(req['numRequested'] ?? 0);
          this.pump();
        });
        call.on('cancelled', () => this.subscriptions.delete(sub));
        call.on('end', () => this.subscriptions.delete(sub));
      }
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        '127.0.0.1:0',
        grpc.ServerCredentials.createSsl(
          null,
          [{ private_key: Buffer.from(pems.private), cert_chain: Buffer.from(pems.cert) }],
          false
        ),
        (e, p) => (e ? reject(e) : resolve(p))
      )
    );
    this.server = server;
    this.endpoint = `localhost:${port}`;
  }

  /** Salesforce-side publish of a command (what Apex's EventBus.publish does); returns its replay id number. */
  addCommand(fields: Record<string, string | number>): number {
    const type = avro.parse(COMMAND_SCHEMA);
    // CreatedById is set by the platform: the publishing user (Apex publishes as the agent who clicked).
    const createdById = typeof fields['CreatedById'] === 'string' ? fields['CreatedById'] : '005000000000002AAA';
    const record: Record<string, unknown> = { CreatedDate: Date.now(), CreatedById: createdById };
    for (const f of COMMAND_SCHEMA.fields.slice(2)) {
      const v = fields[f.name];
      record[f.name] = v === undefined ? null : { [f.type[1] as string]: v };
    }
    const replay = this.nextReplay++;
    this.commands.push({ replay, payload: type.toBuffer(record) });
    this.pump();
    return replay;
  }

  /** Sends an empty keepalive carrying the latest replay id to every subscriber. */
  keepalive(): void {
    const latest = this.nextReplay - 1;
    for (const sub of this.subscriptions) {
      sub.call.write({ events: [], latestReplayId: replayBytes(latest), pendingNumRequested: sub.requested });
    }
  }

  /** Ends every open subscription with UNAVAILABLE, as a server restart would. */
  dropSubscribers(): void {
    for (const sub of this.subscriptions)
      sub.call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'server restarting' });
    this.subscriptions.clear();
  }

  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  private pump(): void {
    for (const sub of this.subscriptions) {
      while (sub.requested > 0 && sub.cursor < this.commands.length) {
        const c = this.commands[sub.cursor++]!;
        sub.requested -= 1;
        sub.call.write({
          events: [
            {
              event: { id: `ev-${c.replay}`, schemaId: 'schema-command-1', payload: c.payload },
              replayId: replayBytes(c.replay)
            }
          ],
          latestReplayId: replayBytes(c.replay),
          pendingNumRequested: sub.requested
        });
      }
    }
  }

  private reject(call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>): boolean {
    if (this.down) {
      cb({ code: grpc.status.UNAVAILABLE, details: 'Pub/Sub API unavailable' });
      return true;
    }
    if (call.metadata.get('accesstoken')[0] !== this.validToken) {
      cb({ code: grpc.status.UNAUTHENTICATED, details: 'invalid session' });
      return true;
    }
    return false;
  }

  async stop(): Promise<void> {
    for (const sub of this.subscriptions) sub.call.end();
    await new Promise<void>((resolve) => (this.server ? this.server.tryShutdown(() => resolve()) : resolve()));
    this.server?.forceShutdown();
  }
}
