import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { CallbackTokens, type WebhookAuthResult } from '../../src/adapters/graph/webhook-auth.ts';
import { PrometheusRelayMetrics } from '../../src/adapters/metrics/prometheus.metrics.ts';
import { SqliteStore } from '../../src/adapters/store/sqlite.store.ts';
import { buildOpsServer, buildServer, type ReadinessCheck } from '../../src/http/server.ts';

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

describe('bad input never costs more than a 4xx', () => {
  it('[B01] an unauthenticated request is refused from its headers, before its body is read or parsed', async () => {
    let authCalls = 0;
    const counting = {
      authenticate: (header: string | undefined) => {
        authCalls += 1;
        return authenticator.authenticate(header);
      }
    };
    const app = buildServer({
      webhook: { authenticator: counting, callbackTokens: new CallbackTokens('k'.repeat(40)), inbox: store },
      registry,
      checks
    });
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const res = await post(deep, undefined, app);
    assert.deepEqual([res.statusCode, res.json()], [401, { error: 'missing-token' }]);
    assert.equal(authCalls, 1);
    assert.deepEqual(await store.pendingInbox(10), []);
  });

  it('[B01] deeply nested JSON (also inside resourceData) is a 400, never a 500', async () => {
    const nested = JSON.stringify({
      value: [
        {
          changeType: 'updated',
          resource: '/app/calls/x',
          resourceData: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) as unknown
        }
      ]
    });
    const app = server();
    const res = await post(nested, 'Bearer good', app);
    assert.deepEqual([res.statusCode, res.json()], [400, { error: 'too-deep' }]);
    const flood = await post('['.repeat(100_000) + ']'.repeat(100_000), 'Bearer good', app);
    assert.equal(flood.statusCode, 400);
  });

  it('[B01] a body of the wrong content type is a 415; a body too large is a 413; broken JSON a 400', async () => {
    const app = server();
    const plain = await app.inject({
      method: 'POST',
      url: '/api/calling',
      payload: JSON.stringify(fixture('incoming-call-pstn')),
      headers: { 'content-type': 'text/plain', authorization: 'Bearer good' }
    });
    assert.equal(plain.statusCode, 415);
    const big = await post(JSON.stringify({ value: ['x'.repeat(300 * 1024)] }), 'Bearer good', app);
    assert.equal(big.statusCode, 413);
    const broken = await post('{"value": [', 'Bearer good', app);
    assert.deepEqual([broken.statusCode, broken.json()], [400, { error: 'malformed-json' }]);
    assert.deepEqual(await store.pendingInbox(10), []);
  });
});

describe('/readyz and /metrics are for the operator only', () => {
  it('[B01] on the webhook port they answer loopback peers, not a peer elsewhere or a proxied request', async () => {
    const app = server();
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    const remote = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7' });
    assert.equal(remote.statusCode, 404);
    const proxied = await app.inject({ method: 'GET', url: '/readyz', headers: { 'x-forwarded-for': '203.0.113.7' } });
    assert.equal(proxied.statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/healthz', remoteAddress: '203.0.113.7' })).statusCode, 200);
  });

  it('[B01] with a separate ops listener the webhook port does not serve them at all', async () => {
    const app = buildServer({
      webhook: { authenticator, callbackTokens: new CallbackTokens('k'.repeat(40)), inbox: store },
      registry,
      checks,
      ops: 'elsewhere'
    });
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 404);
    const ops = buildOpsServer({ registry, checks });
    assert.equal((await ops.inject({ method: 'GET', url: '/readyz', remoteAddress: '10.0.0.5' })).statusCode, 200);
    assert.equal((await ops.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.0.0.5' })).statusCode, 200);
    assert.equal((await ops.inject({ method: 'POST', url: '/api/calling', payload: '{}' })).statusCode, 404);
  });
});
