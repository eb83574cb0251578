// End to end (B13): after-call work through the real protocols — the setting read by SOQL, Do Not Disturb set and
// cleared through Graph, a call during it not signalled, and "I'm ready" as a TeamsCallCommand__e over Pub/Sub.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALICE, CAROL, E2E } from './support/stack.ts';

describe('[B13] after-call work (relay + emulators)', () => {
  let e2e: E2E;
  let commands = 0;
  before(async () => {
    e2e = await E2E.start();
  });
  after(async () => {
    await e2e?.stop();
  });

  const line = () => e2e.stack.salesforce.store.all('TeamsPhoneUser__c').find((l) => l.TeamsUserId__c === CAROL.id)!;
  const publish = (action: string, createdBy: string, requestedBy = createdBy) => {
    commands += 1;
    e2e.stack.salesforce.bus.publishJson(
      'TeamsCallCommand__e',
      {
        CommandId__c: `0000b130-0000-4000-8000-${String(commands).padStart(12, '0')}`,
        Action__c: action,
        RequestedBy__c: requestedBy,
        IssuedAt__c: new Date().toISOString()
      },
      createdBy
    );
  };
  async function setSeconds(seconds: number | null): Promise<void> {
    e2e.stack.salesforce.store.update('TeamsPhoneUser__c', line().Id, { AfterCallWorkSeconds__c: seconds });
    const mark = e2e.queries.length;
    publish('ReloadConfig', e2e.seededUserId(CAROL.upn));
    await e2e.configReloadedSince(mark);
  }
  const presenceRequests = (action: string) =>
    e2e.graphRequests(`/users/${CAROL.id}/presence/${action}`).filter((r) => r.status < 300);

  it("[B13] after a talked call Carol is held in Do Not Disturb; a call meanwhile does not ring; I'm ready ends it", async () => {
    await setSeconds(600);
    try {
      const first = await e2e.connect(CAROL);
      const dndBefore = presenceRequests('setUserPreferredPresence').length;
      await e2e.command(CAROL.upn, first, 'Hangup');
      await e2e.recordInState(first, 'Ended');
      await e2e.until('Do Not Disturb set for after-call work', () =>
        presenceRequests('setUserPreferredPresence')
          .slice(dndBefore)
          .some((r) => JSON.stringify(r.body).includes('DoNotDisturb'))
      );

      const during = await e2e.placeCall(CAROL.line);
      const record = await e2e.recordInState(during, 'Missed', 'Suppressed', 'Redirected');
      assert.equal(record.Reason__c, 'DoNotDisturb', '[S08] the Do Not Disturb rules apply');
      assert.deepEqual(e2e.graphRequests(`/calls/${during}/participants/invite`), [], 'Teams does not ring');

      // Someone else's "ready" changes nothing; Carol's own ends the period at once.
      publish('Ready', e2e.seededUserId(ALICE.upn), e2e.seededUserId(CAROL.upn));
      const clearedBefore = presenceRequests('clearUserPreferredPresence').length;
      publish('Ready', e2e.seededUserId(CAROL.upn));
      await e2e.until(
        'Do Not Disturb cleared on Ready',
        () => presenceRequests('clearUserPreferredPresence').length > clearedBefore
      );
      assert.match(e2e.stack.relayLog(), /command Ready refused: published by/);
      // The relay reads presence back from Graph (every 2 s on this stack) before it rings Carol again.
      await e2e.until('Carol shown Available again', () => line().Presence__c === 'Available', 20_000);

      const after = await e2e.ringAgent(CAROL);
      assert.ok(after, 'a call after Ready rings Carol again');
      await e2e.sim('POST', `/calls/${after}/caller-hangup`);
    } finally {
      await setSeconds(null);
    }
  });
});
