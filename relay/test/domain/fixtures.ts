/** Shared builders for the engine's table-driven tests: one org, three agents, deterministic times. */
import type { Agent, ConfigSnapshot, RedirectRule } from '../../src/domain/config.ts';
import { decide, emptyWorld } from '../../src/domain/decide.ts';
import type { Effect, Input, World } from '../../src/domain/model.ts';
import type { TeamsCallCommand } from '../../src/domain/call-event.ts';

export const T0 = '2026-01-05T09:00:00.000Z';
export const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();

export const ANNA: Agent = {
  salesforceUserId: '005000000000001AAA',
  teamsUserId: 'aaaaaaaa-0000-0000-0000-000000000001',
  phoneNumber: '+442071230001',
  displayName: 'Anna',
  returnToPreviousPresence: false,
  rules: []
};
export const BEN: Agent = {
  salesforceUserId: '005000000000002AAA',
  teamsUserId: 'bbbbbbbb-0000-0000-0000-000000000002',
  phoneNumber: '+442071230002',
  returnToPreviousPresence: false,
  rules: []
};
export const CARA: Agent = {
  salesforceUserId: '005000000000003AAA',
  teamsUserId: 'cccccccc-0000-0000-0000-000000000003',
  phoneNumber: '+442071230003',
  returnToPreviousPresence: true,
  noAnswerSeconds: 35,
  rules: []
};
export const OTHER_USER = '005000000000009AAA';
export const TENANT = 'tenant-1';
export const CALLER = '+447700900123';

export function config(
  overrides: { anna?: Partial<Agent>; ben?: Partial<Agent>; cara?: Partial<Agent> } = {}
): ConfigSnapshot {
  return {
    agents: [
      { ...ANNA, ...overrides.anna },
      { ...BEN, ...overrides.ben },
      { ...CARA, ...overrides.cara }
    ],
    settings: {
      noAnswerSeconds: 20,
      dndExpiryMinutes: 60,
      sharedVoicemailTarget: 'sv-resource-account-id',
      callQueueTarget: '+442071239999'
    },
    loadedAt: T0
  };
}

export function worldWith(rules: RedirectRule[] = [], overrides: Parameters<typeof config>[0] = {}): World {
  return emptyWorld(config({ ...overrides, anna: { rules, ...overrides.anna } }));
}

export const incoming = (callId: string, seconds = 0, line = ANNA.phoneNumber): Input => ({
  type: 'IncomingCall',
  callId,
  tenantId: TENANT,
  callerNumber: CALLER,
  callerName: 'Pat Caller',
  dialledNumber: line,
  at: at(seconds)
});

/** Graph confirmed the bot's leg (after the answer): a routing transfer may go from now on. */
export const established = (callId: string, seconds = 1): Input => ({
  type: 'CallEstablished',
  callId,
  at: at(seconds)
});

let commandCounter = 0;
export function cmd(
  action: TeamsCallCommand['Action__c'],
  callId: string | undefined,
  requestedBy = ANNA.salesforceUserId,
  seconds = 1
): Input {
  commandCounter += 1;
  return {
    type: 'CommandReceived',
    at: at(seconds),
    command: {
      CommandId__c: `cmd-${commandCounter}`,
      ...(callId ? { TeamsCallId__c: callId } : {}),
      Action__c: action,
      RequestedBy__c: requestedBy,
      IssuedAt__c: at(seconds),
      CreatedById: requestedBy
    }
  };
}

export const presence = (teamsUserId: string, availability: string, activity: string, seconds = -60): Input => ({
  type: 'PresenceObserved',
  teamsUserId,
  availability,
  activity,
  at: at(seconds)
});

/** Apply inputs in order; returns the final world and the effects of the last step. */
export function run(world: World, ...inputs: Input[]): { world: World; effects: Effect[]; all: Effect[][] } {
  let current = world;
  const all: Effect[][] = [];
  for (const input of inputs) {
    const decision = decide(current, input);
    current = decision.world;
    all.push(decision.effects);
  }
  return { world: current, effects: all[all.length - 1] ?? [], all };
}

/** Anna's call `callId` ringing then answered (Connected). */
export function connected(world: World, callId: string, seconds = 0): World {
  return run(world, incoming(callId, seconds), {
    type: 'AgentJoined',
    callId,
    teamsUserId: ANNA.teamsUserId,
    at: at(seconds + 5)
  }).world;
}

export const published = (effects: Effect[]): Array<Record<string, unknown>> =>
  effects.flatMap((e) => (e.type === 'PublishCallEvent' ? [e.event as unknown as Record<string, unknown>] : []));

/** Effects without logs and with events reduced to the fields a behaviour is about. */
export function summary(effects: Effect[]): unknown[] {
  return effects
    .filter((e) => e.type !== 'Log')
    .map((e) => {
      if (e.type !== 'PublishCallEvent') return e;
      const { State__c, Reason__c, Target__c, Sequence__c } = e.event;
      return { type: 'PublishCallEvent', State__c, Reason__c, Target__c, Sequence__c };
    });
}

export const logs = (effects: Effect[]): string[] => effects.flatMap((e) => (e.type === 'Log' ? [e.message] : []));
