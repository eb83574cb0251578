import type { EffectOutcome, InboxOutcome, RelayMetrics } from '../../ports/metrics.port.ts';

/** Metrics in memory: plain counts tests can read back, named like the Prometheus series they stand for. */
export class InMemoryMetrics implements RelayMetrics {
  readonly inboxItems: Record<InboxOutcome, number> = {
    applied: 0,
    skipped: 0,
    undecodable: 0,
    retried: 0,
    abandoned: 0
  };
  readonly ringPathSeconds: number[] = [];
  /** Keyed `<effect type>/<outcome>`, e.g. `InviteAgent/executed`. */
  readonly effects = new Map<string, number>();
  outboxBatches = 0;
  outboxDeliveredEvents = 0;
  outboxRetriedEvents = 0;
  outboxDeadLetteredEvents = 0;
  /** Refused commands by reason. */
  readonly commandsRefused = new Map<string, number>();

  inboxItem(outcome: InboxOutcome): void {
    this.inboxItems[outcome] += 1;
  }

  ringPathObserved(seconds: number): void {
    this.ringPathSeconds.push(seconds);
  }

  effect(type: string, outcome: EffectOutcome): void {
    const key = `${type}/${outcome}`;
    this.effects.set(key, (this.effects.get(key) ?? 0) + 1);
  }

  /** How many times effect `type` ended with `outcome`. */
  effectCount(type: string, outcome: EffectOutcome): number {
    return this.effects.get(`${type}/${outcome}`) ?? 0;
  }

  outboxBatchPublished(): void {
    this.outboxBatches += 1;
  }

  outboxDelivered(count: number): void {
    this.outboxDeliveredEvents += count;
  }

  outboxRetried(): void {
    this.outboxRetriedEvents += 1;
  }

  outboxDeadLettered(): void {
    this.outboxDeadLetteredEvents += 1;
  }

  commandRefused(reason: string): void {
    this.commandsRefused.set(reason, (this.commandsRefused.get(reason) ?? 0) + 1);
  }
}
