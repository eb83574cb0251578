// [S01]/[S02] in a real browser: a ringing Teams call in the console preview's softphone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPreview } from '../preview/server.ts';
import { AGENT, ringingEvent, startSoftphoneBackend } from './softphone-fixture.ts';
import { ensurePreviewBuilt, launchBrowser, requireChromium, saveScreenshot } from './harness.ts';

test('[S01][S02] a ringing Teams call shows the caller and matched contact with "Answer in Microsoft Teams" and no Answer button', async (t) => {
  if (!requireChromium(t)) return;
  await ensurePreviewBuilt();
  const backend = await startSoftphoneBackend();
  t.after(() => backend.stop());
  const preview = await startPreview({ backendUrl: backend.url });
  t.after(() => preview.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const { page } = browser;

  await page.goto(`${preview.url}/?user=${AGENT.userId}`);
  await backend.waitForStream();
  backend.sendToAgent(ringingEvent(AGENT.userId));

  const softphone = page.locator('c-teams-softphone');
  const card = softphone.locator('section[data-call-id="call-s01"]');
  await card.waitFor({ state: 'visible', timeout: 15_000 });
  await card.locator('lightning-button.match').waitFor({ state: 'visible', timeout: 10_000 });

  assert.equal((await card.locator('.caller-number').innerText()).trim(), '+1 (415) 555-0123');
  assert.equal((await card.locator('lightning-button.match').innerText()).trim(), 'Jane Doe');
  assert.equal((await card.locator('.answer-in-teams').innerText()).trim(), 'Answer in Microsoft Teams');
  const answerButtons = await softphone.getByRole('button', { name: /answer/i }).count();
  assert.equal(answerButtons, 0, 'the softphone must not offer an Answer button: answering happens in Teams');
  // The utility opened itself for the call (the frame's panel is visible), and the single match popped a tab.
  assert.equal(await page.locator('#utility-panel').isVisible(), true);
  await page.locator('.console-tab', { hasText: 'Jane Doe' }).waitFor({ state: 'visible', timeout: 10_000 });

  await saveScreenshot(page, 'softphone-ringing');
  // The preview runs without a Teams simulator here, so its panel's polls fail; nothing else may.
  assert.deepEqual(
    browser.errors.filter((e) => !e.includes('/_sim/')),
    []
  );
});
