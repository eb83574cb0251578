import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { PrometheusRelayMetrics } from '../../../src/adapters/metrics/prometheus.metrics.ts';
import { SqliteStore } from '../../../src/adapters/store/sqlite.store.ts';
import {
  InMemoryCallControl,
  InMemoryEventPublisher,
  InMemoryPresenceGateway,
  ManualClock,
  ManualTimerScheduler,
  MemoryLogger,
  StaticConfigSource
} from '../../../src/app/in-memory/index.ts';
import type { DecodedItem } from '../../../src/app/workers/inbox-processor.ts';
import { RelayRuntime } from '../../../src/app/workers/runtime.ts';
import type { TeamsCallCommand } from '../../../src/domain/call-event.ts';
import type { ConfigSnapshot } from '../../../src/domain/config.ts';
import type { InboxItem } from '../../../src/ports/delivery-store.port.ts';
import { ANNA, at, config, incoming, T0 } from '../../domain/fixtures.ts';

let store: SqliteStore;
let callControl: InMemoryCallControl;
let salesforce: InMemoryEventPublisher;
let source: StaticConfigSource & { failing?: boolean };
let presence: InMemoryPresenceGateway;
let registry: Registry;
let clock: ManualClock;
let runtime: RelayRuntime;

/** Inbox rows hold their decoded items as JSON: the Graph decoding is tested in test/http and the adapters. */
const decode = (item: InboxItem) => JSON.parse(item.body) as DecodedItem[];

class FlakyConfigSource extends StaticConfigSource {
  failing = false;
  loads = 0;
  override load(): Promise<ConfigSnapshot> {
    this.loads += 1;
    return this.failing ? Promise.reject(new Error('INVALID_SESSION_ID')) : super.load();
  }
}

async function start(): Promise<void> {
  runtime = await RelayRuntime.start({
    store,
    callControl,
    presence,
    publisher: salesforce,
    configSource: source,
    clock,
    timers: new ManualTimerScheduler(),
    logger: new MemoryLogger(),
    // The Prometheus adapter (as main.ts wires it) so the assertions read the series GET /metrics serves.
    metrics: new PrometheusRelayMetrics(registry, {
      outboxDepth: () => store.outboxDepth(),
      deadLetters: async () => (await store.deadLetters()).length
    }),
    decode,
    random: () => 0.5
  });
}

const command = (id: string, action: TeamsCallCommand['Action__c']): TeamsCallCommand => ({
  CommandId__c: id,
  Action__c: action,
  RequestedBy__c: ANNA.salesforceUserId,
  IssuedAt__c: at(1),
  CreatedById: ANNA.salesforceUserId
});

beforeEach(async () => {
  store = new SqliteStore(':memory:');
  callControl = new InMemoryCallControl();
  salesforce = new InMemoryEventPublisher();
  source = new FlakyConfigSource(config());
  presence = new InMemoryPresenceGateway();
  registry = new Registry();
  clock = new ManualClock(T0);
  await start();
});

describe('RelayRuntime wiring', () => {
  it('[S01] an incoming call from the inbox rings the agent and publishes Ringing; metrics show the ring path', async () => {
    await store.addToInbox({ key: 'k1', body: JSON.stringify([{ input: incoming('call-1') }]), receivedAt: T0 });
    await runtime.processInbox();
    assert.deepEqual(
      callControl.requests.map((r) => r.type),
      ['AnswerCall', 'InviteAgent']
    );
    assert.deepEqual(
      salesforce.delivered.map((e) => e.State__c),
      ['Ringing']
    );
    const metrics = await registry.metrics();
    assert.match(metrics, /relay_effects_total\{type="InviteAgent",outcome="executed"\} 1/);
    assert.match(metrics, /relay_ring_path_seconds_count 1/);
    assert.match(metrics, /relay_outbox_publish_batches_total 1/);
    assert.match(metrics, /relay_outbox_depth 0/);
  });

  it('[S01] a Graph effect that fails is counted as failed by type', async () => {
    callControl.refuse('InviteAgent');
    await store.addToInbox({ key: 'k1', body: JSON.stringify([{ input: incoming('call-1') }]), receivedAt: T0 });
    await runtime.processInbox();
    assert.match(await registry.metrics(), /relay_effects_total\{type="InviteAgent",outcome="failed"\} 1/);
  });

  it('[S13] a command delivered twice (same CommandId__c) is applied once', async () => {
    const flaky = source as FlakyConfigSource;
    const before = flaky.loads;
    await runtime.onCommand(command('cmd-1', 'ReloadConfig'));
    await runtime.onCommand(command('cmd-1', 'ReloadConfig'));
    assert.equal(flaky.loads - before, 1);
  });

  it('[S13] ReloadConfig reloads the agents and rules into the engine', async () => {
    const extra = { ...ANNA, salesforceUserId: '005000000000004AAA', phoneNumber: '+442071230004' };
    source.snapshot = { ...config(), agents: [...config().agents, extra], loadedAt: at(5) };
    await runtime.onCommand(command('cmd-2', 'ReloadConfig'));
    assert.equal(runtime.relay.snapshot().config.agents.length, 4);
    assert.equal(runtime.config.status().loaded, true);
  });

  it('[S13] a failed config load keeps the last good snapshot and reports the error for /readyz', async () => {
    (source as FlakyConfigSource).failing = true;
    await runtime.onCommand(command('cmd-3', 'ReloadConfig'));
    assert.equal(runtime.relay.snapshot().config.agents.length, 3);
    const status = runtime.config.status();
    assert.equal(status.loaded, false);
    assert.equal(status.lastError, 'INVALID_SESSION_ID');
  });

  it('stop() (graceful shutdown) lets the inbox pass in flight finish before it resolves', async () => {
    const answer = callControl.answer;
    callControl.answer = async (effect) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return answer(effect);
    };
    await store.addToInbox({ key: 'k1', body: JSON.stringify([{ input: incoming('call-1') }]), receivedAt: T0 });
    void runtime.processInbox();
    await runtime.stop();
    assert.deepEqual(
      callControl.requests.map((r) => r.type),
      ['AnswerCall', 'InviteAgent']
    );
    assert.deepEqual(await store.pendingInbox(10), []);
  });
});

describe('[S05] command trust (runtime)', () => {
  it('[S05] a forged command is refused, logged with its id and counted in /metrics', async () => {
    await store.addToInbox({ key: 'k1', body: JSON.stringify([{ input: incoming('call-1') }]), receivedAt: T0 });
    const joined = { type: 'AgentJoined', callId: 'call-1', teamsUserId: ANNA.teamsUserId, at: at(5) };
    await store.addToInbox({ key: 'k2', body: JSON.stringify([{ input: joined }]), receivedAt: at(5) });
    await runtime.processInbox();
    const forged = { ...command('cmd-f', 'Hold'), TeamsCallId__c: 'call-1', CreatedById: '005000000000009AAA' };
    await runtime.onCommand(forged);
    assert.equal(runtime.relay.snapshot().calls['call-1']?.holdPending, undefined, 'not put on hold');
    assert.ok(!callControl.requests.some((r) => r.type === 'StartHoldMusic'));
    assert.match(await registry.metrics(), /relay_commands_refused_total\{reason="publisher"\} 1/);
  });
});

describe('[B01] reconciliation with Graph (runtime)', () => {
  const connect = async () => {
    await store.addToInbox({ key: 'k1', body: JSON.stringify([{ input: incoming('call-1') }]), receivedAt: T0 });
    const joined = { type: 'AgentJoined', callId: 'call-1', teamsUserId: ANNA.teamsUserId, at: at(5) };
    await store.addToInbox({ key: 'k2', body: JSON.stringify([{ input: joined }]), receivedAt: at(5) });
    await runtime.processInbox();
    assert.equal(runtime.relay.snapshot().calls['call-1']?.phase, 'Connected');
  };

  it('[B01][B05] after a restart, a call Graph no longer has (hung up while the relay was down) ends Reconciled', async () => {
    await connect();
    await runtime.stop();
    callControl.statuses.set('call-1', { exists: false });
    registry = new Registry();
    await start(); // the same store: the world comes back with the call Connected
    assert.equal(runtime.relay.snapshot().calls['call-1']?.phase, 'Connected');
    assert.equal(await runtime.reconciler.pass(), 1, 'the first pass after start asks about every call');
    assert.equal(runtime.relay.snapshot().calls['call-1'], undefined);
    const last = salesforce.delivered.at(-1)!;
    assert.deepEqual([last.State__c, last.Reason__c], ['Ended', 'Reconciled']);
    assert.ok(presence.requests.some((r) => r.type === 'ClearPresence' && r.mode === 'InACall'));
  });

  it('[B01] later passes ask Graph only about calls that are due; a failed GET is retried on the next pass', async () => {
    await connect();
    assert.equal(await runtime.reconciler.pass(), 1);
    assert.equal(await runtime.reconciler.pass(), 0, 'nothing is due a minute later');
    callControl.callStatus = () => Promise.reject(new Error('503'));
    clock.set(at(5 + 300));
    assert.equal(await runtime.reconciler.pass(), 0, 'Graph could not say');
    assert.equal(runtime.relay.snapshot().calls['call-1']?.phase, 'Connected');
  });

  it('[S05] a Hold whose completion was lost is sent again, then failed: never pending forever', async () => {
    await connect();
    await runtime.reconciler.pass();
    await runtime.onCommand({ ...command('cmd-h', 'Hold'), TeamsCallId__c: 'call-1' });
    assert.equal(runtime.relay.snapshot().calls['call-1']?.holdPending, 'StartHoldMusic');
    clock.set(at(30));
    await runtime.reconciler.pass();
    assert.equal(callControl.requests.filter((r) => r.type === 'StartHoldMusic').length, 2, 'sent again');
    clock.set(at(60));
    await runtime.reconciler.pass();
    const call = runtime.relay.snapshot().calls['call-1']!;
    assert.equal(call.holdPending, undefined);
    assert.deepEqual(
      [salesforce.delivered.at(-1)?.State__c, salesforce.delivered.at(-1)?.Reason__c],
      ['Connected', 'Failed']
    );
  });
});
