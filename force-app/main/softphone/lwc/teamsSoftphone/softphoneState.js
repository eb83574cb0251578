/**
 * The softphone's state as a pure reducer: (state, event) → state. No platform imports, so it is tested on its own.
 * Platform events may arrive twice or out of order (SPEC "Idempotent everywhere"): every call keeps the highest
 * sequence applied, and anything at or below it — including late events for a call that already ended — is ignored.
 * An event that changes nothing returns the very same state object, so callers can skip a re-render.
 */

/**
 * @typedef {Object} CallerMatch
 * @property {string} recordId
 * @property {string} objectApiName
 * @property {string} name
 * @property {string} [subtitle]
 * @property {string} [phone]
 * @property {boolean} [isExactMatch]
 */

/**
 * @typedef {Object} Call
 * @property {string} teamsCallId
 * @property {string} state Ringing | Connected | OnHold
 * @property {string|null} reason
 * @property {string|null} direction
 * @property {string|null} callerNumber
 * @property {string|null} callerName
 * @property {string|null} startedAt ISO-8601
 * @property {string|null} answeredAt ISO-8601
 * @property {number} lastSequence
 * @property {string|null} relatedCallId
 * @property {string|null} linkedRecordId
 * @property {string|null} linkedRecordName
 * @property {CallerMatch[]|null} matches null while the lookup has not answered
 */

/**
 * @typedef {Object} Notice
 * @property {string} id
 * @property {string} teamsCallId
 * @property {'CallerHungUp'|'MissedPresence'|'NotAnswered'|'DialFailed'} kind DialFailed: a call the agent dialled (B09)
 *   ended before anyone talked; `reason` says why (Declined, NoAnswer, Busy, Failed)
 * @property {string|null} reason
 * @property {string|null} target
 * @property {string|null} callerNumber
 * @property {string|null} callerName
 */

/**
 * @typedef {Object} WrapUp
 * @property {string} teamsCallId
 * @property {string|null} callerNumber
 * @property {string|null} callerName
 * @property {string|null} linkedRecordId
 * @property {string|null} linkedRecordName
 * @property {CallerMatch[]} matches
 */

/**
 * @typedef {Object} CommandFailure
 * @property {string} action Hold | Resume | Hangup | Reject
 * @property {boolean} isTimeout true when Teams never confirmed it, false when it was refused
 */

/**
 * @typedef {Object} SoftphoneState
 * @property {Call[]} calls open calls (Ringing, Connected, OnHold), in arrival order
 * @property {Object<string, number>} sequences highest sequence applied per call, kept after the call ends
 * @property {Notice[]} notices
 * @property {WrapUp[]} wrapUps calls that ended after being answered, oldest first
 * @property {string|null} presence
 * @property {Object<string, string>} pending command in flight per call (the action)
 * @property {Object<string, CommandFailure>} failures last failed command per call
 * @property {{phoneNumber: string, recordId: string|null}|null} dialIntent
 */

/**
 * @typedef {Object} PlatformEventMessage
 * @property {'platformEvent'} type
 * @property {string} userId the current user's id; events for anyone else are ignored
 * @property {Object<string, any>} payload TeamsCallEvent__e fields
 */

/**
 * @typedef {PlatformEventMessage
 *   | {type: 'openCalls', calls: Object<string, any>[]}
 *   | {type: 'agentContext', presence: string|null}
 *   | {type: 'matchesLoaded', teamsCallId: string, matches: CallerMatch[]}
 *   | {type: 'commandSent', teamsCallId: string, action: string}
 *   | {type: 'commandFailed', teamsCallId: string, action: string, isTimeout?: boolean}
 *   | {type: 'dismissNotice', noticeId: string}
 *   | {type: 'recordLinked', teamsCallId: string, recordId: string, recordName: string|null}
 *   | {type: 'wrapUpClosed', teamsCallId: string}
 *   | {type: 'dialIntent', phoneNumber: string, recordId: string|null}
 *   | {type: 'dismissDialIntent'}
 *   | {type: 'restore', notices: any, wrapUps: any, sequences: any}} SoftphoneEvent
 */

export const OPEN_STATES = ['Ringing', 'Connected', 'OnHold'];
const PRESENCE_REASONS = ['DoNotDisturb', 'Presenting', 'OutOfOffice'];
const ANSWERED_STATES = ['Connected', 'OnHold'];

/** @returns {SoftphoneState} */
export function initialState() {
  return {
    calls: [],
    sequences: {},
    notices: [],
    wrapUps: [],
    presence: null,
    pending: {},
    failures: {},
    dialIntent: null
  };
}

/**
 * @param {Object<string, any>} obj
 * @param {string} key
 * @returns {Object<string, any>}
 */
function without(obj, key) {
  if (!(key in obj)) return obj;
  const copy = { ...obj };
  delete copy[key];
  return copy;
}

/**
 * @param {any} value
 * @returns {string|null}
 */
function text(value) {
  return value === undefined || value === null || value === '' ? null : String(value);
}

/**
 * @param {SoftphoneState} state
 * @param {string} teamsCallId
 * @returns {Call|undefined}
 */
function findCall(state, teamsCallId) {
  return state.calls.find((c) => c.teamsCallId === teamsCallId);
}

/**
 * Which notice, if any, an ended call leaves behind (S04, S08, S12). A reject is the agent's own act (S14) and a
 * call that was answered ends in wrap-up instead.
 * @param {string} endState
 * @param {string|null} reason
 * @param {Call|undefined} previous
 * @param {string|null} [direction]
 * @returns {Notice['kind']|null}
 */
function noticeKindFor(endState, reason, previous, direction) {
  if (direction === 'Outbound') {
    // B09: the agent's own dial; cancelling it (AgentHungUp) needs no notice, a talk ends in wrap-up.
    if (reason === 'AgentHungUp' || (previous && ANSWERED_STATES.includes(previous.state))) return null;
    return 'DialFailed';
  }
  if (endState === 'Rejected' || reason === 'Declined') return null;
  if (previous && ANSWERED_STATES.includes(previous.state)) return null;
  if (endState === 'Abandoned' || reason === 'CallerHungUp') return 'CallerHungUp';
  if (endState === 'Suppressed' || (reason !== null && PRESENCE_REASONS.includes(reason))) return 'MissedPresence';
  if (endState === 'Ended' && previous === undefined) return null;
  return 'NotAnswered';
}

/**
 * @param {SoftphoneState} state
 * @param {Object<string, any>} p TeamsCallEvent__e payload
 * @returns {SoftphoneState}
 */
function applyCallEvent(state, p) {
  const teamsCallId = text(p.TeamsCallId__c);
  const sequence = text(p.Sequence__c) === null ? NaN : Number(p.Sequence__c);
  const eventState = text(p.State__c);
  if (!teamsCallId || !Number.isFinite(sequence) || !eventState) return state;
  const applied = state.sequences[teamsCallId];
  if (applied !== undefined && sequence <= applied) return state;

  const previous = findCall(state, teamsCallId);
  const sequences = { ...state.sequences, [teamsCallId]: sequence };
  const pending = without(state.pending, teamsCallId);
  const reason = text(p.Reason__c);
  // A call seen before but no longer open has ended: later events (e.g. the redirect after a reject) only
  // advance its sequence; they neither resurrect it nor raise a second notice.
  if (applied !== undefined && !previous) return { ...state, sequences };

  if (OPEN_STATES.includes(eventState)) {
    /** @type {Call} */
    const call = {
      teamsCallId,
      state: eventState,
      reason,
      direction: text(p.Direction__c) ?? previous?.direction ?? null,
      callerNumber: text(p.CallerNumber__c) ?? previous?.callerNumber ?? null,
      callerName: text(p.CallerName__c) ?? previous?.callerName ?? null,
      startedAt: previous?.startedAt ?? text(p.OccurredAt__c),
      answeredAt: previous?.answeredAt ?? (ANSWERED_STATES.includes(eventState) ? text(p.OccurredAt__c) : null),
      lastSequence: sequence,
      relatedCallId: text(p.RelatedCallId__c) ?? previous?.relatedCallId ?? null,
      linkedRecordId: previous?.linkedRecordId ?? null,
      linkedRecordName: previous?.linkedRecordName ?? null,
      matches: previous?.matches ?? null
    };
    const calls = previous
      ? state.calls.map((c) => (c.teamsCallId === teamsCallId ? call : c))
      : [...state.calls, call];
    // The relay reports a command Graph refused as an event with reason Failed and the state unchanged.
    const pendingAction = state.pending[teamsCallId];
    const failures =
      reason === 'Failed' && pendingAction
        ? { ...state.failures, [teamsCallId]: { action: pendingAction, isTimeout: false } }
        : without(state.failures, teamsCallId);
    return { ...state, calls, sequences, pending, failures };
  }

  // A terminal state: the call leaves the softphone and becomes a notice or a wrap-up.
  const calls = state.calls.filter((c) => c.teamsCallId !== teamsCallId);
  const failures = without(state.failures, teamsCallId);
  const kind = noticeKindFor(eventState, reason, previous, text(p.Direction__c) ?? previous?.direction ?? null);
  const notices = kind
    ? [
        ...state.notices,
        {
          id: `${teamsCallId}:${sequence}`,
          teamsCallId,
          kind,
          reason,
          target: text(p.Target__c),
          callerNumber: text(p.CallerNumber__c) ?? previous?.callerNumber ?? null,
          callerName: text(p.CallerName__c) ?? previous?.callerName ?? null
        }
      ]
    : state.notices;
  const wasAnswered =
    previous !== undefined && (previous.answeredAt !== null || ANSWERED_STATES.includes(previous.state));
  const wrapUps =
    wasAnswered && previous
      ? [
          ...state.wrapUps,
          {
            teamsCallId,
            callerNumber: previous.callerNumber,
            callerName: previous.callerName,
            linkedRecordId: previous.linkedRecordId,
            linkedRecordName: previous.linkedRecordName,
            matches: previous.matches ?? []
          }
        ]
      : state.wrapUps;
  return { ...state, calls, sequences, pending, failures, notices, wrapUps };
}

/**
 * @param {SoftphoneState} state
 * @param {PlatformEventMessage} event
 * @returns {SoftphoneState}
 */
function applyPlatformEvent(state, event) {
  const p = event.payload;
  if (!p || !event.userId || p.AgentUserId__c !== event.userId) return state;
  if (p.Kind__c === 'Presence') {
    const presence = text(p.Presence__c);
    return presence === null || presence === state.presence ? state : { ...state, presence };
  }
  if (p.Kind__c !== 'Call') return state;
  return applyCallEvent(state, p);
}

/**
 * B02: the controller's snapshot of open calls, merged by sequence so that it never undoes a newer event that
 * arrived while the snapshot was on its way.
 * @param {SoftphoneState} state
 * @param {Object<string, any>[]} views CallView list
 * @returns {SoftphoneState}
 */
function applyOpenCalls(state, views) {
  let next = state;
  for (const view of Array.isArray(views) ? views : []) {
    const teamsCallId = text(view?.teamsCallId);
    const sequence = Number(view?.lastSequence ?? 0);
    if (!teamsCallId || !OPEN_STATES.includes(view.state)) continue;
    const applied = next.sequences[teamsCallId];
    if (applied !== undefined && sequence <= applied) continue;
    const previous = findCall(next, teamsCallId);
    /** @type {Call} */
    const call = {
      teamsCallId,
      state: view.state,
      reason: text(view.reason),
      direction: text(view.direction),
      callerNumber: text(view.callerNumber),
      callerName: text(view.callerName),
      startedAt: text(view.startedAt),
      answeredAt: text(view.answeredAt),
      lastSequence: sequence,
      relatedCallId: text(view.relatedCallId),
      linkedRecordId: text(view.linkedRecordId),
      linkedRecordName: text(view.linkedRecordName),
      matches: previous?.matches ?? null
    };
    next = {
      ...next,
      calls: previous ? next.calls.map((c) => (c.teamsCallId === teamsCallId ? call : c)) : [...next.calls, call],
      sequences: { ...next.sequences, [teamsCallId]: sequence }
    };
  }
  return next;
}

/**
 * What the softphone kept in session storage before a reload: notices and wrap-ups (anything malformed is
 * dropped), merged without duplicates, with their sequences so a late event for those calls is still ignored.
 * @param {SoftphoneState} state
 * @param {any} notices
 * @param {any} wrapUps
 * @param {any} sequences
 * @returns {SoftphoneState}
 */
function applyRestore(state, notices, wrapUps, sequences) {
  const kinds = ['CallerHungUp', 'MissedPresence', 'NotAnswered'];
  const restoredNotices = (Array.isArray(notices) ? notices : [])
    .filter((n) => n && text(n.id) && text(n.teamsCallId) && kinds.includes(n.kind))
    .filter((n) => !state.notices.some((x) => x.id === n.id))
    .map((n) => ({
      id: String(n.id),
      teamsCallId: String(n.teamsCallId),
      kind: n.kind,
      reason: text(n.reason),
      target: text(n.target),
      callerNumber: text(n.callerNumber),
      callerName: text(n.callerName)
    }));
  const restoredWrapUps = (Array.isArray(wrapUps) ? wrapUps : [])
    .filter((w) => w && text(w.teamsCallId))
    .filter((w) => !state.wrapUps.some((x) => x.teamsCallId === w.teamsCallId) && !findCall(state, w.teamsCallId))
    .map((w) => ({
      teamsCallId: String(w.teamsCallId),
      callerNumber: text(w.callerNumber),
      callerName: text(w.callerName),
      linkedRecordId: text(w.linkedRecordId),
      linkedRecordName: text(w.linkedRecordName),
      matches: Array.isArray(w.matches) ? w.matches.filter((m) => m && text(m.recordId) && text(m.name)) : []
    }));
  if (restoredNotices.length === 0 && restoredWrapUps.length === 0) return state;
  const merged = { ...state.sequences };
  for (const [id, sequence] of Object.entries(sequences && typeof sequences === 'object' ? sequences : {})) {
    if (Number.isFinite(Number(sequence)) && !(Number(sequence) <= (merged[id] ?? -Infinity)))
      merged[id] = Number(sequence);
  }
  return {
    ...state,
    notices: [...restoredNotices, ...state.notices],
    wrapUps: [...restoredWrapUps, ...state.wrapUps],
    sequences: merged
  };
}

/**
 * @param {SoftphoneState} state
 * @param {SoftphoneEvent} event
 * @returns {SoftphoneState}
 */
export function reduce(state, event) {
  switch (event?.type) {
    case 'platformEvent':
      return applyPlatformEvent(state, event);
    case 'openCalls':
      return applyOpenCalls(state, event.calls);
    case 'agentContext':
      return state.presence === null && event.presence ? { ...state, presence: event.presence } : state;
    case 'matchesLoaded': {
      const matches = Array.isArray(event.matches) ? event.matches : [];
      if (!findCall(state, event.teamsCallId)) return state;
      return {
        ...state,
        calls: state.calls.map((c) => (c.teamsCallId === event.teamsCallId ? { ...c, matches } : c))
      };
    }
    case 'commandSent':
      if (!findCall(state, event.teamsCallId)) return state;
      return {
        ...state,
        pending: { ...state.pending, [event.teamsCallId]: event.action },
        failures: without(state.failures, event.teamsCallId)
      };
    case 'commandFailed':
      if (event.isTimeout && state.pending[event.teamsCallId] !== event.action) return state;
      return {
        ...state,
        pending: without(state.pending, event.teamsCallId),
        failures: findCall(state, event.teamsCallId)
          ? { ...state.failures, [event.teamsCallId]: { action: event.action, isTimeout: Boolean(event.isTimeout) } }
          : state.failures
      };
    case 'dismissNotice': {
      const notices = state.notices.filter((n) => n.id !== event.noticeId);
      return notices.length === state.notices.length ? state : { ...state, notices };
    }
    case 'recordLinked': {
      /** @param {any} item */
      const link = (item) => {
        if (item.teamsCallId !== event.teamsCallId) return item;
        return { ...item, linkedRecordId: event.recordId, linkedRecordName: event.recordName };
      };
      return { ...state, calls: state.calls.map(link), wrapUps: state.wrapUps.map(link) };
    }
    case 'wrapUpClosed': {
      const wrapUps = state.wrapUps.filter((w) => w.teamsCallId !== event.teamsCallId);
      return wrapUps.length === state.wrapUps.length ? state : { ...state, wrapUps };
    }
    case 'dialIntent':
      return text(event.phoneNumber)
        ? { ...state, dialIntent: { phoneNumber: event.phoneNumber, recordId: text(event.recordId) } }
        : state;
    case 'dismissDialIntent':
      return state.dialIntent === null ? state : { ...state, dialIntent: null };
    case 'restore':
      return applyRestore(state, event.notices, event.wrapUps, event.sequences);
    default:
      return state;
  }
}

/**
 * mm:ss (h:mm:ss from an hour on) between an ISO start and now.
 * @param {string|null} startIso
 * @param {number} nowMs
 * @returns {string}
 */
export function formatDuration(startIso, nowMs) {
  const start = startIso ? Date.parse(startIso) : NaN;
  if (!Number.isFinite(start)) return '0:00';
  const total = Math.max(0, Math.floor((nowMs - start) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
