// End to end, through the real protocols: the relay process against the Teams simulator and the Salesforce emulator.
// One inbound call's life: ring → answer → hold/resume → hang up, and the caller giving up while it rings.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ALICE, CALLER, E2E } from './support/stack.ts';

describe('call lifecycle (relay + emulators)', () => {
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

  it("[S01] an incoming call rings the agent's Teams and a Ringing TeamsCall__c with the caller's number exists", async () => {
    const callId = await e2e.placeCall(ALICE.line);
    await e2e.ringing(ALICE.upn, callId);
    const record = await e2e.recordInState(callId, 'Ringing');
    assert.equal(record.CallerNumber__c, CALLER);
    assert.equal(record.DialledNumber__c, ALICE.line);
    assert.equal(record.Direction__c, 'Inbound');
    assert.equal(record.AgentTeamsId__c, ALICE.id);
    assert.equal(record.OwnerId, e2e.seededUserId(ALICE.upn));
    const invite = await e2e.sentToGraph(`/calls/${callId}/participants/invite`);
    assert.equal(invite.length, 1);
    assert.equal(invite[0]!.status, 200);
    assert.match(JSON.stringify(invite[0]!.body), new RegExp(ALICE.id));
  });

  it('[S03] the agent accepting in Teams makes the record Connected with AnsweredAt, and presence In a call', async () => {
    const callId = await e2e.ringAgent(ALICE);
    await e2e.sim('POST', `/users/${ALICE.upn}/accept`, { callId });
    const record = await e2e.recordInState(callId, 'Connected');
    assert.ok(record.AnsweredAt__c, 'AnsweredAt__c is set');
    assert.ok(Date.parse(record.AnsweredAt__c as string) >= Date.parse(record.StartedAt__c as string));
    assert.deepEqual((await e2e.user(ALICE.upn)).ringing, []);
    await e2e.until('setPresence InACall for Alice', () =>
      e2e
        .graphRequests(`/users/${ALICE.id}/presence/setPresence`)
        .some((r) => r.status === 200 && JSON.stringify(r.body).includes('InACall'))
    );
    await e2e.sim('POST', `/users/${ALICE.upn}/hangup`, { callId });
    await e2e.recordInState(callId, 'Ended');
  });

  it('[S05] Hold from Salesforce starts hold music for the caller and the record goes OnHold; Resume stops it', async () => {
    const callId = await e2e.connect(ALICE);
    await e2e.command(ALICE.upn, callId, 'Hold');
    await e2e.recordInState(callId, 'OnHold');
    const start = e2e.graphRequests(`/calls/${callId}/participants/`).filter((r) => r.path.endsWith('/startHoldMusic'));
    assert.equal(start.length, 1);
    assert.ok(start[0]!.status < 300, 'startHoldMusic accepted');
    const caller = (await e2e.simCall(callId)).participants.find((p) => p.key === CALLER);
    assert.ok(caller, 'the caller is a participant');
    assert.equal(start[0]!.path, `/communications/calls/${callId}/participants/${caller.id}/startHoldMusic`);

    await e2e.command(ALICE.upn, callId, 'Resume');
    await e2e.recordInState(callId, 'Connected');
    const stop = e2e.graphRequests(`/calls/${callId}/participants/`).filter((r) => r.path.endsWith('/stopHoldMusic'));
    assert.equal(stop.length, 1);
    assert.ok(stop[0]!.status < 300, 'stopHoldMusic accepted');
    assert.equal(stop[0]!.path, start[0]!.path.replace('startHoldMusic', 'stopHoldMusic'));
    await e2e.command(ALICE.upn, callId, 'Hangup');
    await e2e.recordInState(callId, 'Ended');
  });

  it('[S06] Hangup from Salesforce ends the Graph call; the record is Ended with its talk time', async () => {
    const callId = await e2e.connect(ALICE);
    await e2e.command(ALICE.upn, callId, 'Hangup');
    const record = await e2e.recordInState(callId, 'Ended');
    assert.equal(record.Outcome__c, 'Answered');
    assert.equal(record.Reason__c, 'AgentHungUp');
    assert.ok(record.EndedAt__c, 'EndedAt__c is set');
    assert.equal(typeof record.TalkSeconds__c, 'number');
    assert.ok((record.TalkSeconds__c as number) >= 0);
    const deletes = e2e.graphRequests(`/communications/calls/${callId}`).filter((r) => r.method === 'DELETE');
    assert.equal(deletes.length, 1);
    await e2e.until('the simulated call terminated', async () => (await e2e.simCall(callId)).state === 'terminated');
  });

  it('[S12][S17] the caller hanging up while it rings: Abandoned, Teams stops ringing, a missed-call Task', async () => {
    const callId = await e2e.ringAgent(ALICE);
    await e2e.sim('POST', `/calls/${callId}/caller-hangup`);
    const record = await e2e.recordInState(callId, 'Abandoned');
    assert.equal(record.IsMissed__c, true);
    assert.equal(record.Reason__c, 'CallerHungUp');
    await e2e.until('Alice no longer ringing', async () => (await e2e.user(ALICE.upn)).ringing.length === 0);
    const tasks = await e2e.until('a Task for the abandoned call', () => {
      const found = e2e.tasksFor(e2e.callRecord(callId)!);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]!.OwnerId, e2e.seededUserId(ALICE.upn));
  });

  it('[S17] with missed-call logging off, an abandoned call is recorded but no Task is created', async () => {
    const store = e2e.stack.salesforce.store;
    const setting = store.all('TeamsPhoneSetting__mdt').find((r) => r.DeveloperName === 'Default')!;
    store.update('TeamsPhoneSetting__mdt', setting.Id, { LogMissedCalls__c: false });
    try {
      const callId = await e2e.ringAgent(ALICE);
      await e2e.sim('POST', `/calls/${callId}/caller-hangup`);
      const record = await e2e.recordInState(callId, 'Abandoned');
      assert.equal(record.IsMissed__c, true);
      assert.equal(record.TaskId__c, null);
      assert.deepEqual(e2e.tasksFor(record), []);
    } finally {
      store.update('TeamsPhoneSetting__mdt', setting.Id, { LogMissedCalls__c: true });
    }
  });
});
