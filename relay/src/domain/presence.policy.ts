/**
 * Presence policy (S14, S15, S16, B05): hold "In a call" while any call of the agent is connected, release it after
 * the last; after a reject set Do Not Disturb with an expiry (unless the agent chose to keep their presence, S15);
 * never leave a relay-set presence without a timer and a Graph-side expiry.
 */
import type { Agent, OrgSettings } from './config.ts';
import type { AgentState, Effect, PresenceSnapshot, TimerEntry } from './model.ts';

/** Graph's `setPresence` accepts at most PT4H; a call longer than that simply lets the session lapse. */
export const IN_A_CALL_EXPIRY_MINUTES = 240;

/** States that look chosen by the user (graph-calls.md §9.2), so they are re-applied rather than cleared. */
const USER_CHOSEN = new Set([
  'donotdisturb/donotdisturb',
  'busy/busy',
  'berightback/berightback',
  'away/away',
  'offline/offwork'
]);

export function looksUserChosen(presence: PresenceSnapshot | undefined): boolean {
  return presence !== undefined && USER_CHOSEN.has(`${presence.availability}/${presence.activity}`.toLowerCase());
}

export interface PresenceStep {
  state: AgentState;
  effects: Effect[];
}

/** Unique per DND period: a timer id is never reused, so a late duplicate firing cannot end a newer DND early. */
export function dndTimerId(agentUserId: string, until: string): string {
  return `dnd:${agentUserId}:${until}`;
}

/** The agent now has at least one connected call: take the In-a-call session if the relay does not hold it yet. */
export function holdInACall(state: AgentState): PresenceStep {
  const relay = state.relayPresence;
  if (relay?.inACall) return { state, effects: [] };
  const previous = relay?.previous ?? state.presence;
  return {
    state: { ...state, relayPresence: { ...relay, inACall: true, ...(previous ? { previous } : {}) } },
    effects: [
      {
        type: 'SetPresence',
        teamsUserId: state.teamsUserId,
        agentUserId: state.salesforceUserId,
        mode: 'InACall',
        availability: 'Busy',
        activity: 'InACall',
        expiresInMinutes: IN_A_CALL_EXPIRY_MINUTES
      }
    ]
  };
}

function settle(state: AgentState, relay: AgentState['relayPresence']): AgentState {
  if (relay === undefined || (!relay.inACall && relay.dndUntil === undefined)) {
    const { relayPresence: _dropped, ...rest } = state;
    return rest;
  }
  return { ...state, relayPresence: relay };
}

/** The agent's last connected call ended: release the In-a-call session. */
export function releaseInACall(state: AgentState): PresenceStep {
  const relay = state.relayPresence;
  if (!relay?.inACall) return { state, effects: [] };
  return {
    state: settle(state, { ...relay, inACall: false }),
    effects: [
      { type: 'ClearPresence', teamsUserId: state.teamsUserId, agentUserId: state.salesforceUserId, mode: 'InACall' }
    ]
  };
}

/** S14/S15/B05: after a reject, DND with an expiry and a timer to restore — or nothing when the agent opted out. */
export function afterReject(state: AgentState, agent: Agent, settings: OrgSettings, at: string): PresenceStep {
  if (agent.returnToPreviousPresence) return { state, effects: [] };
  const minutes = Math.max(5, Math.min(settings.dndExpiryMinutes, IN_A_CALL_EXPIRY_MINUTES));
  const until = new Date(Date.parse(at) + minutes * 60_000).toISOString();
  return holdDnd(state, until, minutes, false);
}

/**
 * Do Not Disturb until `until` with the timer that ends it (stored, so a restart still ends it) and Graph's own expiry
 * as a second bound. A period already held is renewed: its timer is replaced, never stacked.
 */
function holdDnd(state: AgentState, until: string, expiresInMinutes: number, afterCallWork: boolean): PresenceStep {
  const relay = state.relayPresence;
  const previous = relay?.previous ?? state.presence;
  const timer: TimerEntry = {
    timerId: dndTimerId(state.salesforceUserId, until),
    purpose: 'DndExpiry',
    at: until,
    agentUserId: state.salesforceUserId
  };
  const replaced: Effect[] =
    relay?.dndUntil !== undefined && relay.dndUntil !== until
      ? [{ type: 'CancelTimer', timerId: dndTimerId(state.salesforceUserId, relay.dndUntil) }]
      : [];
  return {
    state: {
      ...state,
      relayPresence: {
        inACall: relay?.inACall ?? false,
        dndUntil: until,
        ...(afterCallWork && { afterCallWork: true }),
        ...(previous ? { previous } : {})
      }
    },
    effects: [
      {
        type: 'SetPresence',
        teamsUserId: state.teamsUserId,
        agentUserId: state.salesforceUserId,
        mode: 'DoNotDisturb',
        availability: 'DoNotDisturb',
        activity: 'DoNotDisturb',
        expiresInMinutes
      },
      ...replaced,
      { type: 'ScheduleTimer', timer }
    ]
  };
}

/** B13: after-call work never lasts longer than this from the moment it is (re)started or extended. */
export const AFTER_CALL_WORK_MAX_SECONDS = 999;

/** The agent's after-call work in seconds: their own setting, else the org's; 0 means none. */
export function afterCallWorkSeconds(agent: Agent, settings: OrgSettings): number {
  const seconds = agent.afterCallWorkSeconds ?? settings.afterCallWorkSeconds ?? 0;
  return Number.isFinite(seconds) ? Math.max(0, Math.min(AFTER_CALL_WORK_MAX_SECONDS, Math.trunc(seconds))) : 0;
}

/**
 * B13: hold Do Not Disturb until `until` as after-call work (the documented alternative to a Teams "wrap-up" state,
 * which Graph does not have): no new call is signalled meanwhile (S08 routes it), a timer ends it even after a
 * restart (the timer is in the store, as the reject DND's is), and Graph's own expiry bounds it too. A reject DND
 * that already lasts longer is left as it is.
 */
export function holdAfterCallWork(state: AgentState, until: string): PresenceStep {
  const relay = state.relayPresence;
  if (relay?.dndUntil !== undefined && !relay.afterCallWork && relay.dndUntil >= until) return { state, effects: [] };
  // Graph's own bound: the longest period rounded up to whole minutes (17 for 999 s).
  return holdDnd(state, until, Math.ceil(AFTER_CALL_WORK_MAX_SECONDS / 60), true);
}

/** The DND timer fired: give the agent back what they had (re-apply a user-chosen state, else clear). */
export function releaseDnd(state: AgentState): PresenceStep {
  const relay = state.relayPresence;
  if (relay?.dndUntil === undefined) return { state, effects: [] };
  const previous = relay.previous;
  const restore =
    looksUserChosen(previous) && previous
      ? { availability: previous.availability, activity: previous.activity }
      : undefined;
  const { dndUntil: _gone, afterCallWork: _acw, ...rest } = relay;
  return {
    state: settle(state, rest),
    effects: [
      {
        type: 'ClearPresence',
        teamsUserId: state.teamsUserId,
        agentUserId: state.salesforceUserId,
        mode: 'DoNotDisturb',
        ...(restore ? { restore } : {})
      }
    ]
  };
}
