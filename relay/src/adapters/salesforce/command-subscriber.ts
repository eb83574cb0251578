/**
 * Subscribes to `TeamsCallCommand__e` over the Pub/Sub API (salesforce.md §1.9, §1.11b): pull flow control kept
 * topped up, commands handed over strictly in order, the replay id stored after each command is handled and from
 * keepalives, resume from the stored id after any disconnect, and `LATEST` + a reconcile callback when Salesforce
 * no longer accepts the stored id. De-duplication by `CommandId__c` and the "is this the call's agent" check
 * belong to the engine, which sees every command through `onCommand`.
 */
import { status as GrpcStatus, type ClientDuplexStream } from '@grpc/grpc-js';
import type { CommandAction, TeamsCallCommand } from '../../domain/call-event.ts';
import type { DeliveryStore } from '../../ports/delivery-store.port.ts';
import type { EventCodec } from './avro-codec.ts';
import { replayIdToString, type PubSubGrpcClient } from './pubsub-channel.ts';
import { TopicSchemas } from './topic-schemas.ts';

export const COMMAND_TOPIC = '/event/TeamsCallCommand__e';

/** The replay-id half of the DeliveryStore port; an empty buffer means "none stored" (after a refused id). */
export type ReplayIdStore = Pick<DeliveryStore, 'getReplayId' | 'setReplayId'>;

export interface SubscriberLog {
  (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

export interface CommandSubscriberOptions {
  client: PubSubGrpcClient;
  replayIds: ReplayIdStore;
  /** Resolves once the command is durably handled; only then is its replay id stored (at-least-once). */
  onCommand: (command: TeamsCallCommand, replayId: string) => Promise<void>;
  /** The stored replay id was refused; the subscription restarted at LATEST — reconcile state from Salesforce. */
  onReplayReset?: () => Promise<void>;
  reauthenticate: () => Promise<unknown>;
  topic?: string;
  /** Events requested at a time (Salesforce caps outstanding requests at 100). */
  batchSize?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  log?: SubscriberLog;
}

interface FetchResponse {
  events?: { event?: { id?: string; schemaId?: string; payload?: Buffer }; replayId?: Buffer }[];
  latestReplayId?: Buffer;
  pendingNumRequested?: number;
}

const ACTIONS: readonly CommandAction[] = [
  'Hold',
  'Resume',
  'Hangup',
  'Reject',
  'ReloadConfig',
  'Dial',
  'Ready',
  'Extend'
];

export class PubSubCommandSubscriber {
  private readonly topic: string;
  private readonly batchSize: number;
  private readonly schemas: TopicSchemas;
  private stream: ClientDuplexStream<unknown, FetchResponse> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private outstanding = 0;
  private stopped = true;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Resolves each time a subscription is open (tests and /readyz). */
  connected = false;

  constructor(private readonly options: CommandSubscriberOptions) {
    this.topic = options.topic ?? COMMAND_TOPIC;
    this.batchSize = Math.min(100, Math.max(1, options.batchSize ?? 50));
    this.schemas = new TopicSchemas(options.client);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.stream?.cancel();
    this.stream = undefined;
    this.connected = false;
    await this.queue;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let codec: EventCodec;
    let stored: Buffer | undefined;
    try {
      codec = await this.schemas.forTopic(this.topic, 'subscribe');
      const saved = await this.options.replayIds.getReplayId(this.topic);
      stored = saved && saved.length > 0 ? saved : undefined;
    } catch (error) {
      this.enqueue(() => this.recover(error));
      return;
    }
    const subscribe = this.options.client['Subscribe'] as () => ClientDuplexStream<unknown, FetchResponse>;
    const stream = subscribe.call(this.options.client);
    this.stream = stream;
    this.outstanding = this.batchSize;
    // Salesforce sends nothing until an event or the first keepalive (up to 270 s); the response headers already
    // prove the subscription was accepted.
    stream.on('metadata', () => {
      if (this.stream === stream) this.connected = true;
    });
    stream.on('data', (response: FetchResponse) => {
      this.failures = 0;
      this.connected = true;
      this.enqueue(() => this.handle(response, codec));
    });
    stream.on('error', (error: unknown) => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.connected = false;
      this.enqueue(() => this.recover(error));
    });
    stream.on('end', () => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.connected = false;
      this.enqueue(() => Promise.resolve(this.scheduleReconnect(new Error('subscription ended'))));
    });
    stream.write({
      topicName: this.topic,
      numRequested: this.batchSize,
      ...(stored ? { replayPreset: 'CUSTOM', replayId: stored } : { replayPreset: 'LATEST' })
    });
    this.options.log?.('info', 'command subscription opened', { topic: this.topic, resumed: Boolean(stored) });
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error: unknown) => {
      this.options.log?.('error', 'command subscriber task failed', { error: String(error) });
    });
  }

  private async handle(response: FetchResponse, codec: EventCodec): Promise<void> {
    const events = response.events ?? [];
    for (const consumer of events) {
      this.outstanding -= 1;
      const replayBytes = consumer.replayId ? Buffer.from(consumer.replayId) : undefined;
      const payload = consumer.event?.payload;
      if (!payload || !replayBytes) continue;
      const replayId = replayIdToString(replayBytes);
      const schemaCodec =
        consumer.event?.schemaId && consumer.event.schemaId !== codec.schemaId
          ? await this.schemas.forSchemaId(consumer.event.schemaId)
          : codec;
      const command = toCommand(schemaCodec.decode(Buffer.from(payload)));
      if (command) await this.options.onCommand(command, replayId);
      else this.options.log?.('warn', 'ignored a malformed command event', { replayId });
      await this.options.replayIds.setReplayId(this.topic, replayBytes);
    }
    if (events.length === 0 && response.latestReplayId && response.latestReplayId.length > 0) {
      // Keepalive: everything up to the latest replay id has been delivered, so resuming from it loses nothing.
      await this.options.replayIds.setReplayId(this.topic, Buffer.from(response.latestReplayId));
    }
    if (this.outstanding <= this.batchSize / 2 && this.stream) {
      const more = this.batchSize - this.outstanding;
      this.outstanding += more;
      this.stream.write({ numRequested: more });
    }
  }

  private async recover(error: unknown): Promise<void> {
    const code = (error as { code?: number }).code;
    const details = String((error as { details?: string }).details ?? (error as Error).message ?? '');
    if (code === GrpcStatus.UNAUTHENTICATED) {
      this.options.log?.('warn', 'command subscription unauthenticated; renewing the token');
      try {
        await this.options.reauthenticate();
      } catch (authError) {
        this.scheduleReconnect(authError);
        return;
      }
      void this.connect();
      return;
    }
    if (
      /replay.?id/i.test(details) &&
      (code === GrpcStatus.INVALID_ARGUMENT || /corrupt|invalid|validation/i.test(details))
    ) {
      this.options.log?.('warn', 'stored replay id refused; resubscribing at LATEST and reconciling', { details });
      await this.options.replayIds.setReplayId(this.topic, Buffer.alloc(0));
      await this.options.onReplayReset?.();
      void this.connect();
      return;
    }
    this.scheduleReconnect(error);
  }

  private scheduleReconnect(error: unknown): void {
    if (this.stopped) return;
    this.failures += 1;
    const min = this.options.minBackoffMs ?? 500;
    const max = this.options.maxBackoffMs ?? 60_000;
    const exp = Math.min(max, min * 2 ** Math.min(this.failures - 1, 16));
    const wait = Math.round(exp / 2 + Math.random() * (exp / 2));
    this.options.log?.('warn', 'command subscription lost; reconnecting', { error: String(error), waitMs: wait });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), wait);
  }
}

function toCommand(record: Record<string, unknown>): TeamsCallCommand | undefined {
  const str = (k: string): string | undefined => {
    const v = record[k];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const commandId = str('CommandId__c');
  const action = str('Action__c') as CommandAction | undefined;
  const requestedBy = str('RequestedBy__c');
  if (!commandId || !action || !ACTIONS.includes(action) || !requestedBy) return undefined;
  const issued = record['IssuedAt__c'] ?? record['CreatedDate'];
  const issuedAt =
    typeof issued === 'number' || typeof issued === 'bigint'
      ? new Date(Number(issued)).toISOString()
      : typeof issued === 'string'
        ? issued
        : new Date(0).toISOString();
  const callId = str('TeamsCallId__c');
  const argument = str('Argument__c');
  const createdById = str('CreatedById');
  return {
    CommandId__c: commandId,
    Action__c: action,
    RequestedBy__c: requestedBy,
    IssuedAt__c: issuedAt,
    ...(callId && { TeamsCallId__c: callId }),
    ...(argument && { Argument__c: argument }),
    ...(createdById && { CreatedById: createdById })
  };
}
