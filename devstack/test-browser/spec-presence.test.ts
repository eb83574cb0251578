// Spec walks of presence, routing and the call history, as the agent sees them against the real local stack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  acceptInTeams,
  clickSoftphone,
  dialFromCallerPanel,
  hangUpEverything,
  KNOWN_CALLER,
  minimizeUtility,
  openConsole,
  resetPresence,
  ringAgent,
  saveScreenshot,
  setTeamsPresence,
  startLiveStack,
  waitForRelayPresence,
  WAIT_MS,
  type LiveStack
} from './live-stack.ts';

let live: LiveStack;
before(async () => {
  live = await startLiveStack();
});
after(async () => {
  await live?.stop();
});

test("[S10] the softphone shows the agent's Teams presence, updated live", async (t) => {
  const bob = live.user('Bob');
  const agent = await openConsole(t, live, bob);
  if (!agent) return;
  t.after(() => resetPresence(live, bob.teamsUserId!));
  const label = agent.softphone.locator('[data-id="presence"] .presence-label');

  await setTeamsPresence(agent, 'DoNotDisturb');
  await agent.page.waitForFunction((el) => /do not disturb/i.test(el?.textContent ?? ''), await label.elementHandle(), {
    timeout: WAIT_MS
  });
  await saveScreenshot(agent.page, 'S10-presence-live');

  await setTeamsPresence(agent, 'Available');
  await agent.page.waitForFunction((el) => /available/i.test(el?.textContent ?? ''), await label.elementHandle(), {
    timeout: WAIT_MS
  });
  assert.match((await label.innerText()).trim(), /available/i);
});

test('[S08] in Do Not Disturb Teams does not ring; the softphone shows a non-ringing notice of where the call went', async (t) => {
  const alice = live.user('Alice');
  const agent = await openConsole(t, live, alice);
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  t.after(() => resetPresence(live, alice.teamsUserId!));
  await setTeamsPresence(agent, 'DoNotDisturb');
  await waitForRelayPresence(live, alice.teamsUserId!, 'DoNotDisturb');

  await dialFromCallerPanel(agent.page, KNOWN_CALLER.number, alice.phoneNumber!);
  const notice = agent.softphone.locator('.notices .notice').first();
  await notice.waitFor({ timeout: WAIT_MS });
  await saveScreenshot(agent.page, 'S08-dnd-notice');
  // Alice's seeded Do Not Disturb rule sends the call to Bob's Teams.
  assert.match(
    (await notice.locator('.notice-message').innerText()).trim(),
    /^Missed — your status was Do not disturb; sent to .+/
  );
  assert.equal(await agent.softphone.locator('.answer-in-teams').count(), 0);
  assert.equal(await agent.teamsPanel.getByText('Incoming call from').count(), 0);
});

test('[S14] rejecting from the softphone ends the ring and sets the agent to Do Not Disturb', async (t) => {
  // Carol is the seeded agent without the "return to previous presence" option.
  const carol = live.user('Carol');
  const agent = await openConsole(t, live, carol);
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  t.after(() => live.sim('POST', `/users/${carol.teamsUserId!}/presence`, { availability: 'Available' }));
  const card = await ringAgent(live, agent);

  await clickSoftphone(card, 'reject');
  await agent.softphone.locator('section[data-call-id]').waitFor({ state: 'detached', timeout: WAIT_MS });
  // Carol's Declined rule is her own Teams client settings: Teams, not the softphone, handles the call from here.
  // The Simulated Teams panel shows the presence the relay set in Teams.
  await agent.page
    .waitForFunction(
      () => (document.getElementById('presence') as HTMLSelectElement | null)?.value === 'DoNotDisturb',
      undefined,
      { timeout: WAIT_MS }
    )
    .catch(async (error: unknown) => {
      const writes = (await live.sim<{ method: string; path: string; status: number }[]>('GET', '/requests'))
        .filter((r) => r.method === 'POST' && r.path.includes('/presence/'))
        .map((r) => `${r.path} → ${r.status}`);
      throw new Error(
        `Teams presence is not Do Not Disturb; the relay's presence writes: ${writes.join('; ') || 'none'}`,
        {
          cause: error
        }
      );
    });
  await saveScreenshot(agent.page, 'S14-rejected-dnd');
});

test('[S15] with "return to previous presence", rejecting leaves the agent Available', async (t) => {
  const alice = live.user('Alice');
  const agent = await openConsole(t, live, alice);
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  const card = await ringAgent(live, agent);

  await clickSoftphone(card, 'reject');
  await agent.softphone.locator('section[data-call-id]').waitFor({ state: 'detached', timeout: WAIT_MS });
  await agent.teamsPanel.getByText('Incoming call from').waitFor({ state: 'detached', timeout: WAIT_MS });
  await agent.teamsPanel
    .page()
    .locator('#teams-status', { hasText: 'No calls in Teams.' })
    .waitFor({ timeout: WAIT_MS });
  await saveScreenshot(agent.page, 'S15-rejected-stays-available');
  const writes = (await live.sim<{ method: string; path: string }[]>('GET', '/requests')).filter(
    (r) => r.method === 'POST' && r.path.includes(`/users/${alice.teamsUserId!}/presence/`)
  );
  assert.deepEqual(writes, []);
  assert.equal(await agent.page.locator('#presence').inputValue(), 'Available');
});

test("[S11] the call history lists the agent's calls with their outcomes", async (t) => {
  const alice = live.user('Alice');
  const agent = await openConsole(t, live, alice);
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  await ringAgent(live, agent);
  const card = await acceptInTeams(agent);
  await clickSoftphone(card, 'hang-up');
  await agent.softphone.locator('lightning-button.wrap-up-skip button').click();
  await ringAgent(live, agent);
  await agent.callerPanel.getByRole('button', { name: 'Hang up' }).click();
  await agent.softphone.locator('.notices .notice').first().waitFor({ timeout: WAIT_MS });

  await minimizeUtility(agent);
  await agent.page.locator('.console-tab', { hasText: 'Call history' }).click();
  const history = agent.page.locator('c-teams-call-history');
  await history.locator('lightning-button-icon[data-id="refresh"] button').click();
  const outcomes = history.locator('td[data-cell="outcome"]');
  await outcomes.nth(1).waitFor({ timeout: WAIT_MS });
  await saveScreenshot(agent.page, 'S11-call-history');
  await saveScreenshot(agent.page, 'S11-call-history');
  // Newest first: this test's two calls head the list.
  const texts = (await outcomes.allInnerTexts()).map((x) => x.trim()).slice(0, 2);
  assert.deepEqual(texts, ['Abandoned', 'Answered']);
  const reasons = (await history.locator('td[data-cell="reason"]').allInnerTexts()).map((x) => x.trim()).slice(0, 2);
  assert.deepEqual(reasons, ['Caller hung up', 'Agent hung up']);
});
