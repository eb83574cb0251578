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
import type { RelayMetrics } from '../../ports/metrics.port.ts';
import type { HandleResult } from '../call-relay.ts';
import { errorMessage } from './loop.ts';
import { NO_METRICS } from './no-metrics.ts';

export class CommandHandler {
  constructor(
    private readonly delivery: Pick<DeliveryStore, 'markCommandProcessed'>,
    private readonly handle: (input: Input) => Promise<HandleResult>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: RelayMetrics = NO_METRICS
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
      const result = await this.handle({
        type: 'CommandReceived',
        command,
        at,
        key: `Command:${command.CommandId__c}`
      });
      // The engine logs each refusal with the command id and a `refusal` reason; count them for /metrics.
      for (const effect of result.effects) {
        const refusal = effect.type === 'Log' ? effect.fields?.['refusal'] : undefined;
        if (typeof refusal === 'string') this.metrics.commandRefused(refusal);
      }
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
