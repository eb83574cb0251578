// End to end: the agent's redirect rules applied by the real relay — declined, unanswered and presence-suppressed
// calls — and a forged webhook that must change nothing.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ALICE, CAROL, E2E } from './support/stack.ts';

interface RedirectSettings {
  noAnswerSeconds: number | null;
  [key: string]: unknown;
}

describe('routing by rule (relay + emulators)', () => {
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

  it("[S14][S13] declining in Teams routes by the Declined rule (the agent's Teams settings) and sets Do Not Disturb", async () => {
    const callId = await e2e.ringAgent(CAROL);
    await e2e.sim('POST', `/users/${CAROL.upn}/decline`, { callId });
    const record = await e2e.recordInState(callId, 'Rejected', 'Redirected');
    assert.equal(record.Reason__c, 'Declined');
    // The invite stops ringing; what rings now is the transfer to her own client, which applies her Teams settings.
    assert.deepEqual(
      (await e2e.user(CAROL.upn)).ringing.filter((r) => (r as { kind?: string }).kind === 'invite'),
      []
    );
    await e2e.until('Carol set to Do Not Disturb by the relay', () =>
      e2e
        .graphRequests(`/users/${CAROL.id}/presence/`)
        .some((r) => r.status < 300 && JSON.stringify(r.body ?? {}).includes('DoNotDisturb'))
    );
    assert.match(await e2e.handedOn(callId), new RegExp(CAROL.id), "to Carol's own Teams settings");
  });

  it("[S04][S13] no answer within the agent's no-answer time: ringing stops, the NoAnswer rule routes it, Missed", async () => {
    const alice = e2e.seededUserId(ALICE.upn);
    const settings = await e2e.apex<RedirectSettings>(alice, 'TeamsRedirectRuleController', 'getSettings', {
      agentUserId: null
    });
    const mark = e2e.queries.length;
    const saved = await e2e.apex<{ isSuccess: boolean; errors: unknown[] }>(
      alice,
      'TeamsRedirectRuleController',
      'saveSettings',
      { settingsJson: JSON.stringify({ ...settings, noAnswerSeconds: 5 }) }
    );
    assert.deepEqual(saved.errors, []);
    assert.equal(saved.isSuccess, true);
    // The save published ReloadConfig; the relay re-reads the agents, and calls from then on use the new time.
    await e2e.configReloadedSince(mark);
    const callId = await e2e.ringAgent(ALICE);
    const record = await e2e.recordInState(callId, 'Missed', 'Redirected');
    assert.equal(record.Reason__c, 'NoAnswer');
    assert.equal(record.IsMissed__c, true);
    assert.ok(record.Target__c, 'where the call went is recorded');
    assert.deepEqual((await e2e.user(ALICE.upn)).ringing, []);
    assert.match(await e2e.handedOn(callId), /\+15555550190/, 'to the shared voicemail number');
  });

  it('[S13] a webhook signed with a key the relay does not trust is refused and changes nothing', async () => {
    const before = e2e.stack.salesforce.store.all('TeamsCall__c').length;
    const requestsBefore = e2e.graphRequests().length;
    const forgedCallId = '11111111-2222-4333-8444-555555555555';
    const delivery = await e2e.sim<{ status: number | null }>('POST', '/notifications/raw', {
      forged: true,
      body: {
        '@odata.type': '#microsoft.graph.commsNotifications',
        value: [
          {
            '@odata.type': '#microsoft.graph.commsNotification',
            changeType: 'created',
            resourceUrl: `/communications/calls/${forgedCallId}`,
            resource: `/app/calls/${forgedCallId}`,
            resourceData: {
              '@odata.type': '#microsoft.graph.call',
              state: 'incoming',
              direction: 'incoming',
              source: { identity: { phone: { id: '+15555550666' } } },
              targets: [{ identity: { phone: { id: ALICE.line } } }],
              tenantId: e2e.stack.teams.tenantId,
              id: forgedCallId
            }
          }
        ]
      }
    });
    assert.equal(delivery.status, 401);
    // A trusted call afterwards is processed, so anything the forged one had caused would be visible by now.
    const callId = await e2e.ringAgent(ALICE);
    await e2e.sim('POST', `/calls/${callId}/caller-hangup`);
    await e2e.recordInState(callId, 'Abandoned');
    assert.equal(e2e.stack.salesforce.store.all('TeamsCall__c').length, before + 1);
    assert.equal(e2e.callRecord(forgedCallId), undefined);
    assert.deepEqual(
      e2e
        .graphRequests()
        .slice(requestsBefore)
        .filter((r) => r.path.includes(forgedCallId)),
      []
    );
  });
});
