/**
 * The relay engine's transition function: `decide(world, input) → { world, effects }`. Pure: no I/O, no clock
 * (time comes in `input.at`), no randomness; the returned world is a new object and the input world is untouched.
 * Duplicates change nothing (idempotency keys per call), stale inputs are ignored by phase guards, `Ended` is final.
 */
import type { CallReason, CallState, TeamsCallEvent } from './call-event.ts';
import type { Agent, ConfigSnapshot, RedirectRule, RuleTrigger } from './config.ts';
import { callsOfAgent, noteCallWritten } from './call-index.ts';
import { eventIdFor } from './event-id.ts';
import type {
  AgentState,
  CallSession,
  Decision,
  Effect,
  IncomingCall,
  Input,
  PresenceSnapshot,
  RouteTarget,
  TimerEntry,
  World
} from './model.ts';
import { isCallControlEffect } from './model.ts';
import {
  AFTER_CALL_WORK_MAX_SECONDS,
  afterCallWorkSeconds,
  afterReject,
  dndTimerId,
  holdAfterCallWork,
  holdInACall,
  releaseDnd,
  releaseInACall
} from './presence.policy.ts';
import {
  agentBySalesforceId,
  agentForLine,
  clientSettingsTarget,
  connectedCalls,
  decideIncoming,
  declinedRule,
  resolveRule,
  ruleFor
} from './routing.policy.ts';

/** How many call-less idempotency keys the world remembers (presence, config, commands without a call). */
const WORLD_KEY_LIMIT = 2000;
/**
 * Ended calls are kept this long so late Graph notifications and duplicates still find them (Graph redelivers within
 * minutes); longer would make every step copy and scan a world that grows with the day's traffic.
 */
const ENDED_RETENTION_MS = 60 * 60 * 1000;
/** A hold-music operation Graph has not reported complete after this long is verified with Graph (B01). */
export const OPERATION_DEADLINE_MS = 15_000;
/** A redirect/transfer whose outcome Graph has not reported after this long is verified (Graph rings ≤ 90 s). */
export const ROUTING_DEADLINE_MS = 120_000;
/** Every call in progress is compared with Graph at least this often, so nothing is stranded by a lost webhook. */
export const RECONCILE_EVERY_MS = 5 * 60 * 1000;

export function emptyWorld(config: ConfigSnapshot): World {
  return { config, calls: {}, ended: {}, agents: {}, timers: {}, applied: [] };
}

/** A call in progress or recently ended. */
export function findCall(world: World, callId: string): CallSession | undefined {
  return world.calls[callId] ?? world.ended?.[callId];
}

export function noAnswerTimerId(callId: string): string {
  return `noanswer:${callId}`;
}

/** One id per retry: a timer id fires once (its TimerFired key is remembered on the call). */
export function inviteRetryTimerId(callId: string, attempt: number): string {
  return `inviteretry:${attempt}:${callId}`;
}

/** Throttled invites are retried at most this often, and only while the ring budget leaves time to ring. */
const MAX_INVITE_RETRIES = 3;
const MIN_RING_LEFT_MS = 5_000;

/** The stable idempotency key of an input: explicit `key`, else derived from its content. */
export function inputKey(input: Input): string {
  if (input.key !== undefined) return input.key;
  switch (input.type) {
    case 'ParticipantsUpdated':
      return `${input.type}:${input.callId}:${input.participants
        .map((p) => p.id)
        .sort()
        .join(',')}`;
    case 'AgentJoined':
    case 'AgentLeft':
      return `${input.type}:${input.callId}:${input.teamsUserId}`;
    case 'TransferAccepted':
    case 'TransferCompleted':
      return `${input.type}:${input.callId}:${input.target ?? ''}`;
    case 'TransferFailed':
    case 'InviteFailed':
      return `${input.type}:${input.callId}:${input.code ?? ''}`;
    case 'OperationCompleted':
    case 'OperationFailed':
      return `${input.type}:${input.callId}:${input.operationId ?? `${input.operation}@${input.at}`}`;
    case 'CallTerminated':
      return `${input.type}:${input.callId}`;
    case 'CallObserved':
      return `${input.type}:${input.callId}:${input.at}`;
    case 'PresenceObserved':
      return `${input.type}:${input.teamsUserId}:${input.sequenceNumber ?? input.at}:${input.availability}/${input.activity}`;
    case 'TimerFired':
      return `${input.type}:${input.timerId}`;
    case 'CommandReceived':
      return `${input.type}:${input.command.CommandId__c}`;
    case 'ConfigReloaded':
      return `${input.type}:${input.config.loadedAt}`;
    case 'EffectFailed':
      return `${input.type}:${input.effect.type}:${'callId' in input.effect ? input.effect.callId : ''}:${input.at}`;
    default:
      return `${input.type}:${input.callId}`;
  }
}

function callIdOf(input: Input): string | undefined {
  if ('callId' in input) return input.callId;
  if (input.type === 'CommandReceived') return input.command.TeamsCallId__c || undefined;
  if (input.type === 'EffectFailed' && 'callId' in input.effect) return input.effect.callId;
  if (input.type === 'TimerFired' && input.timerId.startsWith('noanswer:'))
    return input.timerId.slice('noanswer:'.length);
  return undefined;
}

type MapName = 'calls' | 'ended' | 'agents' | 'timers';
type MapOf = {
  calls: Record<string, CallSession>;
  ended: Record<string, CallSession>;
  agents: Record<string, AgentState>;
  timers: Record<string, TimerEntry>;
};

/**
 * A mutable draft of one step. By default a map is copied on its first write (never on entry), so the caller's world
 * is never mutated. B15: a caller that owns its world and replaces it with the decision's (the relay's single writer)
 * asks for `inPlace`: writes then go into the world's own maps, each key's previous value is kept, and the decision's
 * `rollback` puts them back, so a step costs the same however many calls and timers the world holds.
 * `touched` names what changed.
 */
class Step {
  readonly world: World;
  readonly effects: Effect[] = [];
  readonly touched = { calls: new Set<string>(), agents: new Set<string>() };
  /** The value each written key had before this step (undefined: absent), per map. */
  private readonly before = new Map<MapName, Map<string, unknown>>();
  private readonly copied = new Set<MapName>();
  constructor(
    world: World,
    readonly at: string,
    private readonly inPlace = false
  ) {
    this.world = { ...world };
  }

  private map<K extends MapName>(name: K): MapOf[K] {
    const world = this.world as World & { ended: Record<string, CallSession> };
    if (name === 'ended' && world.ended === undefined) {
      world.ended = {};
      this.copied.add('ended');
    }
    if (!this.inPlace && !this.copied.has(name)) {
      world[name] = { ...world[name] } as never;
      this.copied.add(name);
    }
    return world[name];
  }

  /** Write (or, with `undefined`, remove) one key of one map, remembering its value before the step. */
  set<K extends MapName>(name: K, key: string, value: MapOf[K][string] | undefined): void {
    const map = this.map(name) as Record<string, unknown>;
    const previous = map[key];
    let before = this.before.get(name);
    if (before === undefined) this.before.set(name, (before = new Map<string, unknown>()));
    if (!before.has(key)) before.set(key, previous);
    if (value === undefined) delete map[key];
    else map[key] = value;
    if (name === 'calls')
      noteCallWritten(
        map as Record<string, CallSession>,
        key,
        previous as CallSession | undefined,
        value as CallSession
      );
  }

  /** Timers the world held before this step and no longer holds (cancelled or fired). */
  timersRemoved(): string[] {
    const before = this.before.get('timers') ?? new Map<string, unknown>();
    return [...before].flatMap(([id, was]) => (was !== undefined && this.world.timers[id] === undefined ? [id] : []));
  }

  /** Put back every key this step wrote in place (nothing to do for copied maps: the caller never saw them). */
  rollback(): void {
    if (!this.inPlace) return;
    for (const [name, before] of this.before) {
      if (this.copied.has(name)) continue;
      for (const [key, value] of before) this.set(name, key, value as never);
    }
  }

  call(callId: string): CallSession | undefined {
    return findCall(this.world, callId);
  }

  put(call: CallSession): CallSession {
    this.touched.calls.add(call.callId);
    if (call.phase === 'Ended') {
      if (this.world.calls[call.callId] !== undefined) this.set('calls', call.callId, undefined);
      this.set('ended', call.callId, call);
    } else {
      this.set('calls', call.callId, call);
    }
    return call;
  }

  emit(...effects: Effect[]): void {
    for (const effect of effects) {
      if (effect.type === 'ScheduleTimer') this.set('timers', effect.timer.timerId, effect.timer);
      if (effect.type === 'CancelTimer' && this.world.timers[effect.timerId] !== undefined)
        this.set('timers', effect.timerId, undefined);
      this.effects.push(effect);
    }
  }

  log(level: 'info' | 'warn' | 'error', message: string, callId?: string): void {
    this.emit({ type: 'Log', level, message, ...(callId ? { callId } : {}) });
  }

  agentState(agent: Agent): AgentState {
    return (
      this.world.agents[agent.salesforceUserId] ?? {
        salesforceUserId: agent.salesforceUserId,
        teamsUserId: agent.teamsUserId
      }
    );
  }

  agentStateById(agentUserId: string | undefined): AgentState | undefined {
    if (agentUserId === undefined) return undefined;
    const known = this.world.agents[agentUserId];
    if (known) return known;
    const agent = agentBySalesforceId(this.world.config, agentUserId);
    return agent ? this.agentState(agent) : undefined;
  }

  putAgent(state: AgentState): void {
    this.touched.agents.add(state.salesforceUserId);
    this.set('agents', state.salesforceUserId, state);
  }

  /** Publish the call's next event; `Sequence__c` strictly increases per call, `EventId__c` follows from it. */
  publish(call: CallSession, state: CallState, extra: { reason?: CallReason; target?: string } = {}): CallSession {
    const sequence = call.sequence + 1;
    const participants = call.participants
      .filter((p) => !p.isBot)
      .map((p) => p.displayName ?? p.phoneNumber ?? p.teamsUserId ?? p.id);
    const event: TeamsCallEvent = {
      EventId__c: eventIdFor(call.callId, sequence),
      TeamsCallId__c: call.callId,
      Sequence__c: sequence,
      Kind__c: 'Call',
      State__c: state,
      Direction__c: call.direction ?? 'Inbound',
      OccurredAt__c: this.at
    };
    if (extra.reason) event.Reason__c = extra.reason;
    if (call.callerNumber) event.CallerNumber__c = call.callerNumber;
    if (call.callerName) event.CallerName__c = call.callerName;
    event.DialledNumber__c = call.dialledNumber;
    if (call.agentUserId) event.AgentUserId__c = call.agentUserId;
    if (call.agentTeamsId) event.AgentTeamsId__c = call.agentTeamsId;
    if (extra.target) event.Target__c = extra.target;
    if (participants.length > 0) event.Participants__c = participants.join('\n');
    if (call.relatedCallId) event.RelatedCallId__c = call.relatedCallId;
    this.emit({ type: 'PublishCallEvent', event });
    return this.put({ ...call, sequence });
  }

  /** The one final state of a call (published once; later attempts only log). */
  finish(call: CallSession, state: CallState, reason: CallReason | undefined, target?: string): CallSession {
    if (call.final) {
      this.log('warn', `final state ${state} ignored: call already ${call.final.state}`, call.callId);
      return call;
    }
    const published = this.publish(call, state, { ...(reason ? { reason } : {}), ...(target ? { target } : {}) });
    return this.put({ ...published, final: { state, ...(reason ? { reason } : {}), ...(target ? { target } : {}) } });
  }

  /** Mark the call's Graph leg as gone; presence is recomputed for the agent. */
  end(call: CallSession): CallSession {
    const ended = this.put({ ...call, phase: 'Ended', invitePending: false, endedAt: this.at });
    // The call's own ring timers, looked up by id (their ids follow from the call's), not by scanning every timer.
    const ids = [
      noAnswerTimerId(call.callId),
      calleeTimerId(call.callId),
      ...Array.from({ length: MAX_INVITE_RETRIES }, (_, i) => inviteRetryTimerId(call.callId, i + 1))
    ];
    for (const timer of ids.flatMap((id) => this.world.timers[id] ?? []))
      if (timer.callId === call.callId && (timer.purpose === 'NoAnswer' || timer.purpose === 'InviteRetry'))
        this.emit({ type: 'CancelTimer', timerId: timer.timerId });
    this.syncPresence(call.agentUserId);
    if (call.answered && call.phase !== 'Ended') this.afterCallWork(call.agentUserId);
    return ended;
  }

  /** B13: a call the agent talked on ended and no other is connected: after-call work, if configured. */
  afterCallWork(agentUserId: string | undefined): void {
    if (agentUserId === undefined || connectedCalls(this.world, agentUserId).length > 0) return;
    const agent = agentBySalesforceId(this.world.config, agentUserId);
    const state = this.agentStateById(agentUserId);
    if (!agent || !state) return;
    const seconds = afterCallWorkSeconds(agent, this.world.config.settings);
    if (seconds <= 0) return;
    const step = holdAfterCallWork(state, new Date(Date.parse(this.at) + seconds * 1000).toISOString());
    if (step.state !== state) this.putAgent(step.state);
    this.emit(...step.effects);
  }

  /** B05: hold "In a call" exactly while the agent has a connected call. */
  syncPresence(agentUserId: string | undefined): void {
    const state = this.agentStateById(agentUserId);
    if (state === undefined || agentUserId === undefined) return;
    const step = connectedCalls(this.world, agentUserId).length > 0 ? holdInACall(state) : releaseInACall(state);
    if (step.state !== state) this.putAgent(step.state);
    this.emit(...step.effects);
  }
}

/**
 * Apply one input to the world. See the module comment for the guarantees. With `inPlace` (B15) the caller gives its
 * world's maps to the step: they are written in place (the cost of a step does not grow with the world), the caller
 * must use the decision's world from then on, or call `rollback()` to have its world back as it was.
 */
export function decide(world: World, input: Input, options: { inPlace?: boolean } = {}): Decision {
  const key = inputKey(input);
  const callId = callIdOf(input) ?? (input.type === 'TimerFired' ? world.timers[input.timerId]?.callId : undefined);
  const existing = callId !== undefined ? findCall(world, callId) : undefined;
  if (existing?.applied.includes(key) || world.applied.includes(key)) {
    return { world, effects: [], applied: false };
  }
  // Nothing can apply to a call the relay never saw, nor to a timer that is not pending; such inputs are not
  // remembered either, so a real one arriving after a reordering still applies.
  if (
    existing === undefined &&
    callId !== undefined &&
    input.type !== 'IncomingCall' &&
    input.type !== 'CommandReceived' &&
    input.type !== 'CallPlaced'
  ) {
    return { world, effects: [], applied: false };
  }
  if (input.type === 'TimerFired' && world.timers[input.timerId] === undefined) {
    return { world, effects: [], applied: false };
  }
  const step = new Step(world, input.at, options.inPlace === true);
  const endedBefore = existing?.phase === 'Ended';
  try {
    apply(step, input);
  } catch (error) {
    step.rollback();
    throw error;
  }

  // Remember the key where the input belongs (the call it concerns, else the world's bounded list).
  const touched = callId !== undefined ? step.call(callId) : undefined;
  if (touched) step.put({ ...touched, applied: [...touched.applied, key] });
  else step.world.applied = [...world.applied.slice(-(WORLD_KEY_LIMIT - 1)), key];

  // Defence in depth for "terminated is final": nothing may act on a leg that had already ended.
  const effects = endedBefore
    ? step.effects.filter((e) => !(isCallControlEffect(e) && e.callId === callId))
    : step.effects;
  const changed = { calls: [...step.touched.calls], agents: [...step.touched.agents] };
  return {
    world: step.world,
    effects,
    applied: true,
    touched: changed,
    timersRemoved: step.timersRemoved(),
    rollback: () => step.rollback()
  };
}

function apply(step: Step, input: Input): void {
  switch (input.type) {
    case 'IncomingCall':
      return incoming(step, input);
    case 'CallEstablishing':
      // Carries nothing the engine needs; after `established` it is stale by definition (answer order not guaranteed).
      return;
    case 'CallEstablished': {
      const call = step.call(input.callId);
      if (!call || call.phase === 'Ended') return;
      const established = step.put({ ...call, botEstablished: true });
      // B09: the bot's outbound call is established when the agent answered it in Teams.
      if (established.dial?.stage === 'AgentRinging') return dialAgentAnswered(step, established);
      if (established.phase === 'Routing' && established.routing?.untilEstablished) {
        // The transfer waited for the bot's leg (Graph refuses to transfer a call that is not established).
        const { untilEstablished: _waited, ...routing } = established.routing;
        step.emit(routeEffect(step.put({ ...established, routing, awaitingSince: step.at }), routing.target));
      }
      return;
    }
    case 'ParticipantsUpdated':
      return participants(step, input.callId, input.participants, input.sequence);
    case 'AgentJoined':
      return agentJoined(step, input.callId, input.teamsUserId);
    case 'AgentLeft':
      return agentLeft(step, input.callId, input.teamsUserId);
    case 'InviteFailed':
      if (step.call(input.callId)?.dial?.stage === 'CalleeRinging')
        return calleeUnreachable(step, input.callId, input.code);
      return inviteFailed(step, input.callId, `invite failed ${input.code ?? ''}`.trim());
    case 'AgentDeclined':
      // On a dial the only invitee is the number called: 603 is the callee declining (a busy line for the agent).
      if (step.call(input.callId)?.dial?.stage === 'CalleeRinging') return calleeUnreachable(step, input.callId, '486');
      return rejected(step, input.callId, false);
    case 'CallerLeft':
      return callerGone(step, input.callId, true);
    case 'CallTerminated':
      return terminated(step, input.callId, String(input.subcode), String(input.code));
    case 'TransferAccepted': {
      const call = step.call(input.callId);
      if (call && (call.phase === 'Connected' || call.phase === 'OnHold') && !call.agentTransfer) {
        step.put({ ...call, agentTransfer: input.target ? { target: input.target } : {} });
      }
      return;
    }
    case 'TransferCompleted':
      return transferCompleted(step, input.callId, input.target);
    case 'TransferFailed':
      return transferFailed(step, input.callId, `transfer failed ${input.code ?? ''}`.trim());
    case 'OperationCompleted':
      return operationCompleted(step, input.callId, input.operation);
    case 'OperationFailed':
      return operationFailed(step, input.callId, input.operation, input.code ?? 'failed');
    case 'PresenceObserved':
      return presenceObserved(step, input);
    case 'CallObserved':
      return observed(step, input);
    case 'CallPlaced':
      return callPlaced(step, input);
    case 'TimerFired':
      return timerFired(step, input.timerId);
    case 'CommandReceived':
      return command(step, input.command);
    case 'ConfigReloaded':
      if (input.config.loadedAt >= step.world.config.loadedAt) step.world.config = input.config;
      else step.log('warn', 'stale config snapshot ignored');
      return;
    case 'EffectFailed':
      return effectFailed(step, input.effect, input.error, input.retryAfterMs);
  }
}

// ───────────────────────────── ring path ─────────────────────────────

function incoming(step: Step, input: IncomingCall): void {
  if (step.call(input.callId)) return; // a duplicate "created" notification
  pruneEnded(step);
  const agent = agentForLine(step.world.config, input.dialledNumber);
  const base: CallSession = {
    callId: input.callId,
    tenantId: input.tenantId,
    ...(input.callerNumber ? { callerNumber: input.callerNumber } : {}),
    ...(input.callerName ? { callerName: input.callerName } : {}),
    dialledNumber: input.dialledNumber,
    ...(agent ? { agentUserId: agent.salesforceUserId, agentTeamsId: agent.teamsUserId } : {}),
    phase: 'Ringing',
    botEstablished: false,
    botAnswered: false,
    invitePending: false,
    answered: false,
    participants: [],
    sequence: 0,
    startedAt: input.at,
    applied: []
  };
  if (agent === undefined) {
    // No line owns this number: refuse the call (never answered) and still record it once (B01).
    const call = step.put(base);
    step.emit({ type: 'HangUp', callId: call.callId });
    step.log('warn', 'no agent owns the dialled line', call.callId);
    step.end(step.finish(call, 'Missed', 'Failed'));
    return;
  }
  const decision = decideIncoming(step.world, agent);
  if (decision.kind === 'Route') {
    for (const note of decision.notes) step.log('warn', note, input.callId);
    let call = step.put({
      ...base,
      phase: 'Routing',
      awaitingSince: input.at,
      routing: { target: decision.target, via: 'Redirect', trigger: decision.trigger }
    });
    step.emit({ type: 'Redirect', callId: call.callId, target: decision.target });
    call = step.finish(call, decision.state, decision.reason, decision.target.label);
    return;
  }
  // Ring: answer, invite and publish Ringing in this one step — no lookups, the two round trips run in parallel.
  let call = step.put({
    ...base,
    botAnswered: true,
    invitePending: true,
    ...(decision.relatedCallId ? { relatedCallId: decision.relatedCallId } : {})
  });
  step.emit(
    { type: 'AnswerCall', callId: call.callId, tenantId: call.tenantId },
    { type: 'InviteAgent', callId: call.callId, teamsUserId: agent.teamsUserId, tenantId: call.tenantId }
  );
  call = step.publish(call, 'Ringing', decision.relatedCallId ? { reason: 'InACall' } : {});
  const seconds = agent.noAnswerSeconds ?? step.world.config.settings.noAnswerSeconds;
  const timer: TimerEntry = {
    timerId: noAnswerTimerId(call.callId),
    purpose: 'NoAnswer',
    at: new Date(Date.parse(input.at) + seconds * 1000).toISOString(),
    callId: call.callId,
    agentUserId: agent.salesforceUserId
  };
  step.emit({ type: 'ScheduleTimer', timer });
}

const PRUNE_EVERY_MS = 60_000;

function pruneEnded(step: Step): void {
  const now = Date.parse(step.at);
  if (step.world.prunedAt !== undefined && now - Date.parse(step.world.prunedAt) < PRUNE_EVERY_MS) return;
  step.world.prunedAt = step.at;
  const cutoff = now - ENDED_RETENTION_MS;
  for (const call of Object.values(step.world.ended ?? {})) {
    if (call.endedAt !== undefined && Date.parse(call.endedAt) < cutoff) {
      step.set('ended', call.callId, undefined);
      step.touched.calls.add(call.callId);
    }
  }
}

// ───────────────────────────── routing by rule ─────────────────────────────

/**
 * Route a call that was ringing the agent (no answer, reject, failed invite): stop Teams ringing, hand the call to
 * the target (transfer: the bot answered), publish the one final state with where it went.
 */
function routeFromRinging(
  step: Step,
  call: CallSession,
  trigger: RuleTrigger,
  rule: RedirectRule | undefined,
  state: CallState,
  reason: CallReason,
  cancelInvite: boolean
): CallSession {
  const agent = call.agentUserId ? agentBySalesforceId(step.world.config, call.agentUserId) : undefined;
  if (cancelInvite && call.invitePending && call.agentTeamsId)
    step.emit({ type: 'CancelInvite', callId: call.callId, teamsUserId: call.agentTeamsId });
  if (step.world.timers[noAnswerTimerId(call.callId)])
    step.emit({ type: 'CancelTimer', timerId: noAnswerTimerId(call.callId) });
  if (agent === undefined) {
    // The line was removed by a config reload while ringing: nobody to route for.
    step.emit({ type: 'HangUp', callId: call.callId });
    return step.end(step.finish({ ...call, invitePending: false }, state, reason));
  }
  const resolved = resolveRule(step.world, agent, rule);
  for (const note of resolved.notes) step.log('warn', note, call.callId);
  const via = call.botAnswered ? 'Transfer' : 'Redirect';
  const untilEstablished = via === 'Transfer' && !call.botEstablished;
  const routed = step.put({
    ...call,
    invitePending: false,
    phase: 'Routing',
    awaitingSince: step.at,
    routing: { target: resolved.target, via, trigger, ...(untilEstablished && { untilEstablished }) }
  });
  if (!untilEstablished) step.emit(routeEffect(routed, resolved.target));
  return step.finish(routed, state, reason, resolved.target.label);
}

function routeEffect(call: CallSession, target: RouteTarget): Effect {
  if (!call.botAnswered) return { type: 'Redirect', callId: call.callId, target };
  const caller = call.participants.find((p) => p.isCaller);
  return { type: 'Transfer', callId: call.callId, target, ...(caller ? { transfereeParticipantId: caller.id } : {}) };
}

/** A relay routing (redirect/transfer) failed: fall back to the agent's own Teams, else give up and hang up. */
function routingFailed(step: Step, call: CallSession, why: string): void {
  const agent = call.agentUserId ? agentBySalesforceId(step.world.config, call.agentUserId) : undefined;
  const routing = call.routing;
  if (agent && routing && routing.trigger !== 'Fallback') {
    const target = clientSettingsTarget(agent);
    step.log('warn', `${why}; routing to the agent's own Teams instead`, call.callId);
    const untilEstablished = routing.via === 'Transfer' && !call.botEstablished;
    let next = step.put({
      ...call,
      awaitingSince: step.at,
      routing: { target, via: routing.via, trigger: 'Fallback', ...(untilEstablished && { untilEstablished }) }
    });
    if (!untilEstablished) step.emit(routeEffect(next, target));
    const final = next.final;
    if (final && final.target !== target.label) {
      // The record must name where the call actually went: the same final state again, with the new target.
      next = step.publish(next, final.state, { ...(final.reason && { reason: final.reason }), target: target.label });
      step.put({ ...next, final: { ...final, target: target.label } });
    }
    return;
  }
  step.log('error', `${why}; no fallback left, hanging up`, call.callId);
  step.emit({ type: 'HangUp', callId: call.callId });
  step.end(call);
}

// ───────────────────────────── Graph-reported events ─────────────────────────────

function participants(step: Step, callId: string, list: CallSession['participants'], sequence?: number): void {
  const call = step.call(callId);
  if (!call || call.phase === 'Ended') return;
  if (sequence !== undefined && call.rosterSequence !== undefined && sequence <= call.rosterSequence) {
    // Graph delivers out of order: a roster older than the one applied would undo a join (and hang up a live call).
    step.log('info', `stale roster ${sequence} ignored (applied ${call.rosterSequence})`, callId);
    return;
  }
  const label = (c: CallSession): string =>
    c.participants
      .filter((p) => !p.isBot)
      .map((p) => p.id)
      .sort()
      .join(',');
  const updated = step.put({
    ...call,
    participants: list,
    ...(sequence !== undefined && { rosterSequence: sequence })
  });
  if (call.direction === 'Outbound' && outboundRoster(step, call, updated)) return;
  // The roster is the only thing Graph sends when the invited agent picks up or leaves (graph-calls.md §7, "invite:
  // target appears in roster"), so the agent's own arrival and departure are read from it here.
  const agent = call.agentTeamsId;
  const agentIn = (c: CallSession): boolean => c.participants.some((p) => p.teamsUserId === agent);
  const live = call.phase === 'Connected' || call.phase === 'OnHold';
  if (agent !== undefined && call.phase === 'Ringing' && agentIn(updated)) return agentJoined(step, callId, agent);
  if (agent !== undefined && live && !call.agentTransfer && agentIn(call) && !agentIn(updated)) {
    // S07: a transfer made in the Teams client shows only as a roster where the agent is gone and someone else is
    // with the caller; the agent leaving the caller alone with the bot is a hang-up.
    const handedTo = updated.participants.find((p) => !p.isBot && p.phoneNumber !== call.callerNumber);
    if (handedTo) return transferCompleted(step, callId, participantTarget(handedTo));
    return agentLeft(step, callId, agent);
  }
  // S07: a roster change while connected (someone added: a conference) is published with the new list.
  if ((updated.phase === 'Connected' || updated.phase === 'OnHold') && label(updated) !== label(call))
    step.publish(updated, updated.phase);
}

function participantTarget(p: CallSession['participants'][number]): string | undefined {
  if (p.teamsUserId) return `TeamsUser:${p.teamsUserId}`;
  if (p.phoneNumber) return `PhoneNumber:${p.phoneNumber}`;
  return p.displayName;
}

function agentJoined(step: Step, callId: string, teamsUserId: string): void {
  const call = step.call(callId);
  if (!call || call.agentTeamsId !== teamsUserId) return;
  if (call.phase !== 'Ringing') {
    if (call.phase === 'Routing') step.log('warn', 'agent joined after the call was routed away', callId);
    return;
  }
  const others = connectedCalls(step.world, call.agentUserId ?? '').filter((c) => c.callId !== callId);
  let joined = step.put({ ...call, phase: 'Connected', invitePending: false, answered: true, answeredAt: step.at });
  if (step.world.timers[noAnswerTimerId(callId)]) step.emit({ type: 'CancelTimer', timerId: noAnswerTimerId(callId) });
  joined = step.publish(joined, 'Connected');
  // S16: answering a second call holds the first (Teams does it in the client; the relay mirrors it for the caller).
  for (const other of others) {
    if (other.phase === 'Connected' && other.holdPending === undefined) startHold(step, other, 'OtherCall');
  }
  step.syncPresence(joined.agentUserId);
}

function startHold(step: Step, call: CallSession, cause: 'Command' | 'OtherCall'): void {
  const caller = call.participants.find((p) => p.isCaller);
  step.put({ ...call, holdPending: 'StartHoldMusic', holdCause: cause, holdRetried: false, awaitingSince: step.at });
  step.emit({ type: 'StartHoldMusic', callId: call.callId, ...(caller ? { participantId: caller.id } : {}) });
}

function stopHold(step: Step, call: CallSession): void {
  const caller = call.participants.find((p) => p.isCaller);
  step.put({ ...call, holdPending: 'StopHoldMusic', holdRetried: false, awaitingSince: step.at });
  step.emit({ type: 'StopHoldMusic', callId: call.callId, ...(caller ? { participantId: caller.id } : {}) });
}

function agentLeft(step: Step, callId: string, teamsUserId: string): void {
  const call = step.call(callId);
  if (!call || call.agentTeamsId !== teamsUserId) return;
  if ((call.phase === 'Connected' || call.phase === 'OnHold') && !call.agentTransfer) {
    // S07: the agent hung up in Teams; the caller must not stay alone with the bot.
    step.emit({ type: 'HangUp', callId });
    step.end(step.finish(call, 'Ended', 'AgentHungUp'));
  }
}

function inviteFailed(step: Step, callId: string, why: string): void {
  const call = step.call(callId);
  if (!call || call.phase !== 'Ringing') return;
  const agent = call.agentUserId ? agentBySalesforceId(step.world.config, call.agentUserId) : undefined;
  step.log('warn', `${why}; routing by the no-answer rule`, callId);
  routeFromRinging(step, call, 'NoAnswer', agent ? ruleFor(agent, 'NoAnswer') : undefined, 'Missed', 'Failed', false);
}

/** S14: the agent rejected (softphone command) or declined in Teams. */
function rejected(step: Step, callId: string, fromCommand: boolean): void {
  const call = step.call(callId);
  if (!call || call.phase !== 'Ringing') return;
  const agent = call.agentUserId ? agentBySalesforceId(step.world.config, call.agentUserId) : undefined;
  routeFromRinging(
    step,
    call,
    'Declined',
    agent ? declinedRule(agent) : undefined,
    'Rejected',
    'Declined',
    fromCommand
  );
  if (agent) {
    const presence = afterReject(step.agentState(agent), agent, step.world.config.settings, step.at);
    step.putAgent(presence.state);
    step.emit(...presence.effects);
  }
}

/** S12 and the normal end: the caller left (roster) or the bot's leg terminated. */
function callerGone(step: Step, callId: string, legStillUp: boolean): void {
  const call = step.call(callId);
  if (!call || call.phase === 'Ended') return;
  if (call.phase === 'Ringing') {
    // S12: stop Teams ringing at once.
    if (call.invitePending && call.agentTeamsId)
      step.emit({ type: 'CancelInvite', callId, teamsUserId: call.agentTeamsId });
    if (legStillUp) step.emit({ type: 'HangUp', callId });
    step.end(step.finish(call, 'Abandoned', 'CallerHungUp'));
    return;
  }
  if (call.phase === 'Routing') {
    // The target rang or answered; the relay's part is over either way (final state already published).
    if (legStillUp) step.emit({ type: 'HangUp', callId });
    step.end(call);
    return;
  }
  if (legStillUp) step.emit({ type: 'HangUp', callId });
  step.end(step.finish(call, 'Ended', 'CallerHungUp'));
}

/** Graph subcodes that mean "ended by the bot" (our own hang-up) or "transfer completed". */
const ENDED_BY_BOT = new Set(['7000', '10550']);
const TRANSFER_COMPLETED = '7015';

function terminated(step: Step, callId: string, subcode: string, code = ''): void {
  const call = step.call(callId);
  if (!call || call.phase === 'Ended') return;
  if (call.dial) return dialTerminated(step, call, code);
  if (subcode === TRANSFER_COMPLETED && (call.agentTransfer || call.phase === 'Routing')) {
    transferCompleted(step, callId, call.agentTransfer?.target);
    return;
  }
  if (ENDED_BY_BOT.has(subcode) && (call.phase === 'Connected' || call.phase === 'OnHold')) {
    step.end(step.finish(call, 'Ended', 'AgentHungUp'));
    return;
  }
  callerGone(step, callId, false);
}

function transferCompleted(step: Step, callId: string, target: string | undefined): void {
  const call = step.call(callId);
  if (!call || call.phase === 'Ended') return;
  if (call.phase === 'Routing') {
    step.end(call);
    return;
  }
  if (call.phase === 'Connected' || call.phase === 'OnHold') {
    // S07: the agent transferred the call in Teams; it leaves the agent.
    const where = target ?? call.agentTransfer?.target;
    step.end(step.finish(call, 'Transferred', undefined, where));
  }
}

function transferFailed(step: Step, callId: string, why: string): void {
  const call = step.call(callId);
  if (!call || call.phase === 'Ended') return;
  if (call.phase === 'Routing' && call.routing?.via === 'Transfer') {
    routingFailed(step, call, why);
    return;
  }
  if ((call.phase === 'Connected' || call.phase === 'OnHold') && call.agentTransfer) {
    // Graph puts the call back to established: the call returns to the agent.
    const { agentTransfer: _failed, ...back } = call;
    step.log('warn', `${why}; the call stays with the agent`, callId);
    step.publish(step.put(back), back.phase === 'OnHold' ? 'OnHold' : 'Connected', { reason: 'Failed' });
  }
}

function operationCompleted(step: Step, callId: string, operation: 'StartHoldMusic' | 'StopHoldMusic'): void {
  const call = step.call(callId);
  if (!call || call.holdPending !== operation) return;
  if (operation === 'StartHoldMusic' && call.phase === 'Connected') {
    const { holdPending: _done, holdRetried: _retried, awaitingSince: _since, ...rest } = call;
    step.publish(step.put({ ...rest, phase: 'OnHold' }), 'OnHold');
  } else if (operation === 'StopHoldMusic' && call.phase === 'OnHold') {
    const { holdPending: _done, holdCause: _cause, holdRetried: _retried, awaitingSince: _since, ...rest } = call;
    step.publish(step.put({ ...rest, phase: 'Connected' }), 'Connected');
  }
}

function operationFailed(step: Step, callId: string, operation: 'StartHoldMusic' | 'StopHoldMusic', why: string): void {
  const call = step.call(callId);
  if (!call || call.holdPending !== operation || call.phase === 'Ended') return;
  const { holdPending: _failed, holdRetried: _retried, awaitingSince: _since, ...rest } = call;
  step.log('warn', `${operation} failed: ${why}`, callId);
  // The state did not change; publishing it again with Reason Failed tells the softphone its command did not work.
  step.publish(step.put(rest), rest.phase === 'OnHold' ? 'OnHold' : 'Connected', { reason: 'Failed' });
}

// ───────────────────────────── reconciliation with Graph ─────────────────────────────

function overdue(since: string | undefined, at: string, deadlineMs: number): boolean {
  return since !== undefined && Date.parse(at) - Date.parse(since) >= deadlineMs;
}

/**
 * Whether the relay should ask Graph about this call now: something it waits for is overdue, or the call was not
 * compared with Graph for `RECONCILE_EVERY_MS` (`lastObservedAt`: the last time it asked, else when the call began).
 * The app decides when to look; what the answer means is decided by `decide` (`CallObserved`).
 */
export function reconcileDue(call: CallSession, at: string, lastObservedAt: string): boolean {
  if (call.phase === 'Ended') return false;
  if (call.holdPending !== undefined && overdue(call.awaitingSince, at, OPERATION_DEADLINE_MS)) return true;
  if (call.phase === 'Routing' && overdue(call.awaitingSince, at, ROUTING_DEADLINE_MS)) return true;
  return overdue(lastObservedAt, at, RECONCILE_EVERY_MS);
}

function observed(step: Step, input: Extract<Input, { type: 'CallObserved' }>): void {
  const call = step.call(input.callId);
  if (!call || call.phase === 'Ended') return;
  if (call.dial?.stage === 'Placing') return; // not a Graph call yet: its own timer bounds it
  if (!input.exists || input.state === 'terminated') return reconciledGone(step, call);
  const operationLost = input.afterRestart === true && !call.holdRetried;
  if (
    call.holdPending !== undefined &&
    (operationLost || overdue(call.awaitingSince, step.at, OPERATION_DEADLINE_MS))
  ) {
    if (!call.holdRetried) {
      // The completion was lost (e.g. a crash between the request and its webhook). Hold music on/off is a state,
      // so asking again is safe; its completion (or failure) then arrives like the first one's would have.
      step.log('warn', `${call.holdPending} not confirmed by Graph in time; sending it again`, call.callId);
      const caller = call.participants.find((p) => p.isCaller);
      step.put({ ...call, holdRetried: true, awaitingSince: step.at });
      step.emit({ type: call.holdPending, callId: call.callId, ...(caller ? { participantId: caller.id } : {}) });
      return;
    }
    return operationFailed(step, call.callId, call.holdPending, 'Graph never confirmed it');
  }
  if (call.phase === 'Routing' && overdue(call.awaitingSince, step.at, ROUTING_DEADLINE_MS)) {
    // Graph still holds a leg the relay handed away long ago: end it rather than keep a caller in limbo.
    step.log('error', 'routing never completed; hanging up the leg Graph still holds', call.callId);
    step.emit({ type: 'HangUp', callId: call.callId });
    step.end(call);
  }
}

/** Graph no longer has the call and no notification said how it ended (the relay was down or it was lost). */
function reconciledGone(step: Step, call: CallSession): void {
  step.log('warn', `call ended while the relay was not told (${call.phase}); closing it as Reconciled`, call.callId);
  switch (call.phase) {
    case 'Ringing':
      step.end(step.finish(call, 'Abandoned', 'Reconciled'));
      return;
    case 'Routing':
      step.end(call); // the final state (where it went) was published when the routing started
      return;
    default:
      if (call.agentTransfer) step.end(step.finish(call, 'Transferred', undefined, call.agentTransfer.target));
      else step.end(step.finish(call, 'Ended', 'Reconciled'));
  }
}

/** Activities more telling than the availability they come with (what the softphone shows, S10). */
const SHOWN_ACTIVITIES = new Set(['InACall', 'InAConferenceCall', 'Presenting', 'OutOfOffice', 'Focusing']);

/** The one word Salesforce shows for a presence: the telling activity, otherwise the availability. */
export function presenceName(presence: Pick<PresenceSnapshot, 'availability' | 'activity'>): string {
  return SHOWN_ACTIVITIES.has(presence.activity) ? presence.activity : presence.availability;
}

function presenceObserved(step: Step, input: Extract<Input, { type: 'PresenceObserved' }>): void {
  const agent = step.world.config.agents.find((a) => a.teamsUserId === input.teamsUserId);
  if (!agent) return;
  const state = step.agentState(agent);
  const seen = state.presence?.sequenceNumber;
  if (seen !== undefined && input.sequenceNumber !== undefined && input.sequenceNumber <= seen) return;
  const presence: PresenceSnapshot = {
    availability: input.availability,
    activity: input.activity,
    at: input.at,
    ...(input.sequenceNumber !== undefined ? { sequenceNumber: input.sequenceNumber } : {})
  };
  const shown = presenceName(presence);
  if (state.presence !== undefined && presenceName(state.presence) === shown) {
    step.putAgent({ ...state, presence });
    return;
  }
  // S10: a change the agent would see is published once, as a Presence event with its own per-agent sequence.
  const sequence = (state.presenceSequence ?? 0) + 1;
  const streamId = `presence:${agent.salesforceUserId}`;
  step.emit({
    type: 'PublishCallEvent',
    event: {
      EventId__c: eventIdFor(streamId, sequence),
      TeamsCallId__c: streamId,
      Sequence__c: sequence,
      Kind__c: 'Presence',
      Presence__c: shown,
      AgentUserId__c: agent.salesforceUserId,
      AgentTeamsId__c: agent.teamsUserId,
      OccurredAt__c: input.at
    }
  });
  step.putAgent({ ...state, presence, presenceSequence: sequence });
}

function timerFired(step: Step, timerId: string): void {
  const timer = step.world.timers[timerId];
  if (!timer) return; // cancelled or already fired
  step.set('timers', timerId, undefined);
  if (timer.purpose === 'NoAnswer' && timer.callId && step.call(timer.callId)?.dial) {
    return dialTimedOut(step, timer.callId);
  }
  if (timer.purpose === 'NoAnswer' && timer.callId) {
    const call = step.call(timer.callId);
    if (!call || call.phase !== 'Ringing') return;
    const agent = call.agentUserId ? agentBySalesforceId(step.world.config, call.agentUserId) : undefined;
    // S04: ringing stops, the no-answer rule (default: the agent's Teams settings) routes the call.
    routeFromRinging(
      step,
      call,
      'NoAnswer',
      agent ? ruleFor(agent, 'NoAnswer') : undefined,
      'Missed',
      'NoAnswer',
      true
    );
    return;
  }
  if (timer.purpose === 'InviteRetry' && timer.callId) {
    const call = step.call(timer.callId);
    if (!call || call.phase !== 'Ringing' || !call.invitePending || !call.agentTeamsId) return;
    step.emit({
      type: 'InviteAgent',
      callId: call.callId,
      teamsUserId: call.agentTeamsId,
      tenantId: call.tenantId,
      verify: true
    });
    return;
  }
  if (timer.purpose === 'DndExpiry' && timer.agentUserId) {
    const state = step.agentStateById(timer.agentUserId);
    if (!state) return;
    const released = releaseDnd(state);
    step.putAgent(released.state);
    step.emit(...released.effects);
    // DND was layered over "In a call": keep holding it if a call is still connected.
    step.syncPresence(timer.agentUserId);
  }
}

// ───────────────────────────── commands from Salesforce ─────────────────────────────

/** Why a command was refused (the `refusal` field of its log line; counted by the app). */
export type CommandRefusal = 'publisher' | 'unknown-call' | 'not-agent' | 'state' | 'invalid' | 'rate';

function command(step: Step, cmd: Extract<Input, { type: 'CommandReceived' }>['command']): void {
  const refuse = (refusal: CommandRefusal, why: string, callId?: string): void =>
    step.emit({
      type: 'Log',
      level: 'warn',
      message: `command ${cmd.Action__c} refused: ${why}`,
      ...(callId ? { callId } : {}),
      fields: { commandId: cmd.CommandId__c, requestedBy: cmd.RequestedBy__c, refusal }
    });
  if (cmd.Action__c === 'ReloadConfig') {
    step.emit({ type: 'ReloadConfig' });
    return;
  }
  const callId = cmd.TeamsCallId__c;
  // Trust only what the platform vouches for: the publisher must be the user named as requester.
  if (cmd.CreatedById === undefined || cmd.CreatedById !== cmd.RequestedBy__c)
    return refuse('publisher', `published by ${cmd.CreatedById ?? 'an unknown user'}, not by the requester`, callId);
  if (cmd.Action__c === 'Ready' || cmd.Action__c === 'Extend') {
    const refusal = afterCallWorkCommand(step, cmd.Action__c, cmd.RequestedBy__c);
    return refusal ? refuse(refusal[0], refusal[1]) : undefined;
  }
  if (cmd.Action__c === 'Dial') {
    const refusal = dial(step, cmd);
    return refusal ? refuse(refusal[0], refusal[1]) : undefined;
  }
  const call = callId ? step.call(callId) : undefined;
  if (!callId || !call) return refuse('unknown-call', 'unknown call', callId);
  if (call.agentUserId === undefined || call.agentUserId !== cmd.RequestedBy__c)
    return refuse('not-agent', "requester is not the call's agent", callId);
  if (call.phase === 'Ended' || call.final) return refuse('state', 'the call has ended', callId);
  if (call.holdPending !== undefined && (cmd.Action__c === 'Hold' || cmd.Action__c === 'Resume')) {
    return refuse('state', `a ${call.holdPending} is in progress`, callId);
  }
  switch (cmd.Action__c) {
    case 'Hold':
      if (call.phase !== 'Connected') return refuse('state', `cannot hold a call that is ${call.phase}`, callId);
      return startHold(step, call, 'Command');
    case 'Resume': {
      if (call.phase !== 'OnHold') return refuse('state', `cannot resume a call that is ${call.phase}`, callId);
      stopHold(step, call);
      // S16: only one call is active; resuming this one holds the other connected call.
      for (const other of connectedCalls(step.world, call.agentUserId)) {
        if (other.callId !== callId && other.phase === 'Connected' && other.holdPending === undefined)
          startHold(step, other, 'OtherCall');
      }
      return;
    }
    case 'Hangup':
      if (call.phase !== 'Connected' && call.phase !== 'OnHold')
        return refuse('state', `cannot hang up a call that is ${call.phase}`, callId);
      step.emit({ type: 'HangUp', callId });
      step.end(step.finish(call, 'Ended', 'AgentHungUp'));
      return;
    case 'Reject':
      if (call.phase !== 'Ringing') return refuse('state', `cannot reject a call that is ${call.phase}`, callId);
      if (call.dial) {
        // B09: rejecting one's own dial cancels it (no redirect rules, no Do Not Disturb).
        if (call.dial.stage !== 'Placing') step.emit({ type: 'HangUp', callId });
        return dialOver(step, call, 'AgentHungUp');
      }
      return rejected(step, callId, true);
  }
}

// ───────────────────────────── effect failures ─────────────────────────────

/**
 * Graph throttled the invite (429/503: not executed). Retry after its Retry-After while the ring budget leaves the
 * agent time to ring; the retry first checks Graph's roster (`verify`). False when there is no room left.
 */
function inviteThrottled(step: Step, callId: string, retryAfterMs: number): boolean {
  const call = step.call(callId);
  if (!call || call.phase !== 'Ringing' || !call.invitePending) return true;
  const retries = call.inviteRetries ?? 0;
  const noAnswer = step.world.timers[noAnswerTimerId(callId)];
  const wait = Math.max(retryAfterMs, 500);
  const retryAt = Date.parse(step.at) + wait;
  if (retries >= MAX_INVITE_RETRIES || !noAnswer || retryAt > Date.parse(noAnswer.at) - MIN_RING_LEFT_MS) return false;
  step.log('warn', `invite throttled by Graph; retrying in ${wait} ms`, callId);
  step.put({ ...call, inviteRetries: retries + 1 });
  step.emit({
    type: 'ScheduleTimer',
    timer: {
      timerId: inviteRetryTimerId(callId, retries + 1),
      purpose: 'InviteRetry',
      at: new Date(retryAt).toISOString(),
      callId
    }
  });
  return true;
}

function effectFailed(step: Step, effect: Effect, error: string, retryAfterMs?: number): void {
  switch (effect.type) {
    case 'AnswerCall': {
      const call = step.call(effect.callId);
      if (!call || call.phase !== 'Ringing') return;
      step.log('error', `answer failed: ${error}`, call.callId);
      if (call.invitePending && call.agentTeamsId)
        step.emit({ type: 'CancelInvite', callId: call.callId, teamsUserId: call.agentTeamsId });
      step.end(step.finish(call, 'Missed', 'Failed'));
      return;
    }
    case 'InviteAgent':
      if (retryAfterMs !== undefined && inviteThrottled(step, effect.callId, retryAfterMs)) return;
      return inviteFailed(step, effect.callId, `invite failed: ${error}`);
    case 'Redirect':
    case 'Transfer': {
      const call = step.call(effect.callId);
      if (call && call.phase === 'Routing') routingFailed(step, call, `${effect.type} failed: ${error}`);
      return;
    }
    case 'StartHoldMusic':
    case 'StopHoldMusic':
      return operationFailed(step, effect.callId, effect.type, error);
    case 'PlaceCall':
    case 'InviteNumber': {
      const call = step.call(effect.callId);
      if (!call?.dial) return;
      step.log('error', `${effect.type} failed: ${error}`, call.callId);
      if (effect.type === 'InviteNumber') step.emit({ type: 'HangUp', callId: call.callId });
      return dialOver(step, call, 'Failed');
    }
    default:
      step.log('warn', `${effect.type} failed: ${error}`, 'callId' in effect ? effect.callId : undefined);
  }
}

// ───────────────────────────── outbound calls (B09) ─────────────────────────────

/** An agent may start at most this many dials per window (Apex checks the same; this is the relay's own check). */
export const DIAL_LIMIT = 5;
export const DIAL_WINDOW_MS = 60_000;
/** Graph must name a placed call within this long, or the dial is given up (a crash or a lost response). */
export const PLACE_DEADLINE_MS = 30_000;
/** How long the number dialled may ring once the agent answered. */
export const CALLEE_RING_MS = 60_000;

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The number a Dial may call: formatting (spaces, `-`, `.`, `()`, `/`) removed, a leading `00` read as `+`, then
 * E.164 or nothing. The same rule as `TeamsRedirectRuleValidator.normalizePhone` in Apex (shared vectors).
 */
export function dialableNumber(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let compact = value.replace(/[\s\-.()/]/g, '');
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  return E164.test(compact) ? compact : undefined;
}

export function dialPlaceholderId(commandId: string): string {
  return `dial:${commandId}`;
}

function calleeTimerId(callId: string): string {
  return `dialcallee:${callId}`;
}

/** A Dial command: checks, then the placeholder call and the request to Graph. Returns a refusal, if any. */
function dial(
  step: Step,
  cmd: Extract<Input, { type: 'CommandReceived' }>['command']
): [CommandRefusal, string] | undefined {
  const agent = agentBySalesforceId(step.world.config, cmd.RequestedBy__c);
  if (!agent) return ['not-agent', 'the requester has no line'];
  const number = dialableNumber(cmd.Argument__c);
  if (!number) return ['invalid', 'the number is not in international format'];
  if (dialableNumber(agent.phoneNumber) === number) return ['invalid', "the number is the agent's own line"];
  const state = step.agentState(agent);
  const since = Date.parse(step.at) - DIAL_WINDOW_MS;
  const recent = (state.dialsAt ?? []).filter((at) => Date.parse(at) > since);
  if (recent.length >= DIAL_LIMIT) return ['rate', `more than ${DIAL_LIMIT} dials in a minute`];
  const busy = callsOfAgent(step.world.calls, agent.salesforceUserId).some(
    (c) => c.dial !== undefined && c.dial.stage !== 'CalleeRinging'
  );
  if (busy) return ['state', 'another dial is waiting for the agent to answer in Teams'];
  step.putAgent({ ...state, dialsAt: [...recent, step.at] });
  const callId = dialPlaceholderId(cmd.CommandId__c);
  step.put({
    callId,
    tenantId: '',
    callerNumber: number,
    dialledNumber: agent.phoneNumber,
    agentUserId: agent.salesforceUserId,
    agentTeamsId: agent.teamsUserId,
    phase: 'Ringing',
    botEstablished: false,
    botAnswered: true,
    invitePending: true,
    answered: false,
    participants: [],
    sequence: 0,
    startedAt: step.at,
    applied: [],
    direction: 'Outbound',
    dial: { commandId: cmd.CommandId__c, stage: 'Placing' }
  });
  step.emit(
    { type: 'PlaceCall', callId, teamsUserId: agent.teamsUserId, lineNumber: agent.phoneNumber },
    {
      type: 'ScheduleTimer',
      timer: {
        timerId: noAnswerTimerId(callId),
        purpose: 'NoAnswer',
        at: new Date(Date.parse(step.at) + PLACE_DEADLINE_MS).toISOString(),
        callId,
        agentUserId: agent.salesforceUserId
      }
    }
  );
  return undefined;
}

/** Graph created the dial's call: from now on it is known by Graph's id; the agent's Teams rings. */
function callPlaced(step: Step, input: Extract<Input, { type: 'CallPlaced' }>): void {
  const placeholder = step.call(input.dialId);
  if (step.call(input.callId)) return;
  if (!placeholder || placeholder.phase === 'Ended' || placeholder.dial?.stage !== 'Placing') {
    // The dial was given up before Graph answered (deadline, crash): the call Graph made must not ring on.
    step.log('warn', 'a placed call arrived for a dial that is over; hanging it up', input.callId);
    step.emit({ type: 'HangUp', callId: input.callId });
    return;
  }
  step.emit({ type: 'CancelTimer', timerId: noAnswerTimerId(placeholder.callId) });
  step.put({ ...placeholder, phase: 'Ended', invitePending: false, endedAt: step.at });
  let call = step.put({
    ...placeholder,
    callId: input.callId,
    tenantId: input.tenantId,
    dial: { commandId: placeholder.dial.commandId, stage: 'AgentRinging' },
    applied: []
  });
  call = step.publish(call, 'Ringing');
  const agent = agentBySalesforceId(step.world.config, call.agentUserId ?? '');
  const seconds = agent?.noAnswerSeconds ?? step.world.config.settings.noAnswerSeconds;
  step.emit({
    type: 'ScheduleTimer',
    timer: {
      timerId: noAnswerTimerId(call.callId),
      purpose: 'NoAnswer',
      at: new Date(Date.parse(step.at) + seconds * 1000).toISOString(),
      callId: call.callId,
      ...(call.agentUserId && { agentUserId: call.agentUserId })
    }
  });
}

/** The agent answered the dial in Teams: now the bot calls the number into the same call. */
function dialAgentAnswered(step: Step, call: CallSession): void {
  if (call.dial?.stage !== 'AgentRinging' || !call.callerNumber) return;
  if (step.world.timers[noAnswerTimerId(call.callId)])
    step.emit({ type: 'CancelTimer', timerId: noAnswerTimerId(call.callId) });
  const next = step.put({ ...call, invitePending: false, dial: { ...call.dial, stage: 'CalleeRinging' } });
  step.emit(
    { type: 'InviteNumber', callId: call.callId, tenantId: call.tenantId, phoneNumber: call.callerNumber },
    {
      type: 'ScheduleTimer',
      timer: {
        timerId: calleeTimerId(call.callId),
        purpose: 'NoAnswer',
        at: new Date(Date.parse(step.at) + CALLEE_RING_MS).toISOString(),
        callId: call.callId,
        ...(call.agentUserId && { agentUserId: call.agentUserId })
      }
    }
  );
  step.publish(next, 'Ringing');
}

/** A roster of an outbound call; true when it was handled here (every roster before the other party answered). */
function outboundRoster(step: Step, before: CallSession, updated: CallSession): boolean {
  const agentIn = updated.participants.some((p) => p.teamsUserId === updated.agentTeamsId);
  const calleeIn = (c: CallSession): boolean => c.participants.some((p) => p.isCaller);
  if (updated.phase === 'Ringing') {
    if (updated.dial?.stage === 'AgentRinging' && agentIn) dialAgentAnswered(step, updated);
    else if (updated.dial?.stage === 'CalleeRinging' && calleeIn(updated)) calleeAnswered(step, updated);
    else if (updated.dial?.stage === 'CalleeRinging' && !agentIn && before.participants.length > 0) {
      // The agent gave up before the number answered.
      step.emit({ type: 'HangUp', callId: updated.callId });
      dialOver(step, updated, 'AgentHungUp');
    }
    return true;
  }
  const live = updated.phase === 'Connected' || updated.phase === 'OnHold';
  if (live && calleeIn(before) && !calleeIn(updated)) {
    // The other party hung up: the agent must not stay alone with the bot.
    step.emit({ type: 'HangUp', callId: updated.callId });
    step.end(step.finish(updated, 'Ended', 'CallerHungUp'));
    return true;
  }
  return false;
}

function calleeAnswered(step: Step, call: CallSession): void {
  if (step.world.timers[calleeTimerId(call.callId)])
    step.emit({ type: 'CancelTimer', timerId: calleeTimerId(call.callId) });
  const others = connectedCalls(step.world, call.agentUserId ?? '').filter((c) => c.callId !== call.callId);
  const { dial: _answered, ...rest } = call;
  let joined = step.put({ ...rest, phase: 'Connected', answered: true, answeredAt: step.at });
  joined = step.publish(joined, 'Connected');
  // S16: one active call; a call already connected goes on hold.
  for (const other of others) {
    if (other.phase === 'Connected' && other.holdPending === undefined) startHold(step, other, 'OtherCall');
  }
  step.syncPresence(joined.agentUserId);
}

/** SIP-style codes Graph reports for an invite the number did not take. */
function calleeReason(code: string | undefined): CallReason {
  const status = (code ?? '').split('/')[0] ?? '';
  if (['486', '600', '603'].includes(status)) return 'Busy';
  if (['408', '480', '487'].includes(status)) return 'NoAnswer';
  return 'Failed';
}

function calleeUnreachable(step: Step, callId: string, code: string | undefined): void {
  const call = step.call(callId);
  if (!call?.dial || call.phase === 'Ended') return;
  step.emit({ type: 'HangUp', callId });
  dialOver(step, call, calleeReason(code));
}

/** The dial ends before anyone talked: the one final state says where it stopped. */
function dialOver(step: Step, call: CallSession, reason: CallReason): void {
  const state: CallState =
    call.dial?.stage === 'CalleeRinging' ? 'Ended' : reason === 'Declined' ? 'Rejected' : 'Missed';
  step.end(step.finish({ ...call, invitePending: false }, state, reason));
}

/** Graph ended the dial's call before the number answered: the agent declined, did not answer, or gave up. */
function dialTerminated(step: Step, call: CallSession, code: string): void {
  if (call.dial?.stage === 'AgentRinging') {
    return dialOver(step, call, code === '603' ? 'Declined' : code.startsWith('5') ? 'Failed' : 'NoAnswer');
  }
  dialOver(step, call, 'AgentHungUp');
}

function dialTimedOut(step: Step, callId: string): void {
  const call = step.call(callId);
  if (!call?.dial || call.phase === 'Ended') return;
  if (call.dial.stage === 'Placing') {
    step.log('error', 'Graph never confirmed the placed call; the dial is given up', callId);
    return dialOver(step, call, 'Failed');
  }
  step.emit({ type: 'HangUp', callId });
  dialOver(step, call, 'NoAnswer');
}

// ───────────────────────────── after-call work (B13) ─────────────────────────────

/** B13: "I'm ready" ends the agent's after-call work now; Extend adds their period again (never past 999 s). */
function afterCallWorkCommand(
  step: Step,
  action: 'Ready' | 'Extend',
  agentUserId: string
): [CommandRefusal, string] | undefined {
  const agent = agentBySalesforceId(step.world.config, agentUserId);
  const state = agent ? step.agentState(agent) : undefined;
  if (!agent || !state) return ['not-agent', 'the requester has no line'];
  const relay = state.relayPresence;
  if (!relay?.afterCallWork || relay.dndUntil === undefined) return ['state', 'the agent is not in after-call work'];
  if (action === 'Ready') {
    step.emit({ type: 'CancelTimer', timerId: dndTimerId(agentUserId, relay.dndUntil) });
    const released = releaseDnd(state);
    step.putAgent(released.state);
    step.emit(...released.effects);
    step.syncPresence(agentUserId);
    return undefined;
  }
  const now = Date.parse(step.at);
  const seconds = Math.max(afterCallWorkSeconds(agent, step.world.config.settings), 1);
  const from = Math.max(Date.parse(relay.dndUntil), now);
  const until = Math.min(from + seconds * 1000, now + AFTER_CALL_WORK_MAX_SECONDS * 1000);
  const extended = holdAfterCallWork(state, new Date(until).toISOString());
  step.putAgent(extended.state);
  step.emit(...extended.effects);
  return undefined;
}
