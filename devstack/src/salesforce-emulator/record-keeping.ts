/**
 * How `TeamsCallEvent__e` batches update `TeamsCall__c`, its timeline and Tasks — the TypeScript twin of the Apex
 * `TeamsCallEventHandler` — and how an ended call is linked to the caller's record (`decideLink`, the twin of
 * `TeamsCallLinkService`). Pure functions, no I/O. Both are checked against
 * `force-app/tests/shared-vectors/staticresources/TeamsCallRecordVectors.json` and `TeamsCallLinkVectors.json`;
 * change the vectors first.
 */
import { createHash } from 'node:crypto';

export const TERMINAL_STATES: ReadonlySet<string> = new Set([
  'Ended',
  'Missed',
  'Abandoned',
  'Rejected',
  'Redirected',
  'Transferred',
  'Suppressed'
]);

/** One `TeamsCallEvent__e` as delivered (platform-event field names; absent = null). */
export interface CallEventRecord {
  EventId__c: string;
  TeamsCallId__c: string;
  Sequence__c: number;
  Kind__c: string;
  State__c?: string | null;
  Reason__c?: string | null;
  Direction__c?: string | null;
  CallerNumber__c?: string | null;
  CallerName__c?: string | null;
  DialledNumber__c?: string | null;
  AgentUserId__c?: string | null;
  AgentTeamsId__c?: string | null;
  Target__c?: string | null;
  Participants__c?: string | null;
  Presence__c?: string | null;
  RelatedCallId__c?: string | null;
  OccurredAt__c: string;
}

/** The `TeamsCall__c` fields record keeping reads and writes (ISO strings for Date/Time). */
export interface CallRecord {
  TeamsCallId__c: string;
  OwnerId: string | null;
  State__c: string | null;
  Outcome__c: string | null;
  Reason__c: string | null;
  IsMissed__c: boolean;
  Direction__c: string | null;
  CallerNumber__c: string | null;
  CallerName__c: string | null;
  DialledNumber__c: string | null;
  AgentTeamsId__c: string | null;
  Target__c: string | null;
  Participants__c: string | null;
  RelatedCallId__c: string | null;
  StartedAt__c: string | null;
  AnsweredAt__c: string | null;
  EndedAt__c: string | null;
  RingSeconds__c: number | null;
  TalkSeconds__c: number | null;
  LastSequence__c: number | null;
  DoNotLog__c: boolean;
  Disposition__c: string | null;
  TaskId__c: string | null;
}

export interface TimelineRow {
  EventId__c: string;
  TeamsCallId__c: string;
  Sequence__c: number;
  State__c: string | null;
  Reason__c: string | null;
  Target__c: string | null;
  OccurredAt__c: string;
  IsApplied__c: boolean;
}

export interface CallTask {
  Subject: string;
  TaskSubtype: 'Call';
  Status: 'Completed';
  CallType: string;
  CallDurationInSeconds: number;
  CallObject: string;
  CallDisposition: string;
  OwnerId: string | null;
}

export interface LoggingSettings {
  LogMissedCalls__c: boolean;
  LogAllCalls__c: boolean;
}

/** What the org holds for the calls a batch touches. */
export interface RecordKeepingState {
  calls: Map<string, CallRecord>;
  timeline: TimelineRow[];
  tasks: CallTask[];
}

export function emptyCall(teamsCallId: string): CallRecord {
  return {
    TeamsCallId__c: teamsCallId,
    OwnerId: null,
    State__c: null,
    Outcome__c: null,
    Reason__c: null,
    IsMissed__c: false,
    Direction__c: null,
    CallerNumber__c: null,
    CallerName__c: null,
    DialledNumber__c: null,
    AgentTeamsId__c: null,
    Target__c: null,
    Participants__c: null,
    RelatedCallId__c: null,
    StartedAt__c: null,
    AnsweredAt__c: null,
    EndedAt__c: null,
    RingSeconds__c: null,
    TalkSeconds__c: null,
    LastSequence__c: null,
    DoNotLog__c: false,
    Disposition__c: null,
    TaskId__c: null
  };
}

function isBlank(value: string | null | undefined): value is null | undefined {
  return value === null || value === undefined || value.trim() === '';
}

function secondsBetween(fromIso: string, toIso: string): number {
  return Math.max(0, Math.floor((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
}

/** Outcome of a call in a terminal state: the report value of S11. */
export function outcomeOf(state: string, reason: string | null, answered: boolean): string {
  switch (state) {
    case 'Ended':
      if (answered) return 'Answered';
      return reason === 'CallerHungUp' ? 'Abandoned' : 'Missed';
    case 'Suppressed':
      return 'Missed';
    default:
      return state;
  }
}

/**
 * Missed = an inbound call ended without being answered and not declined by the agent (S14 rejects are not
 * missed). A call the agent dialled (B09, Outbound) is never missed: its outcome says why it did not connect.
 */
export function isMissedCall(
  state: string,
  reason: string | null,
  answered: boolean,
  direction?: string | null
): boolean {
  return direction !== 'Outbound' && !answered && state !== 'Rejected' && reason !== 'Declined';
}

function copyIfPresent<K extends keyof CallRecord & keyof CallEventRecord>(
  call: CallRecord,
  event: CallEventRecord,
  field: K
): void {
  const value = event[field];
  if (typeof value === 'string' && !isBlank(value)) {
    (call as unknown as Record<string, unknown>)[field] = value;
  }
}

/** Applies one event that is newer than the call's last sequence. Returns true when the call just ended. */
export function applyCallEvent(call: CallRecord, event: CallEventRecord): boolean {
  const wasTerminal = call.State__c !== null && TERMINAL_STATES.has(call.State__c);
  if (!isBlank(event.AgentUserId__c)) call.OwnerId = event.AgentUserId__c;
  for (const field of [
    'Direction__c',
    'CallerNumber__c',
    'CallerName__c',
    'DialledNumber__c',
    'AgentTeamsId__c',
    'Target__c',
    'RelatedCallId__c',
    'Participants__c'
  ] as const) {
    copyIfPresent(call, event, field);
  }
  call.LastSequence__c = event.Sequence__c;
  if (!isBlank(event.State__c)) call.State__c = event.State__c;
  if (!isBlank(event.Reason__c)) call.Reason__c = event.Reason__c;
  call.StartedAt__c ??= event.OccurredAt__c;
  if (event.State__c === 'Connected') call.AnsweredAt__c ??= event.OccurredAt__c;

  const isTerminal = call.State__c !== null && TERMINAL_STATES.has(call.State__c);
  if (isTerminal && call.State__c !== null) {
    call.EndedAt__c ??= event.OccurredAt__c;
    const answered = call.AnsweredAt__c !== null;
    call.Outcome__c = outcomeOf(call.State__c, call.Reason__c, answered);
    call.IsMissed__c = isMissedCall(call.State__c, call.Reason__c, answered, call.Direction__c);
  }
  const ringEnd = call.AnsweredAt__c ?? call.EndedAt__c;
  call.RingSeconds__c =
    call.StartedAt__c !== null && ringEnd !== null ? secondsBetween(call.StartedAt__c, ringEnd) : null;
  if (call.EndedAt__c === null) {
    call.TalkSeconds__c = null;
  } else {
    call.TalkSeconds__c = call.AnsweredAt__c === null ? 0 : secondsBetween(call.AnsweredAt__c, call.EndedAt__c);
  }
  return isTerminal && !wasTerminal;
}

/** S17 / B04: missed calls per the org's missed-call setting; every call when "log all" is on, unless do-not-log. */
export function shouldLogTask(call: CallRecord, settings: LoggingSettings): boolean {
  if (call.TaskId__c !== null) return false;
  if (call.IsMissed__c && settings.LogMissedCalls__c) return true;
  return settings.LogAllCalls__c && !call.DoNotLog__c;
}

export function buildTask(call: CallRecord): CallTask {
  const who = !isBlank(call.CallerName__c) ? call.CallerName__c : (call.CallerNumber__c ?? 'an unknown caller');
  const direction = call.Direction__c ?? 'Inbound';
  let subject: string;
  if (call.IsMissed__c) subject = `Missed call from ${who}`;
  else subject = direction === 'Outbound' ? `Outbound call to ${who}` : `Inbound call from ${who}`;
  const outcome = call.Outcome__c ?? call.State__c ?? '';
  const disposition = isBlank(call.Disposition__c)
    ? outcome + (isBlank(call.Reason__c) ? '' : ` (${call.Reason__c})`)
    : call.Disposition__c;
  return {
    Subject: subject,
    TaskSubtype: 'Call',
    Status: 'Completed',
    CallType: direction,
    CallDurationInSeconds: call.TalkSeconds__c ?? 0,
    CallObject: call.TeamsCallId__c,
    CallDisposition: disposition,
    OwnerId: call.OwnerId
  };
}

/**
 * One trigger invocation: Call events grouped per call and applied in sequence order; an event whose EventId is
 * already on the timeline is a redelivery and ignored; an event not newer than the last applied sequence is
 * kept on the timeline with `IsApplied__c` false (B08). Presence and Heartbeat events are not call records.
 */
export function applyBatch(state: RecordKeepingState, events: CallEventRecord[], settings: LoggingSettings): void {
  const seenEventIds = new Set(state.timeline.map((row) => row.EventId__c));
  const ordered = stableGroupByCall(
    events.filter((event) => event.Kind__c === 'Call' && !isBlank(event.TeamsCallId__c))
  );
  for (const event of ordered) {
    if (seenEventIds.has(event.EventId__c)) continue;
    seenEventIds.add(event.EventId__c);
    let call = state.calls.get(event.TeamsCallId__c);
    if (call === undefined) {
      call = emptyCall(event.TeamsCallId__c);
      state.calls.set(event.TeamsCallId__c, call);
    }
    const isApplied = call.LastSequence__c === null || event.Sequence__c > call.LastSequence__c;
    state.timeline.push({
      EventId__c: event.EventId__c,
      TeamsCallId__c: event.TeamsCallId__c,
      Sequence__c: event.Sequence__c,
      State__c: event.State__c ?? null,
      Reason__c: event.Reason__c ?? null,
      Target__c: event.Target__c ?? null,
      OccurredAt__c: event.OccurredAt__c,
      IsApplied__c: isApplied
    });
    if (!isApplied) continue;
    const justEnded = applyCallEvent(call, event);
    if (justEnded && shouldLogTask(call, settings)) {
      const task = buildTask(call);
      state.tasks.push(task);
      call.TaskId__c = `task-${state.tasks.length}`;
    }
  }
}

/** Keeps calls in the order they first appear in the batch, each call's events in sequence order. */
function stableGroupByCall(events: CallEventRecord[]): CallEventRecord[] {
  const byCall = new Map<string, CallEventRecord[]>();
  for (const event of events) {
    const list = byCall.get(event.TeamsCallId__c) ?? [];
    list.push(event);
    byCall.set(event.TeamsCallId__c, list);
  }
  const result: CallEventRecord[] = [];
  for (const list of byCall.values()) {
    list.sort((a, b) => a.Sequence__c - b.Sequence__c);
    result.push(...list);
  }
  return result;
}

/** A record the caller search returned (`TeamsCallerSelector.searchByPhoneInSystemMode`). */
export interface LinkCandidate {
  Id: string;
  type: 'Contact' | 'Lead' | 'Account';
  Phone?: string | null;
  MobilePhone?: string | null;
  AccountId?: string | null;
  /** `UserRecordAccess.HasReadAccess` of the call's agent. */
  visibleToAgent: boolean;
}

/** The call's link and its timeline row after `TeamsCallLinkService` decided (State__c `RecordLink`). */
export interface LinkDecision {
  EventId__c: string;
  Reason__c: 'SingleMatch' | 'SeveralMatches' | 'NoMatch' | 'AlreadyLinked';
  Target__c: string | null;
  Contact__c: string | null;
  Lead__c: string | null;
  Account__c: string | null;
  IsApplied__c: boolean;
}

export interface LinkableCall {
  TeamsCallId__c: string;
  CallerNumber__c: string | null;
  Contact__c?: string | null;
  Lead__c?: string | null;
  Account__c?: string | null;
}

/** `TeamsCallerLookupService` constants: results shown, shortest number searched, digits searched. */
const MAX_RESULTS = 10;
const MIN_DIGITS = 6;

/** `TeamsCallLinkService.linkEventId`: the synthetic, idempotent EventId of a call's link decision. */
export function linkEventId(teamsCallId: string): string {
  return `link-${createHash('sha256').update(teamsCallId, 'utf8').digest('hex').slice(0, 31)}`;
}

/** `TeamsCallerLookupService.digitsOf`: digits only, a leading `00` dropped so it compares with `+`. */
function phoneDigits(phoneNumber: string | null | undefined): string {
  if (isBlank(phoneNumber)) return '';
  const digits = phoneNumber.replace(/[^0-9]/g, '');
  return digits.startsWith('00') ? digits.slice(2) : digits;
}

/** `TeamsCallerLookupService.isSameNumber`: equal digits, or a national number stored without its country code. */
function isSameNumber(stored: string, caller: string): boolean {
  if (stored === caller) return true;
  const national = stored.startsWith('0') ? stored.slice(1) : stored;
  return national.length >= MIN_DIGITS && caller.endsWith(national) && caller.length - national.length <= 3;
}

/**
 * S17 / S11: the link of an ended call. The agent's view of the search (records it may read), ranked as the
 * softphone ranks (exact matches first, at most 10); exactly one exact match is linked (a Contact with its
 * Account), several or none leave the call unlinked, and a link already set is kept.
 */
export function decideLink(call: LinkableCall, found: LinkCandidate[]): LinkDecision {
  type Link = Pick<LinkDecision, 'Contact__c' | 'Lead__c' | 'Account__c'>;
  const unlinked: Link = { Contact__c: null, Lead__c: null, Account__c: null };
  const decision = (reason: LinkDecision['Reason__c'], target: string | null, link: Link = unlinked): LinkDecision => ({
    EventId__c: linkEventId(call.TeamsCallId__c),
    Reason__c: reason,
    Target__c: target,
    ...link,
    IsApplied__c: true
  });
  const existing = call.Contact__c ?? call.Lead__c ?? call.Account__c ?? null;
  if (existing !== null) {
    return decision('AlreadyLinked', existing, {
      Contact__c: call.Contact__c ?? null,
      Lead__c: call.Lead__c ?? null,
      Account__c: call.Account__c ?? null
    });
  }
  const caller = phoneDigits(call.CallerNumber__c);
  if (caller.length < MIN_DIGITS) return decision('NoMatch', null);
  const ranked = found
    .filter((record) => record.visibleToAgent)
    .map((record) => ({
      record,
      isExact: [record.Phone, record.type === 'Account' ? null : record.MobilePhone].some(
        (phone) => !isBlank(phone) && isSameNumber(phoneDigits(phone), caller)
      )
    }))
    .sort((a, b) => Number(b.isExact) - Number(a.isExact))
    .slice(0, MAX_RESULTS);
  const exact = ranked.filter((match) => match.isExact).map((match) => match.record);
  if (exact.length > 1) return decision('SeveralMatches', `${exact.length} exact matches`);
  const single = exact[0];
  if (single === undefined) return decision('NoMatch', null);
  const link: Link =
    single.type === 'Contact'
      ? { Contact__c: single.Id, Lead__c: null, Account__c: single.AccountId ?? null }
      : single.type === 'Lead'
        ? { Contact__c: null, Lead__c: single.Id, Account__c: null }
        : { Contact__c: null, Lead__c: null, Account__c: single.Id };
  return decision('SingleMatch', single.Id, link);
}
