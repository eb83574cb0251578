/**
 * `RelayMetrics` on prom-client: the series GET /metrics has always shown for the inbox, the ring path, Graph
 * effects and the outbox, plus two gauges read from the store at scrape time.
 */
import * as prom from 'prom-client';
import type { Registry } from 'prom-client';
import type { EffectOutcome, InboxOutcome, RelayMetrics } from '../../ports/metrics.port.ts';

/** Read at each scrape, so the gauges show the store as it is rather than what the workers last saw. */
export interface StoreGaugeSources {
  outboxDepth: () => Promise<number>;
  deadLetters: () => Promise<number>;
}

export class PrometheusRelayMetrics implements RelayMetrics {
  private readonly inboxItems: prom.Counter<'outcome'>;
  private readonly ringPath: prom.Histogram;
  private readonly effects: prom.Counter<'type' | 'outcome'>;
  private readonly batches: prom.Counter;
  private readonly delivered: prom.Counter;
  private readonly retried: prom.Counter;
  private readonly deadLettered: prom.Counter;
  private readonly refused: prom.Counter<'reason'>;

  constructor(registry: Registry, store?: StoreGaugeSources) {
    const registers = [registry];
    this.inboxItems = new prom.Counter({
      name: 'relay_inbox_items_total',
      help: 'Inbox rows processed, by outcome (applied, skipped, undecodable, retried, abandoned).',
      labelNames: ['outcome'],
      registers
    });
    this.ringPath = new prom.Histogram({
      name: 'relay_ring_path_seconds',
      help:
        'From the incoming-call notification reaching the relay to the agent invite and the Ringing publish done ' +
        '(the publish wait is capped, see RuntimeIntervals.publishWaitMs).',
      buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
      registers
    });
    this.effects = new prom.Counter({
      name: 'relay_effects_total',
      help: 'Graph effects executed, by effect type and outcome (executed, failed).',
      labelNames: ['type', 'outcome'],
      registers
    });
    this.batches = new prom.Counter({
      name: 'relay_outbox_publish_batches_total',
      help: 'Publish calls made by the outbox drain (one per batch of pending events).',
      registers
    });
    this.delivered = new prom.Counter({
      name: 'relay_outbox_events_delivered_total',
      help: 'Outbox events deleted after a final success from Salesforce.',
      registers
    });
    this.retried = new prom.Counter({
      name: 'relay_outbox_events_retried_total',
      help: 'Outbox events that failed transiently and were scheduled for a retry.',
      registers
    });
    this.deadLettered = new prom.Counter({
      name: 'relay_outbox_dead_lettered_total',
      help: 'Outbox events Salesforce refused as invalid, moved to the dead-letter table.',
      registers
    });
    this.refused = new prom.Counter({
      name: 'relay_commands_refused_total',
      help: 'Commands from Salesforce the relay refused, by reason (publisher, unknown-call, not-agent, state).',
      labelNames: ['reason'],
      registers
    });
    if (!store) return;
    new prom.Gauge({
      name: 'relay_outbox_depth',
      help: 'Events waiting in the outbox for Salesforce.',
      registers,
      async collect() {
        this.set(await store.outboxDepth());
      }
    });
    new prom.Gauge({
      name: 'relay_dead_letters',
      help: 'Events held in the dead-letter table.',
      registers,
      async collect() {
        this.set(await store.deadLetters());
      }
    });
  }

  inboxItem(outcome: InboxOutcome): void {
    this.inboxItems.inc({ outcome });
  }

  ringPathObserved(seconds: number): void {
    this.ringPath.observe(seconds);
  }

  effect(type: string, outcome: EffectOutcome): void {
    this.effects.inc({ type, outcome });
  }

  outboxBatchPublished(): void {
    this.batches.inc();
  }

  outboxDelivered(count: number): void {
    this.delivered.inc(count);
  }

  outboxRetried(): void {
    this.retried.inc();
  }

  outboxDeadLettered(): void {
    this.deadLettered.inc();
  }

  commandRefused(reason: string): void {
    this.refused.inc({ reason });
  }
}
