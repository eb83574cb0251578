import type { TeamsCallEvent } from '../../domain/call-event.ts';
import type { EventPublisher, PublishResult } from '../../ports/event-publisher.port.ts';

/** Salesforce in memory: keeps delivered events once per EventId__c, as the Apex handler's idempotency would. */
export class InMemoryEventPublisher implements EventPublisher {
  readonly delivered: TeamsCallEvent[] = [];
  private readonly seen = new Set<string>();
  /** While true every publish fails (Salesforce unreachable). */
  down = false;

  publish(events: TeamsCallEvent[]): Promise<PublishResult[]> {
    return Promise.resolve(
      events.map((event) => {
        if (this.down) return { eventId: event.EventId__c, ok: false, error: 'unavailable' };
        if (!this.seen.has(event.EventId__c)) {
          this.seen.add(event.EventId__c);
          this.delivered.push(event);
        }
        return { eventId: event.EventId__c, ok: true };
      })
    );
  }
}
