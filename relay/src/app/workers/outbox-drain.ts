/**
 * Drains the durable outbox to Salesforce (B01): batches due rows into one publish, deletes a row only on a final
 * success, dead-letters what Salesforce refuses as invalid, and backs off (exponential, bounded, with jitter) on
 * anything else. Order per call: a row waiting for its retry blocks the later rows of the SAME call only.
 */
import type { Clock } from '../../ports/clock.port.ts';
import type { DeliveryStore } from '../../ports/delivery-store.port.ts';
import type { EventPublisher, PublishResult } from '../../ports/event-publisher.port.ts';
import type { Logger } from '../../ports/logger.port.ts';
import type { RelayMetrics } from '../../ports/metrics.port.ts';
import type { OutboxRow, WorldStore } from '../../ports/world-store.port.ts';
import { errorMessage } from './loop.ts';
import { NO_METRICS } from './no-metrics.ts';

/** The Salesforce adapter adds `permanent` (invalid event, never retried); other publishers may not. */
type DrainResult = PublishResult & { permanent?: boolean };

export interface OutboxDrainOptions {
  store: Pick<WorldStore, 'pendingOutbox' | 'deleteOutbox' | 'recordOutboxFailure'>;
  delivery: Pick<DeliveryStore, 'deadLetter'>;
  publisher: EventPublisher;
  clock: Clock;
  logger: Logger;
  metrics?: RelayMetrics;
  batchSize?: number;
  /** Rows read per pass to find each call's head; rows past it wait for the next pass. */
  scanLimit?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export interface DrainPass {
  published: number;
  delivered: number;
  retried: number;
  deadLettered: number;
}

/** See the constructor. */
export const DEFAULT_MAX_BACKOFF_MS = 4_000;

/** Sorts after every ISO instant: reads rows in backoff too, so they can block their call's later rows. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

export class OutboxDrain {
  private readonly batchSize: number;
  private readonly scanLimit: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly random: () => number;
  private readonly metrics: RelayMetrics;

  constructor(private readonly options: OutboxDrainOptions) {
    this.batchSize = options.batchSize ?? 50;
    this.scanLimit = Math.max(this.batchSize, options.scanLimit ?? 1000);
    this.minBackoffMs = options.minBackoffMs ?? 1_000;
    // Capped low so that after an outage everything is delivered within ~10 s of Salesforce coming back (B01): a
    // row is due at most 4 s after its last failure and the drain loop looks every 5 s. Each retry is one batched
    // publish per relay, so a short cap is no retry storm.
    this.maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.random = options.random ?? Math.random;
    this.metrics = options.metrics ?? NO_METRICS;
  }

  /** Publishes until nothing due is left or a pass had failures (the backoff then waits for the next trigger). */
  async drain(): Promise<DrainPass> {
    const total: DrainPass = { published: 0, delivered: 0, retried: 0, deadLettered: 0 };
    for (;;) {
      const pass = await this.pass();
      total.published += pass.published;
      total.delivered += pass.delivered;
      total.retried += pass.retried;
      total.deadLettered += pass.deadLettered;
      if (pass.published === 0 || pass.retried > 0 || pass.published < this.batchSize) return total;
    }
  }

  /** One batch: the due heads of each call (and what follows them while due), one publish. */
  async pass(): Promise<DrainPass> {
    const { store, delivery, publisher, clock, logger } = this.options;
    const now = clock.now();
    const batch = dueInOrder(await store.pendingOutbox(END_OF_TIME, this.scanLimit), now).slice(0, this.batchSize);
    const pass: DrainPass = { published: batch.length, delivered: 0, retried: 0, deadLettered: 0 };
    if (batch.length === 0) return pass;

    this.metrics.outboxBatchPublished();
    let results: DrainResult[];
    try {
      results = await publisher.publish(batch.map((row) => row.event));
    } catch (error) {
      results = batch.map((row) => ({ eventId: row.event.EventId__c, ok: false, error: errorMessage(error) }));
    }
    const byId = new Map(results.map((r) => [r.eventId, r]));

    const ok = batch.filter((row) => byId.get(row.event.EventId__c)?.ok === true).map((row) => row.event.EventId__c);
    await store.deleteOutbox(ok);
    pass.delivered = ok.length;
    this.metrics.outboxDelivered(ok.length);

    for (const row of batch) {
      const result = byId.get(row.event.EventId__c);
      if (result?.ok) continue;
      const error = result?.error ?? 'no result for this event';
      const fields = { callId: row.event.TeamsCallId__c, eventId: row.event.EventId__c, error };
      if (result?.permanent) {
        await delivery.deadLetter(row.event.EventId__c, error, now);
        pass.deadLettered += 1;
        this.metrics.outboxDeadLettered();
        logger.error('event refused by Salesforce; moved to dead letters', fields);
      } else {
        const nextAttemptAt = new Date(Date.parse(now) + this.backoffMs(row.attempts)).toISOString();
        await store.recordOutboxFailure(row.event.EventId__c, error, nextAttemptAt);
        pass.retried += 1;
        this.metrics.outboxRetried();
        logger.warn('event not delivered; will retry', { ...fields, attempts: row.attempts + 1, nextAttemptAt });
      }
    }
    return pass;
  }

  /** Equal jitter: half the exponential step fixed, half random, so many relays do not retry in lockstep. */
  backoffMs(attempts: number): number {
    const step = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** Math.min(attempts, 30));
    return Math.round(step / 2 + (step / 2) * this.random());
  }
}

/** Rows (oldest first) that may go now: due, and not behind a row of the same call that is waiting. */
export function dueInOrder(rows: readonly OutboxRow[], now: string): OutboxRow[] {
  const blocked = new Set<string>();
  const due: OutboxRow[] = [];
  for (const row of rows) {
    const callId = row.event.TeamsCallId__c;
    if (blocked.has(callId)) continue;
    if (row.nextAttemptAt > now) blocked.add(callId);
    else due.push(row);
  }
  return due;
}
