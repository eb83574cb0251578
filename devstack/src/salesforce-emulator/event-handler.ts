// Runs the TypeScript twin of the Apex TeamsCallEventHandler (record-keeping.ts, shared vectors) on every
// TeamsCallEvent__e the bus accepts, so TeamsCall__c, its timeline and Tasks appear in the store as in an org, and
// links each call that ended unlinked to the caller's record as TeamsCallLinkService does (decideLink).
import { linkCandidates, taskLink } from './apex/softphone-controller.ts';
import {
  applyBatch,
  decideLink,
  linkEventId,
  TERMINAL_STATES,
  type LinkDecision,
  type CallEventRecord,
  type CallRecord,
  type CallTask,
  type LoggingSettings,
  type TimelineRow
} from './record-keeping.ts';
import type { OrgStore, SRecord, StoredEvent } from './store.ts';

const CALL = 'TeamsCall__c';
const TIMELINE = 'TeamsCallTimelineEntry__c';

/** Platform events carry DateTime as Avro long millis; the handler works on ISO strings like Apex JSON. */
function toEventRecord(decoded: Record<string, unknown>): CallEventRecord {
  const out: Record<string, unknown> = { ...decoded };
  for (const [k, v] of Object.entries(out)) {
    if (k.endsWith('At__c') && typeof v === 'number') out[k] = new Date(v).toISOString();
  }
  if (typeof out.OccurredAt__c !== 'string')
    out.OccurredAt__c = new Date(Number(decoded.CreatedDate ?? Date.now())).toISOString();
  return out as unknown as CallEventRecord;
}

function settingsOf(store: OrgStore): LoggingSettings {
  const rows = store.all('TeamsPhoneSetting__mdt');
  const row = rows.find((r) => r.DeveloperName === 'OrgOverride') ?? rows.find((r) => r.DeveloperName === 'Default');
  return { LogMissedCalls__c: row?.LogMissedCalls__c !== false, LogAllCalls__c: row?.LogAllCalls__c === true };
}

/**
 * B07, as TeamsCallEventHandler.recordHeartbeats: the newest Heartbeat per relay instance (TeamsCallId__c) is kept in
 * TeamsRelayStatus__c (upsert by RelayInstanceId__c), version from Target__c.
 */
function recordHeartbeats(store: OrgStore, records: CallEventRecord[]): void {
  const latest = new Map<string, CallEventRecord>();
  for (const event of records) {
    if (event.Kind__c !== 'Heartbeat' || !event.TeamsCallId__c) continue;
    const seen = latest.get(event.TeamsCallId__c);
    if (!seen || Date.parse(event.OccurredAt__c) > Date.parse(seen.OccurredAt__c))
      latest.set(event.TeamsCallId__c, event);
  }
  for (const [instanceId, event] of latest) {
    const relayInstanceId = instanceId.slice(0, 80);
    const fields: Record<string, unknown> = {
      RelayInstanceId__c: relayInstanceId,
      LastHeartbeatAt__c: event.OccurredAt__c
    };
    if (event.Target__c) fields.Version__c = event.Target__c.slice(0, 40);
    const existing = store.all('TeamsRelayStatus__c').find((r) => r.RelayInstanceId__c === relayInstanceId);
    if (!existing) store.insert('TeamsRelayStatus__c', fields);
    else if (Date.parse(String(existing.LastHeartbeatAt__c)) < Date.parse(event.OccurredAt__c))
      store.update('TeamsRelayStatus__c', existing.Id, fields);
  }
}

export function handleCallEvents(store: OrgStore, events: StoredEvent[]): void {
  const records = events.filter((e) => e.topic === '/event/TeamsCallEvent__e').map((e) => toEventRecord(e.decoded));
  if (records.length === 0) return;
  recordHeartbeats(store, records);
  const callIds = new Set(records.map((r) => r.TeamsCallId__c));
  const existing = new Map<string, SRecord>();
  for (const rec of store.all(CALL))
    if (callIds.has(String(rec.TeamsCallId__c))) existing.set(String(rec.TeamsCallId__c), rec);
  const timelineBefore = store
    .all(TIMELINE)
    .filter((r) => callIds.has(String(r.TeamsCallId__c))) as unknown as TimelineRow[];
  const state = {
    calls: new Map<string, CallRecord>([...existing].map(([k, v]) => [k, { ...v } as unknown as CallRecord])),
    timeline: [...timelineBefore],
    tasks: [] as CallTask[]
  };
  const taskIdsBefore = new Map([...state.calls].map(([k, c]) => [k, c.TaskId__c]));
  applyBatch(state, records, settingsOf(store));

  const idByCall = new Map<string, string>();
  for (const [callId, call] of state.calls) {
    const prev = existing.get(callId);
    const { ...fields } = call as unknown as Record<string, unknown>;
    delete fields.Id;
    if (prev) {
      store.update(CALL, prev.Id, fields);
      idByCall.set(callId, prev.Id);
    } else {
      idByCall.set(callId, store.insert(CALL, fields).Id);
    }
  }
  for (const row of state.timeline.slice(timelineBefore.length)) {
    store.insert(TIMELINE, { ...row, Call__c: idByCall.get(row.TeamsCallId__c) ?? null });
  }
  // record-keeping.ts numbers new Tasks itself; replace those placeholders with stored Task ids.
  for (const [callId, call] of state.calls) {
    if (call.TaskId__c === null || call.TaskId__c === taskIdsBefore.get(callId)) continue;
    const index = Number(/^task-(\d+)$/.exec(call.TaskId__c)?.[1] ?? 0) - 1;
    const task = state.tasks[index];
    if (!task) continue;
    const callSfId = idByCall.get(callId)!;
    const stored = store.insert('Task', {
      ...task,
      ...taskLink(state.calls.get(callId) as unknown as Record<string, unknown>),
      ActivityDate: new Date().toISOString().slice(0, 10)
    });
    store.update(CALL, callSfId, { TaskId__c: stored.Id });
  }
  const endedUnlinked = [...state.calls.keys()].filter((callId) => {
    const before = existing.get(callId);
    const wasTerminal = typeof before?.State__c === 'string' && TERMINAL_STATES.has(before.State__c);
    const now = state.calls.get(callId)!.State__c;
    return !wasTerminal && now !== null && TERMINAL_STATES.has(now);
  });
  for (const callId of endedUnlinked) linkEndedCall(store, idByCall.get(callId)!);
}

/**
 * S17 / S11, as TeamsCallEventHandler.shouldLink hands a call to TeamsCallLinkService (a Queueable in the org, at
 * once here): an ended call with a caller number and an agent that nobody has linked is linked on a single exact
 * match, left unlinked on several or none; the decision is one timeline row (State__c RecordLink) under the
 * call's synthetic link EventId, and a Task logged for the call follows the link (TeamsCallEventHandler.linkTask).
 */
function linkEndedCall(store: OrgStore, callSfId: string): void {
  const call = store.getById(callSfId)?.rec;
  if (!call) return;
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : null);
  if (text(call.OwnerId) === null || text(call.CallerNumber__c) === null) return;
  if (text(call.Contact__c) ?? text(call.Lead__c) ?? text(call.Account__c)) return;
  const teamsCallId = String(call.TeamsCallId__c);
  let decision: Omit<LinkDecision, 'Reason__c'> & { Reason__c: LinkDecision['Reason__c'] | 'LookupFailed' };
  try {
    decision = decideLink(
      { TeamsCallId__c: teamsCallId, CallerNumber__c: text(call.CallerNumber__c) },
      linkCandidates(store, text(call.CallerNumber__c))
    );
  } catch (failure) {
    // As TeamsCallLinkService.decide: a failed search is this call's LookupFailed; the call stays, unlinked.
    decision = {
      EventId__c: linkEventId(teamsCallId),
      Reason__c: 'LookupFailed',
      Target__c: failure instanceof Error ? `${failure.name}: ${failure.message}`.slice(0, 255) : 'LookupFailed',
      Contact__c: null,
      Lead__c: null,
      Account__c: null,
      IsApplied__c: false
    };
  }
  if (decision.Reason__c === 'SingleMatch') {
    const link = { Contact__c: decision.Contact__c, Lead__c: decision.Lead__c, Account__c: decision.Account__c };
    store.update(CALL, callSfId, link);
    const taskId = text(call.TaskId__c);
    if (taskId !== null && store.getById(taskId)) store.update('Task', taskId, taskLink(link));
  }
  const row = {
    TeamsCallId__c: teamsCallId,
    Sequence__c: call.LastSequence__c ?? null,
    State__c: 'RecordLink',
    Reason__c: decision.Reason__c,
    Target__c: decision.Target__c,
    OccurredAt__c: new Date().toISOString(),
    IsApplied__c: decision.IsApplied__c
  };
  const before = store.all(TIMELINE).find((r) => r.EventId__c === decision.EventId__c);
  if (before) store.update(TIMELINE, before.Id, row);
  else store.insert(TIMELINE, { ...row, EventId__c: decision.EventId__c, Call__c: callSfId });
}
