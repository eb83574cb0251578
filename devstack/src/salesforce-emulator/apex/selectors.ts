// The selectors' queries over the emulator store. "As the running user may see it" is the org's sharing for
// TeamsCall__c (OWD Private, owner = the agent; TeamsPhoneAdmin has View All).
import { hasAdminPermissionSet, type ApexContext } from './context.ts';
import type { SRecord } from '../store.ts';

export function canSeeCall(ctx: ApexContext, call: SRecord): boolean {
  return call.OwnerId === ctx.userId || hasAdminPermissionSet(ctx.store, ctx.userId);
}

/** TeamsCallSelector.selectByTeamsCallId: one call by its Teams id, as the running user may see it. */
export function selectByTeamsCallId(ctx: ApexContext, teamsCallId: string): SRecord | undefined {
  const call = ctx.store.all('TeamsCall__c').find((row) => row.TeamsCallId__c === teamsCallId);
  return call && canSeeCall(ctx, call) ? call : undefined;
}

/** Newest first with nulls last, then Id descending: the selectors' `ORDER BY StartedAt__c DESC, Id DESC`. */
export function newestFirst(a: SRecord, b: SRecord): number {
  const aStart = typeof a.StartedAt__c === 'string' ? Date.parse(a.StartedAt__c) : null;
  const bStart = typeof b.StartedAt__c === 'string' ? Date.parse(b.StartedAt__c) : null;
  if (aStart !== bStart) {
    if (aStart === null) return 1;
    if (bStart === null) return -1;
    return bStart - aStart;
  }
  return a.Id < b.Id ? 1 : a.Id > b.Id ? -1 : 0;
}
