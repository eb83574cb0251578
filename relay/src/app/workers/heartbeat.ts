/**
 * B07: the relay tells Salesforce it is running. A `Heartbeat` TeamsCallEvent__e (instance id in `TeamsCallId__c`,
 * version in `Target__c`) is published at start and then at a configured interval; the Apex handler keeps
 * `TeamsRelayStatus__c.LastHeartbeatAt__c`, which the Setup tab's "The relay is running" check reads. Published
 * directly, not through the outbox: a heartbeat that cannot be delivered now is worthless later.
 */
import type { TeamsCallEvent } from '../../domain/call-event.ts';
import { eventIdFor } from '../../domain/event-id.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { EventPublisher } from '../../ports/event-publisher.port.ts';
import type { Logger } from '../../ports/logger.port.ts';
import { errorMessage } from './loop.ts';

export interface HeartbeatIdentity {
  instanceId: string;
  version: string;
}

export class Heartbeat {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly identity: HeartbeatIdentity
  ) {}

  /** Publishes one heartbeat; false (logged) when Salesforce did not take it. */
  async beat(): Promise<boolean> {
    const at = this.clock.now();
    // Milliseconds since the epoch: strictly increasing across restarts, so the newest heartbeat always wins.
    const sequence = Date.parse(at);
    const event: TeamsCallEvent = {
      EventId__c: eventIdFor(`heartbeat:${this.identity.instanceId}`, sequence),
      TeamsCallId__c: this.identity.instanceId,
      Sequence__c: sequence,
      Kind__c: 'Heartbeat',
      Target__c: this.identity.version,
      OccurredAt__c: at
    };
    try {
      const [result] = await this.publisher.publish([event]);
      if (result?.ok) return true;
      this.logger.warn('heartbeat not accepted by Salesforce', { error: result?.error ?? 'no result' });
    } catch (error) {
      this.logger.warn('heartbeat not delivered: Salesforce unreachable', { error: errorMessage(error) });
    }
    return false;
  }
}
