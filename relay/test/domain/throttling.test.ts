// Graph throttling on the ring path (B01): a throttled invite is retried within the ring budget, a routing
// transfer waits for the bot's established leg, and the record names where a fallback actually sent the call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, findCall, inviteRetryTimerId, noAnswerTimerId } from '../../src/domain/decide.ts';
import type { Input, World } from '../../src/domain/model.ts';
import { ANNA, at, established, incoming, published, run, worldWith } from './fixtures.ts';

const throttled = (seconds: number, retryAfterMs = 1000): Input => ({
  type: 'EffectFailed',
  effect: { type: 'InviteAgent', callId: 'call-1', teamsUserId: ANNA.teamsUserId, tenantId: 't' },
  error: 'inviteAgent failed: http 429',
  retryAfterMs,
  at: at(seconds),
  key: `throttled-${seconds}`
});
const retryFires = (world: World): Input => {
  const timer = Object.values(world.timers).find((t) => t.purpose === 'InviteRetry')!;
  return { type: 'TimerFired', timerId: timer.timerId, at: timer.at };
};

describe('[B01] a throttled invite', () => {
  it('[S01] is retried after Retry-After with a roster check, and the call keeps ringing', () => {
    const ringing = run(worldWith(), incoming('call-1')).world;
    const first = decide(ringing, throttled(0.2));
    assert.deepEqual(published(first.effects), [], 'nothing published: the call still rings');
    assert.equal(first.world.timers[inviteRetryTimerId('call-1', 1)]?.at, at(1.2));
    const retry = decide(first.world, retryFires(first.world));
    assert.deepEqual(retry.effects, [
      { type: 'InviteAgent', callId: 'call-1', teamsUserId: ANNA.teamsUserId, tenantId: 'tenant-1', verify: true }
    ]);
    const joined = decide(retry.world, {
      type: 'AgentJoined',
      callId: 'call-1',
      teamsUserId: ANNA.teamsUserId,
      at: at(3)
    });
    assert.deepEqual(
      published(joined.effects).map((e) => e.State__c),
      ['Connected']
    );
  });

  it('[S04] throttled again and again: after 3 retries the no-answer rule routes it (Missed/Failed), once', () => {
    let world = run(worldWith(), incoming('call-1'), established('call-1')).world;
    for (let i = 0; i < 3; i += 1) {
      world = decide(world, throttled(1 + i * 2)).world;
      const retry = decide(world, retryFires(world));
      assert.ok(
        retry.effects.some((e) => e.type === 'InviteAgent'),
        `retry ${i + 1} invites again`
      );
      world = retry.world;
    }
    const last = decide(world, throttled(8));
    assert.deepEqual(
      published(last.effects).map((e) => [e.State__c, e.Reason__c]),
      [['Missed', 'Failed']]
    );
    assert.ok(last.effects.some((e) => e.type === 'Transfer'));
    assert.equal(findCall(last.world, 'call-1')?.phase, 'Routing');
  });

  it('[S04] no retry when the ring budget would be spent: the call is routed at once', () => {
    const ringing = run(worldWith(), incoming('call-1')).world;
    const late = decide(ringing, throttled(14, 2000)); // no-answer at 20 s, at least 5 s of ringing must remain
    assert.deepEqual(
      published(late.effects).map((e) => e.State__c),
      ['Missed']
    );
    assert.equal(late.world.timers[inviteRetryTimerId('call-1', 1)], undefined);
  });
});

describe('[B01] routing transfers wait for the established leg', () => {
  it('[S04] an invite failing before the bot leg is established: Missed published, the transfer waits for established', () => {
    const ringing = run(worldWith(), incoming('call-1')).world;
    const failed = decide(ringing, { type: 'InviteFailed', callId: 'call-1', code: '480', at: at(1) });
    assert.ok(!failed.effects.some((e) => e.type === 'Transfer'), 'Graph refuses to transfer a call not established');
    assert.deepEqual(
      published(failed.effects).map((e) => e.State__c),
      ['Missed']
    );
    const up = decide(failed.world, established('call-1', 2));
    assert.deepEqual(
      up.effects.map((e) => e.type),
      ['Transfer']
    );
    assert.equal(up.world.timers[noAnswerTimerId('call-1')], undefined);
  });

  it('[B08] a fallback that changes where the call goes restates the final state with the target it went to', () => {
    const world = run(
      worldWith([{ trigger: 'NoAnswer', targetType: 'PhoneNumber', targetValue: '+447700900555' }]),
      incoming('call-1'),
      established('call-1'),
      { type: 'TimerFired', timerId: noAnswerTimerId('call-1'), at: at(20) }
    ).world;
    const fallback = decide(world, { type: 'TransferFailed', callId: 'call-1', code: '400/0', at: at(21) });
    const [restated] = published(fallback.effects);
    assert.deepEqual([restated?.State__c, restated?.Target__c], ['Missed', `TeamsClientSettings:${ANNA.teamsUserId}`]);
    assert.equal(findCall(fallback.world, 'call-1')?.final?.target, `TeamsClientSettings:${ANNA.teamsUserId}`);
  });
});
