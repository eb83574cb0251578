/**
 * Publishes `TeamsCallEvent__e` through the Pub/Sub API `Publish` RPC: one request per batch, one final result
 * per event (salesforce.md §1.9, §1.11). Implements the engine's EventPublisher port; the outbox drain loop
 * (app layer) deletes a row only for `ok: true`, retries `permanent: false`, dead-letters `permanent: true`.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Counter, Registry } from 'prom-client';
import * as prom from 'prom-client';
import type { TeamsCallEvent } from '../../domain/call-event.ts';
import type { EventPublisher, PublishResult } from '../../ports/event-publisher.port.ts';
import type { EventCodec } from './avro-codec.ts';
import type { PubSubGrpcClient } from './pubsub-channel.ts';
import { TopicSchemas, unary } from './topic-schemas.ts';

export const CALL_EVENT_TOPIC = '/event/TeamsCallEvent__e';
/** Salesforce recommends ≤ 200 events per PublishRequest. */
export const MAX_EVENTS_PER_REQUEST = 200;

export interface SalesforcePublishResult extends PublishResult {
  /** True when retrying cannot help (schema/field validation, Salesforce rejected the event itself). */
  permanent: boolean;
}

export interface PubSubPublisherOptions {
  client: PubSubGrpcClient;
  /** Integration user id, used for the mandatory `CreatedById`. */
  createdById: () => Promise<string>;
  /** Re-authenticates after `UNAUTHENTICATED` (JwtBearerAuth.authenticate). */
  reauthenticate: () => Promise<unknown>;
  topic?: string;
  deadlineMs?: number;
  registry?: Registry;
  now?: () => number;
}

interface WireResult {
  replayId?: Buffer;
  error?: { code?: string | number; msg?: string } | null;
  correlationKey?: string;
}

export class PubSubEventPublisher implements EventPublisher {
  private readonly topic: string;
  private readonly schemas: TopicSchemas;
  private readonly requests: Counter;
  private readonly published: Counter;
  private readonly rejected: Counter<'kind'>;

  constructor(private readonly options: PubSubPublisherOptions) {
    this.topic = options.topic ?? CALL_EVENT_TOPIC;
    this.schemas = new TopicSchemas(options.client, options.deadlineMs);
    const registers = options.registry ? [options.registry] : [];
    this.requests = new prom.Counter({
      name: 'relay_salesforce_publish_requests_total',
      help: 'Pub/Sub API Publish requests sent (Salesforce API usage).',
      registers
    });
    this.published = new prom.Counter({
      name: 'relay_salesforce_events_published_total',
      help: 'Events Salesforce confirmed with a final success.',
      registers
    });
    this.rejected = new prom.Counter({
      name: 'relay_salesforce_events_failed_total',
      help: 'Events not confirmed, by kind (transient = retried, permanent = dead-lettered).',
      labelNames: ['kind'],
      registers
    });
  }

  async publish(events: TeamsCallEvent[]): Promise<SalesforcePublishResult[]> {
    const results: SalesforcePublishResult[] = [];
    for (let i = 0; i < events.length; i += MAX_EVENTS_PER_REQUEST) {
      results.push(...(await this.publishBatch(events.slice(i, i + MAX_EVENTS_PER_REQUEST))));
    }
    for (const r of results) {
      if (r.ok) this.published.inc();
      else this.rejected.inc({ kind: r.permanent ? 'permanent' : 'transient' });
    }
    return results;
  }

  private async publishBatch(events: TeamsCallEvent[], retriedAuth = false): Promise<SalesforcePublishResult[]> {
    let codec: EventCodec;
    let createdById: string;
    try {
      codec = await this.schemas.forTopic(this.topic, 'publish');
      createdById = await this.options.createdById();
    } catch (error) {
      return allTransient(events, error);
    }
    const now = this.options.now?.() ?? Date.now();
    const results = new Map<string, SalesforcePublishResult>();
    const wireEvents: { id: string; schemaId: string; payload: Buffer }[] = [];
    for (const event of events) {
      const encoded = codec.encode({ ...event }, createdById, now);
      if (encoded.ok) wireEvents.push({ id: event.EventId__c, schemaId: codec.schemaId, payload: encoded.payload });
      else
        results.set(event.EventId__c, { eventId: event.EventId__c, ok: false, permanent: true, error: encoded.error });
    }
    if (wireEvents.length > 0) {
      let response: { results?: WireResult[]; schemaId?: string };
      try {
        this.requests.inc();
        response = await unary(
          this.options.client,
          'Publish',
          { topicName: this.topic, events: wireEvents },
          this.options.deadlineMs ?? 15_000
        );
      } catch (error) {
        if (!retriedAuth && isGrpc(error, GrpcStatus.UNAUTHENTICATED)) {
          await this.options.reauthenticate();
          return this.publishBatch(events, true);
        }
        for (const f of allTransient(
          events.filter((e) => !results.has(e.EventId__c)),
          error
        ))
          results.set(f.eventId, f);
        return events.map((e) => results.get(e.EventId__c)!);
      }
      const byKey = new Map((response.results ?? []).map((r) => [r.correlationKey ?? '', r]));
      for (const wire of wireEvents) {
        const result = byKey.get(wire.id);
        if (!result) {
          results.set(wire.id, { eventId: wire.id, ok: false, permanent: false, error: 'no result for this event' });
        } else if (isError(result.error)) {
          const message = result.error?.msg || String(result.error?.code);
          results.set(wire.id, {
            eventId: wire.id,
            ok: false,
            permanent: !isTransientMessage(message),
            error: message
          });
        } else {
          results.set(wire.id, { eventId: wire.id, ok: true, permanent: false });
        }
      }
      if (response.schemaId && response.schemaId !== codec.schemaId) this.schemas.forget(this.topic);
    }
    return events.map((e) => results.get(e.EventId__c)!);
  }
}

/** A call-level failure (network, deadline, server down): nothing was confirmed, every event is retried. */
function allTransient(events: TeamsCallEvent[], error: unknown): SalesforcePublishResult[] {
  const message = error instanceof Error ? error.message : String(error);
  return events.map((e) => ({ eventId: e.EventId__c, ok: false, permanent: false, error: message }));
}

function isError(error: WireResult['error']): boolean {
  if (!error) return false;
  return Boolean(error.msg) || (error.code !== undefined && error.code !== 'UNKNOWN' && error.code !== 0);
}

function isGrpc(error: unknown, code: GrpcStatus): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** Per-event errors are final unless Salesforce says it was a capacity/availability problem. */
function isTransientMessage(message: string): boolean {
  return /(timeout|timed out|unavailable|try again|limit|capacity|internal)/i.test(message);
}
