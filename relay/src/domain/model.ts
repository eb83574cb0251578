/**
 * The relay engine's vocabulary: the world it manages, the inputs it accepts and the effects it asks for.
 * Everything here is plain, JSON-serializable data so that a store can persist the world as it is and replay it.
 * Graph and Salesforce wire formats are unknown here: adapters normalize into these shapes.
 */
import type { CallReason, CallState, TeamsCallCommand, TeamsCallEvent } from './call-event.ts';
import type { ConfigSnapshot, RuleTrigger, TargetType } from './config.ts';

// ───────────────────────────── world ─────────────────────────────

/** Where the relay's handling of one customer call stands. `Ended` is absorbing. */
export type CallPhase = 'Ringing' | 'Connected' | 'OnHold' | 'Routing' | 'Ended';

/** A Graph identity the bot can invite, redirect or transfer to (graph-calls.md §7). */
export type RouteIdentity =
  | { kind: 'user'; id: string }
  | { kind: 'phone'; id: string }
  /** A CQ/AA resource account object id. Graph documents no shape for it; the adapter spikes this (§7, §13.2). */
  | { kind: 'applicationInstance'; id: string };

/** A routing decision: the identity Graph needs plus what Salesforce shows in `Target__c`. */
export interface RouteTarget {
  identity: RouteIdentity;
  /** The rule's target type that produced this identity (after SoftphoneUser resolution, the final hop's type). */
  targetType: TargetType;
  /** Human-readable target for `Target__c`, e.g. `TeamsUser:<id>` or `PhoneNumber:+4420…`. */
  label: string;
}

export interface Participant {
  /** Graph participant id (needed for hold music / removal). */
  id: string;
  displayName?: string;
  /** Entra object id when the participant is a Teams user. */
  teamsUserId?: string;
  phoneNumber?: string;
  isCaller?: boolean;
  isBot?: boolean;
}

/** The bot's leg of one customer call, plus the agent invite made on it. */
export interface CallSession {
  callId: string;
  tenantId: string;
  callerNumber?: string;
  callerName?: string;
  dialledNumber: string;
  /** Salesforce user id of the agent whose line was dialled (absent for an unknown line). */
  agentUserId?: string;
  agentTeamsId?: string;
  phase: CallPhase;
  /** True once Graph reported the bot's leg `established`; a later `establishing` is stale. */
  botEstablished: boolean;
  /** True once the bot asked Graph to answer (the ring path); false when the call is redirected unanswered. */
  botAnswered: boolean;
  /** The agent was invited and has not yet joined, declined or been cancelled. */
  invitePending: boolean;
  /** The agent joined at least once (answered). */
  answered: boolean;
  /** An asynchronous hold-music operation in flight, if any. */
  holdPending?: 'StartHoldMusic' | 'StopHoldMusic';
  /** Why the hold started: the agent's command, or S16 (the agent answered another call). */
  holdCause?: 'Command' | 'OtherCall';
  /** The hold operation was sent again once after its completion was overdue (see `reconcileDue`). */
  holdRetried?: boolean;
  /**
   * When the relay began waiting for Graph to confirm something (a hold operation, a routing outcome); past a
   * deadline the call is reconciled with Graph so nothing stays pending forever.
   */
  awaitingSince?: string;
  participants: Participant[];
  /** The `rosterSequenceNumber` of the roster `participants` came from (absent until a sequenced roster arrived). */
  rosterSequence?: number;
  /**
   * A relay-initiated redirect/transfer in flight (rule routing), with its fallback state. `untilEstablished`: the
   * transfer waits for the bot's leg to be established (Graph refuses to transfer a call that is not).
   */
  routing?: {
    target: RouteTarget;
    via: 'Redirect' | 'Transfer';
    trigger: RuleTrigger | 'Fallback';
    untilEstablished?: boolean;
  };
  /** Invites Graph throttled (429/503) and the relay retried, within the ring budget. */
  inviteRetries?: number;
  /** An agent-initiated transfer that Graph reported as accepted; completes or fails later (S07). */
  agentTransfer?: { target?: string };
  /** Set exactly once, when the call reaches its final published state. */
  final?: { state: CallState; reason?: CallReason; target?: string };
  /** Last published `Sequence__c` for this call (0 = none yet). */
  sequence: number;
  /** The call that was already connected when this one arrived (call waiting). */
  relatedCallId?: string;
  startedAt: string;
  answeredAt?: string;
  endedAt?: string;
  /** Idempotency keys of inputs already applied to this call. */
  applied: string[];
  /**
   * B09: a call the agent dialled from Salesforce (absent: inbound). For these `callerNumber` is the number dialled
   * (the other party, as Salesforce shows it) and `dialledNumber` the agent's line (the caller id sent).
   */
  direction?: 'Outbound';
  /**
   * B09: where an outbound call stands before the other party answers. `Placing`: the relay asked Graph to create
   * the call (keyed `dial:<command id>` until Graph names it); `AgentRinging`: the agent's Teams rings;
   * `CalleeRinging`: the agent answered and the number is being called.
   */
  dial?: { commandId: string; stage: 'Placing' | 'AgentRinging' | 'CalleeRinging' };
}

export interface PresenceSnapshot {
  availability: string;
  activity: string;
  at: string;
  /** Graph `sequenceNumber`, lexicographically sortable; used to discard stale observations. */
  sequenceNumber?: string;
}

/**
 * Presence the relay itself set on an agent and must eventually release (B05). Two independent holds: the app's
 * own "In a call" session while any call is connected, and a preferred Do Not Disturb after a reject (S14) until
 * `dndUntil`. `previous` is what the agent showed before the relay touched anything, for the DND restore.
 */
export interface RelayPresence {
  inACall: boolean;
  dndUntil?: string;
  /** B13: the Do Not Disturb until `dndUntil` is after-call work (Ready and Extend apply to it). */
  afterCallWork?: boolean;
  previous?: PresenceSnapshot;
}

export interface AgentState {
  salesforceUserId: string;
  teamsUserId: string;
  presence?: PresenceSnapshot;
  relayPresence?: RelayPresence;
  /** Last `Sequence__c` of this agent's Presence events (S10); their `TeamsCallId__c` is `presence:<user id>`. */
  presenceSequence?: number;
  /** B09: when this agent's recent dials were accepted (the rate check), newest last, bounded. */
  dialsAt?: string[];
}

export type TimerPurpose = 'NoAnswer' | 'DndExpiry' | 'InviteRetry';

export interface TimerEntry {
  timerId: string;
  purpose: TimerPurpose;
  at: string;
  callId?: string;
  agentUserId?: string;
}

export interface World {
  config: ConfigSnapshot;
  /** Calls in progress (any phase but Ended). */
  calls: Record<string, CallSession>;
  /**
   * Calls whose leg ended, kept a while so late and duplicate inputs still find them ("terminated is final").
   * Separate from `calls` so that a step copies only the calls in progress (ring-path cost stays flat).
   * Optional so that worlds persisted before this field existed still load.
   */
  ended?: Record<string, CallSession>;
  /** When `ended` was last pruned; pruning runs at most once a minute so it stays off the ring path's cost. */
  prunedAt?: string;
  /** Keyed by Salesforce user id. */
  agents: Record<string, AgentState>;
  timers: Record<string, TimerEntry>;
  /** Idempotency keys of inputs not tied to a call (presence, commands without a call, config), bounded. */
  applied: string[];
}

// ───────────────────────────── inputs ─────────────────────────────

interface InputBase {
  /** ISO-8601 instant the input happened (or was received). */
  at: string;
  /** Explicit idempotency key; when absent one is derived from the content (see `inputKey`). */
  key?: string;
}

export interface IncomingCall extends InputBase {
  type: 'IncomingCall';
  callId: string;
  tenantId: string;
  callerNumber?: string;
  callerName?: string;
  dialledNumber: string;
}
export interface CallEstablishing extends InputBase {
  type: 'CallEstablishing';
  callId: string;
}
export interface CallEstablished extends InputBase {
  type: 'CallEstablished';
  callId: string;
}
export interface ParticipantsUpdated extends InputBase {
  type: 'ParticipantsUpdated';
  callId: string;
  participants: Participant[];
  /** Graph's `rosterSequenceNumber`: a roster older than the one the call has applied is stale (Graph reorders). */
  sequence?: number;
}
export interface AgentJoined extends InputBase {
  type: 'AgentJoined';
  callId: string;
  teamsUserId: string;
}
export interface AgentLeft extends InputBase {
  type: 'AgentLeft';
  callId: string;
  teamsUserId: string;
}
export interface InviteFailed extends InputBase {
  type: 'InviteFailed';
  callId: string;
  code?: string;
}
/** The agent declined the invite in Teams (S14). */
export interface AgentDeclined extends InputBase {
  type: 'AgentDeclined';
  callId: string;
}
export interface CallerLeft extends InputBase {
  type: 'CallerLeft';
  callId: string;
}
export interface CallTerminated extends InputBase {
  type: 'CallTerminated';
  callId: string;
  code: string | number;
  subcode: string | number;
  /** A redirect's terminal notification carries `answeredBy` when someone answered. */
  answered?: boolean;
}
export interface TransferAccepted extends InputBase {
  type: 'TransferAccepted';
  callId: string;
  target?: string;
}
export interface TransferCompleted extends InputBase {
  type: 'TransferCompleted';
  callId: string;
  target?: string;
}
export interface TransferFailed extends InputBase {
  type: 'TransferFailed';
  callId: string;
  code?: string;
}
export type CallOperation = 'StartHoldMusic' | 'StopHoldMusic';
export interface OperationCompleted extends InputBase {
  type: 'OperationCompleted';
  callId: string;
  operation: CallOperation;
  operationId?: string;
}
export interface OperationFailed extends InputBase {
  type: 'OperationFailed';
  callId: string;
  operation: CallOperation;
  operationId?: string;
  code?: string;
}
export interface PresenceObserved extends InputBase {
  type: 'PresenceObserved';
  teamsUserId: string;
  availability: string;
  activity: string;
  sequenceNumber?: string;
}
/**
 * What Graph said when the relay asked about a call (reconciliation: at start, on a keepAlive 404, when something
 * is overdue, periodically). `exists: false` means Graph no longer has the call (404); `state` is Graph's call state.
 */
export interface CallObserved extends InputBase {
  type: 'CallObserved';
  callId: string;
  exists: boolean;
  state?: string;
  /** The first look after the relay (re)started: a completion in flight at the crash is lost, do not wait for it. */
  afterRestart?: boolean;
}
/** B09: Graph created the call a `PlaceCall` asked for and named it `callId`. */
export interface CallPlaced extends InputBase {
  type: 'CallPlaced';
  /** The placeholder call id of the dial (`dial:<command id>`). */
  dialId: string;
  callId: string;
  tenantId: string;
}
export interface TimerFired extends InputBase {
  type: 'TimerFired';
  timerId: string;
}
export interface CommandReceived extends InputBase {
  type: 'CommandReceived';
  command: TeamsCallCommand;
}
export interface ConfigReloaded extends InputBase {
  type: 'ConfigReloaded';
  config: ConfigSnapshot;
}
/** An effect the app layer could not execute (fed back so the core can fall back). */
export interface EffectFailed extends InputBase {
  type: 'EffectFailed';
  effect: Effect;
  error: string;
  /** Graph throttled the request (429/503): it was not executed and may be sent again after this long. */
  retryAfterMs?: number;
}

export type Input =
  | IncomingCall
  | CallEstablishing
  | CallEstablished
  | ParticipantsUpdated
  | AgentJoined
  | AgentLeft
  | InviteFailed
  | AgentDeclined
  | CallerLeft
  | CallTerminated
  | TransferAccepted
  | TransferCompleted
  | TransferFailed
  | OperationCompleted
  | OperationFailed
  | PresenceObserved
  | CallObserved
  | CallPlaced
  | TimerFired
  | CommandReceived
  | ConfigReloaded
  | EffectFailed;

export type InputType = Input['type'];

// ───────────────────────────── effects ─────────────────────────────

export interface AnswerCall {
  type: 'AnswerCall';
  callId: string;
  tenantId: string;
}
/** Invite the agent's Teams user into the bot's call (bot in the middle). May be issued before `established`. */
export interface InviteAgent {
  type: 'InviteAgent';
  callId: string;
  teamsUserId: string;
  tenantId: string;
  /** A retry after a throttled invite: the adapter first checks Graph's roster that the agent is not invited yet. */
  verify?: boolean;
}
export interface CancelInvite {
  type: 'CancelInvite';
  callId: string;
  teamsUserId: string;
}
export interface RemoveParticipant {
  type: 'RemoveParticipant';
  callId: string;
  participantId: string;
}
export interface StartHoldMusic {
  type: 'StartHoldMusic';
  callId: string;
  /** The caller's participant id when the roster has shown it; the adapter resolves it otherwise. */
  participantId?: string;
}
export interface StopHoldMusic {
  type: 'StopHoldMusic';
  callId: string;
  participantId?: string;
}
/**
 * B09: create an outbound call from the agent's line (its resource account as `source`) that rings the agent's Teams
 * first. `callId` is the placeholder (`dial:<command id>`); Graph's id comes back as `CallPlaced`.
 */
export interface PlaceCall {
  type: 'PlaceCall';
  callId: string;
  teamsUserId: string;
  /** The agent's line (E.164); the adapter maps it to its resource account. */
  lineNumber: string;
}
/** B09: call the number into the agent's established call (the bot in the middle, as for inbound calls). */
export interface InviteNumber {
  type: 'InviteNumber';
  callId: string;
  tenantId: string;
  phoneNumber: string;
}
/** Blind transfer of an answered call (the bot has `established`). */
export interface Transfer {
  type: 'Transfer';
  callId: string;
  target: RouteTarget;
  /** Graph needs the transferee in a group call: the caller's participant id when known. */
  transfereeParticipantId?: string;
}
/** Redirect of a call the bot has not answered (only while `incoming`, within 15 s). */
export interface Redirect {
  type: 'Redirect';
  callId: string;
  target: RouteTarget;
}
export interface HangUp {
  type: 'HangUp';
  callId: string;
}
/**
 * Set presence on the agent. `InACall` uses the app's own session (`setPresence`, Busy/InACall); `DoNotDisturb`
 * uses the preferred presence (`setUserPreferredPresence`) — both always with a bounded expiry (B05).
 */
export interface SetPresence {
  type: 'SetPresence';
  teamsUserId: string;
  agentUserId: string;
  mode: 'InACall' | 'DoNotDisturb';
  availability: string;
  activity: string;
  expiresInMinutes: number;
}
/** Release what the relay set; `restore` is the presence to re-apply when the earlier state looked user-chosen. */
export interface ClearPresence {
  type: 'ClearPresence';
  teamsUserId: string;
  agentUserId: string;
  mode: 'InACall' | 'DoNotDisturb';
  restore?: { availability: string; activity: string };
}
export interface PublishCallEvent {
  type: 'PublishCallEvent';
  event: TeamsCallEvent;
}
export interface ScheduleTimer {
  type: 'ScheduleTimer';
  timer: TimerEntry;
}
export interface CancelTimer {
  type: 'CancelTimer';
  timerId: string;
}
/** Ask the app to fetch a new config snapshot (off the ring path); it comes back as `ConfigReloaded`. */
export interface ReloadConfig {
  type: 'ReloadConfig';
}
export interface Log {
  type: 'Log';
  level: 'info' | 'warn' | 'error';
  message: string;
  callId?: string;
  fields?: Record<string, string | number | boolean>;
}

export type Effect =
  | AnswerCall
  | InviteAgent
  | CancelInvite
  | RemoveParticipant
  | StartHoldMusic
  | StopHoldMusic
  | Transfer
  | Redirect
  | HangUp
  | PlaceCall
  | InviteNumber
  | SetPresence
  | ClearPresence
  | PublishCallEvent
  | ScheduleTimer
  | CancelTimer
  | ReloadConfig
  | Log;

export type EffectType = Effect['type'];

/** Effects that act on a Graph call (the "no effect targets an ended call" invariant applies to these). */
export type CallControlEffect =
  | AnswerCall
  | InviteAgent
  | CancelInvite
  | RemoveParticipant
  | StartHoldMusic
  | StopHoldMusic
  | Transfer
  | Redirect
  | HangUp
  | InviteNumber;

export const CALL_CONTROL_EFFECTS: ReadonlySet<EffectType> = new Set<EffectType>([
  'AnswerCall',
  'InviteAgent',
  'CancelInvite',
  'RemoveParticipant',
  'StartHoldMusic',
  'StopHoldMusic',
  'Transfer',
  'Redirect',
  'HangUp',
  'InviteNumber'
]);

export function isCallControlEffect(effect: Effect): effect is CallControlEffect {
  return CALL_CONTROL_EFFECTS.has(effect.type);
}

export interface Decision {
  world: World;
  effects: Effect[];
  /** False when the input was a duplicate or stale and changed nothing. */
  applied: boolean;
  /** Ids of the calls (in progress, ended or pruned) and agent states this step wrote: what a store persists. */
  touched?: { calls: string[]; agents: string[] };
  /** Timers the world held before the step and no longer holds (cancelled or fired). */
  timersRemoved?: string[];
  /** With `decide(…, { inPlace: true })`: put the caller's world back as it was (e.g. when the commit failed). */
  rollback?: () => void;
}
