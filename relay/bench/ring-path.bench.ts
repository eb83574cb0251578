/**
 * Ring-path benchmark (ARCHITECTURE §4): from an incoming-call input to the Graph invite request and the Ringing
 * event handed to the publisher. Measures the engine alone and the full use case with in-memory ports, so the
 * numbers show the relay's own overhead (real Graph/Salesforce round trips come on top). Not a test: no thresholds.
 */
import { performance } from 'node:perf_hooks';
import { CallRelay } from '../src/app/call-relay.ts';
import {
  InMemoryCallControl,
  InMemoryEventPublisher,
  inMemoryOutboxDelivery,
  InMemoryPresenceGateway,
  InMemoryWorldStore,
  ManualClock,
  ManualTimerScheduler,
  MemoryLogger,
  StaticConfigSource
} from '../src/app/in-memory/index.ts';
import type { Agent, ConfigSnapshot } from '../src/domain/config.ts';
import { decide, emptyWorld } from '../src/domain/decide.ts';
import type { Input, World } from '../src/domain/model.ts';

const AGENTS = 500;
const WARMUP = 500;
const RUNS = Number(process.env.BENCH_RUNS ?? 5000);
const T0 = Date.parse('2026-01-05T09:00:00.000Z');

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

const incoming = (n: number): Input => ({
  type: 'IncomingCall',
  callId: `bench-${n}`,
  tenantId: 'tenant',
  callerNumber: '+447700900123',
  dialledNumber: agents[n % AGENTS]?.phoneNumber ?? '',
  at: new Date(T0 + n).toISOString()
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** ops/s from the measured ring-path steps only (the loop's other work, e.g. ending calls, is excluded). */
function report(name: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const ops = Math.round((samples.length / samples.reduce((sum, ms) => sum + ms, 0)) * 1000);
  console.log(
    `${name.padEnd(34)} ${String(ops).padStart(8)} ops/s   p50 ${percentile(sorted, 50).toFixed(3)} ms   p99 ${percentile(sorted, 99).toFixed(3)} ms`
  );
}

function benchEngine(): void {
  // A realistic background: 50 calls in progress, the rest of the agents idle.
  let world: World = emptyWorld(config);
  for (let i = 0; i < 50; i++) world = decide(world, incoming(1_000_000 + i)).world;
  for (let i = 0; i < WARMUP; i++) decide(world, incoming(i));
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const { effects } = decide(world, incoming(i));
    if (!effects.some((e) => e.type === 'InviteAgent') || !effects.some((e) => e.type === 'PublishCallEvent'))
      throw new Error('ring path broken');
    samples.push(performance.now() - t);
  }
  report('engine: decide(IncomingCall)', samples);
}

async function benchUseCase(): Promise<void> {
  const callControl = new InMemoryCallControl();
  const publisher = new InMemoryEventPublisher();
  const outbox = {
    store: new InMemoryWorldStore(false),
    publisher,
    clock: new ManualClock(new Date(T0).toISOString()),
    logger: new MemoryLogger()
  };
  const relay = await CallRelay.start({
    ...outbox,
    callControl,
    presence: new InMemoryPresenceGateway(),
    deliverOutbox: inMemoryOutboxDelivery(outbox),
    config: new StaticConfigSource(config),
    timers: new ManualTimerScheduler()
  });
  const total = WARMUP + RUNS;
  const samples: number[] = [];
  for (let i = 0; i < total; i++) {
    const t = performance.now();
    // Each call ends right away so the world stays at a steady size, as in production.
    await relay.handle(incoming(i));
    if (i >= WARMUP) samples.push(performance.now() - t);
    await relay.handle({
      type: 'CallTerminated',
      callId: `bench-${i}`,
      code: 200,
      subcode: 540000,
      at: new Date(T0 + i).toISOString()
    });
  }
  report('use case: handle → invite + Ringing', samples);
  if (publisher.delivered.length < total) throw new Error('events missing');
}

console.log(`ring path, ${AGENTS} agents, ${RUNS} runs (in-memory ports; Graph and Salesforce latency not included)`);
benchEngine();
await benchUseCase();
