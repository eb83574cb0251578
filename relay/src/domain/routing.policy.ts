/**
 * Routing policy (S04, S08, S09, S13, S14): from the snapshots the engine holds (presence, calls in progress,
 * rules), decide whether a call rings the agent or is routed by a rule, and map rule targets to Graph identities
 * (graph-calls.md §7). Pure; no lookups outside the world passed in.
 */
import type { CallReason, CallState } from './call-event.ts';
import type { Agent, ConfigSnapshot, RedirectRule, RuleTrigger } from './config.ts';
import { callsOfAgent } from './call-index.ts';
import type { AgentState, CallSession, RouteIdentity, RouteTarget, World } from './model.ts';

/** Digits and a leading plus only, so `+44 20 7946 0000` and `+442079460000` name the same line. */
export function normalizeNumber(value: string): string {
  const trimmed = value.trim();
  const digits = trimmed.replace(/[^0-9]/g, '');
  return trimmed.startsWith('+') ? `+${digits}` : digits;
}

export function agentForLine(config: ConfigSnapshot, dialledNumber: string): Agent | undefined {
  const wanted = normalizeNumber(dialledNumber);
  return config.agents.find((agent) => normalizeNumber(agent.phoneNumber) === wanted);
}

export function agentBySalesforceId(config: ConfigSnapshot, salesforceUserId: string): Agent | undefined {
  return config.agents.find((agent) => agent.salesforceUserId === salesforceUserId);
}

export function ruleFor(agent: Agent, trigger: RuleTrigger): RedirectRule | undefined {
  return agent.rules.find((rule) => rule.trigger === trigger);
}

const eq = (a: string | undefined, b: string): boolean => (a ?? '').toLowerCase() === b.toLowerCase();

/**
 * The presence trigger that suppresses ringing (S08), if any. A Do Not Disturb the relay set after a reject counts
 * even before Graph reports it back (S14: "no more calls are signalled").
 */
export function presenceTrigger(
  state: AgentState | undefined
): 'DoNotDisturb' | 'Presenting' | 'OutOfOffice' | undefined {
  if (state?.relayPresence?.dndUntil !== undefined) return 'DoNotDisturb';
  const presence = state?.presence;
  if (presence === undefined) return undefined;
  if (eq(presence.activity, 'Presenting')) return 'Presenting';
  if (eq(presence.activity, 'OutOfOffice') || eq(presence.availability, 'OutOfOffice')) return 'OutOfOffice';
  if (eq(presence.availability, 'DoNotDisturb')) return 'DoNotDisturb';
  return undefined;
}

/** Calls of this agent that are connected (answered and not ended), i.e. the agent is "in a call". */
export function connectedCalls(world: World, agentUserId: string): CallSession[] {
  return callsOfAgent(world.calls, agentUserId).filter((call) => call.phase === 'Connected' || call.phase === 'OnHold');
}

export type IncomingDecision =
  | { kind: 'Ring'; relatedCallId?: string }
  | { kind: 'Route'; trigger: RuleTrigger; state: CallState; reason: CallReason; target: RouteTarget; notes: string[] };

/** S08/S09: presence first, then calls in progress; no rule for a presence means the agent's own Teams settings. */
export function decideIncoming(world: World, agent: Agent): IncomingDecision {
  const state = world.agents[agent.salesforceUserId];
  const trigger = presenceTrigger(state);
  if (trigger !== undefined) {
    const resolved = resolveRule(world, agent, ruleFor(agent, trigger));
    return {
      kind: 'Route',
      trigger,
      state: 'Suppressed',
      reason: trigger,
      target: resolved.target,
      notes: resolved.notes
    };
  }
  const busy = connectedCalls(world, agent.salesforceUserId);
  if (busy.length > 0) {
    const inACall = ruleFor(agent, 'InACall');
    if (inACall !== undefined) {
      const resolved = resolveRule(world, agent, inACall);
      return {
        kind: 'Route',
        trigger: 'InACall',
        state: 'Redirected',
        reason: 'InACall',
        target: resolved.target,
        notes: resolved.notes
      };
    }
    return { kind: 'Ring', relatedCallId: busy[0]?.callId };
  }
  return { kind: 'Ring' };
}

/** S14: Declined rule, else the no-answer rule, else the agent's Teams client settings. */
export function declinedRule(agent: Agent): RedirectRule | undefined {
  return ruleFor(agent, 'Declined') ?? ruleFor(agent, 'NoAnswer');
}

export interface Resolved {
  target: RouteTarget;
  /** Why a fallback was taken, for the log (B08). */
  notes: string[];
}

/** The agent's own Teams user: their Teams forwarding / unanswered settings / voicemail then apply. */
export function clientSettingsTarget(agent: Agent): RouteTarget {
  return {
    identity: { kind: 'user', id: agent.teamsUserId },
    targetType: 'TeamsClientSettings',
    label: `TeamsClientSettings:${agent.teamsUserId}`
  };
}

function resourceIdentity(value: string): RouteIdentity {
  // An E.164 service number is the documented-shape fallback; anything else is taken as the resource account id.
  return value.trim().startsWith('+')
    ? { kind: 'phone', id: normalizeNumber(value) }
    : { kind: 'applicationInstance', id: value.trim() };
}

/**
 * Map a rule to a Graph identity (graph-calls.md §7). `undefined` rule = the agent's Teams client settings.
 * SoftphoneUser follows the other agent's own routing as it stands now (their presence and rules), guarding loops.
 */
export function resolveRule(
  world: World,
  agent: Agent,
  rule: RedirectRule | undefined,
  visited: string[] = []
): Resolved {
  const notes: string[] = [];
  const fallback = (why: string): Resolved => ({ target: clientSettingsTarget(agent), notes: [...notes, why] });
  if (rule === undefined) return { target: clientSettingsTarget(agent), notes };
  const value = rule.targetValue?.trim();
  switch (rule.targetType) {
    case 'TeamsClientSettings':
      return { target: clientSettingsTarget(agent), notes };
    case 'TeamsUser':
      if (!value) return fallback(`rule ${rule.trigger}: TeamsUser target has no user id`);
      return {
        target: { identity: { kind: 'user', id: value }, targetType: 'TeamsUser', label: `TeamsUser:${value}` },
        notes
      };
    case 'PhoneNumber':
      if (!value || !/^\+[1-9][0-9]{6,14}$/.test(normalizeNumber(value)))
        return fallback(`rule ${rule.trigger}: not an E.164 number`);
      return {
        target: {
          identity: { kind: 'phone', id: normalizeNumber(value) },
          targetType: 'PhoneNumber',
          label: `PhoneNumber:${normalizeNumber(value)}`
        },
        notes
      };
    case 'SharedVoicemail':
    case 'CallQueue': {
      const configured =
        rule.targetType === 'SharedVoicemail'
          ? world.config.settings.sharedVoicemailTarget
          : world.config.settings.callQueueTarget;
      const resource = value || configured?.trim();
      if (!resource) return fallback(`rule ${rule.trigger}: no ${rule.targetType} resource account configured`);
      return {
        target: {
          identity: resourceIdentity(resource),
          targetType: rule.targetType,
          label: `${rule.targetType}:${resource}`
        },
        notes
      };
    }
    case 'SoftphoneUser': {
      const other = value ? agentBySalesforceId(world.config, value) : undefined;
      if (other === undefined) return fallback(`rule ${rule.trigger}: softphone user ${value ?? ''} unknown`);
      const chain = [...visited, agent.salesforceUserId];
      if (chain.includes(other.salesforceUserId)) return fallback(`rule ${rule.trigger}: softphone user loop`);
      const otherState = world.agents[other.salesforceUserId];
      const otherTrigger =
        presenceTrigger(otherState) ??
        (connectedCalls(world, other.salesforceUserId).length > 0 && ruleFor(other, 'InACall') ? 'InACall' : undefined);
      if (otherTrigger !== undefined) {
        const nested = resolveRule(world, other, ruleFor(other, otherTrigger), chain);
        return { target: nested.target, notes: [...notes, ...nested.notes] };
      }
      return {
        target: {
          identity: { kind: 'user', id: other.teamsUserId },
          targetType: 'SoftphoneUser',
          label: `SoftphoneUser:${other.salesforceUserId}`
        },
        notes
      };
    }
  }
}
