// End to end: presence that suppresses ringing (S08: Presenting, Out of Office) routed by each agent's rule to the
// remaining target types (S13: call queue, another softphone user whose own rules then apply), and the reject path
// from the softphone with presence afterwards (S14, S15, B05).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ALICE, BOB, CAROL, E2E } from './support/stack.ts';

describe('presence and rules (relay + emulators)', () => {
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

  /** The relay reads presence at start and once a minute; a restart makes it read what was just set. */
  const presenceNow = async (upn: string, availability: string, activity: string): Promise<void> => {
    await e2e.sim('POST', `/users/${upn}/presence`, { availability, activity });
    await e2e.stack.restartRelay();
  };

  it('[S08][S13] Presenting: Teams does not ring and the Presenting rule sends the call to the call queue', async () => {
    await presenceNow(CAROL.upn, 'Busy', 'Presenting');
    const callId = await e2e.placeCall(CAROL.line);
    const record = await e2e.recordInState(callId, 'Missed', 'Suppressed', 'Redirected');
    assert.equal(record.Reason__c, 'Presenting');
    assert.deepEqual(e2e.graphRequests(`/calls/${callId}/participants/invite`), []);
    assert.match(await e2e.handedOn(callId), /\+15555550191/, 'the org call-queue target');
  });

  it('[S08][S13] Out of Office: the rule hands the call to another softphone user, whose own line then rings', async () => {
    await presenceNow(BOB.upn, 'Offline', 'OutOfOffice');
    const callId = await e2e.placeCall(BOB.line);
    const record = await e2e.recordInState(callId, 'Missed', 'Suppressed', 'Redirected');
    assert.equal(record.Reason__c, 'OutOfOffice');
    assert.deepEqual(e2e.graphRequests(`/calls/${callId}/participants/invite`), [], 'Bob is not rung');
    assert.match(await e2e.handedOn(callId), new RegExp(`${CAROL.id}|\\${CAROL.line}`), "to Carol's Teams or line");
    await e2e.until("Carol's Teams ringing", async () => (await e2e.user(CAROL.upn)).ringing.length > 0);
  });

  it('[S14][S15][B05] Reject from the softphone routes by the no-answer rule and returns to the previous presence', async () => {
    const callId = await e2e.ringAgent(ALICE);
    const mark = e2e.graphRequests().length;
    await e2e.command(ALICE.upn, callId, 'Reject');
    const record = await e2e.recordInState(callId, 'Rejected', 'Redirected', 'Missed');
    assert.equal(record.Reason__c, 'Declined');
    await e2e.until('Alice no longer rung by the invite', async () => (await e2e.user(ALICE.upn)).ringing.length === 0);
    assert.match(await e2e.handedOn(callId), /\+15555550190/, 'no Declined rule: the NoAnswer rule (shared voicemail)');
    // Alice's option (S15): back to her previous presence, so the relay sets no Do Not Disturb.
    const dnd = e2e
      .graphRequests()
      .slice(mark)
      .filter(
        (r) => r.path.startsWith(`/users/${ALICE.id}/presence/`) && JSON.stringify(r.body).includes('DoNotDisturb')
      );
    assert.deepEqual(dnd, []);
    assert.equal((await e2e.user(ALICE.upn)).presence.availability, 'Available');
  });

  it('[S14][B05] after a reject the relay sets Do Not Disturb with an expiry, never forever', async () => {
    const callId = await e2e.ringAgent(CAROL);
    await e2e.command(CAROL.upn, callId, 'Reject');
    await e2e.recordInState(callId, 'Rejected', 'Redirected');
    const dnd = await e2e.until('Do Not Disturb set for Carol', () =>
      e2e
        .graphRequests(`/users/${CAROL.id}/presence/`)
        .find((r) => r.status < 300 && JSON.stringify(r.body ?? {}).includes('DoNotDisturb'))
    );
    assert.match(String(dnd.body?.expirationDuration), /^PT\d+M$/);
    assert.equal((await e2e.user(CAROL.upn)).presence.availability, 'DoNotDisturb');
  });
});
