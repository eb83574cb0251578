// Spec walks of a second call while the agent is on a call, against the real local stack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  acceptInTeams,
  dialFromCallerPanel,
  hangUpEverything,
  KNOWN_CALLER,
  openConsole,
  ringAgent,
  saveScreenshot,
  startLiveStack,
  WAIT_MS,
  type LiveStack
} from './live-stack.ts';

const SECOND_CALLER = { number: '+15555550124', display: '+1 (555) 555-0124' };

let live: LiveStack;
before(async () => {
  live = await startLiveStack();
});
after(async () => {
  await live?.stop();
});

test('[S09] a second call while the agent is on a call is signalled as call waiting in the softphone and in Teams', async (t) => {
  const alice = live.user('Alice');
  const agent = await openConsole(t, live, alice);
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  await ringAgent(live, agent);
  await acceptInTeams(agent);

  await dialFromCallerPanel(agent.page, SECOND_CALLER.number, alice.phoneNumber!);
  const waiting = agent.softphone.locator('section[data-call-id]', { hasText: SECOND_CALLER.display });
  await waiting.locator('.answer-in-teams').waitFor({ timeout: WAIT_MS });
  await agent.teamsPanel.getByText(`Incoming call from ${SECOND_CALLER.number}`).waitFor({ timeout: WAIT_MS });
  await saveScreenshot(agent.page, 'S09-call-waiting');
  assert.equal((await waiting.locator('.call-heading').innerText()).trim().toLowerCase(), 'call waiting');
  const first = agent.softphone.locator('section[data-call-id]', { hasText: KNOWN_CALLER.display });
  assert.equal(await first.locator('.duration-value').count(), 1, 'the first call is still shown as active');
});

test('[S16] answering the second call in Teams holds the first; when the first ends, the second is the active call', async (t) => {
  const alice = live.user('Alice');
  const agent = await openConsole(t, live, alice);
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  await ringAgent(live, agent);
  await acceptInTeams(agent);
  await dialFromCallerPanel(agent.page, SECOND_CALLER.number, alice.phoneNumber!);
  await agent.teamsPanel.getByText(`Incoming call from ${SECOND_CALLER.number}`).waitFor({ timeout: WAIT_MS });

  await agent.teamsPanel.getByRole('button', { name: 'Accept' }).click();
  const first = agent.softphone.locator('section[data-call-id]', { hasText: KNOWN_CALLER.display });
  const second = agent.softphone.locator('section[data-call-id]', { hasText: SECOND_CALLER.display });
  await first.locator('.on-hold-banner').waitFor({ timeout: WAIT_MS });
  await second.locator('.duration-value').waitFor({ timeout: WAIT_MS });
  await saveScreenshot(agent.page, 'S16-second-answered-first-on-hold');

  await agent.callerPanel
    .locator('.sim-call', { hasText: KNOWN_CALLER.number })
    .getByRole('button', { name: 'Hang up' })
    .click();
  await first.waitFor({ state: 'detached', timeout: WAIT_MS });
  await saveScreenshot(agent.page, 'S16-second-active');
  assert.equal(await second.locator('.on-hold-banner').count(), 0);
  assert.equal(await second.locator('lightning-button.hold').count(), 1, 'the second call is the active one');
  assert.equal(await agent.page.locator('#presence').inputValue(), 'Busy');
});
