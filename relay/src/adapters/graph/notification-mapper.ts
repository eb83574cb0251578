/**
 * Parsed Graph notification items → the engine's domain inputs (graph-calls.md §2.4, §3). Items that carry no
 * engine-relevant change (e.g. `transferring`) are returned as `skipped` with a reason, so the webhook can log
 * and count them and the support CLI can show what the relay made of each item.
 */
import type { Input, Participant } from '../../domain/model.ts';
import type { GraphIdentity, GraphNotificationItem, RosterParticipant } from './notification-parser.ts';

export type MappedItem =
  { index: number; callId?: string; input: Input } | { index: number; callId?: string; skipped: string };

export interface MapContext {
  /** ISO instant the POST was received. */
  receivedAt: string;
  /** The tenant from the webhook token's `tid`, used when the payload has none. */
  tenantId: string;
  /**
   * The E.164 number that was dialled, from the dialled identity: a `phone` identity is its own number; an
   * `applicationInstance` (resource account) must be looked up in configuration. Undefined = not ours.
   */
  dialledNumberFor: (dialled: GraphIdentity | undefined) => string | undefined;
}

const TRANSFER_COMPLETED_SUBCODE = 7015;
const DECLINED_CODE = 603;
const HOLD_OPERATIONS: Record<string, 'StartHoldMusic' | 'StopHoldMusic'> = {
  startHoldMusicOperation: 'StartHoldMusic',
  stopHoldMusicOperation: 'StopHoldMusic'
};

export function mapNotificationItems(items: readonly GraphNotificationItem[], context: MapContext): MappedItem[] {
  return items.map((item) => mapItem(item, context));
}

function mapItem(item: GraphNotificationItem, context: MapContext): MappedItem {
  const at = context.receivedAt;
  const { index } = item;
  switch (item.kind) {
    case 'unknown':
      return { index, ...(item.callId && { callId: item.callId }), skipped: item.reason };

    case 'incomingCall': {
      const dialledNumber = context.dialledNumberFor(item.dialled);
      if (!dialledNumber) {
        return {
          index,
          callId: item.callId,
          skipped: `dialled identity ${item.dialled?.kind ?? 'absent'} is not a configured line`
        };
      }
      return {
        index,
        callId: item.callId,
        input: {
          type: 'IncomingCall',
          at,
          callId: item.callId,
          tenantId: item.tenantId ?? context.tenantId,
          dialledNumber,
          ...(item.callerNumber && { callerNumber: item.callerNumber }),
          ...(item.callerName && { callerName: item.callerName })
        }
      };
    }

    case 'callState': {
      const { callId } = item;
      const result = item.resultInfo;
      switch (item.state) {
        case 'establishing':
          return { index, callId, input: { type: 'CallEstablishing', at, callId } };
        case 'established':
          // A failed transfer returns the call to `established` with an error resultInfo (§3).
          if (result && result.code >= 400) {
            return {
              index,
              callId,
              input: { type: 'TransferFailed', at, callId, code: `${result.code}/${result.subcode}` }
            };
          }
          return { index, callId, input: { type: 'CallEstablished', at, callId } };
        case 'transferAccepted':
          return { index, callId, input: { type: 'TransferAccepted', at, callId } };
        case 'terminated': {
          if (
            (result?.code === 0 && result.subcode === TRANSFER_COMPLETED_SUBCODE) ||
            item.terminationReason === 'AppTransferred'
          ) {
            return { index, callId, input: { type: 'TransferCompleted', at, callId } };
          }
          return {
            index,
            callId,
            input: {
              type: 'CallTerminated',
              at,
              callId,
              code: result?.code ?? 0,
              subcode: result?.subcode ?? 0,
              ...(item.answeredBy && { answered: true })
            }
          };
        }
        default:
          return { index, callId, skipped: `call state ${item.state ?? '(none)'} needs no engine input` };
      }
    }

    case 'roster':
      return {
        index,
        callId: item.callId,
        input: {
          type: 'ParticipantsUpdated',
          at,
          callId: item.callId,
          // A roster can return to an earlier set (the agent leaves: caller + bot again); its sequence number tells
          // a new roster from a redelivered one, where the content-derived key would drop it as a duplicate.
          ...(item.rosterSequenceNumber !== undefined && {
            key: `ParticipantsUpdated:${item.callId}:${item.rosterSequenceNumber}`,
            sequence: item.rosterSequenceNumber
          }),
          participants: item.participants.filter((p) => !p.removed).map(toParticipant)
        }
      };

    case 'operation': {
      const { callId, operationId } = item;
      const operation = item.operationType ? HOLD_OPERATIONS[item.operationType] : undefined;
      const failed = item.status === 'failed' || (item.resultInfo !== undefined && item.resultInfo.code >= 400);
      const code = item.resultInfo ? `${item.resultInfo.code}/${item.resultInfo.subcode}` : undefined;
      if (operation && item.status === 'completed' && !failed) {
        return { index, callId, input: { type: 'OperationCompleted', at, callId, operation, operationId } };
      }
      if (operation && failed) {
        return {
          index,
          callId,
          input: { type: 'OperationFailed', at, callId, operation, operationId, ...(code && { code }) }
        };
      }
      // 603 (SIP Decline) is the invitee declining in Teams (S14), not a failure to reach them.
      if (item.operationType === 'inviteParticipantsOperation' && failed && item.resultInfo?.code === DECLINED_CODE) {
        return { index, callId, input: { type: 'AgentDeclined', at, callId } };
      }
      if (item.operationType === 'inviteParticipantsOperation' && failed) {
        return { index, callId, input: { type: 'InviteFailed', at, callId, ...(code && { code }) } };
      }
      return {
        index,
        callId,
        skipped: `operation ${item.operationType ?? '?'} ${item.status ?? ''} needs no engine input`.trim()
      };
    }
  }
}

function toParticipant(p: RosterParticipant): Participant {
  return {
    id: p.id,
    ...(p.displayName && { displayName: p.displayName }),
    ...(p.teamsUserId && { teamsUserId: p.teamsUserId }),
    ...(p.phone && { phoneNumber: p.phone, isCaller: true }),
    ...(p.applicationId && { isBot: true })
  };
}
