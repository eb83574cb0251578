import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, findCall, noAnswerTimerId } from '../../src/domain/decide.ts';
import { eventIdFor } from '../../src/domain/event-id.ts';
import type { Input } from '../../src/domain/model.ts';
import {
  ANNA,
  CALLER,
  CARA,
  TENANT,
  at,
  connected,
  established,
  incoming,
  published,
  run,
  summary,
  worldWith
} from './fixtures.ts';

describe('ring path', () => {
  it('[S01] an incoming call answers, invites the agent and publishes Ringing with the caller in one step', () => {
    const { effects, world } = decide(worldWith(), incoming('call-1'));
    assert.deepEqual(effects, [
      { type: 'AnswerCall', callId: 'call-1', tenantId: TENANT },
      { type: 'InviteAgent', callId: 'call-1', teamsUserId: ANNA.teamsUserId, tenantId: TENANT },
      {
        type: 'PublishCallEvent',
        event: {
          EventId__c: eventIdFor('call-1', 1),
          TeamsCallId__c: 'call-1',
          Sequence__c: 1,
          Kind__c: 'Call',
          State__c: 'Ringing',
          Direction__c: 'Inbound',
          CallerNumber__c: CALLER,
          CallerName__c: 'Pat Caller',
          DialledNumber__c: ANNA.phoneNumber,
          AgentUserId__c: ANNA.salesforceUserId,
          AgentTeamsId__c: ANNA.teamsUserId,
          OccurredAt__c: at(0)
        }
      },
      {
        type: 'ScheduleTimer',
        timer: {
          timerId: noAnswerTimerId('call-1'),
          purpose: 'NoAnswer',
          at: at(20),
          callId: 'call-1',
          agentUserId: ANNA.salesforceUserId
        }
      }
    ]);
    assert.equal(findCall(world, 'call-1')?.phase, 'Ringing');
  });

  it('[S01] the dialled line matches the agent whatever the number formatting', () => {
    const { effects } = decide(worldWith(), incoming('call-1', 0, '+44 20 7123 0001'));
    assert.deepEqual(
      effects.filter((e) => e.type === 'InviteAgent').map((e) => (e.type === 'InviteAgent' ? e.teamsUserId : '')),
      [ANNA.teamsUserId]
    );
  });

  it('[S01] a call to a line no agent owns is refused and recorded once as Missed/Failed', () => {
    const { effects } = decide(worldWith(), incoming('call-x', 0, '+15550000000'));
    assert.deepEqual(summary(effects), [
      { type: 'HangUp', callId: 'call-x' },
      { type: 'PublishCallEvent', State__c: 'Missed', Reason__c: 'Failed', Target__c: undefined, Sequence__c: 1 }
    ]);
  });

  it('[S01] event ids are deterministic from call id and sequence, so a replayed decision publishes the same ids', () => {
    const first = published(decide(worldWith(), incoming('call-1')).effects);
    const again = published(decide(worldWith(), incoming('call-1')).effects);
    assert.deepEqual(first, again);
    assert.match(String(first[0]?.EventId__c), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('[S04] the no-answer timer uses the agent override when set', () => {
    const { effects } = decide(worldWith(), incoming('call-c', 0, CARA.phoneNumber));
    const timer = effects.find((e) => e.type === 'ScheduleTimer');
    assert.equal(timer?.type === 'ScheduleTimer' ? timer.timer.at : '', at(35));
  });

  it('[S03] the agent answering in Teams connects the call, stops the no-answer timer and holds In a call', () => {
    const ringing = run(worldWith(), incoming('call-1')).world;
    const { effects, world } = decide(ringing, {
      type: 'AgentJoined',
      callId: 'call-1',
      teamsUserId: ANNA.teamsUserId,
      at: at(4)
    });
    assert.deepEqual(summary(effects), [
      { type: 'CancelTimer', timerId: noAnswerTimerId('call-1') },
      { type: 'PublishCallEvent', State__c: 'Connected', Reason__c: undefined, Target__c: undefined, Sequence__c: 2 },
      {
        type: 'SetPresence',
        teamsUserId: ANNA.teamsUserId,
        agentUserId: ANNA.salesforceUserId,
        mode: 'InACall',
        availability: 'Busy',
        activity: 'InACall',
        expiresInMinutes: 240
      }
    ]);
    assert.equal(findCall(world, 'call-1')?.answeredAt, at(4));
  });

  it('[S04] no answer in time: ringing stops and the call is Missed/NoAnswer, routed to the agent Teams settings by default', () => {
    const ringing = run(worldWith(), incoming('call-1'), established('call-1')).world;
    const { effects } = decide(ringing, { type: 'TimerFired', timerId: noAnswerTimerId('call-1'), at: at(20) });
    assert.deepEqual(summary(effects), [
      { type: 'CancelInvite', callId: 'call-1', teamsUserId: ANNA.teamsUserId },
      {
        type: 'Transfer',
        callId: 'call-1',
        target: {
          identity: { kind: 'user', id: ANNA.teamsUserId },
          targetType: 'TeamsClientSettings',
          label: `TeamsClientSettings:${ANNA.teamsUserId}`
        }
      },
      {
        type: 'PublishCallEvent',
        State__c: 'Missed',
        Reason__c: 'NoAnswer',
        Target__c: `TeamsClientSettings:${ANNA.teamsUserId}`,
        Sequence__c: 2
      }
    ]);
  });

  it('[S04] a no-answer timer that fires after the agent answered changes nothing', () => {
    const world = connected(worldWith(), 'call-1');
    const { effects } = decide(world, { type: 'TimerFired', timerId: noAnswerTimerId('call-1'), at: at(20) });
    assert.deepEqual(effects, []);
  });

  const hangupsWhileRinging: Array<[string, Input, unknown[]]> = [
    [
      'the bot leg terminates',
      { type: 'CallTerminated', callId: 'call-1', code: 200, subcode: 540000, at: at(3) },
      [
        { type: 'CancelInvite', callId: 'call-1', teamsUserId: ANNA.teamsUserId },
        { type: 'CancelTimer', timerId: noAnswerTimerId('call-1') },
        {
          type: 'PublishCallEvent',
          State__c: 'Abandoned',
          Reason__c: 'CallerHungUp',
          Target__c: undefined,
          Sequence__c: 2
        }
      ]
    ],
    [
      'the caller leaves the roster',
      { type: 'CallerLeft', callId: 'call-1', at: at(3) },
      [
        { type: 'CancelInvite', callId: 'call-1', teamsUserId: ANNA.teamsUserId },
        { type: 'HangUp', callId: 'call-1' },
        { type: 'CancelTimer', timerId: noAnswerTimerId('call-1') },
        {
          type: 'PublishCallEvent',
          State__c: 'Abandoned',
          Reason__c: 'CallerHungUp',
          Target__c: undefined,
          Sequence__c: 2
        }
      ]
    ]
  ];
  for (const [name, input, expected] of hangupsWhileRinging) {
    it(`[S12] caller hangs up while ringing (${name}): Teams stops ringing at once, Abandoned/CallerHungUp`, () => {
      const ringing = run(worldWith(), incoming('call-1')).world;
      const { effects, world } = decide(ringing, input);
      const ordered = summary(effects).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      assert.deepEqual(
        ordered,
        [...expected].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
      );
      assert.equal(findCall(world, 'call-1')?.phase, 'Ended');
      assert.deepEqual(world.timers, {});
    });
  }

  it('[S12] the agent joining after the caller hung up changes nothing', () => {
    const ended = run(worldWith(), incoming('call-1'), { type: 'CallerLeft', callId: 'call-1', at: at(3) }).world;
    assert.deepEqual(
      decide(ended, { type: 'AgentJoined', callId: 'call-1', teamsUserId: ANNA.teamsUserId, at: at(4) }).effects,
      []
    );
  });
});

describe('idempotency and ordering', () => {
  it('[S07] a duplicate notification is not applied twice and returns the same world', () => {
    const first = run(worldWith(), incoming('call-1'), {
      type: 'AgentJoined',
      callId: 'call-1',
      teamsUserId: ANNA.teamsUserId,
      at: at(4)
    });
    const again = decide(first.world, {
      type: 'AgentJoined',
      callId: 'call-1',
      teamsUserId: ANNA.teamsUserId,
      at: at(4)
    });
    assert.equal(again.applied, false);
    assert.deepEqual(again.effects, []);
    assert.equal(again.world, first.world);
  });

  it('[S07] a late establishing after established changes nothing', () => {
    const established = run(worldWith(), incoming('call-1'), {
      type: 'CallEstablished',
      callId: 'call-1',
      at: at(1)
    }).world;
    const late = decide(established, { type: 'CallEstablishing', callId: 'call-1', at: at(0.5) });
    assert.deepEqual(late.effects, []);
    assert.equal(findCall(late.world, 'call-1')?.botEstablished, true);
  });

  it('[S07] terminated is final: later roster and transfer notifications produce nothing', () => {
    const ended = run(worldWith(), incoming('call-1'), {
      type: 'CallTerminated',
      callId: 'call-1',
      code: 200,
      subcode: 5002,
      at: at(2)
    }).world;
    const later: Input[] = [
      { type: 'ParticipantsUpdated', callId: 'call-1', participants: [{ id: 'p1', isCaller: true }], at: at(3) },
      { type: 'TransferCompleted', callId: 'call-1', at: at(3) },
      { type: 'TimerFired', timerId: noAnswerTimerId('call-1'), at: at(20) }
    ];
    for (const input of later) assert.deepEqual(decide(ended, input).effects, []);
  });

  it('[S01] a duplicate incoming-call notification neither invites nor publishes again', () => {
    const world = run(worldWith(), incoming('call-1')).world;
    assert.deepEqual(decide(world, { ...incoming('call-1'), key: 'another-delivery' }).effects, []);
  });

  it('[S01] a malformed presence for an unknown user changes nothing', () => {
    const world = worldWith();
    const step = decide(world, {
      type: 'PresenceObserved',
      teamsUserId: 'nobody',
      availability: 'DoNotDisturb',
      activity: 'DoNotDisturb',
      at: at(0)
    });
    assert.deepEqual(step.effects, []);
    assert.deepEqual(step.world.agents, {});
  });
});
