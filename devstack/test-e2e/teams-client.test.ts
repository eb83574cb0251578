// End to end: what the agent does in the Teams client (S07) — add a participant, transfer, hang up — reflected by the
// real relay in the TeamsCall__c record.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ALICE, BOB, CALLER, E2E } from './support/stack.ts';

describe('the agent acting in Teams (relay + emulators)', () => {
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

  it('[S07] adding a person in Teams makes a conference: the record lists the participants', async () => {
    const callId = await e2e.connect(ALICE);
    await e2e.sim('POST', `/users/${ALICE.upn}/add-participant`, { callId, target: { phone: '+15555550177' } });
    const record = await e2e.until('the roster with the added person on the record', () => {
      const found = e2e.callRecord(callId);
      const list = found?.Participants__c;
      return typeof list === 'string' && list.includes('+15555550177') ? found : undefined;
    });
    assert.equal(record.State__c, 'Connected');
    assert.match(String(record.Participants__c), new RegExp(CALLER.replace('+', '\\+')));
    await e2e.command(ALICE.upn, callId, 'Hangup');
    await e2e.recordInState(callId, 'Ended');
  });

  it('[S07] transferring in Teams: the call leaves the agent and is recorded as Transferred with the target', async () => {
    const callId = await e2e.connect(ALICE);
    await e2e.sim('POST', `/users/${ALICE.upn}/transfer`, { callId, target: { userId: BOB.id } });
    const record = await e2e.recordInState(callId, 'Transferred');
    assert.equal(record.Outcome__c, 'Transferred');
    assert.equal(record.Target__c, `TeamsUser:${BOB.id}`);
    assert.deepEqual(
      e2e.graphRequests(`/communications/calls/${callId}`).filter((r) => r.method === 'DELETE'),
      [],
      'the relay does not hang up the transferred caller'
    );
  });

  it('[S07] the agent hanging up in Teams ends the call for the caller too: Ended, AgentHungUp', async () => {
    const callId = await e2e.connect(ALICE);
    await e2e.sim('POST', `/users/${ALICE.upn}/hangup`, { callId });
    const record = await e2e.recordInState(callId, 'Ended');
    assert.equal(record.Reason__c, 'AgentHungUp');
    await e2e.until('the caller leg terminated', async () => (await e2e.simCall(callId)).state === 'terminated');
  });
});
