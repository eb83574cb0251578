import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, findCall } from '../../src/domain/decide.ts';
import type { Effect, Input, World } from '../../src/domain/model.ts';
import { dndTimerId } from '../../src/domain/presence.policy.ts';
import { ANNA, at, cmd, connected, incoming, presence, published, run, worldWith } from './fixtures.ts';

const join = (callId: string, seconds: number): Input => ({
  type: 'AgentJoined',
  callId,
  teamsUserId: ANNA.teamsUserId,
  at: at(seconds)
});
const hangup = (callId: string, seconds: number): Input => ({
  type: 'CallTerminated',
  callId,
  code: 200,
  subcode: 540000,
  at: at(seconds)
});
const presenceEffects = (effects: Effect[]): Effect[] =>
  effects.filter((e) => e.type === 'SetPresence' || e.type === 'ClearPresence');
/** Fire whatever DND timer is pending for Anna (its id carries its due time). */
const dndFired =
  (seconds: number) =>
  (world: World): Input => ({
    type: 'TimerFired',
    timerId: Object.keys(world.timers).find((id) => id.startsWith(`dnd:${ANNA.salesforceUserId}:`)) ?? 'none',
    at: at(seconds)
  });

describe('[S16] second call answered in Teams', () => {
  it('[S16] answering the second call puts the first on hold (hold music for its caller)', () => {
    const world = run(connected(worldWith(), 'call-1'), incoming('call-2', 30)).world;
    const { effects } = decide(world, join('call-2', 35));
    assert.deepEqual(
      effects.filter((e) => e.type === 'StartHoldMusic'),
      [{ type: 'StartHoldMusic', callId: 'call-1' }]
    );
    assert.deepEqual(presenceEffects(effects), []);
  });

  it('[S16] when the first call ends, the second stays connected and In a call is still held', () => {
    const world = run(connected(worldWith(), 'call-1'), incoming('call-2', 30), join('call-2', 35)).world;
    const { effects, world: after } = decide(world, hangup('call-1', 60));
    assert.deepEqual(presenceEffects(effects), []);
    assert.equal(findCall(after, 'call-2')?.phase, 'Connected');
    assert.equal(after.agents[ANNA.salesforceUserId]?.relayPresence?.inACall, true);
  });

  it('[S16] In a call is released only after the last connected call', () => {
    const world = run(
      connected(worldWith(), 'call-1'),
      incoming('call-2', 30),
      join('call-2', 35),
      hangup('call-1', 60)
    ).world;
    const { effects, world: after } = decide(world, hangup('call-2', 90));
    assert.deepEqual(presenceEffects(effects), [
      { type: 'ClearPresence', teamsUserId: ANNA.teamsUserId, agentUserId: ANNA.salesforceUserId, mode: 'InACall' }
    ]);
    assert.equal(after.agents[ANNA.salesforceUserId]?.relayPresence, undefined);
  });

  it('[S16] resuming the held first call holds the second', () => {
    const world = run(connected(worldWith(), 'call-1'), incoming('call-2', 30), join('call-2', 35), {
      type: 'OperationCompleted',
      callId: 'call-1',
      operation: 'StartHoldMusic',
      operationId: 'op-1',
      at: at(36)
    }).world;
    const { effects } = decide(world, cmd('Resume', 'call-1', ANNA.salesforceUserId, 50));
    assert.deepEqual(
      effects.filter((e) => e.type === 'StartHoldMusic' || e.type === 'StopHoldMusic'),
      [
        { type: 'StopHoldMusic', callId: 'call-1' },
        { type: 'StartHoldMusic', callId: 'call-2' }
      ]
    );
  });
});

describe('[B05] presence the relay sets is always released', () => {
  it('[B05] the DND set after a reject is released when its timer fires, restoring a user-chosen previous state', () => {
    const world = run(
      worldWith(),
      presence(ANNA.teamsUserId, 'Busy', 'Busy'),
      incoming('call-1'),
      cmd('Reject', 'call-1')
    ).world;
    const { effects, world: after } = decide(world, dndFired(3600 + 1)(world));
    assert.deepEqual(presenceEffects(effects), [
      {
        type: 'ClearPresence',
        teamsUserId: ANNA.teamsUserId,
        agentUserId: ANNA.salesforceUserId,
        mode: 'DoNotDisturb',
        restore: { availability: 'Busy', activity: 'Busy' }
      }
    ]);
    assert.equal(after.agents[ANNA.salesforceUserId]?.relayPresence, undefined);
    assert.deepEqual(after.timers, {});
  });

  it('[B05] a session-derived previous state (Available) is cleared, not re-applied', () => {
    const world = run(
      worldWith(),
      presence(ANNA.teamsUserId, 'Available', 'Available'),
      incoming('call-1'),
      cmd('Reject', 'call-1')
    ).world;
    assert.deepEqual(presenceEffects(decide(world, dndFired(3601)(world)).effects), [
      { type: 'ClearPresence', teamsUserId: ANNA.teamsUserId, agentUserId: ANNA.salesforceUserId, mode: 'DoNotDisturb' }
    ]);
  });

  it('[B05] the DND expiry is bounded on the Graph side too (never forever, even if the relay dies)', () => {
    const base = worldWith();
    const world = {
      ...base,
      config: { ...base.config, settings: { ...base.config.settings, dndExpiryMinutes: 100000 } }
    };
    const { effects } = decide(run(world, incoming('call-1')).world, cmd('Reject', 'call-1'));
    const set = effects.find((e) => e.type === 'SetPresence');
    assert.equal(set?.type === 'SetPresence' ? set.expiresInMinutes : 0, 240);
  });

  it('[B05] DND over a connected call: when DND expires, In a call is kept while the call lasts, then released', () => {
    const world = run(
      connected(worldWith(), 'call-1'),
      incoming('call-2', 30),
      cmd('Reject', 'call-2', ANNA.salesforceUserId, 32)
    ).world;
    const expired = decide(world, dndFired(32 + 3600)(world));
    assert.deepEqual(presenceEffects(expired.effects), [
      { type: 'ClearPresence', teamsUserId: ANNA.teamsUserId, agentUserId: ANNA.salesforceUserId, mode: 'DoNotDisturb' }
    ]);
    assert.equal(expired.world.agents[ANNA.salesforceUserId]?.relayPresence?.inACall, true);
    const ended = decide(expired.world, hangup('call-1', 4000));
    assert.deepEqual(presenceEffects(ended.effects), [
      { type: 'ClearPresence', teamsUserId: ANNA.teamsUserId, agentUserId: ANNA.salesforceUserId, mode: 'InACall' }
    ]);
    assert.equal(ended.world.agents[ANNA.salesforceUserId]?.relayPresence, undefined);
  });

  it('[B05] a second reject while DND is held renews the expiry instead of stacking presence', () => {
    const world = run(worldWith(), incoming('call-1'), cmd('Reject', 'call-1', ANNA.salesforceUserId, 1)).world;
    // While DND is held new calls are suppressed, so a second reject can only come for a call that was already ringing.
    const twoRinging = run(
      worldWith(),
      incoming('call-1'),
      incoming('call-2', 1),
      cmd('Reject', 'call-1', ANNA.salesforceUserId, 2)
    ).world;
    const again = decide(twoRinging, cmd('Reject', 'call-2', ANNA.salesforceUserId, 100));
    const timer = again.effects.find((e) => e.type === 'ScheduleTimer');
    assert.equal(
      timer?.type === 'ScheduleTimer' ? timer.timer.timerId : '',
      dndTimerId(ANNA.salesforceUserId, at(100 + 3600))
    );
    assert.deepEqual(Object.keys(again.world.timers), [dndTimerId(ANNA.salesforceUserId, at(100 + 3600))]);
    assert.deepEqual(
      again.effects.filter((e) => e.type === 'CancelTimer'),
      [
        { type: 'CancelTimer', timerId: 'noanswer:call-2' },
        { type: 'CancelTimer', timerId: dndTimerId(ANNA.salesforceUserId, at(2 + 3600)) }
      ]
    );
    assert.equal(published(decide(world, incoming('call-3', 200)).effects)[0]?.State__c, 'Suppressed');
  });
});

describe('[S10] presence shown in Salesforce', () => {
  const presenceEvents = (effects: Effect[]) =>
    effects.flatMap((e) => (e.type === 'PublishCallEvent' && e.event.Kind__c === 'Presence' ? [e.event] : []));

  it('[S10] a presence change is published once as a Presence event for the agent, with its own sequence', () => {
    const first = run(worldWith(), presence(ANNA.teamsUserId, 'Available', 'Available', 0));
    const second = run(first.world, presence(ANNA.teamsUserId, 'DoNotDisturb', 'Presenting', 10));
    const [a] = presenceEvents(first.effects);
    const [b] = presenceEvents(second.effects);
    assert.deepEqual(
      [a?.Presence__c, a?.Sequence__c, a?.AgentUserId__c, a?.TeamsCallId__c],
      ['Available', 1, ANNA.salesforceUserId, `presence:${ANNA.salesforceUserId}`]
    );
    assert.deepEqual([b?.Presence__c, b?.Sequence__c], ['Presenting', 2]);
    assert.notEqual(a?.EventId__c, b?.EventId__c);
  });

  it('[S10] the same presence polled again publishes nothing', () => {
    const first = run(worldWith(), presence(ANNA.teamsUserId, 'Busy', 'InACall', 0));
    const again = run(first.world, presence(ANNA.teamsUserId, 'Busy', 'InACall', 60));
    assert.deepEqual(presenceEvents(again.effects), []);
  });

  it('[S10] presence of a Teams user who is not an agent publishes nothing', () => {
    const { effects } = run(worldWith(), presence('not-an-agent', 'Available', 'Available', 0));
    assert.deepEqual(presenceEvents(effects), []);
  });
});
