// Fuzz test of the calling webhook (B01, issue 14): thousands of validly signed requests whose bodies are mutations of
// the documented Graph payloads go through the real server, authenticator, inbox (SQLite) and engine. Nothing may
// answer 5xx, crash, leave an inbox row unprocessed, or grow memory without bound. Seeded: FUZZ_SEED, FUZZ_RUNS.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Registry } from 'prom-client';
import { dialledNumberResolver, inboxDecoder } from '../../src/adapters/graph/stored-notification.ts';
import { CallbackTokens, WebhookAuthenticator } from '../../src/adapters/graph/webhook-auth.ts';
import { SqliteStore } from '../../src/adapters/store/sqlite.store.ts';
import {
  InMemoryCallControl,
  InMemoryEventPublisher,
  InMemoryPresenceGateway,
  ManualTimerScheduler,
  MemoryLogger,
  StaticConfigSource
} from '../../src/app/in-memory/index.ts';
import { RelayRuntime } from '../../src/app/workers/runtime.ts';
import { buildServer } from '../../src/http/server.ts';
import { config } from '../domain/fixtures.ts';

const RUNS = Math.max(5000, Number(process.env['FUZZ_RUNS'] ?? 5000));
const SEED = Number(process.env['FUZZ_SEED'] ?? 1414);
const APP_ID = '0efc74f7-41c3-47a4-8775-7259bfef4241';
const TENANT = '632899f8-2ea1-4604-8413-27bd2892079f';
const FIXTURES = [
  'incoming-call-pstn',
  'incoming-call-to-app-instance',
  'call-established',
  'call-establishing',
  'call-terminated',
  'call-redirect-terminated-answered',
  'call-transfer-accepted',
  'call-transfer-completed',
  'call-transferring',
  'operation-completed-start-hold-music',
  'operation-completed-play-prompt',
  'participants-updated'
].map((name) => readFileSync(new URL(`../fixtures/graph/${name}.json`, import.meta.url), 'utf8'));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Paths to every node of a JSON document, so a mutation can pick one. */
function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function setAt(root: Json, path: (string | number)[], replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const copy: Json = structuredClone(root);
  let node = copy as Record<string | number, Json>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, Json>;
  const last = path.at(-1)!;
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

const nasty: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue() as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(
    '\uD800',
    'x\uDC00y',
    '',
    '/communications/calls/../../etc',
    '+'.repeat(300),
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER,
    'terminated',
    'established',
    '#microsoft.graph.participant',
    '__proto__',
    { __proto__: { polluted: true } } as unknown as Json
  ),
  fc.integer({ min: 2, max: 60 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as Json),
  fc.string({ unit: 'binary', maxLength: 64 })
);

/** One request: a documented payload with a mutation, or its text cut/spliced, with one of a few content types. */
const request = fc
  .record({
    fixture: fc.nat({ max: FIXTURES.length - 1 }),
    pick: fc.nat(),
    mutation: fc.constantFrom('replace', 'delete', 'duplicate-items', 'raw-cut', 'raw-splice', 'as-is'),
    value: nasty,
    cut: fc.nat(),
    splice: fc.string({ unit: 'binary', maxLength: 8 }),
    contentType: fc.constantFrom(
      'application/json',
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded'
    ),
    perCall: fc.boolean()
  })
  .map(({ fixture, pick, mutation, value, cut, splice, contentType, perCall }) => {
    const text = FIXTURES[fixture]!;
    const doc = JSON.parse(text) as Json;
    const all = paths(doc);
    const path = all[pick % all.length]!;
    let payload: string;
    switch (mutation) {
      case 'replace':
        payload = JSON.stringify(setAt(doc, path, value));
        break;
      case 'delete':
        payload = JSON.stringify(setAt(doc, path, undefined));
        break;
      case 'duplicate-items': {
        const items = (doc as { value?: Json[] }).value ?? [];
        payload = JSON.stringify({ ...(doc as object), value: [...items, ...items, value] });
        break;
      }
      case 'raw-cut':
        payload = text.slice(0, cut % (text.length + 1));
        break;
      case 'raw-splice': {
        const at = cut % (text.length + 1);
        payload = text.slice(0, at) + splice + text.slice(at);
        break;
      }
      default:
        payload = text;
    }
    return { payload, contentType, perCall };
  });

describe('[B01] calling webhook fuzz: signed, mutated documented payloads', () => {
  let keys: Server;
  let baseUrl = '';
  let token = '';

  before(async () => {
    const pair = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'fuzz', alg: 'RS256', use: 'sig' };
    keys = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/metadata') res.end(JSON.stringify({ jwks_uri: `${baseUrl}/jwks` }));
      else res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(keys.address() as AddressInfo).port}`;
    const now = Math.floor(Date.now() / 1000);
    token = await new SignJWT({ tid: TENANT })
      .setProtectedHeader({ alg: 'RS256', kid: 'fuzz', typ: 'JWT' })
      .setIssuer('https://api.botframework.com')
      .setAudience(APP_ID)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(pair.privateKey);
  });
  after(() => new Promise<void>((resolve) => keys.close(() => resolve())));

  it(`[B01] ${RUNS} requests: no 5xx, no crash, every inbox row processed, memory bounded`, async () => {
    const store = new SqliteStore(':memory:');
    const runtime = await RelayRuntime.start({
      store,
      callControl: new InMemoryCallControl(),
      presence: new InMemoryPresenceGateway(),
      publisher: new InMemoryEventPublisher(),
      configSource: new StaticConfigSource(config()),
      clock: { now: () => new Date().toISOString() },
      timers: new ManualTimerScheduler(),
      logger: new MemoryLogger(),
      decode: inboxDecoder(dialledNumberResolver({ '7629bdce-046c-4903-86b4-a8f718277e1a': '+442071230001' }))
    });
    const tokens = new CallbackTokens('f'.repeat(40));
    const app = buildServer({
      webhook: {
        authenticator: new WebhookAuthenticator({
          appId: APP_ID,
          allowedTenantIds: [TENANT],
          openIdMetadataUrls: [`${baseUrl}/metadata`]
        }),
        callbackTokens: tokens,
        inbox: store
      },
      registry: new Registry(),
      checks: {}
    });
    const statuses = new Map<number, number>();
    let sent = 0;
    const rssBefore = process.memoryUsage().rss;

    await fc.assert(
      fc.asyncProperty(request, async ({ payload, contentType, perCall }) => {
        const callId = /calls\/([^"/\\]+)/.exec(payload)?.[1] ?? 'none';
        const url = perCall ? `/api/calling/callback?k=${tokens.tokenFor(callId)}` : '/api/calling';
        const res = await app.inject({
          method: 'POST',
          url,
          payload,
          headers: { 'content-type': contentType, authorization: `Bearer ${token}` }
        });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        assert.ok(res.statusCode < 500, `${res.statusCode} for ${contentType} ${payload.slice(0, 300)}`);
        sent += 1;
        if (sent % 250 === 0) await runtime.processInbox();
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true }
    );

    // Every row the webhook accepted is processed (or, if it cannot be read, marked so): none is left pending.
    for (let pass = 0; pass < 10 && (await store.pendingInbox(1)).length > 0; pass += 1) await runtime.processInbox();
    assert.deepEqual(await store.pendingInbox(10), []);
    assert.equal(sent, RUNS);
    assert.ok(
      (statuses.get(202) ?? 0) > 0,
      `some mutations are still valid notifications: ${JSON.stringify([...statuses])}`
    );
    const grownMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    assert.ok(grownMb < 300, `RSS grew ${grownMb.toFixed(0)} MB`);
    console.log(
      `[B01] webhook fuzz (seed ${SEED}): ${sent} signed requests, statuses ${JSON.stringify([...statuses])}`
    );
    await runtime.stop();
    store.close();
  });
});
