// Spec walks of an inbound call, as the agent sees it in the console preview against the real local stack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  acceptInTeams,
  clickSoftphone,
  hangUpEverything,
  KNOWN_CALLER,
  minimizeUtility,
  openConsole,
  ringAgent,
  saveScreenshot,
  startLiveStack,
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

test('[S01][S02] while Teams rings, the softphone shows the caller and the matched contact, and no Answer button', async (t) => {
  const alice = live.user('Alice');
  const agent = await openConsole(t, live, alice);
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  const { page, softphone } = agent;

  const card = await ringAgent(live, agent);
  await card.locator('lightning-button.match').waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S01-softphone-ringing');

  assert.equal((await card.locator('.caller-number').innerText()).trim(), KNOWN_CALLER.display);
  assert.equal((await card.locator('lightning-button.match').innerText()).trim(), KNOWN_CALLER.contact);
  assert.equal((await card.locator('.answer-in-teams').innerText()).trim(), 'Answer in Microsoft Teams');
  assert.equal(await softphone.getByRole('button', { name: /answer/i }).count(), 0);
});

test('[S03] accepted in Teams, the softphone shows the active call with a running duration', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  await ringAgent(live, agent);
  const card = await acceptInTeams(agent);

  await card.locator('.call-heading', { hasText: /active call/i }).waitFor({ timeout: WAIT_MS });
  const first = (await card.locator('.duration-value').innerText()).trim();
  assert.match(first, /^\d+:\d{2}$/);
  await agent.page.waitForFunction(
    ([el, before]) => (el as HTMLElement).innerText.trim() !== before,
    [await card.locator('.duration-value').elementHandle(), first] as const,
    { timeout: WAIT_MS }
  );
  await saveScreenshot(agent.page, 'S03-softphone-active');
  assert.equal(await card.locator('.answer-in-teams').count(), 0);
  assert.equal(await card.locator('lightning-button.hang-up').count(), 1);
});

test('[S05] Hold puts the caller on hold and shows it; Resume brings the call back', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  await ringAgent(live, agent);
  const card = await acceptInTeams(agent);

  await clickSoftphone(card, 'hold');
  await card.locator('.on-hold-banner').waitFor({ timeout: WAIT_MS });
  await saveScreenshot(agent.page, 'S05-softphone-on-hold');
  assert.equal((await card.locator('.on-hold-banner').innerText()).trim(), 'On hold — the caller hears hold music');
  assert.equal(await card.locator('lightning-button.hold').count(), 0);

  await clickSoftphone(card, 'resume');
  await card.locator('.on-hold-banner').waitFor({ state: 'detached', timeout: WAIT_MS });
  await card.locator('lightning-button.hold').waitFor({ timeout: WAIT_MS });
  assert.equal(await card.locator('lightning-button.resume').count(), 0);
});

test('[S06] Hang up ends the call in Teams and opens the wrap-up', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  await ringAgent(live, agent);
  const card = await acceptInTeams(agent);

  await clickSoftphone(card, 'hang-up');
  const wrapUp = agent.softphone.locator('section.wrap-up');
  await wrapUp.waitFor({ timeout: WAIT_MS });
  await agent.softphone.locator('section[data-call-id]').waitFor({ state: 'detached', timeout: WAIT_MS });
  await saveScreenshot(agent.page, 'S06-softphone-wrap-up');
  assert.equal(
    (await wrapUp.locator('.wrap-up-heading').innerText()).trim(),
    `Wrap up the call with ${KNOWN_CALLER.display}`
  );
  await agent.teamsPanel.getByText('In a call with').waitFor({ state: 'detached', timeout: WAIT_MS });
});

test('[B04] the saved wrap-up is on the call: the history lists it and the call record holds the notes', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  await ringAgent(live, agent);
  const card = await acceptInTeams(agent);
  await clickSoftphone(card, 'hang-up');
  const wrapUp = agent.softphone.locator('section.wrap-up');
  await wrapUp.waitFor({ timeout: WAIT_MS });

  const notes = `Asked about invoice ${Date.now()}`;
  await wrapUp.locator('.wrap-up-notes textarea').fill(notes);
  await wrapUp.locator('lightning-button.wrap-up-save button').click();
  await wrapUp.waitFor({ state: 'detached', timeout: WAIT_MS });

  const calls = live.stack.salesforce.store.query(`SELECT Id FROM TeamsCall__c WHERE Notes__c = '${notes}'`).records;
  assert.equal(calls.length, 1, 'exactly one call record carries the wrap-up notes');
  await minimizeUtility(agent);
  await agent.page.locator('.console-tab', { hasText: 'Call history' }).click();
  // The history tab loaded with the console, before this call; a person clicks Refresh.
  await agent.page.locator('c-teams-call-history lightning-button-icon[data-id="refresh"] button').click();
  const row = agent.page.locator(`c-teams-call-history tr[data-row="${String(calls[0]!['Id'])}"]`);
  await row.waitFor({ timeout: WAIT_MS });
  await saveScreenshot(agent.page, 'B04-wrap-up-in-history');
  assert.equal((await row.locator('[data-cell="record"]').innerText()).trim(), KNOWN_CALLER.contact);
});

test('[S12] the caller hangs up while Teams rings: the softphone shows "Caller hung up"', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  await ringAgent(live, agent);

  await agent.callerPanel.getByRole('button', { name: 'Hang up' }).click();
  const notice = agent.softphone.locator('.notices .notice').first();
  await notice.waitFor({ timeout: WAIT_MS });
  await saveScreenshot(agent.page, 'S12-softphone-missed');
  assert.equal((await notice.locator('.notice-message').innerText()).trim(), 'Caller hung up');
  assert.equal(await agent.softphone.locator('section[data-call-id]').count(), 0);
  assert.match((await agent.softphone.locator('.missed-badge').innerText()).trim(), /^\d+ missed$/);
});

test('[B03] a live ring with one matching contact pops the contact into a console tab', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  await ringAgent(live, agent);

  const tab = agent.page.locator('.console-tab', { hasText: KNOWN_CALLER.contact });
  await tab.waitFor({ timeout: WAIT_MS });
  await agent.page.locator('.record-page', { hasText: KNOWN_CALLER.number }).waitFor({ timeout: WAIT_MS });
  await saveScreenshot(agent.page, 'B03-screen-pop');
  assert.equal(await tab.count(), 1);
});

test('[B02] reloading the console mid-call restores the active call', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  await ringAgent(live, agent);
  await acceptInTeams(agent);

  await agent.page.reload();
  const card = agent.callCard();
  await card.locator('.duration-value').waitFor({ timeout: WAIT_MS });
  await saveScreenshot(agent.page, 'B02-restored-after-reload');
  assert.equal((await card.locator('.caller-number').innerText()).trim(), KNOWN_CALLER.display);
  assert.equal(await card.locator('lightning-button.hang-up').count(), 1);
  assert.equal(await agent.page.locator('.console-tab', { hasText: KNOWN_CALLER.contact }).count(), 0);
});
