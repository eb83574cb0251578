// Spec walk of the redirect settings: the agent edits a rule and the next call follows it (real local stack).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  dialFromCallerPanel,
  hangUpEverything,
  KNOWN_CALLER,
  minimizeUtility,
  openConsole,
  resetPresence,
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

test('[S13] the agent changes the Do Not Disturb rule to a phone number, saves, and the next call goes there', async (t) => {
  const alice = live.user('Alice');
  const agent = await openConsole(t, live, alice);
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  t.after(() => resetPresence(live, alice.teamsUserId!));
  const { page } = agent;
  await minimizeUtility(agent);
  await page.locator('.console-tab', { hasText: 'Redirect settings' }).click();
  const settings = page.locator('c-teams-redirect-settings');
  const dnd = settings.locator('fieldset[data-rule="DoNotDisturb"]');
  await dnd.waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S13-redirect-settings');

  await dnd.locator('lightning-combobox button').click();
  await dnd.getByRole('option', { name: /phone number/i }).click();
  const phone = dnd.locator('lightning-input input[type="tel"]');
  await phone.fill('+15555550199');
  await phone.blur();
  await settings.locator('lightning-button[data-id="save"] button').click();
  await settings.locator('[data-id="status"]').waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'S13-redirect-settings-saved');

  await setTeamsPresence(agent, 'DoNotDisturb');
  await waitForRelayPresence(live, alice.teamsUserId!, 'DoNotDisturb');
  await dialFromCallerPanel(page, KNOWN_CALLER.number, alice.phoneNumber!);
  // The missed call opens the minimised softphone by itself (S08).
  const notice = agent.softphone.locator('.notices .notice').first();
  await notice.waitFor({ timeout: WAIT_MS });
  assert.match((await notice.locator('.notice-message').innerText()).trim(), /sent to .*555.*0199/);
});
