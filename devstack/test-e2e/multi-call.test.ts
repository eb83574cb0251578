// End to end: two calls for one agent — call waiting (S09), answering the second (S16) — and the presence the relay
// holds while any call is connected (B05), through the real relay and the emulators.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ALICE, BOB, E2E, OTHER_CALLER } from './support/stack.ts';

describe('two calls for one agent (relay + emulators)', () => {
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

  const presenceRequests = (teamsUserId: string, since: number, verb: string) =>
    e2e
      .graphRequests()
      .slice(since)
      .filter((r) => r.path === `/users/${teamsUserId}/presence/${verb}` && r.status < 300);

  it('[S09] a second call while the agent is on a call rings Teams as call waiting, related to the first', async () => {
    const first = await e2e.connect(ALICE);
    const second = await e2e.placeCall(ALICE.line, OTHER_CALLER);
    await e2e.ringing(ALICE.upn, second);
    const record = await e2e.recordInState(second, 'Ringing');
    assert.equal(record.RelatedCallId__c, first);
    assert.equal(record.CallerNumber__c, OTHER_CALLER);
    assert.equal(e2e.callRecord(first)?.State__c, 'Connected');
    await e2e.sim('POST', `/calls/${second}/caller-hangup`);
    await e2e.recordInState(second, 'Abandoned');
    await e2e.command(ALICE.upn, first, 'Hangup');
    await e2e.recordInState(first, 'Ended');
  });

  it("[S09][S13] a second call while on a call follows the agent's In a call rule (to a phone number) instead", async () => {
    const first = await e2e.connect(BOB);
    const second = await e2e.placeCall(BOB.line, OTHER_CALLER);
    const record = await e2e.recordInState(second, 'Missed', 'Redirected', 'Suppressed');
    assert.equal(record.Reason__c, 'InACall');
    assert.deepEqual(e2e.graphRequests(`/calls/${second}/participants/invite`), [], 'Bob is not rung');
    assert.match(await e2e.handedOn(second), /\+15555550199/);
    assert.equal(e2e.callRecord(first)?.State__c, 'Connected');
    await e2e.command(BOB.upn, first, 'Hangup');
    await e2e.recordInState(first, 'Ended');
  });

  it('[S16][B05] answering a second call holds the first; presence stays In a call until the last call ends', async () => {
    const first = await e2e.connect(ALICE);
    const second = await e2e.ringAgent(ALICE, OTHER_CALLER);
    await e2e.sim('POST', `/users/${ALICE.upn}/accept`, { callId: second });
    await e2e.recordInState(second, 'Connected');
    await e2e.recordInState(first, 'OnHold');
    assert.equal(
      e2e.graphRequests(`/calls/${first}/participants/`).filter((r) => r.path.endsWith('/startHoldMusic')).length,
      1,
      'the first caller hears hold music'
    );

    const mark = e2e.graphRequests().length;
    await e2e.sim('POST', `/calls/${first}/caller-hangup`);
    await e2e.recordInState(first, 'Ended');
    assert.equal(e2e.callRecord(second)?.State__c, 'Connected', 'the second call is the active one');
    assert.deepEqual(presenceRequests(ALICE.id, mark, 'clearPresence'), [], 'In a call is not released yet');

    await e2e.command(ALICE.upn, second, 'Hangup');
    await e2e.recordInState(second, 'Ended');
    await e2e.until('the In a call presence released after the last call', () =>
      presenceRequests(ALICE.id, mark, 'clearPresence').length > 0 ? true : undefined
    );
  });
});
