// TeamsSoftphoneController twin (docs/controller-contracts.md): agent context, open calls, caller lookup,
// commands, linking and wrap-up, with the same checks and messages as the Apex.
import { buildTask, type CallRecord, type LinkCandidate } from '../record-keeping.ts';
import type { OrgStore, SRecord } from '../store.ts';
import { sendAfterCallWork, sendCallCommand, sendDial } from './command-publisher.ts';
import {
  AuraError,
  booleanParam,
  currentSettings,
  deleteRecord,
  idParam,
  isBlank,
  keyPrefixOf,
  lineOf,
  nameOf,
  stringParam,
  userSafe,
  type ApexContext,
  type ApexMethod
} from './context.ts';
import { newestFirst, selectByTeamsCallId } from './selectors.ts';

export const SOFTPHONE_MESSAGES = {
  generic: 'Something went wrong. Try again, or ask your admin if it keeps happening.',
  notYourCall: 'This call is not yours.',
  badDisposition: 'Choose a disposition from the list.',
  cannotLink: 'You cannot link this call to that record.',
  notesTooLong: 'Notes can be at most 32,000 characters. Shorten them and save again.'
} as const;

/** Task.Description holds 32,000 characters (TeamsCall__c.Notes__c 32,768): TeamsCallEventHandler.TASK_DESCRIPTION_LENGTH. */
const TASK_DESCRIPTION_LENGTH = 32000;

const DISPOSITIONS = new Set(['Resolved', 'FollowUpNeeded', 'LeftVoicemail', 'WrongNumber', 'NotInterested']);
const OPEN_STATES = new Set(['Ringing', 'Connected', 'OnHold']);
const MAX_RESULTS = 10;
const MIN_DIGITS = 6;
const SEARCH_DIGITS = 10;

export function callView(ctx: ApexContext, call: SRecord): Record<string, unknown> {
  let linkedRecordId: unknown = null;
  if (call.Contact__c) linkedRecordId = call.Contact__c;
  else if (call.Lead__c) linkedRecordId = call.Lead__c;
  else if (call.Account__c) linkedRecordId = call.Account__c;
  return {
    recordId: call.Id,
    teamsCallId: call.TeamsCallId__c ?? null,
    state: call.State__c ?? null,
    reason: call.Reason__c ?? null,
    direction: call.Direction__c ?? null,
    callerNumber: call.CallerNumber__c ?? null,
    callerName: call.CallerName__c ?? null,
    dialledNumber: call.DialledNumber__c ?? null,
    startedAt: call.StartedAt__c ?? null,
    answeredAt: call.AnsweredAt__c ?? null,
    endedAt: call.EndedAt__c ?? null,
    lastSequence: call.LastSequence__c ?? null,
    target: call.Target__c ?? null,
    relatedCallId: call.RelatedCallId__c ?? null,
    participants: call.Participants__c ?? null,
    linkedRecordId,
    linkedRecordName: nameOf(ctx.store, linkedRecordId),
    notes: call.Notes__c ?? null,
    disposition: call.Disposition__c ?? null,
    doNotLog: call.DoNotLog__c === true
  };
}

/** TeamsCallerLookupService.digitsOf: digits only, a leading `00` dropped so it compares with `+`. */
export function digitsOf(phoneNumber: unknown): string {
  if (typeof phoneNumber !== 'string' || phoneNumber.trim() === '') return '';
  const digits = phoneNumber.replace(/[^0-9]/g, '');
  return digits.startsWith('00') ? digits.slice(2) : digits;
}

function isSameNumber(stored: string, caller: string): boolean {
  if (stored === caller) return true;
  const storedNational = stored.startsWith('0') ? stored.slice(1) : stored;
  return (
    storedNational.length >= MIN_DIGITS && caller.endsWith(storedNational) && caller.length - storedNational.length <= 3
  );
}

/** SOSL `IN PHONE FIELDS` for the search term: the stored number's digits end with it, or it ends with them. */
function phoneFieldMatches(value: unknown, searchTerm: string): boolean {
  const stored = digitsOf(value);
  if (stored.length < MIN_DIGITS) return false;
  const national = stored.startsWith('0') ? stored.slice(1) : stored;
  return stored.endsWith(searchTerm) || searchTerm.endsWith(national);
}

interface Match {
  recordId: string;
  objectApiName: 'Contact' | 'Lead' | 'Account';
  name: string | null;
  subtitle: string | null;
  phone: string | null;
  isExactMatch: boolean;
  lastActivity: number | null;
}

function toMatch(
  record: SRecord,
  objectApiName: Match['objectApiName'],
  subtitle: string | null,
  phones: unknown[],
  callerDigits: string
): Match {
  const match: Match = {
    recordId: record.Id,
    objectApiName,
    name: typeof record.Name === 'string' ? record.Name : null,
    subtitle,
    phone: null,
    isExactMatch: false,
    lastActivity: null
  };
  for (const candidate of phones) {
    if (typeof candidate !== 'string' || candidate.trim() === '') continue;
    match.phone ??= candidate;
    if (isSameNumber(digitsOf(candidate), callerDigits)) {
      match.phone = candidate;
      match.isExactMatch = true;
      break;
    }
  }
  const activity = record.LastActivityDate ?? record.LastModifiedDate;
  match.lastActivity = typeof activity === 'string' ? Date.parse(activity) : null;
  return match;
}

function compareMatches(a: Match, b: Match): number {
  if (a.isExactMatch !== b.isExactMatch) return a.isExactMatch ? -1 : 1;
  if (a.lastActivity === b.lastActivity) return 0;
  if (a.lastActivity === null) return 1;
  if (b.lastActivity === null) return -1;
  return b.lastActivity - a.lastActivity;
}

function search(store: OrgStore, sobject: string, fields: string[], term: string, keep = (_r: SRecord) => true) {
  return store
    .all(sobject)
    .filter((record) => keep(record) && fields.some((field) => phoneFieldMatches(record[field], term)))
    .sort((a, b) => String(b.LastModifiedDate).localeCompare(String(a.LastModifiedDate)))
    .slice(0, 20);
}

function findMatches(store: OrgStore, phoneNumber: string | null): Match[] {
  const digits = digitsOf(phoneNumber);
  if (digits.length < MIN_DIGITS) return [];
  const term = digits.length > SEARCH_DIGITS ? digits.slice(-SEARCH_DIGITS) : digits;
  const matches: Match[] = [];
  for (const contact of search(store, 'Contact', ['Phone', 'MobilePhone'], term)) {
    const accountName = nameOf(store, contact.AccountId);
    matches.push(toMatch(contact, 'Contact', accountName, [contact.Phone, contact.MobilePhone], digits));
  }
  const notConverted = (lead: SRecord) => lead.IsConverted !== true;
  for (const lead of search(store, 'Lead', ['Phone', 'MobilePhone'], term, notConverted)) {
    const company = typeof lead.Company === 'string' ? lead.Company : null;
    matches.push(toMatch(lead, 'Lead', company, [lead.Phone, lead.MobilePhone], digits));
  }
  for (const account of search(store, 'Account', ['Phone'], term)) {
    matches.push(toMatch(account, 'Account', null, [account.Phone], digits));
  }
  return matches.sort(compareMatches).slice(0, MAX_RESULTS);
}

/**
 * TeamsCallerLookupService.findMatchesVisibleTo, as TeamsCallLinkService searches for an ended call (S17): the
 * softphone's search, each record with the phone fields decideLink compares. The emulator keeps no record sharing
 * for Contacts, Leads and Accounts (the preview org's are public read), so every record is visible to the agent.
 */
export function linkCandidates(store: OrgStore, phoneNumber: string | null): LinkCandidate[] {
  return findMatches(store, phoneNumber).map((match) => {
    const record = store.getById(match.recordId)!.rec;
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    return {
      Id: record.Id,
      type: match.objectApiName,
      Phone: text(record.Phone),
      MobilePhone: text(record.MobilePhone),
      AccountId: text(record.AccountId),
      visibleToAgent: true
    };
  });
}

function ownCall(ctx: ApexContext, teamsCallId: string | null): SRecord {
  const call = isBlank(teamsCallId) ? undefined : selectByTeamsCallId(ctx, teamsCallId!);
  if (!call || call.OwnerId !== ctx.userId) throw new AuraError(SOFTPHONE_MESSAGES.notYourCall);
  return call;
}

/** TeamsCallerSelector.selectLinkableRecord + applyLink: a Contact (with its Account), Lead or Account. */
function linkFields(ctx: ApexContext, recordId: string | null): Record<string, string | null> {
  const prefix = recordId?.slice(0, 3);
  const record =
    recordId !== null &&
    [keyPrefixOf(ctx.store, 'Contact'), keyPrefixOf(ctx.store, 'Lead'), keyPrefixOf(ctx.store, 'Account')].includes(
      prefix!
    )
      ? ctx.store.getById(recordId)
      : undefined;
  if (!record) throw new AuraError(SOFTPHONE_MESSAGES.cannotLink);
  if (record.sobject === 'Contact') {
    return {
      Contact__c: record.rec.Id,
      Lead__c: null,
      Account__c: typeof record.rec.AccountId === 'string' ? record.rec.AccountId : null
    };
  }
  if (record.sobject === 'Lead') return { Contact__c: null, Lead__c: record.rec.Id, Account__c: null };
  return { Contact__c: null, Lead__c: null, Account__c: record.rec.Id };
}

/** TeamsCallEventHandler.linkTask: WhoId = the Contact or Lead, WhatId = the Account (a Lead has no WhatId). */
export function taskLink(link: Record<string, unknown>): { WhoId: unknown; WhatId: unknown } {
  return {
    WhoId: link.Contact__c ?? link.Lead__c ?? null,
    WhatId: !link.Contact__c && link.Lead__c ? null : (link.Account__c ?? null)
  };
}

function reselect(ctx: ApexContext, teamsCallId: string): Record<string, unknown> {
  return callView(ctx, selectByTeamsCallId(ctx, teamsCallId)!);
}

export const softphoneMethods: Record<string, ApexMethod> = {
  getAgentContext: (ctx) =>
    userSafe(SOFTPHONE_MESSAGES.generic, () => {
      const settings = currentSettings(ctx.store);
      const line = lineOf(ctx.store, ctx.userId);
      let noAnswerSeconds = typeof settings.NoAnswerSeconds__c === 'number' ? settings.NoAnswerSeconds__c : 20;
      if (typeof line?.NoAnswerSeconds__c === 'number') noAnswerSeconds = line.NoAnswerSeconds__c;
      // B13: the agent's own after-call work, else the org's; 0 (none) to 999 s, as the relay reads it.
      const afterCallWork =
        typeof line?.AfterCallWorkSeconds__c === 'number'
          ? line.AfterCallWorkSeconds__c
          : typeof settings.AfterCallWorkSeconds__c === 'number'
            ? settings.AfterCallWorkSeconds__c
            : 0;
      return {
        userId: ctx.userId,
        phoneUserId: line?.Id ?? null,
        phoneNumber: line?.PhoneNumber__c ?? null,
        teamsUserId: line?.TeamsUserId__c ?? null,
        presence: line?.Presence__c ?? null,
        screenPop: isBlank(settings.ScreenPop__c) ? 'SingleMatch' : settings.ScreenPop__c,
        noAnswerSeconds: Math.trunc(noAnswerSeconds),
        afterCallWorkSeconds: Math.max(0, Math.min(999, Math.trunc(afterCallWork))),
        isConfigured: line !== undefined && line.IsActive__c === true
      };
    }),

  getOpenCalls: (ctx) =>
    userSafe(SOFTPHONE_MESSAGES.generic, () =>
      ctx.store
        .all('TeamsCall__c')
        .filter((call) => call.OwnerId === ctx.userId && OPEN_STATES.has(String(call.State__c)))
        .sort(newestFirst)
        .slice(0, 20)
        .map((call) => callView(ctx, call))
    ),

  findCallerMatches: (ctx, params) =>
    userSafe(SOFTPHONE_MESSAGES.generic, () =>
      findMatches(ctx.store, stringParam(params, 'phoneNumber')).map(({ lastActivity: _unused, ...match }) => match)
    ),

  // CommandRefused is an AuraError: its message reaches the agent as is, like the Apex catch clause.
  sendCommand: (ctx, params) =>
    userSafe(SOFTPHONE_MESSAGES.generic, () =>
      sendCallCommand(ctx, stringParam(params, 'teamsCallId'), stringParam(params, 'action'))
    ),

  // B09: CommandRefused is an AuraError, shown to the agent as is.
  dial: (ctx, params) =>
    userSafe(SOFTPHONE_MESSAGES.generic, () =>
      sendDial(ctx, stringParam(params, 'phoneNumber'), stringParam(params, 'requestId'))
    ),

  // B13: "I'm ready" / Extend for the running user's own after-call work; refusals shown as is.
  afterCallWork: (ctx, params) =>
    userSafe(SOFTPHONE_MESSAGES.generic, () => sendAfterCallWork(ctx, stringParam(params, 'action'))),

  linkRecord: (ctx, params) => {
    const teamsCallId = stringParam(params, 'teamsCallId');
    const recordId = idParam(params, 'recordId');
    return userSafe(SOFTPHONE_MESSAGES.generic, () => {
      const call = ownCall(ctx, teamsCallId);
      const link = linkFields(ctx, recordId);
      ctx.store.update('TeamsCall__c', call.Id, link);
      if (typeof call.TaskId__c === 'string' && call.TaskId__c !== '') {
        ctx.store.update('Task', call.TaskId__c, taskLink(link));
      }
      return reselect(ctx, teamsCallId!);
    });
  },

  saveWrapUp: (ctx, params) => {
    const teamsCallId = stringParam(params, 'teamsCallId');
    const notes = stringParam(params, 'notes');
    const disposition = stringParam(params, 'disposition');
    const doNotLog = booleanParam(params, 'doNotLog');
    const recordId = idParam(params, 'recordId');
    return userSafe(SOFTPHONE_MESSAGES.generic, () => {
      const call = ownCall(ctx, teamsCallId);
      if (!isBlank(disposition) && !DISPOSITIONS.has(disposition!)) {
        throw new AuraError(SOFTPHONE_MESSAGES.badDisposition);
      }
      if (notes !== null && notes.length > TASK_DESCRIPTION_LENGTH)
        throw new AuraError(SOFTPHONE_MESSAGES.notesTooLong);
      const changes: Record<string, unknown> = {
        Notes__c: notes,
        Disposition__c: isBlank(disposition) ? null : disposition,
        DoNotLog__c: doNotLog === true,
        ...(recordId !== null
          ? linkFields(ctx, recordId)
          : { Contact__c: call.Contact__c ?? null, Lead__c: call.Lead__c ?? null, Account__c: call.Account__c ?? null })
      };
      const taskId = typeof call.TaskId__c === 'string' && call.TaskId__c !== '' ? call.TaskId__c : null;
      const hasEnded = !isBlank(call.EndedAt__c);
      if (taskId !== null && doNotLog === true && call.IsMissed__c !== true) {
        deleteRecord(ctx.store, taskId);
        changes.TaskId__c = null;
      } else if (taskId !== null) {
        const task: Record<string, unknown> = { Description: notes, ...taskLink(changes) };
        if (changes.Disposition__c !== null) task.CallDisposition = changes.Disposition__c;
        ctx.store.update('Task', taskId, task);
      } else if (hasEnded && doNotLog !== true) {
        const merged = { ...call, ...changes } as unknown as CallRecord;
        const endedAt = String(call.EndedAt__c);
        const task = ctx.store.insert('Task', {
          ...buildTask(merged),
          ActivityDate: endedAt.slice(0, 10),
          Description: notes,
          ...taskLink(changes),
          OwnerId: ctx.userId
        });
        changes.TaskId__c = task.Id;
      }
      ctx.store.update('TeamsCall__c', call.Id, changes);
      return reselect(ctx, teamsCallId!);
    });
  }
};
