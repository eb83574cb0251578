// TeamsCommandPublisher twin: ownership and state checks, then a TeamsCallCommand__e on the emulator's event bus,
// which hands it to Pub/Sub subscribers (the relay), CometD and the onPublished hook like any published event.
import { createHash, randomUUID } from 'node:crypto';
import { MESSAGES as RULE_MESSAGES, normalizePhone } from '../redirect-rule-validator.ts';
import { AuraError, lineOf, type ApexContext } from './context.ts';
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
  wrongState: 'The call cannot be changed in its current state.',
  noLine: 'You have no active phone line. Ask your admin to set one up.',
  ownLine: 'This is your own line. Enter the number you want to call.',
  tooManyDials: 'You dialled too often in the last minute. Wait a moment and try again.'
} as const;

/** B09: at most this many dials per agent per minute (the relay checks the same limit again, exactly). */
export const DIAL_LIMIT = 5;
const REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;

/** The command was refused; the message is safe to show to the agent. */
export class CommandRefused extends AuraError {}

function publish(
  ctx: ApexContext,
  teamsCallId: string | null,
  action: string,
  argument: string | null,
  commandId: string = randomUUID()
): string {
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

/** The same user and request always give the same command id (36 characters, UUID-shaped), as in the Apex. */
export function dialCommandId(userId: string, requestId: string): string {
  const hex = createHash('sha256').update(`${userId}:dial:${requestId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** B09: TeamsCommandPublisher.sendDial — a Dial for the running user's own line, checked as the Apex checks it. */
export function sendDial(ctx: ApexContext, phoneNumber: string | null, requestId: string | null): string {
  const line = lineOf(ctx.store, ctx.userId);
  if (!line || line.IsActive__c !== true) throw new CommandRefused(COMMAND_MESSAGES.noLine);
  const normalized = phoneNumber === null || phoneNumber.trim() === '' ? null : normalizePhone(phoneNumber);
  if (normalized === null) throw new CommandRefused(RULE_MESSAGES.notE164);
  const own =
    typeof line.PhoneNumber__c === 'string' && line.PhoneNumber__c.trim() !== ''
      ? normalizePhone(line.PhoneNumber__c)
      : null;
  if (normalized === own) throw new CommandRefused(COMMAND_MESSAGES.ownLine);
  const request = requestId === null || requestId.trim() === '' ? null : requestId;
  if (request !== null && !REQUEST_ID.test(request)) throw new CommandRefused(COMMAND_MESSAGES.unknown);
  const since = Date.now() - 60_000;
  const recent = ctx.store
    .all('TeamsCall__c')
    .filter(
      (call) =>
        call.OwnerId === ctx.userId &&
        call.Direction__c === 'Outbound' &&
        typeof call.StartedAt__c === 'string' &&
        Date.parse(call.StartedAt__c) >= since
    ).length;
  if (recent >= DIAL_LIMIT) throw new CommandRefused(COMMAND_MESSAGES.tooManyDials);
  const commandId = request === null ? randomUUID() : dialCommandId(ctx.userId, request);
  return publish(ctx, null, 'Dial', normalized, commandId);
}

/** B13: TeamsCommandPublisher.sendAfterCallWork — Ready / Extend for the running user's own after-call work. */
export function sendAfterCallWork(ctx: ApexContext, action: string | null): string {
  if (action !== 'Ready' && action !== 'Extend') throw new CommandRefused(COMMAND_MESSAGES.unknown);
  const line = lineOf(ctx.store, ctx.userId);
  if (!line || line.IsActive__c !== true) throw new CommandRefused(COMMAND_MESSAGES.noLine);
  return publish(ctx, null, action, null);
}
