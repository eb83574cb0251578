import type { TeamsCallEvent } from '../domain/call-event.ts';

export interface PublishResult {
  eventId: string;
  /** True only on a final success from Salesforce; anything else stays in the outbox and is retried (B01). */
  ok: boolean;
  error?: string;
}

/** Publishes `TeamsCallEvent__e` to Salesforce (Pub/Sub API). One result per event, in the same order. */
export interface EventPublisher {
  publish(events: TeamsCallEvent[]): Promise<PublishResult[]>;
}
