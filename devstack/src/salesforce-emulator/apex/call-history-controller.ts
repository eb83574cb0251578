// TeamsCallHistoryController twin: keyset-paged history (newest first, cursor = base64 "<StartedAt ms>:<Id>"),
// admin vs agent scope, and the per-call timeline (B08).
import type { SRecord } from '../store.ts';
import {
  AuraError,
  dateParam,
  hasAdminPermissionSet,
  idParam,
  integerParam,
  keyPrefixOf,
  nameOf,
  stringParam,
  userName,
  type ApexContext,
  type ApexMethod
} from './context.ts';
import { canSeeCall, newestFirst } from './selectors.ts';

export const HISTORY_MESSAGES = {
  badCursor: 'The list has changed. Reload it and try again.',
  generic: 'The call history could not be loaded. Try again.',
  badFilter: 'Choose a filter from the list.'
} as const;

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
const DAY_MS = 86_400_000;

export function encodeCursor(startedAt: string, recordId: string): string {
  return Buffer.from(`${Date.parse(startedAt)}:${recordId}`, 'utf8').toString('base64');
}

function decodeCursor(ctx: ApexContext, cursor: string): { startedAt: number; id: string } {
  const [millis, id] = Buffer.from(cursor, 'base64').toString('utf8').split(':');
  const startedAt = Number(millis);
  if (!/^-?\d+$/.test(millis ?? '') || !Number.isFinite(startedAt) || !/^[a-zA-Z0-9]{18}$/.test(id ?? '')) {
    throw new AuraError(HISTORY_MESSAGES.badCursor);
  }
  if (id!.slice(0, 3) !== keyPrefixOf(ctx.store, 'TeamsCall__c')) throw new AuraError(HISTORY_MESSAGES.badCursor);
  return { startedAt, id: id! };
}

function historyRow(ctx: ApexContext, call: SRecord): Record<string, unknown> {
  const matchedRecordId = call.Contact__c ?? call.Lead__c ?? call.Account__c ?? null;
  return {
    recordId: call.Id,
    teamsCallId: call.TeamsCallId__c ?? null,
    direction: call.Direction__c ?? null,
    callerNumber: call.CallerNumber__c ?? null,
    callerName: call.CallerName__c ?? null,
    matchedRecordId,
    matchedRecordName: nameOf(ctx.store, matchedRecordId),
    agentName: userName(ctx.store, call.OwnerId),
    startedAt: call.StartedAt__c ?? null,
    ringSeconds: call.RingSeconds__c ?? null,
    talkSeconds: call.TalkSeconds__c ?? null,
    outcome: call.Outcome__c ?? null,
    reason: call.Reason__c ?? null,
    state: call.State__c ?? null,
    target: call.Target__c ?? null
  };
}

/**
 * TeamsCallHistoryController.userTargetNames / linkedName: the name behind a timeline target — the user whose line
 * has a TeamsUser target's Teams id, a SoftphoneUser target's user, the record a link decision linked — or null.
 */
function targetName(ctx: ApexContext, call: SRecord, row: SRecord): string | null {
  const target = typeof row.Target__c === 'string' ? row.Target__c : '';
  if (target.startsWith('TeamsUser:')) {
    const teamsId = target.slice('TeamsUser:'.length).trim();
    const line = ctx.store.all('TeamsPhoneUser__c').find((l) => l.TeamsUserId__c === teamsId);
    return line ? userName(ctx.store, line.User__c) : null;
  }
  if (target.startsWith('SoftphoneUser:')) return userName(ctx.store, target.slice('SoftphoneUser:'.length).trim());
  if (row.State__c !== 'RecordLink' || target === '') return null;
  return [call.Contact__c, call.Lead__c, call.Account__c].includes(target) ? nameOf(ctx.store, target) : null;
}

/** Rethrows user-safe errors, hides everything else behind the controller's generic message. */
function guarded<T>(body: () => T): T {
  try {
    return body();
  } catch (failure) {
    if (failure instanceof AuraError) throw failure;
    throw new AuraError(HISTORY_MESSAGES.generic);
  }
}

export const callHistoryMethods: Record<string, ApexMethod> = {
  getCalls: (ctx, params) => {
    const filter = stringParam(params, 'filter');
    const fromDate = dateParam(params, 'fromDate');
    const toDate = dateParam(params, 'toDate');
    const agentUserId = idParam(params, 'agentUserId');
    const relatedRecordId = idParam(params, 'relatedRecordId');
    const cursor = stringParam(params, 'cursor');
    const pageSize = integerParam(params, 'pageSize');
    return guarded(() => {
      const isAdmin = hasAdminPermissionSet(ctx.store, ctx.userId);
      const ownerId = isAdmin ? agentUserId : ctx.userId;
      const normalized = filter === null || filter.trim() === '' ? 'all' : filter.toLowerCase();
      if (!['all', 'missed', 'inbound', 'outbound'].includes(normalized)) {
        throw new AuraError(HISTORY_MESSAGES.badFilter);
      }
      const after = cursor === null || cursor.trim() === '' ? null : decodeCursor(ctx, cursor);
      const size = pageSize === null || pageSize < 1 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
      const calls = ctx.store
        .all('TeamsCall__c')
        .filter((call) => {
          if (typeof call.StartedAt__c !== 'string' || (!isAdmin && call.OwnerId !== ctx.userId)) return false;
          const startedAt = Date.parse(call.StartedAt__c);
          if (ownerId !== null && call.OwnerId !== ownerId) return false;
          if (normalized === 'missed' && call.IsMissed__c !== true) return false;
          if (normalized === 'inbound' && call.Direction__c !== 'Inbound') return false;
          if (normalized === 'outbound' && call.Direction__c !== 'Outbound') return false;
          if (fromDate !== null && startedAt < fromDate) return false;
          if (toDate !== null && startedAt >= toDate + DAY_MS) return false;
          if (relatedRecordId !== null && ![call.Contact__c, call.Lead__c, call.Account__c].includes(relatedRecordId)) {
            return false;
          }
          if (
            after !== null &&
            !(startedAt < after.startedAt || (startedAt === after.startedAt && call.Id < after.id))
          ) {
            return false;
          }
          return true;
        })
        .sort(newestFirst)
        .slice(0, size + 1);
      const rows = calls.slice(0, size);
      const last = rows[rows.length - 1];
      return {
        rows: rows.map((call) => historyRow(ctx, call)),
        nextCursor: calls.length > size && last ? encodeCursor(String(last.StartedAt__c), last.Id) : null,
        isAdmin
      };
    });
  },

  getTimeline: (ctx, params) => {
    const callRecordId = idParam(params, 'callRecordId');
    return guarded(() => {
      if (callRecordId === null) return [];
      const call = ctx.store.get('TeamsCall__c', callRecordId);
      if (!call || !canSeeCall(ctx, call)) return [];
      return ctx.store
        .all('TeamsCallTimelineEntry__c')
        .filter((row) => row.Call__c === callRecordId)
        .sort(
          (a, b) =>
            Number(a.Sequence__c ?? 0) - Number(b.Sequence__c ?? 0) ||
            String(a.OccurredAt__c).localeCompare(String(b.OccurredAt__c))
        )
        .slice(0, 500)
        .map((row) => ({
          sequence: row.Sequence__c ?? null,
          state: row.State__c ?? null,
          reason: row.Reason__c ?? null,
          target: row.Target__c ?? null,
          targetName: targetName(ctx, call, row),
          occurredAt: row.OccurredAt__c ?? null,
          isApplied: row.IsApplied__c === true
        }));
    });
  }
};
