// Reconciliation with Graph (B01, B05): a call whose webhooks were lost never stays in progress, and an operation
// whose completion was lost is verified or failed, never pending forever.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decide,
  findCall,
  OPERATION_DEADLINE_MS,
  reconcileDue,
  RECONCILE_EVERY_MS,
  ROUTING_DEADLINE_MS
} from '../../src/domain/decide.ts';
import type { Input, World } from '../../src/domain/model.ts';
import { ANNA, at, cmd, connected, incoming, published, run, worldWith } from './fixtures.ts';

const caller = { id: 'p-caller', phoneNumber: '+447700900123', isCaller: true };
const bot = { id: 'p-bot', isBot: true };
const anna = { id: 'p-anna', displayName: 'Anna', teamsUserId: ANNA.teamsUserId };
const withRoster = (world: World): World =>
  run(world, { type: 'ParticipantsUpdated', callId: 'call-1', participants: [bot, caller, anna], at: at(6) }).world;
const observed = (seconds: number, exists: boolean, state?: string): Extract<Input, { type: 'CallObserved' }> => ({
  type: 'CallObserved',
  callId: 'call-1',
  exists,
  ...(state ? { state } : {}),
  at: at(seconds)
});

describe('[B01] reconciliation: a call Graph no longer has ends', () => {
  it('[B01][B05] a connected call Graph no longer has ends Reconciled and releases "In a call"', () => {
    const world = withRoster(connected(worldWith(), 'call-1'));
    const step = decide(world, observed(600, false));
    const events = published(step.effects);
    assert.deepEqual(
      events.map((e) => [e.State__c, e.Reason__c]),
      [['Ended', 'Reconciled']]
    );
    assert.equal(findCall(step.world, 'call-1')?.phase, 'Ended');
    assert.ok(
      step.effects.some((e) => e.type === 'ClearPresence' && e.mode === 'InACall'),
      'presence is released'
    );
    assert.ok(!step.effects.some((e) => e.type === 'HangUp'), 'nothing is sent to a call Graph no longer has');
  });

  it('[B01] a call Graph reports terminated is treated the same way; a ringing one ends Abandoned', () => {
    const ringing = run(worldWith(), incoming('call-1')).world;
    const step = decide(ringing, observed(3, true, 'terminated'));
    assert.deepEqual(
      published(step.effects).map((e) => [e.State__c, e.Reason__c]),
      [['Abandoned', 'Reconciled']]
    );
    assert.equal(step.world.timers['noanswer:call-1'], undefined, 'the no-answer timer is cancelled');
  });

  it('[B01] a call Graph still has changes nothing; a later observation of an ended call is ignored', () => {
    const world = withRoster(connected(worldWith(), 'call-1'));
    const alive = decide(world, observed(600, true, 'established'));
    assert.deepEqual(published(alive.effects), []);
    assert.equal(findCall(alive.world, 'call-1')?.phase, 'Connected');
    const ended = decide(alive.world, observed(601, false)).world;
    const again = decide(ended, observed(602, false));
    assert.deepEqual(again.effects, []);
  });

  it('[B01] an agent transfer Graph accepted and the call then gone is recorded Transferred', () => {
    const world = run(withRoster(connected(worldWith(), 'call-1')), {
      type: 'TransferAccepted',
      callId: 'call-1',
      target: 'TeamsUser:x',
      at: at(30)
    }).world;
    const step = decide(world, observed(60, false));
    assert.deepEqual(
      published(step.effects).map((e) => [e.State__c, e.Target__c]),
      [['Transferred', 'TeamsUser:x']]
    );
  });
});

describe('[B01] reconciliation: an overdue operation is verified, then failed', () => {
  const holdAsked = (): World => run(withRoster(connected(worldWith(), 'call-1')), cmd('Hold', 'call-1')).world;
  const seconds = (ms: number) => ms / 1000;

  it('is due for a check only once its deadline passed', () => {
    const call = findCall(holdAsked(), 'call-1')!;
    assert.equal(reconcileDue(call, at(1), at(1)), false);
    assert.equal(reconcileDue(call, at(1 + seconds(OPERATION_DEADLINE_MS)), at(1)), true);
  });

  it('[S05] a Hold whose completion never came is sent once more, then failed with the state unchanged', () => {
    const world = holdAsked();
    const late = 1 + seconds(OPERATION_DEADLINE_MS);
    const retry = decide(world, observed(late, true, 'established'));
    assert.deepEqual(
      retry.effects.filter((e) => e.type !== 'Log'),
      [{ type: 'StartHoldMusic', callId: 'call-1', participantId: 'p-caller' }]
    );
    assert.equal(findCall(retry.world, 'call-1')?.holdPending, 'StartHoldMusic');
    const failed = decide(retry.world, observed(late + seconds(OPERATION_DEADLINE_MS), true, 'established'));
    assert.deepEqual(
      published(failed.effects).map((e) => [e.State__c, e.Reason__c]),
      [['Connected', 'Failed']]
    );
    const call = findCall(failed.world, 'call-1')!;
    assert.equal(call.holdPending, undefined, 'no longer pending: Hold and Resume work again');
    const holdAgain = decide(failed.world, cmd('Hold', 'call-1', ANNA.salesforceUserId, late + 40));
    assert.ok(holdAgain.effects.some((e) => e.type === 'StartHoldMusic'));
  });

  it('[B01] after a restart an operation in flight at the crash is sent again at once, not after the deadline', () => {
    const step = decide(holdAsked(), { ...observed(2, true, 'established'), afterRestart: true });
    assert.deepEqual(
      step.effects.filter((e) => e.type !== 'Log'),
      [{ type: 'StartHoldMusic', callId: 'call-1', participantId: 'p-caller' }]
    );
  });

  it('[S05] a completion that arrives after the retry still completes the hold', () => {
    const retried = decide(holdAsked(), observed(1 + seconds(OPERATION_DEADLINE_MS), true, 'established')).world;
    const done = decide(retried, {
      type: 'OperationCompleted',
      callId: 'call-1',
      operation: 'StartHoldMusic',
      operationId: 'op-2',
      at: at(20)
    });
    assert.deepEqual(
      published(done.effects).map((e) => e.State__c),
      ['OnHold']
    );
    const call = findCall(done.world, 'call-1')!;
    assert.equal(call.holdRetried, undefined);
    assert.equal(call.awaitingSince, undefined);
  });

  it('[B01] a routing whose outcome never came is hung up once Graph still has it past the deadline', () => {
    const world = run(worldWith(), incoming('call-1'), {
      type: 'TimerFired',
      timerId: 'noanswer:call-1',
      at: at(20)
    }).world;
    const call = findCall(world, 'call-1')!;
    assert.equal(call.phase, 'Routing');
    const deadline = 20 + seconds(ROUTING_DEADLINE_MS);
    assert.equal(reconcileDue(call, at(deadline), at(deadline)), true);
    const step = decide(world, observed(deadline, true, 'established'));
    assert.deepEqual(
      step.effects.filter((e) => e.type === 'HangUp'),
      [{ type: 'HangUp', callId: 'call-1' }]
    );
    assert.equal(findCall(step.world, 'call-1')?.phase, 'Ended');
  });

  it('every call in progress is due periodically', () => {
    const call = findCall(withRoster(connected(worldWith(), 'call-1')), 'call-1')!;
    assert.equal(reconcileDue(call, at(60), at(0)), false);
    assert.equal(reconcileDue(call, at(seconds(RECONCILE_EVERY_MS)), at(0)), true);
  });
});
