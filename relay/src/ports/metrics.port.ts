/**
 * What the relay's workers report about their own work, so operators can see the ring path, the inbox and the
 * outbox without the app layer knowing how (or whether) the numbers are exported.
 */

/** How one inbox notification item (or the whole row, for `undecodable`/`retried`/`abandoned`) ended. */
export type InboxOutcome = 'applied' | 'skipped' | 'undecodable' | 'retried' | 'abandoned';

/** Whether a Graph call-control or presence effect went through or threw. */
export type EffectOutcome = 'executed' | 'failed';

export interface RelayMetrics {
  /** One inbox item or row finished with the given outcome. */
  inboxItem(outcome: InboxOutcome): void;
  /** From the incoming-call notification reaching the relay to the agent invite and the Ringing publish done. */
  ringPathObserved(seconds: number): void;
  /** One Graph effect (`type` is the domain effect type, e.g. `InviteAgent`) ran with the given outcome. */
  effect(type: string, outcome: EffectOutcome): void;
  /** The outbox drain made one publish call (one batch of pending events). */
  outboxBatchPublished(): void;
  /** Outbox events deleted after a final success from Salesforce. */
  outboxDelivered(count: number): void;
  /** One outbox event failed transiently and was scheduled for a retry. */
  outboxRetried(): void;
  /** One outbox event was refused by Salesforce as invalid and moved to the dead-letter table. */
  outboxDeadLettered(): void;
  /** A command from Salesforce was refused (`reason`: publisher, unknown-call, not-agent, state). */
  commandRefused(reason: string): void;
}
