// B09 in the console preview against the real local stack: the agent dials from the softphone's dial pad and from a
// record's Call button; Teams rings the agent first, and the number is called once they accept.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  clickSoftphone,
  hangUpEverything,
  KNOWN_CALLER,
  minimizeUtility,
  openConsole,
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

test('[B09] dial pad: Teams rings the agent first ("Outgoing call"), accepting connects the number; hang up goes to wrap-up', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  const { page, softphone, teamsPanel } = agent;

  await softphone.locator('lightning-input.dial-number input').fill('+1 555 555 0123');
  await softphone.locator('lightning-button.dial-call button').click();
  await teamsPanel.getByText('Outgoing call placed from Salesforce').waitFor({ timeout: WAIT_MS });
  const card = agent.callCard();
  await card.locator('.call-heading', { hasText: 'Outgoing call' }).waitFor({ timeout: WAIT_MS });
  assert.equal((await card.locator('.caller-number').innerText()).trim(), KNOWN_CALLER.display);
  assert.equal((await card.locator('.answer-in-teams').innerText()).trim(), 'Answer in Microsoft Teams');
  await saveScreenshot(page, 'B09-softphone-dialling');

  await teamsPanel.getByRole('button', { name: 'Accept' }).click();
  await card.locator('.duration-value').waitFor({ timeout: WAIT_MS });
  await card.locator('.call-heading', { hasText: /active call/i }).waitFor({ timeout: WAIT_MS });
  await clickSoftphone(card, 'hang-up');
  await softphone.locator('.wrap-up').waitFor({ timeout: WAIT_MS });
});

test('[B09] declining one’s own dial in Teams: nothing is dialled and the softphone says so', async (t) => {
  const agent = await openConsole(t, live, live.user('Bob'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  const { softphone, teamsPanel } = agent;

  await softphone.locator('lightning-input.dial-number input').fill(KNOWN_CALLER.number);
  await softphone.locator('lightning-button.dial-call button').click();
  await teamsPanel.getByText('Outgoing call placed from Salesforce').waitFor({ timeout: WAIT_MS });
  await teamsPanel.getByRole('button', { name: 'Decline' }).click();
  await softphone
    .locator('.notice-message', { hasText: 'You declined the call in Teams; nothing was dialled.' })
    .waitFor({ timeout: WAIT_MS });
  assert.equal(await softphone.locator('section[data-call-id]').count(), 0);
});

test('[B09] a number that is not international is refused with the phone rule message', async (t) => {
  const agent = await openConsole(t, live, live.user('Carol'));
  if (!agent) return;
  const { softphone } = agent;
  await softphone.locator('lightning-input.dial-number input').fill('555 0123');
  await softphone.locator('lightning-button.dial-call button').click();
  const error = softphone.locator('.dial-error');
  await error.waitFor({ timeout: WAIT_MS });
  assert.match(await error.innerText(), /international format/);
});

test('[B09] the Call button on a contact page dials the contact; the agent answers in Teams to connect', async (t) => {
  const agent = await openConsole(t, live, live.user('Carol'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  const { page, softphone, teamsPanel } = agent;
  const contact = live.stack.salesforce.store.all('Contact').find((c) => c.Phone === KNOWN_CALLER.number)!;
  await page.evaluate((recordId) => {
    (globalThis as unknown as { __teamsPreview: { openTab(o: unknown): void } }).__teamsPreview.openTab({
      recordId,
      focus: true
    });
  }, contact.Id);
  const button = page.locator('c-teams-click-to-dial lightning-button.call button').first();
  await button.waitFor({ timeout: WAIT_MS });
  assert.match(await button.innerText(), /^Call \+1 \(555\) 555-0123$/);
  await minimizeUtility(agent); // the agent reads the record page, the softphone opens again when Teams rings
  await button.click();
  await teamsPanel.getByText('Outgoing call placed from Salesforce').waitFor({ timeout: WAIT_MS });
  await page.locator('c-teams-click-to-dial .status').waitFor({ timeout: WAIT_MS });
  await softphone.locator('.call-heading', { hasText: 'Outgoing call' }).waitFor({ timeout: WAIT_MS });
});
