// End to end: the relay process restarted mid-call (B01), and presence it read at start suppressing ringing (S08).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ALICE, BOB, E2E } from './support/stack.ts';

describe('restart and presence (relay + emulators)', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start();
  });
  after(async () => {
    await e2e?.stop();
  });
  beforeEach(async () => {
    await e2e.reset();
  });

  it('[B01] the relay restarted mid-call keeps the call: a Hold after the restart works and the record is complete', async () => {
    const callId = await e2e.connect(ALICE);
    await e2e.stack.restartRelay();
    await e2e.command(ALICE.upn, callId, 'Hold');
    await e2e.recordInState(callId, 'OnHold');
    await e2e.sim('POST', `/calls/${callId}/caller-hangup`);
    const record = await e2e.recordInState(callId, 'Ended');
    assert.equal(record.Reason__c, 'CallerHungUp');
    assert.ok(record.AnsweredAt__c, 'the answer before the restart is kept');
    assert.equal(e2e.stack.salesforce.store.all('TeamsCall__c').filter((r) => r.TeamsCallId__c === callId).length, 1);
    assert.equal((await e2e.simCall(callId)).state, 'terminated');
  });

  it('[S08][S13] Do Not Disturb: Teams does not ring, the DND rule redirects to a Teams user, and the call is logged', async () => {
    await e2e.sim('POST', `/users/${ALICE.upn}/presence`, { availability: 'DoNotDisturb', activity: 'DoNotDisturb' });
    // The relay polls presence every minute and at start; a restart makes it read the new presence now.
    await e2e.stack.restartRelay();
    const callId = await e2e.placeCall(ALICE.line);
    const record = await e2e.recordInState(callId, 'Missed', 'Suppressed', 'Redirected');
    assert.equal(record.Reason__c, 'DoNotDisturb');
    assert.deepEqual(
      e2e.graphRequests(`/calls/${callId}/participants/invite`),
      [],
      'the agent is never invited, so Teams does not ring'
    );
    const redirect = await e2e.sentToGraph(`/communications/calls/${callId}/redirect`);
    assert.equal(redirect.length, 1);
    assert.match(JSON.stringify(redirect[0]!.body), new RegExp(BOB.id), "to Alice's DND target, Bob");
    const tasks = await e2e.until('a missed-call Task', () => {
      const found = e2e.tasksFor(e2e.callRecord(callId)!);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(tasks[0]!.OwnerId, e2e.seededUserId(ALICE.upn));
  });
});
