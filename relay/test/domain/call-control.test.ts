import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, findCall, noAnswerTimerId } from '../../src/domain/decide.ts';
import type { Effect, Input, World } from '../../src/domain/model.ts';
import {
  ANNA,
  OTHER_USER,
  at,
  cmd,
  connected,
  established,
  incoming,
  logs,
  published,
  run,
  summary,
  worldWith
} from './fixtures.ts';

const caller = { id: 'p-caller', phoneNumber: '+447700900123', isCaller: true };
const bot = { id: 'p-bot', isBot: true };
const anna = { id: 'p-anna', displayName: 'Anna', teamsUserId: ANNA.teamsUserId };
const roster = (world: World, callId = 'call-1', extra: Array<typeof anna> = []): World =>
  run(world, { type: 'ParticipantsUpdated', callId, participants: [bot, caller, anna, ...extra], at: at(6) }).world;
const done = (operation: 'StartHoldMusic' | 'StopHoldMusic', seconds: number, callId = 'call-1'): Input => ({
  type: 'OperationCompleted',
  callId,
  operation,
  operationId: `${operation}-${seconds}`,
  at: at(seconds)
});
const clearInACall: Effect = {
  type: 'ClearPresence',
  teamsUserId: ANNA.teamsUserId,
  agentUserId: ANNA.salesforceUserId,
  mode: 'InACall'
};

describe('[S05] hold and resume', () => {
  it('[S05] Hold starts hold music for the caller; OnHold is published when Graph confirms the music', () => {
    const world = roster(connected(worldWith(), 'call-1'));
    const asked = decide(world, cmd('Hold', 'call-1', ANNA.salesforceUserId, 10));
    assert.deepEqual(asked.effects, [{ type: 'StartHoldMusic', callId: 'call-1', participantId: 'p-caller' }]);
    const confirmed = decide(asked.world, done('StartHoldMusic', 11));
    assert.deepEqual(summary(confirmed.effects), [
      { type: 'PublishCallEvent', State__c: 'OnHold', Reason__c: undefined, Target__c: undefined, Sequence__c: 4 }
    ]);
    assert.equal(published(confirmed.effects)[0]?.Participants__c, '+447700900123\nAnna');
  });

  it('[S05] Resume stops the music and the call is Connected again', () => {
    const world = run(
      roster(connected(worldWith(), 'call-1')),
      cmd('Hold', 'call-1'),
      done('StartHoldMusic', 11)
    ).world;
    const asked = decide(world, cmd('Resume', 'call-1', ANNA.salesforceUserId, 20));
    assert.deepEqual(asked.effects, [{ type: 'StopHoldMusic', callId: 'call-1', participantId: 'p-caller' }]);
    assert.deepEqual(
      published(decide(asked.world, done('StopHoldMusic', 21)).effects).map((e) => e.State__c),
      ['Connected']
    );
  });

  it('[S05] hold music that fails leaves the call Connected and says Failed', () => {
    const world = run(connected(worldWith(), 'call-1'), cmd('Hold', 'call-1')).world;
    const { effects, world: after } = decide(world, {
      type: 'OperationFailed',
      callId: 'call-1',
      operation: 'StartHoldMusic',
      code: '500',
      at: at(12)
    });
    assert.deepEqual(
      published(effects).map((e) => [e.State__c, e.Reason__c]),
      [['Connected', 'Failed']]
    );
    assert.equal(findCall(after, 'call-1')?.phase, 'Connected');
  });

  it('[S05] a hold-music request Graph refuses outright is handled like a failed operation', () => {
    const world = run(connected(worldWith(), 'call-1'), cmd('Hold', 'call-1')).world;
    const { effects } = decide(world, {
      type: 'EffectFailed',
      effect: { type: 'StartHoldMusic', callId: 'call-1' },
      error: '403',
      at: at(12)
    });
    assert.deepEqual(
      published(effects).map((e) => [e.State__c, e.Reason__c]),
      [['Connected', 'Failed']]
    );
  });

  const refused: Array<[string, (w: World) => World, Input, string]> = [
    [
      'Hold while still ringing',
      (w) => run(w, incoming('call-1')).world,
      cmd('Hold', 'call-1'),
      'cannot hold a call that is Ringing'
    ],
    [
      'Hold twice while the first is in flight',
      (w) => run(connected(w, 'call-1'), cmd('Hold', 'call-1')).world,
      cmd('Hold', 'call-1'),
      'a StartHoldMusic is in progress'
    ],
    [
      'Resume a call that is not on hold',
      (w) => connected(w, 'call-1'),
      cmd('Resume', 'call-1'),
      'cannot resume a call that is Connected'
    ],
    [
      'Hold from another user',
      (w) => connected(w, 'call-1'),
      cmd('Hold', 'call-1', OTHER_USER),
      "requester is not the call's agent"
    ],
    [
      'Hold for a call that ended',
      (w) =>
        run(connected(w, 'call-1'), { type: 'CallTerminated', callId: 'call-1', code: 200, subcode: 540000, at: at(9) })
          .world,
      cmd('Hold', 'call-1'),
      'the call has ended'
    ]
  ];
  for (const [name, setup, input, reason] of refused) {
    it(`[S05] ${name} is refused with a log and no effect`, () => {
      const { effects } = decide(setup(worldWith()), input);
      assert.deepEqual(
        effects.map((e) => e.type),
        ['Log']
      );
      assert.ok(logs(effects)[0]?.endsWith(reason), logs(effects)[0]);
    });
  }
});

describe('[S06] hang up from the softphone', () => {
  it('[S06] Hangup ends the bot leg, publishes Ended/AgentHungUp and releases In a call', () => {
    const { effects, world } = decide(
      connected(worldWith(), 'call-1'),
      cmd('Hangup', 'call-1', ANNA.salesforceUserId, 30)
    );
    assert.deepEqual(summary(effects), [
      { type: 'HangUp', callId: 'call-1' },
      { type: 'PublishCallEvent', State__c: 'Ended', Reason__c: 'AgentHungUp', Target__c: undefined, Sequence__c: 3 },
      clearInACall
    ]);
    assert.equal(world.agents[ANNA.salesforceUserId]?.relayPresence, undefined);
  });

  it('[S06] Graph confirming our own hang-up afterwards publishes nothing more', () => {
    const world = run(connected(worldWith(), 'call-1'), cmd('Hangup', 'call-1')).world;
    assert.deepEqual(
      decide(world, { type: 'CallTerminated', callId: 'call-1', code: 200, subcode: 7000, at: at(31) }).effects,
      []
    );
  });

  it('[S06] Hangup for a call that already ended is refused', () => {
    const world = run(connected(worldWith(), 'call-1'), { type: 'CallerLeft', callId: 'call-1', at: at(9) }).world;
    const { effects } = decide(world, cmd('Hangup', 'call-1'));
    assert.deepEqual(logs(effects), ['command Hangup refused: the call has ended']);
    assert.equal(effects.length, 1);
  });

  it('[S05] a forged command (published by the integration user, RequestedBy__c = the agent) is refused', () => {
    const forged = cmd('Hold', 'call-1');
    if (forged.type !== 'CommandReceived') throw new Error('fixture');
    const world = roster(connected(worldWith(), 'call-1'));
    const { effects } = decide(world, { ...forged, command: { ...forged.command, CreatedById: OTHER_USER } });
    assert.deepEqual(
      effects.filter((e) => e.type !== 'Log'),
      [],
      'no hold music'
    );
    const line = effects.find((e) => e.type === 'Log');
    assert.match(line?.type === 'Log' ? line.message : '', /refused: published by 005000000000009AAA/);
    assert.deepEqual(line?.type === 'Log' ? line.fields : undefined, {
      commandId: forged.command.CommandId__c,
      requestedBy: ANNA.salesforceUserId,
      refusal: 'publisher'
    });
    const { command: unsigned } = forged;
    const { CreatedById: _dropped, ...withoutPublisher } = unsigned;
    const anonymous = decide(world, { ...forged, key: 'anon', command: { ...withoutPublisher, CommandId__c: 'x' } });
    assert.deepEqual(
      anonymous.effects.filter((e) => e.type !== 'Log'),
      [],
      'a command without a publisher is refused too'
    );
  });

  it('[S06] Hangup from a user who is not the call agent is refused', () => {
    const { effects, world } = decide(connected(worldWith(), 'call-1'), cmd('Hangup', 'call-1', OTHER_USER));
    assert.deepEqual(logs(effects), ["command Hangup refused: requester is not the call's agent"]);
    assert.equal(findCall(world, 'call-1')?.phase, 'Connected');
  });
});

describe('[S07] what Graph reports about the agent in Teams', () => {
  it('[S07] the agent hanging up in Teams ends the call (AgentHungUp) and the bot leaves too', () => {
    const { effects } = decide(connected(worldWith(), 'call-1'), {
      type: 'AgentLeft',
      callId: 'call-1',
      teamsUserId: ANNA.teamsUserId,
      at: at(30)
    });
    assert.deepEqual(summary(effects), [
      { type: 'HangUp', callId: 'call-1' },
      { type: 'PublishCallEvent', State__c: 'Ended', Reason__c: 'AgentHungUp', Target__c: undefined, Sequence__c: 3 },
      clearInACall
    ]);
  });

  it('[S07] the caller hanging up after answer ends the call (CallerHungUp)', () => {
    const { effects } = decide(connected(worldWith(), 'call-1'), {
      type: 'CallTerminated',
      callId: 'call-1',
      code: 200,
      subcode: 540000,
      at: at(30)
    });
    assert.deepEqual(
      published(effects).map((e) => [e.State__c, e.Reason__c]),
      [['Ended', 'CallerHungUp']]
    );
  });

  it('[S07] adding a person makes a conference: the new roster is published', () => {
    const world = roster(connected(worldWith(), 'call-1'));
    const { effects } = decide(world, {
      type: 'ParticipantsUpdated',
      callId: 'call-1',
      participants: [bot, caller, anna, { id: 'p-dan', displayName: 'Dan', teamsUserId: 'dan' }],
      at: at(40)
    });
    assert.deepEqual(
      published(effects).map((e) => [e.State__c, e.Participants__c]),
      [['Connected', '+447700900123\nAnna\nDan']]
    );
  });

  it('[S07] the agent transferring in Teams: the call leaves the agent, Transferred with the target', () => {
    const world = run(connected(worldWith(), 'call-1'), {
      type: 'TransferAccepted',
      callId: 'call-1',
      target: 'TeamsUser:dan',
      at: at(40)
    }).world;
    const { effects } = decide(world, { type: 'TransferCompleted', callId: 'call-1', at: at(41) });
    assert.deepEqual(summary(effects), [
      {
        type: 'PublishCallEvent',
        State__c: 'Transferred',
        Reason__c: undefined,
        Target__c: 'TeamsUser:dan',
        Sequence__c: 3
      },
      clearInACall
    ]);
  });

  it('[S07] a completed transfer reported only as termination 7015 is still Transferred', () => {
    const world = run(connected(worldWith(), 'call-1'), {
      type: 'TransferAccepted',
      callId: 'call-1',
      target: 'TeamsUser:dan',
      at: at(40)
    }).world;
    const { effects } = decide(world, {
      type: 'CallTerminated',
      callId: 'call-1',
      code: 200,
      subcode: 7015,
      at: at(41)
    });
    assert.deepEqual(
      published(effects).map((e) => [e.State__c, e.Target__c]),
      [['Transferred', 'TeamsUser:dan']]
    );
  });

  it('[S07] a failed transfer returns the call to the agent (Connected, Failed) and the agent leaving still ends it', () => {
    const world = run(connected(worldWith(), 'call-1'), {
      type: 'TransferAccepted',
      callId: 'call-1',
      at: at(40)
    }).world;
    const failed = decide(world, { type: 'TransferFailed', callId: 'call-1', code: '500/7700', at: at(41) });
    assert.deepEqual(
      published(failed.effects).map((e) => [e.State__c, e.Reason__c]),
      [['Connected', 'Failed']]
    );
    const left = decide(failed.world, {
      type: 'AgentLeft',
      callId: 'call-1',
      teamsUserId: ANNA.teamsUserId,
      at: at(50)
    });
    assert.deepEqual(
      published(left.effects).map((e) => e.State__c),
      ['Ended']
    );
  });
});

describe('failure paths of the ring path', () => {
  it('[S04] the agent invite fails: the call is Missed/Failed and routed by the no-answer rule', () => {
    const world = run(
      worldWith([{ trigger: 'NoAnswer', targetType: 'PhoneNumber', targetValue: '+447700900555' }]),
      incoming('call-1'),
      established('call-1')
    ).world;
    const { effects } = decide(world, { type: 'InviteFailed', callId: 'call-1', code: '480', at: at(2) });
    assert.deepEqual(summary(effects), [
      { type: 'CancelTimer', timerId: noAnswerTimerId('call-1') },
      {
        type: 'Transfer',
        callId: 'call-1',
        target: {
          identity: { kind: 'phone', id: '+447700900555' },
          targetType: 'PhoneNumber',
          label: 'PhoneNumber:+447700900555'
        }
      },
      {
        type: 'PublishCallEvent',
        State__c: 'Missed',
        Reason__c: 'Failed',
        Target__c: 'PhoneNumber:+447700900555',
        Sequence__c: 2
      }
    ]);
  });

  it('[S04] Graph refusing the invite request is the same as a failed invite', () => {
    const world = run(worldWith(), incoming('call-1')).world;
    const { effects } = decide(world, {
      type: 'EffectFailed',
      effect: { type: 'InviteAgent', callId: 'call-1', teamsUserId: ANNA.teamsUserId, tenantId: 't' },
      error: '403',
      at: at(1)
    });
    assert.deepEqual(
      published(effects).map((e) => [e.State__c, e.Reason__c]),
      [['Missed', 'Failed']]
    );
  });

  it('[S04] a routing transfer that fails goes back to the agent (her own Teams), then hangs up if that fails too', () => {
    const world = run(
      worldWith([{ trigger: 'NoAnswer', targetType: 'PhoneNumber', targetValue: '+447700900555' }]),
      incoming('call-1'),
      established('call-1'),
      {
        type: 'TimerFired',
        timerId: noAnswerTimerId('call-1'),
        at: at(20)
      }
    ).world;
    const first = decide(world, { type: 'TransferFailed', callId: 'call-1', code: '500/7000', at: at(21) });
    assert.deepEqual(summary(first.effects), [
      {
        type: 'Transfer',
        callId: 'call-1',
        target: {
          identity: { kind: 'user', id: ANNA.teamsUserId },
          targetType: 'TeamsClientSettings',
          label: `TeamsClientSettings:${ANNA.teamsUserId}`
        }
      },
      // The record names where the call actually went: the same final state, the new target.
      {
        type: 'PublishCallEvent',
        State__c: 'Missed',
        Reason__c: 'NoAnswer',
        Target__c: `TeamsClientSettings:${ANNA.teamsUserId}`,
        Sequence__c: 3
      }
    ]);
    const second = decide(first.world, {
      type: 'EffectFailed',
      effect: {
        type: 'Transfer',
        callId: 'call-1',
        target: { identity: { kind: 'user', id: ANNA.teamsUserId }, targetType: 'TeamsClientSettings', label: '' }
      },
      error: '500',
      at: at(22)
    });
    assert.deepEqual(summary(second.effects), [{ type: 'HangUp', callId: 'call-1' }]);
    assert.equal(findCall(second.world, 'call-1')?.phase, 'Ended');
    assert.equal(findCall(second.world, 'call-1')?.final?.state, 'Missed');
  });

  it('[S01] Graph refusing to answer the call records it once as Missed/Failed and stops the invite', () => {
    const world = run(worldWith(), incoming('call-1')).world;
    const { effects } = decide(world, {
      type: 'EffectFailed',
      effect: { type: 'AnswerCall', callId: 'call-1', tenantId: 't' },
      error: '404',
      at: at(1)
    });
    assert.deepEqual(summary(effects), [
      { type: 'CancelInvite', callId: 'call-1', teamsUserId: ANNA.teamsUserId },
      { type: 'PublishCallEvent', State__c: 'Missed', Reason__c: 'Failed', Target__c: undefined, Sequence__c: 2 },
      { type: 'CancelTimer', timerId: noAnswerTimerId('call-1') }
    ]);
  });
});
