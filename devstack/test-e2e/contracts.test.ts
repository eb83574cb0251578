// End to end: the contracts every part honours (SPEC "Contracts") exercised through the running relay — duplicate and
// malformed webhooks — plus the per-call timeline the handler keeps (B08).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ALICE, E2E } from './support/stack.ts';

interface Delivery {
  url: string;
  body: { value?: { resourceUrl?: string; changeType?: string }[] };
  status: number | null;
}

describe('contracts through the running relay (relay + emulators)', () => {
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

  it('[S01] a redelivered incoming-call notification neither rings the agent again nor adds a record', async () => {
    const callId = await e2e.ringAgent(ALICE);
    const original = (e2e.stack.teams.deliveries as unknown as Delivery[]).find(
      (d) => d.body.value?.[0]?.changeType === 'created' && d.body.value[0].resourceUrl?.endsWith(callId)
    );
    assert.ok(original, 'the simulator delivered the incoming call');
    const again = await e2e.sim<{ status: number }>('POST', '/notifications/raw', {
      url: original.url,
      body: original.body
    });
    assert.ok(again.status < 300, 'a duplicate is acknowledged, not refused');
    await e2e.sim('POST', `/calls/${callId}/caller-hangup`);
    await e2e.recordInState(callId, 'Abandoned');
    assert.equal(e2e.graphRequests(`/calls/${callId}/participants/invite`).length, 1);
    assert.equal(e2e.graphRequests(`/calls/${callId}/answer`).length, 1);
    assert.equal(e2e.stack.salesforce.store.all('TeamsCall__c').filter((r) => r.TeamsCallId__c === callId).length, 1);
  });

  it('[S01] a webhook with a body that is not a notification is refused with 400 and changes nothing', async () => {
    const records = e2e.stack.salesforce.store.all('TeamsCall__c').length;
    const requests = e2e.graphRequests().length;
    const delivery = await e2e.sim<{ status: number }>('POST', '/notifications/raw', { body: { value: 'nope' } });
    assert.equal(delivery.status, 400);
    assert.equal(e2e.stack.salesforce.store.all('TeamsCall__c').length, records);
    // Presence upkeep may run meanwhile; what must not happen is any call control.
    assert.deepEqual(
      e2e
        .graphRequests()
        .slice(requests)
        .filter((r) => r.path.startsWith('/communications/calls')),
      []
    );
  });

  it('[B08][S17] every event the relay sent for a call is on its timeline, in sequence, applied, then the link', async () => {
    const callId = await e2e.connect(ALICE);
    await e2e.command(ALICE.upn, callId, 'Hold');
    await e2e.recordInState(callId, 'OnHold');
    await e2e.command(ALICE.upn, callId, 'Hangup');
    const record = await e2e.recordInState(callId, 'Ended');
    const timeline = e2e.stack.salesforce.store
      .all('TeamsCallTimelineEntry__c')
      .filter((t) => t.Call__c === record.Id)
      .sort((a, b) => Number(a.Sequence__c) - Number(b.Sequence__c));
    assert.deepEqual(
      timeline.map((t) => [t.Sequence__c, t.State__c, t.IsApplied__c]),
      [
        [1, 'Ringing', true],
        [2, 'Connected', true],
        [3, 'OnHold', true],
        [4, 'Ended', true],
        // TeamsCallLinkService's decision on the ended call, under the call's last sequence.
        [4, 'RecordLink', true]
      ]
    );
    assert.equal(record.LastSequence__c, 4);
  });

  it('[S17][S11] an ended call is linked server-side to the single contact whose number matches; its Task too', async () => {
    const ada = e2e.stack.salesforce.seeded!.contacts.find((c) => c.name === 'Ada Caller')!;
    const callId = await e2e.ringAgent(ALICE, ada.phone);
    await e2e.sim('POST', `/calls/${callId}/caller-hangup`);
    const record = await e2e.recordInState(callId, 'Abandoned');
    await e2e.until('the call linked to Ada', () => e2e.callRecord(callId)?.Contact__c === ada.id);
    const linked = e2e.callRecord(callId)!;
    assert.equal(linked.Account__c, e2e.stack.salesforce.store.getById(ada.id)!.rec.AccountId);
    const decision = e2e.stack.salesforce.store
      .all('TeamsCallTimelineEntry__c')
      .filter((t) => t.Call__c === record.Id && t.State__c === 'RecordLink');
    assert.deepEqual(
      decision.map((t) => [t.Reason__c, t.Target__c]),
      [['SingleMatch', ada.id]]
    );
    for (const task of e2e.tasksFor(record)) assert.equal(task.WhoId, ada.id);
  });

  it('[S17][S11] a caller matching several contacts exactly is left unlinked, and the timeline says why', async () => {
    const callId = await e2e.ringAgent(ALICE, '+15555550125');
    await e2e.sim('POST', `/calls/${callId}/caller-hangup`);
    const record = await e2e.recordInState(callId, 'Abandoned');
    await e2e.until('the link decision on the timeline', () =>
      e2e.stack.salesforce.store
        .all('TeamsCallTimelineEntry__c')
        .some((t) => t.Call__c === record.Id && t.State__c === 'RecordLink')
    );
    const decision = e2e.stack.salesforce.store
      .all('TeamsCallTimelineEntry__c')
      .filter((t) => t.Call__c === record.Id && t.State__c === 'RecordLink');
    assert.deepEqual(
      decision.map((t) => [t.Reason__c, t.Target__c]),
      [['SeveralMatches', '2 exact matches']]
    );
    const unlinked = e2e.callRecord(callId)!;
    assert.deepEqual(
      [unlinked.Contact__c ?? null, unlinked.Lead__c ?? null, unlinked.Account__c ?? null],
      [null, null, null]
    );
  });
});
