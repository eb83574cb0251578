// B13 in the console preview against the real local stack: a talked call ends, the relay holds Do Not Disturb for
// the agent's after-call work and the softphone counts it down; Extend adds the period, "I'm ready" ends it and the
// agent's presence comes back.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { contrastViolations } from './harness.ts';
import {
  acceptInTeams,
  clickSoftphone,
  hangUpEverything,
  openConsole,
  PRESENCE_WAIT_MS,
  resetPresence,
  ringAgent,
  saveScreenshot,
  startLiveStack,
  WAIT_MS,
  type LiveStack
} from './live-stack.ts';

let live: LiveStack;
/** Every SOQL query the relay ran, to know when it has read its configuration again. */
const queries: string[] = [];
before(async () => {
  live = await startLiveStack();
  const store = live.stack.salesforce.store;
  const query = store.query.bind(store);
  store.query = (soql: string) => {
    queries.push(soql);
    return query(soql);
  };
});
after(async () => {
  await live?.stop();
});

/** Sets the agent's own after-call work (null = the org's) and waits until the relay has read it. */
async function setAfterCallWork(userId: string, seconds: number | null): Promise<void> {
  const store = live.stack.salesforce.store;
  const line = store.all('TeamsPhoneUser__c').find((l) => l.User__c === userId)!;
  store.update('TeamsPhoneUser__c', line.Id, { AfterCallWorkSeconds__c: seconds });
  const mark = queries.length;
  live.stack.salesforce.bus.publishJson(
    'TeamsCallCommand__e',
    {
      CommandId__c: randomUUID(),
      Action__c: 'ReloadConfig',
      RequestedBy__c: userId,
      IssuedAt__c: new Date().toISOString()
    },
    userId
  );
  const deadline = Date.now() + WAIT_MS;
  while (!queries.slice(mark).some((q) => /\bFROM\s+TeamsPhoneUser__c\b/i.test(q))) {
    if (Date.now() > deadline) throw new Error('the relay did not reload its configuration');
    await new Promise((resolvePoll) => setTimeout(resolvePoll, 100));
  }
}

/** The countdown's seconds left, from "After-call work — m:ss". */
function secondsLeft(text: string): number {
  const match = /^After-call work — (\d+):(\d\d)$/.exec(text.trim());
  assert.ok(match, `countdown text: ${text}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

test("[B13] a call ends → after-call work countdown → Extend → I'm ready → presence back", async (t) => {
  const carol = live.user('Carol');
  await setAfterCallWork(carol.userId, 60);
  t.after(async () => {
    await hangUpEverything(live);
    await setAfterCallWork(carol.userId, null);
    await resetPresence(live, carol.teamsUserId!);
  });
  const agent = await openConsole(t, live, carol);
  if (!agent) return;
  const { page, softphone } = agent;

  await ringAgent(live, agent);
  const card = await acceptInTeams(agent);
  await clickSoftphone(card, 'hang-up');

  const work = softphone.locator('.after-call-work');
  const countdown = work.locator('.after-call-work-countdown');
  await countdown.waitFor({ timeout: WAIT_MS });
  const started = secondsLeft(await countdown.innerText());
  assert.ok(started > 0 && started <= 60, `counts down from the agent's 60 s (${started})`);
  // The relay holds Do Not Disturb meanwhile: Teams shows it and the softphone's presence follows.
  await softphone
    .locator('.presence-label', { hasText: 'Do not disturb' })
    .waitFor({ timeout: PRESENCE_WAIT_MS + WAIT_MS });
  await saveScreenshot(page, 'B13-softphone-after-call-work');
  assert.deepEqual(await contrastViolations(page, 'c-teams-softphone'), [], 'after-call work: WCAG AA contrast');

  const before = secondsLeft(await countdown.innerText());
  await work.locator('lightning-button.after-call-work-extend button').click();
  // Extend adds the period again from its end: more than a minute is left now.
  const deadline = Date.now() + WAIT_MS;
  while (secondsLeft(await countdown.innerText()) <= before + 30) {
    if (Date.now() > deadline) throw new Error('Extend did not add the period');
    await new Promise((resolvePoll) => setTimeout(resolvePoll, 100));
  }
  assert.doesNotMatch(live.stack.relayLog(), /command Extend refused/);

  await work.locator('lightning-button.after-call-work-ready button').click();
  await work.waitFor({ state: 'detached', timeout: WAIT_MS });
  // The relay cleared Do Not Disturb: the agent is shown Available again.
  await softphone
    .locator('.presence-label', { hasText: /^Available$/ })
    .waitFor({ timeout: PRESENCE_WAIT_MS + WAIT_MS });
  assert.doesNotMatch(live.stack.relayLog(), /command Ready refused/);
});
