// [B10] The agent stream in the console preview against the real local stack: the softphone's live events come from
// the relay; another agent's browser receives none of them (asserted on the bytes the browser received, not the
// DOM); a relay restart shows "Reconnecting…" and the softphone then catches up.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  acceptInTeams,
  hangUpEverything,
  KNOWN_CALLER,
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

/**
 * In the page, before the components load: keep a copy of every byte the agent stream delivers to the browser
 * (the response body is teed; the softphone reads its half unchanged).
 */
function recordStreamBytes(): void {
  const w = window as unknown as { __streamBytes: string; fetch: typeof fetch };
  const realFetch = w.fetch.bind(window);
  w.__streamBytes = '';
  w.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await realFetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.includes('/api/agent-stream') || !response.body) return response;
    const [copy, forPage] = response.body.tee();
    void (async () => {
      const reader = copy.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        w.__streamBytes += decoder.decode(value, { stream: true });
      }
    })().catch(() => undefined);
    return new Response(forPage, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers
    });
  };
}

test("[B10][S01] the softphone rings from the agent stream; another agent's browser receives nothing of the call", async (t) => {
  const alice = await openConsole(t, live, live.user('Alice'), 'utility=open', recordStreamBytes);
  const bob = await openConsole(t, live, live.user('Bob'), 'utility=open', recordStreamBytes);
  if (!alice || !bob) return;
  t.after(() => hangUpEverything(live));

  const card = await ringAgent(live, alice);
  const callId = await card.getAttribute('data-call-id');
  assert.ok(callId, 'the card names its call');
  const bytes = (page: typeof alice.page) =>
    page.evaluate(() => (window as unknown as { __streamBytes: string }).__streamBytes);
  await alice.page.waitForFunction(
    (id) => (window as unknown as { __streamBytes: string }).__streamBytes.includes(id),
    callId,
    { timeout: WAIT_MS }
  );
  const aliceBytes = await bytes(alice.page);
  assert.match(aliceBytes, /event: call\ndata: \{[^\n]*"State__c":"Ringing"/, "Alice's browser got the Ringing event");
  assert.ok(aliceBytes.includes(KNOWN_CALLER.number));

  const bobBytes = await bytes(bob.page);
  assert.ok(bobBytes.startsWith('retry:'), "Bob's stream is open (its preamble arrived)");
  assert.ok(!bobBytes.includes(callId), "Bob's browser received nothing of Alice's call");
  assert.ok(!bobBytes.includes(KNOWN_CALLER.number), "nor her caller's number");
  assert.equal(await bob.softphone.locator('section[data-call-id]').count(), 0);
});

test('[B10][B02] the relay restarted mid-call: the softphone says "Reconnecting…", then catches up', async (t) => {
  const agent = await openConsole(t, live, live.user('Alice'));
  if (!agent) return;
  t.after(() => hangUpEverything(live));
  await ringAgent(live, agent);
  const card = await acceptInTeams(agent);
  const callId = await card.getAttribute('data-call-id');

  const banner = agent.softphone.locator('.connection-lost');
  const shown = banner.waitFor({ state: 'visible', timeout: WAIT_MS });
  const restarted = live.stack.restartRelay();
  await shown;
  await saveScreenshot(agent.page, 'B10-softphone-reconnecting');
  assert.equal((await banner.innerText()).trim(), 'Live call updates were interrupted. Reconnecting…');
  await restarted;
  await banner.waitFor({ state: 'hidden', timeout: WAIT_MS });

  // The stream is back: the caller hanging up now reaches the softphone (the call leaves for its wrap-up).
  await live.sim('POST', `/calls/${callId}/caller-hangup`);
  await agent.softphone.locator(`section[data-call-id="${callId}"]`).waitFor({ state: 'detached', timeout: WAIT_MS });
  assert.equal((await agent.softphone.locator('.wrap-up').count()) > 0, true, 'the ended call offers its wrap-up');
});
