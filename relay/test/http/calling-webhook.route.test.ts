import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, it } from 'node:test';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { CallbackTokens, type WebhookAuthResult } from '../../src/adapters/graph/webhook-auth.ts';
import type { StoredNotification } from '../../src/adapters/graph/stored-notification.ts';
import { registerCallingWebhook } from '../../src/http/calling-webhook.route.ts';
import type { InboxItem } from '../../src/ports/delivery-store.port.ts';

const TENANT = '632899f8-2ea1-4604-8413-27bd2892079f';
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/graph/${name}.json`, import.meta.url), 'utf8')) as unknown;

/** Stands in for WebhookAuthenticator (tested against real JWKS in webhook-auth.test.ts): "Bearer good" passes. */
const authenticator = {
  authenticate(header: string | undefined): Promise<WebhookAuthResult> {
    if (header === 'Bearer good') return Promise.resolve({ ok: true, tenantId: TENANT, claims: {} });
    if (header === 'Bearer other-tenant')
      return Promise.resolve({ ok: false, status: 403, reason: 'tenant-not-allowed', detail: '' });
    return Promise.resolve({ ok: false, status: 401, reason: header ? 'bad-signature' : 'missing-token', detail: '' });
  }
};

const tokens = new CallbackTokens('k'.repeat(40));
let inbox: Map<string, InboxItem>;
let wakeups: number;
let registry: Registry;
let server: ReturnType<typeof app>;

function app() {
  const server = Fastify();
  registerCallingWebhook(server, {
    authenticator,
    callbackTokens: tokens,
    inbox: {
      addToInbox(item) {
        if (inbox.has(item.key)) return Promise.resolve(false);
        inbox.set(item.key, item);
        return Promise.resolve(true);
      }
    },
    onStored: () => (wakeups += 1),
    registry,
    now: () => new Date('2026-11-24T10:00:00Z')
  });
  return server;
}

beforeEach(() => {
  inbox = new Map();
  wakeups = 0;
  registry = new Registry();
  server = app();
});

const post = (url: string, body: unknown, authorization?: string) =>
  server.inject({
    method: 'POST',
    url,
    payload: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(authorization && { authorization }) }
  });

describe('POST /api/calling (graph-calls.md §2.1, §4)', () => {
  it('[S01] an authenticated incoming call is stored in the inbox and acknowledged with 202', async () => {
    const res = await post('/api/calling', fixture('incoming-call-pstn'), 'Bearer good');
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json(), { stored: 1, duplicates: 0, ignored: 0 });
    const [row] = [...inbox.values()];
    const stored = JSON.parse(row!.body) as StoredNotification;
    assert.equal(stored.tenantId, TENANT);
    assert.equal(stored.body.value.length, 1);
    assert.equal(wakeups, 1);
  });

  it('[contract] a missing token → 401 and nothing stored', async () => {
    const res = await post('/api/calling', fixture('incoming-call-pstn'));
    assert.deepEqual([res.statusCode, res.json()], [401, { error: 'missing-token' }]);
    assert.equal(inbox.size, 0);
  });

  it('[contract] a forged token → 401 and nothing stored', async () => {
    const res = await post('/api/calling', fixture('incoming-call-pstn'), 'Bearer forged');
    assert.equal(res.statusCode, 401);
    assert.equal(inbox.size, 0);
  });

  it('[contract] a tenant outside the allow-list → 403 and nothing stored', async () => {
    const res = await post('/api/calling', fixture('incoming-call-pstn'), 'Bearer other-tenant');
    assert.equal(res.statusCode, 403);
    assert.equal(inbox.size, 0);
  });

  it('[contract] a body that is not commsNotifications → 400 with a reason, nothing stored', async () => {
    const res = await post('/api/calling', { hello: 'world' }, 'Bearer good');
    assert.deepEqual([res.statusCode, res.json<{ error: string }>().error], [400, 'missing-value-array']);
    assert.equal(inbox.size, 0);
  });

  it('[contract] invalid JSON → 400, nothing stored', async () => {
    const res = await post('/api/calling', '{"value": [', 'Bearer good');
    assert.equal(res.statusCode, 400);
    assert.equal(inbox.size, 0);
  });

  it('[contract] the same notification delivered twice is stored once', async () => {
    await post('/api/calling', fixture('call-terminated'), 'Bearer good');
    const res = await post('/api/calling', fixture('call-terminated'), 'Bearer good');
    assert.deepEqual(res.json(), { stored: 0, duplicates: 1, ignored: 0 });
    assert.equal(inbox.size, 1);
  });

  it('[contract] unknown notification shapes are counted and ignored, never crash', async () => {
    const res = await post(
      '/api/calling',
      { value: [{ changeType: 'updated', resourceUrl: '/users/x/presence' }] },
      'Bearer good'
    );
    assert.deepEqual([res.statusCode, res.json()], [202, { stored: 0, duplicates: 0, ignored: 1 }]);
    const metric = await registry.getSingleMetric('relay_webhook_notifications_total')?.get();
    assert.equal(metric?.values.find((v) => v.labels['outcome'] === 'unknown')?.value, 1);
  });

  it('[contract] an incoming call whose tenant differs from the token tenant → 403', async () => {
    const body = fixture('incoming-call-pstn') as { value: { resourceData: { tenantId: string } }[] };
    body.value[0]!.resourceData.tenantId = '11111111-1111-1111-1111-111111111111';
    const res = await post('/api/calling', body, 'Bearer good');
    assert.equal(res.statusCode, 403);
    assert.equal(inbox.size, 0);
  });
});

describe('POST /api/calling/callback (per-call token)', () => {
  const callId = '57dab8b1-894c-409a-b240-bd8beae78896';

  it('[S07] a callback carrying the call’s token is stored', async () => {
    const res = await post(
      `/api/calling/callback?k=${tokens.tokenFor(callId)}`,
      fixture('call-terminated'),
      'Bearer good'
    );
    assert.equal(res.statusCode, 202);
    assert.equal(inbox.size, 1);
  });

  it('[contract] a callback with another call’s token → 403, nothing stored', async () => {
    const res = await post(
      `/api/calling/callback?k=${tokens.tokenFor('other-call')}`,
      fixture('call-terminated'),
      'Bearer good'
    );
    assert.deepEqual([res.statusCode, res.json()], [403, { error: 'bad-callback-token' }]);
    assert.equal(inbox.size, 0);
  });

  it('[contract] a callback without a token → 403, nothing stored', async () => {
    const res = await post('/api/calling/callback', fixture('call-terminated'), 'Bearer good');
    assert.equal(res.statusCode, 403);
    assert.equal(inbox.size, 0);
  });
});

describe('POST /api/calling for a call that has its own callback', () => {
  const callId = '57dab8b1-894c-409a-b240-bd8beae78896';
  const withCallbacks = (known: string[]) => {
    const server = Fastify();
    registerCallingWebhook(server, {
      authenticator,
      callbackTokens: tokens,
      inbox: {
        addToInbox(item) {
          inbox.set(item.key, item);
          return Promise.resolve(true);
        }
      },
      registry: new Registry(),
      hasCallback: (id) => known.includes(id.toLowerCase())
    });
    return server;
  };

  it('[contract] a notification for a call Graph sends to its callback is refused on the global URL (no token)', async () => {
    const res = await withCallbacks([callId]).inject({
      method: 'POST',
      url: '/api/calling',
      payload: JSON.stringify(fixture('call-terminated')),
      headers: { 'content-type': 'application/json', authorization: 'Bearer good' }
    });
    assert.deepEqual([res.statusCode, res.json()], [403, { error: 'callback-token-required' }]);
    assert.equal(inbox.size, 0);
  });

  it('[S01] a new incoming call and calls without a callback yet still arrive on the global URL', async () => {
    const app = withCallbacks([]);
    for (const name of ['incoming-call-pstn', 'call-terminated']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/calling',
        payload: JSON.stringify(fixture(name)),
        headers: { 'content-type': 'application/json', authorization: 'Bearer good' }
      });
      assert.equal(res.statusCode, 202, name);
    }
  });
});
