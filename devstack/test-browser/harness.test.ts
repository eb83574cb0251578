// [B06] the browser-test gate: no Chromium must never pass silently.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INSTALL_HINT, requireChromium } from './harness.ts';

const MISSING = '/nonexistent/chromium-for-gate-test';

function fakeContext() {
  const skipped: string[] = [];
  return { skipped, context: { name: 'a browser test', skip: (message?: string) => void skipped.push(message ?? '') } };
}

test('[B06] without Chromium a browser test fails in CI with the install hint', () => {
  const { context } = fakeContext();
  assert.throws(
    () => requireChromium(context, { path: MISSING, env: { CI: 'true' } }),
    (error: Error) => error.message.includes(INSTALL_HINT)
  );
});

test('[B06] without Chromium on a developer machine a browser test is reported as not run, not passed', () => {
  const { context, skipped } = fakeContext();
  const mayRun = requireChromium(context, { path: MISSING, env: {} });
  assert.equal(mayRun, false);
  assert.equal(skipped.length, 1);
  assert.match(skipped[0] ?? '', /^not run: Chromium not found at \/nonexistent\/chromium-for-gate-test\. /);
  assert.ok(skipped[0]?.includes('apt-get install -y chromium'));
});

test('[B06] with Chromium present the browser test goes on', () => {
  const { context, skipped } = fakeContext();
  assert.equal(requireChromium(context, { path: process.execPath, env: { CI: 'true' } }), true);
  assert.deepEqual(skipped, []);
});
