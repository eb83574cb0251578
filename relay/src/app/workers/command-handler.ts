/**
 * Commands from Salesforce (`TeamsCallCommand__e`) → `CommandReceived` inputs, once per `CommandId__c` (the
 * subscription is at least once). The engine checks that the requester is the call's agent and turns
 * `ReloadConfig` into a config reload.
 */
import type { TeamsCallCommand } from '../../domain/call-event.ts';
import type { Input } from '../../domain/model.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { DeliveryStore } from '../../ports/delivery-store.port.ts';
import type { Logger } from '../../ports/logger.port.ts';
import { errorMessage } from './loop.ts';

export class CommandHandler {
  constructor(
    private readonly delivery: Pick<DeliveryStore, 'markCommandProcessed'>,
    private readonly handle: (input: Input) => Promise<unknown>,
    private readonly clock: Clock,
    private readonly logger: Logger
  ) {}

  /** False for a duplicate (already processed) command. */
  async onCommand(command: TeamsCallCommand): Promise<boolean> {
    const at = this.clock.now();
    // Recorded first: a redelivery racing the step must not act twice (the engine's own keys are bounded).
    if (!(await this.delivery.markCommandProcessed(command.CommandId__c, at))) {
      this.logger.info('duplicate command ignored', {
        commandId: command.CommandId__c,
        callId: command.TeamsCallId__c
      });
      return false;
    }
    try {
      await this.handle({ type: 'CommandReceived', command, at, key: `Command:${command.CommandId__c}` });
    } catch (error) {
      // Already recorded as processed, so a redelivery would be dropped: say so loudly (the agent can click again).
      this.logger.error('command recorded but not applied', {
        commandId: command.CommandId__c,
        callId: command.TeamsCallId__c,
        error: errorMessage(error)
      });
      return false;
    }
    return true;
  }
}
