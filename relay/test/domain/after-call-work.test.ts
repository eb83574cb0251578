import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../../src/domain/decide.ts';
import type { Effect, World } from '../../src/domain/model.ts';
import { dndTimerId } from '../../src/domain/presence.policy.ts';
import { ANNA, BEN, at, cmd, connected, emptyWorldWith, incoming, published, run } from './after-call-work.fixtures.ts';

const ofType = <T extends Effect['type']>(effects: Effect[], type: T): Array<Extract<Effect, { type: T }>> =>
  effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
const refusals = (effects: Effect[]): unknown[] =>
  effects.flatMap((e) => (e.type === 'Log' && e.fields?.['refusal'] ? [e.fields['refusal']] : []));

/** Anna talked on call-1 from 5 s and hangs up at 60 s; the org's after-call work is `seconds`. */
function afterHangUp(seconds: number | undefined, agentSeconds?: number): { world: World; effects: Effect[] } {
  const world = connected(emptyWorldWith(seconds, agentSeconds), 'call-1');
  return decide(world, cmd('Hangup', 'call-1', ANNA.salesforceUserId, 60));
}

describe('[B13] after-call work', () => {
  it('[B13] when a talked call ends, Do Not Disturb holds for the org period and a stored timer ends it', () => {
    const { effects, world } = afterHangUp(30);
    const dnd = ofType(effects, 'SetPresence').find((e) => e.mode === 'DoNotDisturb');
    assert.ok(dnd, 'no new call is signalled: the relay holds Do Not Disturb');
    const until = at(90);
    assert.equal(world.agents[ANNA.salesforceUserId]?.relayPresence?.dndUntil, until);
    assert.equal(world.agents[ANNA.salesforceUserId]?.relayPresence?.afterCallWork, true);
    assert.equal(world.timers[dndTimerId(ANNA.salesforceUserId, until)]?.purpose, 'DndExpiry');
  });

  it('[B13] without a period (org 0 or unset) nothing is held', () => {
    for (const seconds of [undefined, 0]) {
      const { effects, world } = afterHangUp(seconds);
      assert.deepEqual(
        ofType(effects, 'SetPresence').filter((e) => e.mode === 'DoNotDisturb'),
        []
      );
      assert.equal(world.agents[ANNA.salesforceUserId]?.relayPresence?.dndUntil, undefined);
    }
  });

  it("[B13] the agent's own period overrides the org default; values are bounded to 0–999 s", () => {
    assert.equal(afterHangUp(30, 10).world.agents[ANNA.salesforceUserId]?.relayPresence?.dndUntil, at(70));
    assert.equal(afterHangUp(30, 5000).world.agents[ANNA.salesforceUserId]?.relayPresence?.dndUntil, at(60 + 999));
    assert.equal(afterHangUp(30, 0).world.agents[ANNA.salesforceUserId]?.relayPresence, undefined);
  });

  it('[B13] the period ends at its limit: the timer releases Do Not Disturb (crash-safe: the timer is in the world)', () => {
    const { world } = afterHangUp(30);
    const timer = world.timers[dndTimerId(ANNA.salesforceUserId, at(90))]!;
    const fired = decide(world, { type: 'TimerFired', timerId: timer.timerId, at: timer.at });
    assert.deepEqual(
      ofType(fired.effects, 'ClearPresence').map((e) => e.mode),
      ['DoNotDisturb']
    );
    assert.equal(fired.world.agents[ANNA.salesforceUserId]?.relayPresence, undefined);
  });

  it("[B13] I'm ready ends it early: Do Not Disturb released, the timer cancelled", () => {
    const { world } = afterHangUp(30);
    const ready = decide(world, cmd('Ready', undefined, ANNA.salesforceUserId, 70));
    assert.deepEqual(
      ofType(ready.effects, 'ClearPresence').map((e) => e.mode),
      ['DoNotDisturb']
    );
    assert.deepEqual(
      ofType(ready.effects, 'CancelTimer').map((e) => e.timerId),
      [dndTimerId(ANNA.salesforceUserId, at(90))]
    );
    assert.equal(Object.keys(ready.world.timers).length, 0);
  });

  it('[B13] Extend adds the period again from its end, but never past 999 s from now', () => {
    const { world } = afterHangUp(30);
    const extended = decide(world, cmd('Extend', undefined, ANNA.salesforceUserId, 80));
    assert.equal(extended.world.agents[ANNA.salesforceUserId]?.relayPresence?.dndUntil, at(120));
    assert.ok(extended.world.timers[dndTimerId(ANNA.salesforceUserId, at(120))]);
    assert.equal(extended.world.timers[dndTimerId(ANNA.salesforceUserId, at(90))], undefined, 'old timer replaced');
    let long = afterHangUp(30, 900).world;
    long = run(long, cmd('Extend', undefined, ANNA.salesforceUserId, 61)).world;
    assert.equal(long.agents[ANNA.salesforceUserId]?.relayPresence?.dndUntil, at(61 + 999));
  });

  it('[B13] a call arriving during after-call work follows the Do Not Disturb rules (S08): it does not ring', () => {
    const { world } = afterHangUp(30);
    const { effects } = decide(world, incoming('call-2', 70));
    assert.deepEqual(ofType(effects, 'InviteAgent'), []);
    assert.equal(published(effects)[0]?.['Reason__c'], 'DoNotDisturb');
  });

  it('[B13] Ready/Extend outside after-call work, or for someone without a line, are refused; a forged one too', () => {
    const plain = connected(emptyWorldWith(30), 'call-1');
    assert.deepEqual(refusals(decide(plain, cmd('Ready', undefined, ANNA.salesforceUserId, 10)).effects), ['state']);
    const { world } = afterHangUp(30);
    assert.deepEqual(refusals(decide(world, cmd('Extend', undefined, '005000000000009AAA', 70)).effects), [
      'not-agent'
    ]);
    assert.deepEqual(refusals(decide(world, cmd('Ready', undefined, BEN.salesforceUserId, 70)).effects), ['state']);
    const forged = cmd('Ready', undefined, ANNA.salesforceUserId, 70);
    if (forged.type === 'CommandReceived') forged.command.CreatedById = BEN.salesforceUserId;
    assert.deepEqual(refusals(decide(world, forged).effects), ['publisher']);
  });
});
