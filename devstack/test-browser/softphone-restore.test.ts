// [B02] in a real browser: a reloaded console restores the ringing call from Salesforce.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPreview } from '../preview/server.ts';
import { AGENT, CALLER_NUMBER, startSoftphoneBackend } from './softphone-fixture.ts';
import { ensurePreviewBuilt, launchBrowser, requireChromium } from './harness.ts';

const OPEN_CALL = {
  recordId: 'a02000000000001AAA',
  teamsCallId: 'call-b02',
  state: 'Ringing',
  reason: null,
  direction: 'Inbound',
  callerNumber: CALLER_NUMBER,
  callerName: null,
  dialledNumber: AGENT.phoneNumber,
  startedAt: new Date().toISOString(),
  answeredAt: null,
  lastSequence: 1
};

test('[B02] after a page reload the ringing call is restored from getOpenCalls without a new event or a second screen pop', async (t) => {
  if (!requireChromium(t)) return;
  await ensurePreviewBuilt();
  const backend = await startSoftphoneBackend([OPEN_CALL]);
  t.after(() => backend.stop());
  const preview = await startPreview({ backendUrl: backend.url });
  t.after(() => preview.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const { page } = browser;

  await page.goto(`${preview.url}/?user=${AGENT.userId}&utility=open`);
  const card = page.locator('c-teams-softphone section[data-call-id="call-b02"]');
  await card.waitFor({ state: 'visible', timeout: 15_000 });
  await page.reload();
  const started = Date.now();
  await card.waitFor({ state: 'visible', timeout: 5_000 });
  const restoredInMs = Date.now() - started;

  assert.equal((await card.locator('.caller-number').innerText()).trim(), '+1 (415) 555-0123');
  assert.equal((await card.locator('.answer-in-teams').innerText()).trim(), 'Answer in Microsoft Teams');
  assert.ok(restoredInMs < 5_000, `restored in ${restoredInMs} ms`);
  // A snapshot is not a live ring: the contact is offered but not popped into a tab.
  await card.locator('lightning-button.match').waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await page.locator('.console-tab', { hasText: 'Jane Doe' }).count(), 0);
});
