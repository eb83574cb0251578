// Spec walks of the admin's setup page, against the real local stack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { minimizeUtility, openConsole, saveScreenshot, startLiveStack, WAIT_MS, type LiveStack } from './live-stack.ts';

let live: LiveStack;
before(async () => {
  live = await startLiveStack();
});
after(async () => {
  await live?.stop();
});

test('[B07] the admin opens the setup page and sees each health check with its status', async (t) => {
  const agent = await openConsole(t, live, live.user('Dana'), 'tab=setup');
  if (!agent) return;
  const { page } = agent;
  await page.locator('.console-tab', { hasText: 'Setup for admins' }).click();
  const checks = page.locator('c-teams-phone-setup li[data-check]');
  await checks.first().waitFor({ timeout: WAIT_MS });
  await saveScreenshot(page, 'B07-setup-checks');

  const count = await checks.count();
  assert.ok(count >= 3, `expected the setup checks, saw ${count}`);
  for (let i = 0; i < count; i += 1) {
    const check = checks.nth(i);
    assert.notEqual((await check.locator('[data-field="label"]').innerText()).trim(), '');
    assert.notEqual((await check.locator('[data-field="status"]').innerText()).trim(), '');
  }
});

test('[B07] the setup page shows the relay running: the local relay sends its heartbeat', async (t) => {
  // The relay beats at start; the page reads the status once, so wait until Salesforce holds a beat.
  const deadline = Date.now() + WAIT_MS;
  while (live.stack.salesforce.store.all('TeamsRelayStatus__c').length === 0) {
    if (Date.now() > deadline) throw new Error(`no relay heartbeat reached Salesforce within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const agent = await openConsole(t, live, live.user('Dana'), 'tab=setup');
  if (!agent) return;
  const { page } = agent;
  await page.locator('.console-tab', { hasText: 'Setup for admins' }).click();
  const relay = page.locator('c-teams-phone-setup li[data-check="relayHeartbeat"]');
  await relay.waitFor({ timeout: WAIT_MS });
  assert.equal((await relay.locator('[data-field="status"]').innerText()).trim(), 'Passed');
  assert.match(await relay.locator('[data-field="detail"]').innerText(), /Last heartbeat \d+ minute\(s\) ago/);
  // B10: the stack set the agent stream up as an admin would (settings and the relay as a Trusted URL).
  const stream = page.locator('c-teams-phone-setup li[data-check="agentStream"]');
  assert.equal((await stream.locator('[data-field="status"]').innerText()).trim(), 'Passed');
  await saveScreenshot(page, 'B07-relay-running');
});

test('[B07] an agent who is not an admin has no setup page in the console', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  await minimizeUtility(agent);
  await agent.page.locator('.console-tab', { hasText: 'Call history' }).waitFor({ timeout: WAIT_MS });
  assert.equal(await agent.page.locator('.console-tab', { hasText: 'Setup for admins' }).count(), 0);
});
