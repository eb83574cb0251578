// The preview's lightning/empApi adapter (a hand-written Bayeux client) against faye, the CometD server the
// Salesforce emulator uses. Runs in Node: the adapter needs only fetch and the frame bridge on globalThis.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PREVIEW_DIR } from '../preview/build.ts';
import { startSoftphoneBackend, AGENT, CHANNEL } from './softphone-fixture.ts';
import { startFakeBackend, type FakeBackend } from './fake-backend.ts';

interface Message {
  channel: string;
  data: { payload: Record<string, unknown>; event: { replayId: number } };
}
interface EmpApi {
  subscribe(channel: string, replayId: number, callback: (m: Message) => void): Promise<{ channel: string }>;
  unsubscribe(subscription: { channel: string }, callback?: (r: unknown) => void): Promise<boolean>;
  onError(handler: (error: { successful: boolean; error: string }) => void): void;
}

const bridge = { userId: AGENT.userId, backendUrl: '' };
let empApi: EmpApi;
const backends: FakeBackend[] = [];

function nextMessage(received: Message[], count: number, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (received.length >= count) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`only ${received.length} of ${count} messages`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

before(async () => {
  (globalThis as { __teamsPreview?: unknown }).__teamsPreview = bridge;
  empApi = (await import(pathToFileURL(join(PREVIEW_DIR, 'adapters', 'lightning', 'empApi.js')).href)) as EmpApi;
});
after(async () => {
  for (const backend of backends) await backend.stop().catch(() => undefined);
});

test('[S01] a subscribed platform event reaches the callback as { channel, data: { payload, event: { replayId } } }', async () => {
  const backend = await startSoftphoneBackend();
  backends.push(backend);
  bridge.backendUrl = backend.url;
  const received: Message[] = [];
  const subscription = await empApi.subscribe(CHANNEL, -1, (m) => received.push(m));
  const replayId = backend.publish(CHANNEL, { TeamsCallId__c: 'call-1', State__c: 'Ringing' });
  await nextMessage(received, 1);

  assert.deepEqual(received[0], {
    channel: CHANNEL,
    data: { payload: { TeamsCallId__c: 'call-1', State__c: 'Ringing' }, event: { replayId } }
  });
  await empApi.unsubscribe(subscription);
});

test('[S01][B02] an event the server sends before the subscribe reply reaches the browser is still delivered (CI race, issue 21)', async () => {
  // The server has the subscription as soon as it handles /meta/subscribe; its reply can reach the browser after an
  // event that the pending /meta/connect carries. A client that registers its callback only on the reply drops that
  // event: the softphone then never shows a call that rang as the console opened.
  const backend = await startFakeBackend({ users: [AGENT], apex: {}, subscribeReplyDelayMs: 500 });
  backends.push(backend);
  bridge.backendUrl = backend.url;
  const received: Message[] = [];
  const subscribing = empApi.subscribe(CHANNEL, -1, (m) => received.push(m));
  await backend.waitForSubscriber(CHANNEL);
  backend.publish(CHANNEL, { TeamsCallId__c: 'call-early', State__c: 'Ringing' });
  const subscription = await subscribing;
  await nextMessage(received, 1);
  assert.equal(received[0]?.data.payload.TeamsCallId__c, 'call-early');
  await empApi.unsubscribe(subscription);
});

test('[B02] when the backend goes away the error handler hears of it, and once it is back a resubscription receives events again', async () => {
  const first = await startSoftphoneBackend();
  backends.push(first);
  bridge.backendUrl = first.url;
  const errors: Array<{ successful: boolean; error: string }> = [];
  const received: Message[] = [];
  const pending: { resubscribed: Promise<unknown> | null } = { resubscribed: null };
  empApi.onError((error) => {
    errors.push(error);
    // What the softphone does: resubscribe on every error; the first attempt may fail while the backend is down.
    pending.resubscribed = empApi.subscribe(CHANNEL, -1, (m) => received.push(m)).catch(() => null);
  });
  await empApi.subscribe(CHANNEL, -1, (m) => received.push(m));
  await first.stop();
  const deadline = Date.now() + 10_000;
  while (!errors.some((e) => !e.successful) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(errors[0]?.successful, false);

  const second = await startSoftphoneBackend();
  backends.push(second);
  bridge.backendUrl = second.url;
  await second.waitForSubscriber(CHANNEL, 15_000);
  await pending.resubscribed;
  second.publish(CHANNEL, { TeamsCallId__c: 'call-2', State__c: 'Ringing' });
  await nextMessage(received, 1);
  assert.equal(received.at(-1)?.data.payload.TeamsCallId__c, 'call-2');
});
