import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { CallbackTokens, type WebhookAuthResult } from '../../src/adapters/graph/webhook-auth.ts';
import { PrometheusRelayMetrics } from '../../src/adapters/metrics/prometheus.metrics.ts';
import { SqliteStore } from '../../src/adapters/store/sqlite.store.ts';
import { buildServer, type ReadinessCheck } from '../../src/http/server.ts';

const TENANT = '632899f8-2ea1-4604-8413-27bd2892079f';
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/graph/${name}.json`, import.meta.url), 'utf8')) as unknown;

/** Stands in for WebhookAuthenticator (tested against real JWKS in webhook-auth.test.ts). */
const authenticator = {
  authenticate(header: string | undefined): Promise<WebhookAuthResult> {
    if (header === 'Bearer good') return Promise.resolve({ ok: true, tenantId: TENANT, claims: {} });
    if (header === 'Bearer other-tenant')
      return Promise.resolve({ ok: false, status: 403, reason: 'tenant-not-allowed', detail: '' });
    return Promise.resolve({ ok: false, status: 401, reason: header ? 'bad-signature' : 'missing-token', detail: '' });
  }
};

let store: SqliteStore;
let registry: Registry;
let checks: Record<string, ReadinessCheck>;

function server() {
  return buildServer({
    webhook: { authenticator, callbackTokens: new CallbackTokens('k'.repeat(40)), inbox: store },
    registry,
    checks,
    checkTimeoutMs: 50
  });
}

const post = (payload: string, authorization?: string, app = server()) =>
  app.inject({
    method: 'POST',
    url: '/api/calling',
    payload,
    headers: { 'content-type': 'application/json', ...(authorization && { authorization }) }
  });

beforeEach(() => {
  store = new SqliteStore(':memory:');
  registry = new Registry();
  checks = {
    store: () => ({ ok: true }),
    graph: () => ({ ok: true }),
    salesforce: () => ({ ok: true }),
    config: () => ({ ok: true })
  };
});

describe('GET /healthz and /readyz', () => {
  it('/healthz answers 200 while the process is alive', async () => {
    const res = await server().inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  it('/readyz answers 200 and names every dependency when all are ready', async () => {
    const res = await server().inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200);
    const body = res.json<{ status: string; checks: Record<string, { ok: boolean }> }>();
    assert.equal(body.status, 'ready');
    assert.deepEqual(Object.keys(body.checks).sort(), ['config', 'graph', 'salesforce', 'store']);
  });

  it('/readyz answers 503 naming the dependency that failed, with its reason', async () => {
    checks['config'] = () => ({ ok: false, detail: 'SOQL failed; keeping the last good snapshot' });
    checks['graph'] = () => Promise.reject(new Error('AADSTS7000215 invalid client secret'));
    const res = await server().inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    const body = res.json<{ checks: Record<string, { ok: boolean; detail?: string }> }>();
    assert.deepEqual(body.checks['config'], { ok: false, detail: 'SOQL failed; keeping the last good snapshot' });
    assert.equal(body.checks['graph']?.ok, false);
    assert.match(body.checks['graph']?.detail ?? '', /AADSTS7000215/);
    assert.equal(body.checks['store']?.ok, true);
  });

  it('/readyz does not hang on a dependency that never answers', async () => {
    checks['salesforce'] = () => new Promise(() => undefined);
    const res = await server().inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.match(res.json<{ checks: { salesforce: { detail: string } } }>().checks.salesforce.detail, /no answer/);
  });
});

describe('POST /api/calling through the server (graph-calls.md §4)', () => {
  it('[S01] an authenticated notification is stored in the inbox and acknowledged with 202', async () => {
    const res = await post(JSON.stringify(fixture('incoming-call-pstn')), 'Bearer good');
    assert.equal(res.statusCode, 202);
    const rows = await store.pendingInbox(10);
    assert.equal(rows.length, 1);
    assert.match(rows[0]?.body ?? '', /491f0b00-ffff-4bc9-a43e-b226498ec22a/);
  });

  it('a request without a token gets 401 and stores nothing', async () => {
    const res = await post(JSON.stringify(fixture('incoming-call-pstn')));
    assert.equal(res.statusCode, 401);
    assert.deepEqual(await store.pendingInbox(10), []);
  });

  it('a token for a tenant not allowed gets 403 and stores nothing', async () => {
    const res = await post(JSON.stringify(fixture('incoming-call-pstn')), 'Bearer other-tenant');
    assert.equal(res.statusCode, 403);
    assert.deepEqual(await store.pendingInbox(10), []);
  });

  it('a body that is not JSON gets 400 and stores nothing', async () => {
    const res = await post('{"value": [', 'Bearer good');
    assert.equal(res.statusCode, 400);
    assert.deepEqual(await store.pendingInbox(10), []);
  });

  it('a JSON body that is not commsNotifications gets 400 with the reason and stores nothing', async () => {
    const res = await post(JSON.stringify({ hello: 'world' }), 'Bearer good');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json<{ error: string }>().error, 'missing-value-array');
    assert.deepEqual(await store.pendingInbox(10), []);
  });
});

describe('POST /api/calling/callback (per-call callbackUri, graph-calls.md §4)', () => {
  const tokens = new CallbackTokens('k'.repeat(40));
  const CALL = '57DAB8B1894C409AB240BD8BEAE78896';
  const callback = (token: string) =>
    server().inject({
      method: 'POST',
      url: `/api/calling/callback?k=${encodeURIComponent(token)}`,
      payload: JSON.stringify(fixture('call-established')),
      headers: { 'content-type': 'application/json', authorization: 'Bearer good' }
    });

  it("[S03] a callback carrying the call's own token is stored and acknowledged with 202", async () => {
    const res = await callback(tokens.tokenFor(CALL));
    assert.equal(res.statusCode, 202);
    assert.equal((await store.pendingInbox(10)).length, 1);
  });

  it("a callback with another call's token gets 403 and stores nothing", async () => {
    const res = await callback(tokens.tokenFor('some-other-call'));
    assert.equal(res.statusCode, 403);
    assert.deepEqual(await store.pendingInbox(10), []);
  });
});

describe('GET /metrics', () => {
  it('exposes notifications received and rejected by reason in the Prometheus text format', async () => {
    const app = server();
    await post(JSON.stringify(fixture('incoming-call-pstn')), 'Bearer good', app);
    await post(JSON.stringify(fixture('incoming-call-pstn')), undefined, app);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/plain/);
    assert.match(res.body, /relay_webhook_notifications_total\{outcome="stored"\} 1/);
    assert.match(res.body, /relay_webhook_rejected_total\{reason="missing-token"\} 1/);
  });

  it('[S01] serves the worker series (inbox, ring path, effects, outbox) under the same names from the same registry', async () => {
    const metrics = new PrometheusRelayMetrics(registry, {
      outboxDepth: () => store.outboxDepth(),
      deadLetters: async () => (await store.deadLetters()).length
    });
    metrics.inboxItem('applied');
    metrics.ringPathObserved(0.4);
    metrics.effect('InviteAgent', 'executed');
    metrics.outboxBatchPublished();
    metrics.outboxDelivered(1);
    const res = await server().inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /relay_inbox_items_total\{outcome="applied"\} 1/);
    assert.match(res.body, /relay_ring_path_seconds_count 1/);
    assert.match(res.body, /relay_effects_total\{type="InviteAgent",outcome="executed"\} 1/);
    assert.match(res.body, /relay_outbox_publish_batches_total 1/);
    assert.match(res.body, /relay_outbox_events_delivered_total 1/);
    assert.match(res.body, /relay_outbox_depth 0/);
    assert.match(res.body, /relay_dead_letters 0/);
  });
});
