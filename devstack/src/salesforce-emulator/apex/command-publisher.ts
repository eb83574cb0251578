// TeamsCommandPublisher twin: ownership and state checks, then a TeamsCallCommand__e on the emulator's event bus,
// which hands it to Pub/Sub subscribers (the relay), CometD and the onPublished hook like any published event.
import { randomUUID } from 'node:crypto';
import { AuraError, type ApexContext } from './context.ts';
import { selectByTeamsCallId } from './selectors.ts';

/** Which call states each agent action is allowed in. */
export const ALLOWED_STATES: Readonly<Record<string, ReadonlySet<string>>> = {
  Hold: new Set(['Connected']),
  Resume: new Set(['OnHold']),
  Hangup: new Set(['Connected', 'OnHold']),
  Reject: new Set(['Ringing'])
};

export const COMMAND_MESSAGES = {
  unknown: 'Unknown action or call.',
  notYours: 'This call is not yours.',
  wrongState: 'The call cannot be changed in its current state.'
} as const;

/** The command was refused; the message is safe to show to the agent. */
export class CommandRefused extends AuraError {}

function publish(ctx: ApexContext, teamsCallId: string | null, action: string, argument: string | null): string {
  const commandId = randomUUID();
  ctx.bus.publishJson(
    'TeamsCallCommand__e',
    {
      CommandId__c: commandId,
      TeamsCallId__c: teamsCallId,
      Action__c: action,
      Argument__c: argument,
      RequestedBy__c: ctx.userId,
      IssuedAt__c: new Date().toISOString()
    },
    ctx.userId
  );
  return commandId;
}

export function sendCallCommand(ctx: ApexContext, teamsCallId: string | null, action: string | null): string {
  if (teamsCallId === null || teamsCallId.trim() === '' || action === null || !Object.hasOwn(ALLOWED_STATES, action)) {
    throw new CommandRefused(COMMAND_MESSAGES.unknown);
  }
  const call = selectByTeamsCallId(ctx, teamsCallId);
  if (!call || call.OwnerId !== ctx.userId) throw new CommandRefused(COMMAND_MESSAGES.notYours);
  if (!ALLOWED_STATES[action]!.has(String(call.State__c))) throw new CommandRefused(COMMAND_MESSAGES.wrongState);
  return publish(ctx, teamsCallId, action, null);
}

/** Asks the relay to reload agent configuration (after redirect settings or phone users change). */
export function sendReloadConfig(ctx: ApexContext, agentUserId: string | null): string {
  return publish(ctx, null, 'ReloadConfig', agentUserId);
}
