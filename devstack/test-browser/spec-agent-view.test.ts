// Spec walks of what an agent sees beyond the call flow itself (issue #17): contrast and wording of every softphone
// state, attention for missed calls, continuity across a reload, the waiting call's screen pop, the call history
// following the calls, the call record page and the redirect settings — against the real local stack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { readLabels, readTranslations } from '../preview/build.ts';
import { contrastViolations } from './harness.ts';
import {
  acceptInTeams,
  clickSoftphone,
  dialFromCallerPanel,
  hangUpEverything,
  KNOWN_CALLER,
  minimizeUtility,
  openConsole,
  openSimCall,
  resetPresence,
  ringAgent,
  saveScreenshot,
  startLiveStack,
  waitForRelayPresence,
  WAIT_MS,
  type LiveStack
} from './live-stack.ts';

/** The second seeded contact with a number of her own. */
const SECOND_CALLER = { number: '+15555550124', display: '+1 (555) 555-0124', contact: 'Grace Caller' };
const SOFTPHONE = 'c-teams-softphone';

let live: LiveStack;
before(async () => {
  live = await startLiveStack();
});
after(async () => {
  await live?.stop();
});

async function assertContrast(page: Page, selector: string, state: string): Promise<void> {
  const violations = await contrastViolations(page, selector);
  assert.deepEqual(violations, [], `${state}: text below WCAG AA contrast`);
}

/** [r, g, b] of a computed CSS colour. */
async function rgb(locator: Locator, property: string): Promise<number[]> {
  const value = await locator.evaluate((node, name) => getComputedStyle(node).getPropertyValue(name), property);
  return (value.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
}

test('[S01][S03][S05][S06][S12] every softphone state passes the WCAG AA contrast check and reads clearly', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  const { page, softphone } = agent;

  const ringing = await ringAgent(live, agent);
  await ringing.locator('lightning-button.match').waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S01-softphone-ringing');
  await assertContrast(page, SOFTPHONE, 'ringing');
  const [r, g, b] = await rgb(ringing, 'border-left-color');
  assert.ok(
    b! > r! && b! > g!,
    `the ringing card is marked in the (blue) accent colour, not brown: rgb(${r}, ${g}, ${b})`
  );

  const active = await acceptInTeams(agent);
  await active.locator('.call-heading', { hasText: /active call/i }).waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S03-softphone-active');
  await assertContrast(page, SOFTPHONE, 'active call');
  assert.equal((await active.locator('.duration-label').innerText()).trim(), 'Duration');
  const fontSize = await active.locator('.duration-value').evaluate((n) => parseFloat(getComputedStyle(n).fontSize));
  assert.ok(fontSize >= 13, `the duration is readable body text, not a tiny figure (${fontSize}px)`);

  await clickSoftphone(active, 'hold');
  await active.locator('.on-hold-banner').waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S05-softphone-on-hold');
  await assertContrast(page, SOFTPHONE, 'on hold');
  const surface = await active.evaluate((node) => {
    // The colour the card's text sits on: its own background, else the nearest ancestor's that is not transparent.
    for (let el: Element | null = node; el; el = el.parentElement) {
      const parts = (getComputedStyle(el).backgroundColor.match(/[\d.]+/g) ?? []).map(Number);
      if (parts.length === 3 || (parts.length === 4 && parts[3]! > 0)) return parts.slice(0, 3);
    }
    return [255, 255, 255];
  });
  assert.ok(
    surface.every((c) => c >= 240),
    `the on-hold card keeps a light surface (not filled orange): rgb(${surface.join(', ')})`
  );

  await clickSoftphone(active, 'resume');
  await active.locator('lightning-button.hang-up').waitFor({ timeout: WAIT_MS });
  await clickSoftphone(active, 'hang-up');
  const wrapUp = softphone.locator('section.wrap-up');
  await wrapUp.waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S06-softphone-wrap-up');
  await assertContrast(page, SOFTPHONE, 'wrap-up');
  await wrapUp.locator('lightning-button.wrap-up-skip button').click();
  await wrapUp.waitFor({ state: 'detached', timeout: WAIT_MS });

  await ringAgent(live, agent);
  await agent.callerPanel.getByRole('button', { name: 'Hang up' }).click();
  await softphone.locator('.notices .notice').first().waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S12-softphone-missed');
  await assertContrast(page, SOFTPHONE, 'missed-call notice');
});

test('[S08][S10] the Teams panel offers Presenting and Out of office; a call missed while Presenting opens and highlights the minimised softphone', async (t) => {
  const alice = live.user('Alice');
  const agent = await openConsole(t, live, alice, 'utility=closed');
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  t.after(() => resetPresence(live, alice.teamsUserId!));
  const { page, softphone } = agent;
  const presence = softphone.locator('[data-id="presence"] .presence-label');

  await page.locator('#presence').selectOption({ label: 'Presenting' });
  await waitForRelayPresence(live, alice.teamsUserId!, 'DoNotDisturb');
  await page.waitForFunction((node) => node?.textContent?.trim() === 'Presenting', await presence.elementHandle(), {
    timeout: WAIT_MS
  });
  assert.equal(await page.locator('#utility-panel').isHidden(), true, 'the softphone starts minimised');

  await dialFromCallerPanel(page, KNOWN_CALLER.number, alice.phoneNumber!);
  const notice = softphone.locator('.notices .notice').first();
  await notice.waitFor({ timeout: WAIT_MS });
  await page.locator('#utility-panel').waitFor({ state: 'visible', timeout: WAIT_MS });
  await page.locator('#utility-softphone.utility-bar__item_highlighted').waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S08-missed-while-presenting');
  assert.equal(
    (await notice.locator('.notice-message').innerText()).trim(),
    'Missed — your status was Presenting; sent to your Teams settings'
  );
  await assertContrast(page, SOFTPHONE, 'missed-call notice');

  await page.locator('#presence').selectOption({ label: 'Out of office' });
  await page.waitForFunction((node) => node?.textContent?.trim() === 'Out of office', await presence.elementHandle(), {
    timeout: WAIT_MS
  });
  const sim = await live.sim<{ presence: { activity: string } }>('GET', `/users/${alice.teamsUserId!}`);
  assert.equal(sim.presence.activity, 'OutOfOffice');
});

test('[B02] notices and an unfinished wrap-up survive a reload of the console', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  const { page, softphone } = agent;

  const card = await ringAgent(live, agent);
  await acceptInTeams(agent);
  await clickSoftphone(card, 'hang-up');
  const wrapUp = softphone.locator('section.wrap-up');
  await wrapUp.waitFor({ timeout: WAIT_MS });
  const notes = `Wants a call back ${Date.now()}`;
  await wrapUp.locator('.wrap-up-notes textarea').fill(notes);
  await wrapUp.locator('.wrap-up-notes textarea').blur();

  await ringAgent(live, agent, SECOND_CALLER.number);
  await agent.callerPanel.getByRole('button', { name: 'Hang up' }).click();
  await softphone.locator('.notices .notice').first().waitFor({ timeout: WAIT_MS });

  await page.reload();
  await softphone.locator('.presence-label').waitFor({ timeout: WAIT_MS });
  await softphone.locator('.notices .notice').first().waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'B02-notice-and-wrap-up-after-reload');
  assert.equal((await softphone.locator('.notice-message').first().innerText()).trim(), 'Caller hung up');
  assert.match((await softphone.locator('.notice-caller').first().innerText()).trim(), /555\) 555-0124/);
  assert.equal(await wrapUp.locator('.wrap-up-notes textarea').inputValue(), notes);
  assert.equal(
    (await wrapUp.locator('.wrap-up-heading').innerText()).trim(),
    `Wrap up the call with ${KNOWN_CALLER.display}`
  );
});

test("[B03][S09] a waiting call's screen pop opens its contact without taking focus from the call in progress", async (t) => {
  const alice = live.user('Alice');
  const agent = await openConsole(t, live, alice);
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  const { page } = agent;

  await ringAgent(live, agent);
  const first = page.locator('.console-tab', { hasText: KNOWN_CALLER.contact });
  await first.waitFor({ timeout: WAIT_MS });
  await acceptInTeams(agent);
  assert.equal(await first.getAttribute('aria-selected'), 'true', 'the agent works in the first caller’s tab');

  await dialFromCallerPanel(page, SECOND_CALLER.number, alice.phoneNumber!);
  const second = page.locator('.console-tab', { hasText: SECOND_CALLER.contact });
  await second.waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S09-waiting-call-pop-in-background');
  assert.equal(
    await second.getAttribute('aria-selected'),
    'false',
    'the waiting caller’s tab opened in the background'
  );
  assert.equal(await first.getAttribute('aria-selected'), 'true', 'the first caller’s tab keeps the focus');
});

test('[S11][S17][B08] the history lists an ended call without Refresh, linked to its caller; its call record page shows the timeline', async (t) => {
  const alice = live.user('Alice');
  const agent = await openConsole(t, live, alice);
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  const { page } = agent;
  await minimizeUtility(agent);
  await page.locator('.console-tab', { hasText: 'Call history' }).click();
  const history = page.locator('c-teams-call-history');
  await history.locator('lightning-card').waitFor({ timeout: WAIT_MS });

  await ringAgent(live, agent);
  const simCall = await openSimCall(live);
  await agent.callerPanel.getByRole('button', { name: 'Hang up' }).click();
  const deadline = Date.now() + WAIT_MS;
  let callRecordId: string | undefined;
  while (!callRecordId) {
    const rows = live.stack.salesforce.store.query(
      `SELECT Id, EndedAt__c FROM TeamsCall__c WHERE TeamsCallId__c = '${simCall.id}'`
    ).records;
    if (rows[0]?.['EndedAt__c']) callRecordId = String(rows[0]['Id']);
    else if (Date.now() > deadline) throw new Error(`no ended TeamsCall__c for ${simCall.id} within ${WAIT_MS} ms`);
    else await new Promise((resolvePoll) => setTimeout(resolvePoll, 250));
  }
  // The missed call opens the softphone (S08); the agent minimises it again to read the history.
  await agent.softphone.locator('.notices .notice').first().waitFor({ timeout: WAIT_MS });
  await minimizeUtility(agent);
  // The screen pop focused the caller's tab; back to the history, without a click on Refresh.
  await page.locator('.console-tab', { hasText: 'Call history' }).click();
  const row = history.locator(`tr[data-row="${callRecordId}"]`);
  await row.waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S11-call-history');
  await assertContrast(page, 'c-teams-call-history', 'call history');
  const caller = (await row.locator('[data-cell="caller"]').innerText()).trim();
  assert.match(caller, new RegExp(KNOWN_CALLER.display.replace(/[()+]/g, '\\$&')));
  // S17: nobody linked the call, no wrap-up was saved; the org linked it to the one contact with the number.
  await row.locator('[data-cell="record"]', { hasText: KNOWN_CALLER.contact }).waitFor({ timeout: WAIT_MS });

  await row.locator('[data-cell="caller"] a').click();
  const timeline = page.locator('c-teams-call-timeline');
  await timeline.locator('li[data-sequence]').first().waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'B08-call-record-timeline');
  await assertContrast(page, 'c-teams-call-timeline', 'call timeline');
  assert.ok((await timeline.locator('li[data-sequence]').count()) >= 2, 'the timeline lists the events of the call');
  // The link decision is on the timeline in words, naming the contact instead of her record id.
  const link = timeline.locator('li[data-sequence]', { hasText: "Caller's record" });
  await link.waitFor({ timeout: WAIT_MS });
  assert.equal(
    (await link.locator('[data-field="reason"]').innerText()).trim(),
    'Linked: the one record with this number'
  );
  assert.equal((await link.locator('[data-field="target"]').innerText()).trim(), KNOWN_CALLER.contact);
  assert.match((await page.locator('.console-tab[aria-selected="true"]').innerText()).trim(), /^Call with /);
});

test('[S08] the Caller panel says who a redirected call is with, and drops it once it is over', async (t) => {
  const alice = live.user('Alice');
  const bob = live.user('Bob');
  const agent = await openConsole(t, live, alice);
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  t.after(() => resetPresence(live, alice.teamsUserId!));
  const { page } = agent;
  await page.locator('#presence').selectOption({ label: 'Do not disturb' });
  await waitForRelayPresence(live, alice.teamsUserId!, 'DoNotDisturb');

  // Alice's seeded Do Not Disturb rule redirects the call to Bob's Teams; Bob answers it there.
  await dialFromCallerPanel(page, KNOWN_CALLER.number, alice.phoneNumber!);
  const leg = agent.callerPanel.locator('.sim-call', { hasText: KNOWN_CALLER.number });
  const deadline = Date.now() + WAIT_MS;
  let ring: { callId: string } | undefined;
  while (!ring) {
    ({
      ringing: [ring]
    } = await live.sim<{ ringing: { callId: string }[] }>('GET', `/users/${bob.teamsUserId!}`));
    if (!ring && Date.now() > deadline) throw new Error(`Bob's Teams did not ring within ${WAIT_MS} ms`);
    if (!ring) await new Promise((resolvePoll) => setTimeout(resolvePoll, 250));
  }
  await live.sim('POST', `/users/${bob.teamsUserId!}/accept`, { callId: ring.callId });
  await leg
    .getByText(`Connected to ${bob.name} in Teams`)
    .waitFor({ timeout: WAIT_MS })
    .catch(async (error: Error) => {
      const calls = await live.sim('GET', '/calls');
      throw new Error(
        `${error.message}\nCaller panel: ${await agent.callerPanel.innerText()}\n${JSON.stringify(calls)}`
      );
    });
  await saveScreenshot(page, 'S08-caller-panel-redirected');

  await live.sim('POST', `/users/${bob.teamsUserId!}/hangup`, { callId: ring.callId });
  await leg.waitFor({ state: 'detached', timeout: WAIT_MS });
  assert.equal(await agent.callerPanel.getByRole('button', { name: 'Hang up' }).count(), 0);
  assert.equal((await page.locator('#caller-status').innerText()).trim(), 'No active calls.');
});

/** Lines of a component's text that are an English label of the package although the user reads German. */
async function englishLines(locator: Locator): Promise<string[]> {
  const english = readLabels();
  const german = readTranslations('de');
  const untranslated = new Set(
    [...english]
      .filter(([name, value]) => german.get(name) !== value && !/\{\d\}/.test(value))
      .map(([, value]) => value)
  );
  const lines = (await locator.innerText()).split('\n').map((line) => line.trim());
  return [...new Set(lines.filter((line) => untranslated.has(line)))];
}

test('[S11][S13][B07] a German-speaking user sees the softphone, call history, redirect settings and setup in German', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'), 'utility=open&lang=de');
  if (!agent) return;
  const { page, softphone } = agent;
  await softphone.getByText('Zurzeit keine Anrufe.').waitFor({ timeout: WAIT_MS });
  assert.deepEqual(await englishLines(softphone), [], 'softphone');

  await minimizeUtility(agent);
  await page.locator('.console-tab', { hasText: 'Anrufliste' }).click();
  const history = page.locator('c-teams-call-history');
  await history.getByText('Alle Anrufe').waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S11-call-history-de');
  assert.deepEqual(await englishLines(history), [], 'call history');

  await page.locator('.console-tab', { hasText: 'Umleitungseinstellungen' }).click();
  const settings = page.locator('c-teams-redirect-settings');
  await settings.locator('fieldset[data-rule="DoNotDisturb"]').getByText('Nicht stören').waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S13-redirect-settings-de');
  assert.deepEqual(await englishLines(settings), [], 'redirect settings');

  const admin = await openConsole(t, live, live.user('Dana'), 'lang=de');
  if (!admin) return;
  await admin.page.locator('.console-tab', { hasText: 'Teams Phone-Einrichtung' }).click();
  const setup = admin.page.locator('c-teams-phone-setup');
  await setup.getByText('Installationsprüfungen').waitFor({ timeout: WAIT_MS });
  await setup.locator('li[data-check]').first().waitFor({ timeout: WAIT_MS });
  // The checks' own texts are custom labels too, in the admin's language (B07).
  await setup.getByText('Anrufereignisse erreichen Salesforce').waitFor({ timeout: WAIT_MS });
  await saveScreenshot(admin.page, 'B07-setup-de');
  await assertContrast(admin.page, 'c-teams-phone-setup', 'setup');
  assert.deepEqual(await englishLines(setup), [], 'setup');
});

// Last: it saves a new Do Not Disturb rule for Alice, which the tests above rely on being the seeded one.
test('[S13] redirect settings: a corrected number saves on the first click, the rows line up, targets read as names', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  const { page } = agent;
  await minimizeUtility(agent);
  await page.locator('.console-tab', { hasText: 'Redirect settings' }).click();
  const settings = page.locator('c-teams-redirect-settings');
  await settings.locator('fieldset[data-rule="DoNotDisturb"]').waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S13-redirect-settings');
  await assertContrast(page, 'c-teams-redirect-settings', 'redirect settings');

  const lefts = await settings
    .locator('fieldset[data-rule] lightning-combobox')
    .evaluateAll((nodes) => nodes.map((n) => Math.round(n.getBoundingClientRect().left)));
  assert.equal(lefts.length, 6);
  assert.deepEqual(new Set(lefts).size, 1, `every "Send calls to" starts at the same place: ${lefts.join(', ')}`);
  assert.equal(
    await settings.locator('fieldset[data-rule="NoAnswer"] lightning-input input').inputValue(),
    '+1 (555) 555-0190'
  );
  // Alice's seeded Do Not Disturb rule sends calls to Bob's Teams: a loaded page (a reload) names Bob, never his id.
  const bob = live.user('Bob');
  const dndSelection = settings.locator('fieldset[data-rule="DoNotDisturb"] [data-id="selection"]');
  await dndSelection.waitFor({ timeout: WAIT_MS });
  const selectionText = `${await dndSelection.innerText()} ${(await dndSelection.getAttribute('title')) ?? ''}`;
  assert.match(selectionText, new RegExp(bob.name));
  assert.doesNotMatch(selectionText, new RegExp(bob.teamsUserId!));

  const dnd = settings.locator('fieldset[data-rule="DoNotDisturb"]');
  await dnd.locator('lightning-combobox button').click();
  await dnd.getByRole('option', { name: /phone number/i }).click();
  const phone = dnd.locator('lightning-input input[type="tel"]');
  await phone.fill('5550199');
  await phone.blur();
  await dnd.getByText(/international format/).waitFor({ timeout: WAIT_MS });
  await phone.fill('+15555550199');
  // One click, as a person makes it: mouse down (the field loses focus), then mouse up on the same spot.
  await settings.locator('lightning-button[data-id="save"] button').click();
  await settings.locator('[data-id="status"]', { hasText: 'Redirect rules saved.' }).waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S13-redirect-settings-saved');
});
