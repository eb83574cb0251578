import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { CallbackTokens, type WebhookAuthResult } from '../../src/adapters/graph/webhook-auth.ts';
import { PrometheusRelayMetrics } from '../../src/adapters/metrics/prometheus.metrics.ts';
import { SqliteStore } from '../../src/adapters/store/sqlite.store.ts';
import {
  InMemoryCallControl,
  InMemoryEventPublisher,
  InMemoryPresenceGateway,
  ManualClock,
  ManualTimerScheduler,
  MemoryLogger,
  StaticConfigSource
} from '../../src/app/in-memory/index.ts';
import { RelayRuntime } from '../../src/app/workers/runtime.ts';
import { buildServer } from '../../src/http/server.ts';
import { dialledNumberResolver, inboxDecoder } from '../../src/adapters/graph/stored-notification.ts';
import { ANNA, config } from '../domain/fixtures.ts';

const TENANT = '632899f8-2ea1-4604-8413-27bd2892079f';
const RESOURCE_ACCOUNT = '7629bdce-046c-4903-86b4-a8f718277e1a';
const CALL_ID = '491f0b00-ffff-4bc9-a43e-b226498ec22a';
const fixtureText = (name: string) => readFileSync(new URL(`../fixtures/graph/${name}.json`, import.meta.url), 'utf8');
/** Re-targets a fixture at the call under test (the captures come from different calls). */
const forCall = (name: string, fromId: string) =>
  JSON.parse(fixtureText(name).replaceAll(new RegExp(fromId, 'gi'), CALL_ID)) as unknown;

const authenticator = {
  authenticate: (): Promise<WebhookAuthResult> => Promise.resolve({ ok: true, tenantId: TENANT, claims: {} })
};

const dir = mkdtempSync(join(tmpdir(), 'relay-restart-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function boot(
  file: string,
  callControl: InMemoryCallControl,
  clock: ManualClock,
  salesforce: InMemoryEventPublisher
) {
  const store = new SqliteStore(file);
  const registry = new Registry();
  const runtime = await RelayRuntime.start({
    store,
    callControl,
    presence: new InMemoryPresenceGateway(),
    publisher: salesforce,
    configSource: new StaticConfigSource(config()),
    clock,
    timers: new ManualTimerScheduler(),
    logger: new MemoryLogger(),
    metrics: new PrometheusRelayMetrics(registry, {
      outboxDepth: () => store.outboxDepth(),
      deadLetters: async () => (await store.deadLetters()).length
    }),
    decode: inboxDecoder(dialledNumberResolver({ [RESOURCE_ACCOUNT]: ANNA.phoneNumber })),
    random: () => 0.5
  });
  const server = buildServer({
    webhook: { authenticator, callbackTokens: new CallbackTokens('k'.repeat(40)), inbox: store },
    registry,
    checks: {}
  });
  const post = (body: unknown) =>
    server.inject({
      method: 'POST',
      url: '/api/calling',
      payload: body as object,
      headers: { authorization: 'Bearer t' }
    });
  return { store, runtime, server, post };
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail('condition not reached');
}

describe('restart between receiving a notification and executing its effects (issue 4)', () => {
  it('[S01][S12][B01] after a crash the call continues from the store: one invite, no event lost or doubled', async () => {
    const file = join(dir, 'before-answer.sqlite');
    const clock = new ManualClock('2026-11-24T10:00:00.000Z');
    const salesforce = new InMemoryEventPublisher(); // Salesforce outlives relay processes: one for both runs

    // Run 1: the webhook is acknowledged and committed, then the process dies before Graph sees any request.
    const graph1 = new InMemoryCallControl();
    graph1.hangAfter = 0;
    salesforce.down = true;
    const run1 = await boot(file, graph1, clock, salesforce);
    const ack = await run1.post(JSON.parse(fixtureText('incoming-call-to-app-instance')));
    assert.equal(ack.statusCode, 202);
    void run1.runtime.processInbox(); // hangs forever at the answer request: the "crash"
    await until(async () => (await run1.store.pendingEffects()).length > 0);
    await run1.runtime.drainOutbox(); // Salesforce unreachable: the Ringing event stays in the outbox
    assert.deepEqual(graph1.requests, []);
    assert.equal(await run1.store.outboxDepth(), 1);
    run1.store.close();

    // Run 2: a new process on the same file.
    clock.set('2026-11-24T10:00:30.000Z');
    salesforce.down = false;
    const graph2 = new InMemoryCallControl();
    const run2 = await boot(file, graph2, clock, salesforce);
    await run2.runtime.processInbox(); // the unfinished inbox row comes round again
    assert.deepEqual(
      graph2.requests.map((r) => r.type),
      ['AnswerCall', 'InviteAgent'],
      'the pending effects ran once, the re-read notification added nothing'
    );
    assert.equal(run2.runtime.relay.snapshot().calls[CALL_ID]?.agentUserId, ANNA.salesforceUserId);

    // The call continues: Graph reports the leg established, then the caller hangs up.
    assert.equal((await run2.post(forCall('call-established', '57DAB8B1894C409AB240BD8BEAE78896'))).statusCode, 202);
    await run2.runtime.processInbox();
    assert.equal(run2.runtime.relay.snapshot().calls[CALL_ID]?.botEstablished, true);
    const terminated = forCall('call-terminated', '57dab8b1-894c-409a-b240-bd8beae78896');
    assert.equal((await run2.post(terminated)).statusCode, 202);
    await run2.runtime.processInbox();
    await run2.runtime.drainOutbox();

    const events = salesforce.delivered.filter((e) => e.TeamsCallId__c === CALL_ID);
    assert.deepEqual(
      events.map((e) => e.State__c),
      ['Ringing', 'Abandoned'],
      'the event from before the crash was delivered, then the final state'
    );
    assert.deepEqual(
      events.map((e) => e.Sequence__c),
      events.map((_, i) => i + 1),
      'every event once, in order'
    );
    assert.equal(run2.runtime.relay.snapshot().calls[CALL_ID], undefined, 'the call ended');
    assert.equal(await run2.store.outboxDepth(), 0);
    assert.equal((await run2.store.pendingInbox(10)).length, 0);
    await run2.runtime.stop();
    run2.store.close();
  });

  it('[S01][B01] a crash after Graph accepted the answer but before the invite: answered once, invited once', async () => {
    const file = join(dir, 'before-invite.sqlite');
    const clock = new ManualClock('2026-11-24T10:00:00.000Z');
    const salesforce = new InMemoryEventPublisher();

    const graph1 = new InMemoryCallControl();
    graph1.hangAfter = 1; // the answer goes through, the process dies during the invite
    const run1 = await boot(file, graph1, clock, salesforce);
    assert.equal((await run1.post(JSON.parse(fixtureText('incoming-call-to-app-instance')))).statusCode, 202);
    void run1.runtime.processInbox();
    await until(() => Promise.resolve(graph1.requests.length === 1));
    run1.store.close();

    const graph2 = new InMemoryCallControl();
    const run2 = await boot(file, graph2, clock, salesforce);
    await run2.runtime.processInbox();
    const all = [...graph1.requests, ...graph2.requests].map((r) => r.type);
    assert.deepEqual(all, ['AnswerCall', 'InviteAgent'], 'nothing that must not be repeated was repeated');
    assert.deepEqual(
      salesforce.delivered.map((e) => e.State__c),
      ['Ringing']
    );
    await run2.runtime.stop();
    run2.store.close();
  });
});
