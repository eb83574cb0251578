/**
 * B15 scale benchmark: the relay core as the runtime wires it (CallRelay + the OutboxDrain over the SQLite store),
 * with a fake Graph and a fake Salesforce that answer after a set round trip. Prints, in one run on this machine:
 * the ring path (input → invite request sent) with 1, 50 and 200 calls ringing at once, per-step cost with 10 to
 * 10,000 calls stored, RSS per active call, and publish RPCs per event at 100 events/s. Not a test: no thresholds.
 * Run with `node --expose-gc --import tsx bench/scale.bench.ts` (npm run bench does) so RSS is measured after a GC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteStore } from '../src/adapters/store/sqlite.store.ts';
import { CallRelay } from '../src/app/call-relay.ts';
import {
  InMemoryPresenceGateway,
  ManualClock,
  ManualTimerScheduler,
  MemoryLogger,
  StaticConfigSource
} from '../src/app/in-memory/index.ts';
import { OutboxDrain } from '../src/app/workers/outbox-drain.ts';
import type { TeamsCallEvent } from '../src/domain/call-event.ts';
import type { Agent, ConfigSnapshot } from '../src/domain/config.ts';
import type { Input } from '../src/domain/model.ts';
import type { CallControl } from '../src/ports/call-control.port.ts';
import type { EventPublisher, PublishResult } from '../src/ports/event-publisher.port.ts';

const AGENTS = 500;
const T0 = Date.parse('2026-01-05T09:00:00.000Z');
const dir = mkdtempSync(join(tmpdir(), 'relay-scale-bench-'));
let files = 0;

const agents: Agent[] = Array.from({ length: AGENTS }, (_, i) => ({
  salesforceUserId: `005${String(i).padStart(15, '0')}`,
  teamsUserId: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
  phoneNumber: `+44207${String(1_000_000 + i)}`,
  returnToPreviousPresence: false,
  rules: [{ trigger: 'NoAnswer', targetType: 'PhoneNumber', targetValue: '+447700900555' }]
}));
const config: ConfigSnapshot = {
  agents,
  settings: { noAnswerSeconds: 20, dndExpiryMinutes: 60 },
  loadedAt: new Date(T0).toISOString()
};

const incoming = (id: string, n: number): Input => ({
  type: 'IncomingCall',
  callId: id,
  tenantId: 'tenant',
  callerNumber: '+447700900123',
  dialledNumber: agents[n % AGENTS]?.phoneNumber ?? '',
  at: new Date(T0 + n).toISOString()
});
const terminated = (id: string, n: number): Input => ({
  type: 'CallTerminated',
  callId: id,
  code: 200,
  subcode: 540000,
  at: new Date(T0 + n).toISOString()
});

const later = (ms: number): Promise<void> =>
  ms === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));

/** Graph with a fixed round trip; records when each invite request left. */
class FakeGraph implements CallControl {
  readonly invitedAt = new Map<string, number>();
  constructor(private readonly rttMs: number) {}
  answer = (): Promise<void> => later(this.rttMs);
  inviteAgent = (effect: { callId: string }): Promise<void> => {
    this.invitedAt.set(effect.callId, performance.now());
    return later(this.rttMs);
  };
  cancelInvite = (): Promise<void> => later(this.rttMs);
  removeParticipant = (): Promise<void> => later(this.rttMs);
  startHoldMusic = (): Promise<void> => later(this.rttMs);
  stopHoldMusic = (): Promise<void> => later(this.rttMs);
  transfer = (): Promise<void> => later(this.rttMs);
  redirect = (): Promise<void> => later(this.rttMs);
  hangUp = (): Promise<void> => later(this.rttMs);
  callStatus = (): Promise<{ exists: boolean }> => later(this.rttMs).then(() => ({ exists: true }));
}

/** Salesforce Pub/Sub with a fixed round trip; counts Publish RPCs and events. */
class FakePubSub implements EventPublisher {
  rpcs = 0;
  events = 0;
  constructor(private readonly rttMs: number) {}
  async publish(events: TeamsCallEvent[]): Promise<PublishResult[]> {
    this.rpcs += 1;
    this.events += events.length;
    await later(this.rttMs);
    return events.map((event) => ({ eventId: event.EventId__c, ok: true }));
  }
}

async function relayOn(store: SqliteStore, graphRttMs: number, publishRttMs: number) {
  const graph = new FakeGraph(graphRttMs);
  const publisher = new FakePubSub(publishRttMs);
  const clock = new ManualClock(new Date(T0).toISOString());
  const logger = new MemoryLogger();
  // MemoryLogger keeps every line; the benchmark does not need them.
  logger.info = () => undefined;
  const drain = new OutboxDrain({ store, delivery: store, publisher, clock, logger });
  const relay = await CallRelay.start({
    store,
    callControl: graph,
    presence: new InMemoryPresenceGateway(),
    deliverOutbox: () => drain.drain().then(() => undefined),
    config: new StaticConfigSource(config),
    clock,
    timers: new ManualTimerScheduler(),
    logger
  });
  return { relay, graph, publisher };
}

const freshStore = (): SqliteStore => new SqliteStore(join(dir, `bench-${++files}.db`));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Ring path: N incoming calls handed to the relay at the same instant; input → invite request sent. */
async function ringPath(concurrent: number, graphRttMs: number): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  const store = freshStore();
  const { relay, graph } = await relayOn(store, graphRttMs, graphRttMs);
  for (let round = 0; round < Math.max(3, Math.ceil(400 / concurrent)); round++) {
    const ids = Array.from({ length: concurrent }, (_, i) => `r${round}-${i}`);
    const started = performance.now();
    await Promise.all(ids.map((id, i) => relay.handle(incoming(id, round * 1000 + i))));
    for (const id of ids) samples.push((graph.invitedAt.get(id) ?? Number.NaN) - started);
    await Promise.all(ids.map((id, i) => relay.handle(terminated(id, round * 1000 + i))));
  }
  store.close();
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Per-step cost: one call pair (incoming + terminated) with `stored` calls in progress held by the relay. */
async function stepCost(stored: number): Promise<number> {
  const store = freshStore();
  const { relay } = await relayOn(store, 0, 0);
  for (let i = 0; i < stored; i++) await relay.handle(incoming(`held-${i}`, i));
  const pairs = 300;
  for (let i = 0; i < 50; i++) {
    await relay.handle(incoming(`warm-${i}`, i));
    await relay.handle(terminated(`warm-${i}`, i));
  }
  const started = performance.now();
  for (let i = 0; i < pairs; i++) {
    await relay.handle(incoming(`pair-${i}`, i));
    await relay.handle(terminated(`pair-${i}`, i));
  }
  const perPair = (performance.now() - started) / pairs;
  store.close();
  return perPair;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** RSS per call in progress: RSS after 10,000 calls ringing minus RSS before, per call (after a GC each time). */
async function rssPerCall(calls: number): Promise<number> {
  const store = freshStore();
  const { relay } = await relayOn(store, 0, 0);
  gc?.();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < calls; i++) await relay.handle(incoming(`rss-${i}`, i));
  gc?.();
  const after = process.memoryUsage().rss;
  const perCall = (after - before) / calls;
  store.close();
  return perCall;
}

/** Publish RPCs per event: 100 calls/s for 5 s, Graph and Pub/Sub each 100 ms away. */
async function publishBatching(): Promise<{ rpcs: number; events: number }> {
  const store = freshStore();
  const { relay, publisher } = await relayOn(store, 100, 100);
  const handled: Promise<unknown>[] = [];
  for (let i = 0; i < 500; i++) {
    handled.push(relay.handle(incoming(`pub-${i}`, i)));
    await later(10);
  }
  await Promise.all(handled);
  await relay.drainOutbox();
  store.close();
  return { rpcs: publisher.rpcs, events: publisher.events };
}

const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;
console.log(
  `B15 scale benchmark — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`
);
console.log(`node ${process.version}, SQLite store (WAL, synchronous=NORMAL), ${AGENTS} agents\n`);

// RSS first, in a fresh process: after the other runs the heap has room to spare, and new calls would not grow RSS.
const rss = await rssPerCall(10_000);

console.log('ring path inside the relay (input → invite sent), SQLite');
console.log('  ringing at once | Graph 0 ms: p50 / p99     | Graph 100 ms: p50 / p99');
for (const n of [1, 50, 200]) {
  const fast = await ringPath(n, 0);
  const slow = await ringPath(n, 100);
  console.log(
    `  ${String(n).padStart(15)} | ${fmt(fast.p50).padStart(10)} / ${fmt(fast.p99).padEnd(11)} | ${fmt(slow.p50).padStart(10)} / ${fmt(slow.p99)}`
  );
}

console.log('\nper-step cost (one call pair: incoming + terminated), SQLite, 0 ms Graph');
const costs: number[] = [];
for (const stored of [10, 100, 1_000, 10_000]) {
  const cost = await stepCost(stored);
  costs.push(cost);
  console.log(`  ${String(stored).padStart(6)} calls stored: ${fmt(cost)} per pair`);
}
console.log(`  growth 10 → 10,000: ${((costs[3] ?? 0) / (costs[0] ?? 1)).toFixed(2)}×`);

console.log(
  `\nRSS per call in progress at 10,000: ${(rss / 1024).toFixed(2)} KB${gc ? '' : ' (no --expose-gc: noisy)'}`
);

const batching = await publishBatching();
console.log(
  `publish RPCs per event at 100 calls/s (Pub/Sub 100 ms): ${batching.rpcs} RPCs for ${batching.events} events = ${(batching.rpcs / batching.events).toFixed(3)}`
);
rmSync(dir, { recursive: true, force: true });
