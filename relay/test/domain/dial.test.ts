import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CALLEE_RING_MS,
  DIAL_LIMIT,
  PLACE_DEADLINE_MS,
  decide,
  dialableNumber,
  findCall,
  noAnswerTimerId
} from '../../src/domain/decide.ts';
import type { Effect, Input, World } from '../../src/domain/model.ts';
import { ANNA, BEN, OTHER_USER, TENANT, at, cmd, incoming, logs, published, run, worldWith } from './fixtures.ts';

const NUMBER = '+447700900555';
const GRAPH_ID = 'graph-call-1';

let dialCounter = 0;
function dialCmd(argument: string | undefined, seconds = 1, requestedBy = ANNA.salesforceUserId, commandId?: string) {
  dialCounter += 1;
  const base = cmd('Dial', undefined, requestedBy, seconds) as Extract<Input, { type: 'CommandReceived' }>;
  return {
    ...base,
    command: {
      ...base.command,
      CommandId__c: commandId ?? `dial-${dialCounter}`,
      ...(argument !== undefined && { Argument__c: argument })
    }
  } satisfies Input;
}
const placed = (dialId: string, seconds = 2, callId = GRAPH_ID): Input => ({
  type: 'CallPlaced',
  dialId,
  callId,
  tenantId: TENANT,
  at: at(seconds)
});
const roster = (seconds: number, ...who: Array<'agent' | 'callee'>): Input => ({
  type: 'ParticipantsUpdated',
  callId: GRAPH_ID,
  sequence: seconds,
  participants: [
    { id: 'p-bot', isBot: true },
    ...(who.includes('agent') ? [{ id: 'p-anna', displayName: 'Anna', teamsUserId: ANNA.teamsUserId }] : []),
    ...(who.includes('callee') ? [{ id: 'p-callee', phoneNumber: NUMBER, isCaller: true }] : [])
  ],
  at: at(seconds)
});
const refusals = (effects: Effect[]): unknown[] =>
  effects.flatMap((e) => (e.type === 'Log' && e.fields?.['refusal'] ? [e.fields['refusal']] : []));
const ofType = <T extends Effect['type']>(effects: Effect[], type: T): Array<Extract<Effect, { type: T }>> =>
  effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);

/** Anna dialled NUMBER, Graph named the call, and (optionally) she answered in Teams. */
function dialled(stage: 'placed' | 'agentAnswered' | 'connected' = 'placed'): World {
  const command = dialCmd(NUMBER, 1, ANNA.salesforceUserId, 'dial-fixed');
  let world = run(worldWith(), command, placed('dial:dial-fixed')).world;
  if (stage === 'placed') return world;
  world = run(world, { type: 'CallEstablished', callId: GRAPH_ID, at: at(5) }).world;
  if (stage === 'agentAnswered') return world;
  return run(world, roster(8, 'agent', 'callee')).world;
}

describe('[B09] dial from Salesforce: the agent first, then the number', () => {
  it('[B09] a Dial asks Graph to ring the agent from their line; nothing is published before Graph names the call', () => {
    const { effects, world } = decide(worldWith(), dialCmd('+44 7700 900555', 1, ANNA.salesforceUserId, 'c1'));
    assert.deepEqual(ofType(effects, 'PlaceCall'), [
      { type: 'PlaceCall', callId: 'dial:c1', teamsUserId: ANNA.teamsUserId, lineNumber: ANNA.phoneNumber }
    ]);
    assert.deepEqual(published(effects), []);
    assert.equal(world.timers[noAnswerTimerId('dial:c1')]?.at, at(1 + PLACE_DEADLINE_MS / 1000));
  });

  it('[B09] once Graph names the call the agent rings: Ringing, Outbound, the number as the other party', () => {
    const first = run(worldWith(), dialCmd(NUMBER, 1, ANNA.salesforceUserId, 'c2'));
    const { effects, world } = decide(first.world, placed('dial:c2'));
    const [event] = published(effects);
    assert.equal(event?.['TeamsCallId__c'], GRAPH_ID);
    assert.equal(event?.['State__c'], 'Ringing');
    assert.equal(event?.['Direction__c'], 'Outbound');
    assert.equal(event?.['CallerNumber__c'], NUMBER);
    assert.equal(event?.['DialledNumber__c'], ANNA.phoneNumber);
    assert.equal(event?.['AgentUserId__c'], ANNA.salesforceUserId);
    assert.equal(world.calls['dial:c2'], undefined, 'the placeholder is gone from the calls in progress');
    assert.ok(world.timers[noAnswerTimerId(GRAPH_ID)], "the agent's ring budget runs");
    assert.equal(world.timers[noAnswerTimerId('dial:c2')], undefined);
  });

  it('[B09] the agent answers in Teams: the number is called into the same call; not Connected yet', () => {
    const { effects, world } = decide(dialled(), { type: 'CallEstablished', callId: GRAPH_ID, at: at(5) });
    assert.deepEqual(ofType(effects, 'InviteNumber'), [
      { type: 'InviteNumber', callId: GRAPH_ID, tenantId: TENANT, phoneNumber: NUMBER }
    ]);
    assert.deepEqual(
      published(effects).map((e) => e['State__c']),
      ['Ringing']
    );
    assert.equal(world.timers[noAnswerTimerId(GRAPH_ID)], undefined);
    assert.equal(findCall(world, GRAPH_ID)?.phase, 'Ringing');
    assert.deepEqual(ofType(effects, 'SetPresence'), [], 'not in a call until someone answers');
  });

  it('[B09] a roster with the agent (before established) counts as the agent answering, once', () => {
    const first = decide(dialled(), roster(4, 'agent'));
    assert.equal(ofType(first.effects, 'InviteNumber').length, 1);
    const again = decide(first.world, { type: 'CallEstablished', callId: GRAPH_ID, at: at(5) });
    assert.equal(ofType(again.effects, 'InviteNumber').length, 0);
  });

  it('[B09] the number answers: Connected, presence In a call; hold, resume and hang up work as for any call', () => {
    const answered = decide(dialled('agentAnswered'), roster(8, 'agent', 'callee'));
    assert.deepEqual(
      published(answered.effects).map((e) => [e['State__c'], e['Direction__c']]),
      [['Connected', 'Outbound']]
    );
    assert.equal(ofType(answered.effects, 'SetPresence')[0]?.mode, 'InACall');
    const held = decide(answered.world, cmd('Hold', GRAPH_ID, ANNA.salesforceUserId, 10));
    assert.deepEqual(ofType(held.effects, 'StartHoldMusic'), [
      { type: 'StartHoldMusic', callId: GRAPH_ID, participantId: 'p-callee' }
    ]);
    const hungUp = decide(answered.world, cmd('Hangup', GRAPH_ID, ANNA.salesforceUserId, 20));
    assert.deepEqual(ofType(hungUp.effects, 'HangUp'), [{ type: 'HangUp', callId: GRAPH_ID }]);
    assert.deepEqual(
      published(hungUp.effects).map((e) => [e['State__c'], e['Reason__c']]),
      [['Ended', 'AgentHungUp']]
    );
    assert.equal(ofType(hungUp.effects, 'ClearPresence')[0]?.mode, 'InACall');
  });

  it('[B09] the other party hangs up: the call ends (CallerHungUp) and the bot leaves', () => {
    const { effects } = decide(dialled('connected'), roster(30, 'agent'));
    assert.deepEqual(ofType(effects, 'HangUp'), [{ type: 'HangUp', callId: GRAPH_ID }]);
    assert.deepEqual(
      published(effects).map((e) => [e['State__c'], e['Reason__c']]),
      [['Ended', 'CallerHungUp']]
    );
  });

  it('[B09] the agent declines in Teams: nothing is dialled, the call is Rejected (Declined), no Do Not Disturb', () => {
    const { effects } = decide(dialled(), {
      type: 'CallTerminated',
      callId: GRAPH_ID,
      code: 603,
      subcode: 0,
      at: at(4)
    });
    assert.deepEqual(ofType(effects, 'InviteNumber'), []);
    assert.deepEqual(ofType(effects, 'SetPresence'), []);
    assert.deepEqual(
      published(effects).map((e) => [e['State__c'], e['Reason__c']]),
      [['Rejected', 'Declined']]
    );
  });

  it('[B09] the agent does not answer: the ring budget ends the call, nothing is dialled', () => {
    const world = dialled();
    const timer = world.timers[noAnswerTimerId(GRAPH_ID)];
    assert.ok(timer);
    const { effects } = decide(world, { type: 'TimerFired', timerId: timer.timerId, at: timer.at });
    assert.deepEqual(ofType(effects, 'HangUp'), [{ type: 'HangUp', callId: GRAPH_ID }]);
    assert.deepEqual(ofType(effects, 'InviteNumber'), []);
    assert.deepEqual(
      published(effects).map((e) => [e['State__c'], e['Reason__c']]),
      [['Missed', 'NoAnswer']]
    );
  });

  for (const [code, reason] of [
    ['486/0', 'Busy'],
    ['408/0', 'NoAnswer'],
    ['500/9999', 'Failed']
  ] as const) {
    it(`[B09] the number's invite fails with ${code}: the call ends with ${reason}, the agent is released`, () => {
      const { effects } = decide(dialled('agentAnswered'), { type: 'InviteFailed', callId: GRAPH_ID, code, at: at(9) });
      assert.deepEqual(ofType(effects, 'HangUp'), [{ type: 'HangUp', callId: GRAPH_ID }]);
      assert.deepEqual(
        published(effects).map((e) => [e['State__c'], e['Reason__c']]),
        [['Ended', reason]]
      );
    });
  }

  it('[B09] the number never answers and Graph says nothing: the callee ring limit ends the call', () => {
    const world = dialled('agentAnswered');
    const timer = Object.values(world.timers).find((t) => t.callId === GRAPH_ID);
    assert.equal(timer?.at, at(5 + CALLEE_RING_MS / 1000));
    const { effects } = decide(world, { type: 'TimerFired', timerId: timer.timerId, at: timer.at });
    assert.deepEqual(
      published(effects).map((e) => [e['State__c'], e['Reason__c']]),
      [['Ended', 'NoAnswer']]
    );
  });

  it('[B09] a double click (the same command id twice) dials once', () => {
    const first = decide(worldWith(), dialCmd(NUMBER, 1, ANNA.salesforceUserId, 'twice'));
    const second = decide(first.world, dialCmd(NUMBER, 1, ANNA.salesforceUserId, 'twice'));
    assert.equal(second.applied, false);
    assert.deepEqual(second.effects, []);
  });

  it('[B09] a second dial while the first still rings the agent is refused', () => {
    const { effects } = decide(dialled(), dialCmd('+447700900666', 3));
    assert.deepEqual(ofType(effects, 'PlaceCall'), []);
    assert.deepEqual(refusals(effects), ['state']);
  });

  it("[B09] someone else's dial is refused: a forged publisher, a user without a line", () => {
    const forged = dialCmd(NUMBER);
    forged.command.CreatedById = OTHER_USER;
    assert.deepEqual(refusals(decide(worldWith(), forged).effects), ['publisher']);
    assert.deepEqual(refusals(decide(worldWith(), dialCmd(NUMBER, 1, OTHER_USER)).effects), ['not-agent']);
  });

  for (const bad of [undefined, '', '12345', '+0441234567', '+44 20 abc', "+44'; DROP", ANNA.phoneNumber]) {
    it(`[B09] a Dial with ${JSON.stringify(bad)} is refused as invalid, nothing is placed`, () => {
      const { effects } = decide(worldWith(), dialCmd(bad));
      assert.deepEqual(ofType(effects, 'PlaceCall'), []);
      assert.deepEqual(refusals(effects), ['invalid']);
    });
  }

  it(`[B09] more than ${DIAL_LIMIT} dials a minute are refused (rate); a minute later dialling works again`, () => {
    let world = worldWith();
    for (let i = 0; i < DIAL_LIMIT; i += 1) {
      world = run(world, dialCmd(`+4477009006${i}0`, i), {
        type: 'EffectFailed',
        effect: {
          type: 'PlaceCall',
          callId: `dial:dial-${dialCounter}`,
          teamsUserId: ANNA.teamsUserId,
          lineNumber: ''
        },
        error: 'test',
        at: at(i)
      }).world;
    }
    assert.deepEqual(refusals(decide(world, dialCmd(NUMBER, 10)).effects), ['rate']);
    assert.equal(ofType(decide(world, dialCmd(NUMBER, 61)).effects, 'PlaceCall').length, 1);
  });

  it('[B09] Graph refuses to place the call: the softphone learns the dial failed', () => {
    const first = decide(worldWith(), dialCmd(NUMBER, 1, ANNA.salesforceUserId, 'refused'));
    const placeCall = ofType(first.effects, 'PlaceCall')[0]!;
    const { effects, world } = decide(first.world, {
      type: 'EffectFailed',
      effect: placeCall,
      error: '403',
      at: at(2)
    });
    assert.deepEqual(
      published(effects).map((e) => [e['TeamsCallId__c'], e['State__c'], e['Reason__c'], e['Direction__c']]),
      [['dial:refused', 'Missed', 'Failed', 'Outbound']]
    );
    assert.equal(Object.keys(world.calls).length, 0);
  });

  it('[B09] Graph never names the call: the dial is given up at its deadline; a late CallPlaced is hung up', () => {
    const first = decide(worldWith(), dialCmd(NUMBER, 1, ANNA.salesforceUserId, 'lost'));
    const timer = first.world.timers[noAnswerTimerId('dial:lost')]!;
    const expired = decide(first.world, { type: 'TimerFired', timerId: timer.timerId, at: timer.at });
    assert.deepEqual(
      published(expired.effects).map((e) => [e['State__c'], e['Reason__c']]),
      [['Missed', 'Failed']]
    );
    assert.deepEqual(ofType(expired.effects, 'HangUp'), [], 'there is no Graph call to hang up');
    const late = decide(expired.world, placed('dial:lost', 40));
    assert.deepEqual(ofType(late.effects, 'HangUp'), [{ type: 'HangUp', callId: GRAPH_ID }]);
    assert.deepEqual(published(late.effects), []);
    assert.match(logs(late.effects).join('\n'), /dial that is over/);
  });

  it('[B09] Reject while the agent rings cancels the dial (no redirect rule, no Do Not Disturb)', () => {
    const { effects } = decide(dialled(), cmd('Reject', GRAPH_ID, ANNA.salesforceUserId, 3));
    assert.deepEqual(ofType(effects, 'HangUp'), [{ type: 'HangUp', callId: GRAPH_ID }]);
    assert.deepEqual(ofType(effects, 'Redirect'), []);
    assert.deepEqual(ofType(effects, 'Transfer'), []);
    assert.deepEqual(ofType(effects, 'SetPresence'), []);
    assert.deepEqual(
      published(effects).map((e) => e['State__c']),
      ['Missed']
    );
  });

  it("[B09] another agent cannot control Anna's dialled call", () => {
    const { effects } = decide(dialled('connected'), cmd('Hangup', GRAPH_ID, BEN.salesforceUserId, 20));
    assert.deepEqual(refusals(effects), ['not-agent']);
  });

  it('[B09] an inbound call while Anna talks on a dialled call follows the in-a-call rules', () => {
    const { effects } = decide(dialled('connected'), incoming('in-1', 30));
    assert.equal(published(effects)[0]?.['Reason__c'], 'InACall');
  });

  it('[B09] the number rule: formatting removed, 00 read as +, E.164 only', () => {
    assert.equal(dialableNumber('+44 (20) 7946-0000'), '+442079460000');
    assert.equal(dialableNumber('0044 20 7946 0000'), '+442079460000');
    assert.equal(dialableNumber('020 7946 0000'), undefined);
    assert.equal(dialableNumber('+1234'), undefined);
  });
});
