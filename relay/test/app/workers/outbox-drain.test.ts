import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { SqliteStore } from '../../../src/adapters/store/sqlite.store.ts';
import { InMemoryMetrics, ManualClock, MemoryLogger } from '../../../src/app/in-memory/index.ts';
import { DEFAULT_MAX_BACKOFF_MS, OutboxDrain } from '../../../src/app/workers/outbox-drain.ts';
import type { TeamsCallEvent } from '../../../src/domain/call-event.ts';
import { emptyWorld } from '../../../src/domain/decide.ts';
import type { EventPublisher, PublishResult } from '../../../src/ports/event-publisher.port.ts';
import { config, T0 } from '../../domain/fixtures.ts';

const event = (callId: string, sequence: number): TeamsCallEvent => ({
  EventId__c: `${callId}:${sequence}`,
  TeamsCallId__c: callId,
  Sequence__c: sequence,
  Kind__c: 'Call',
  State__c: 'Ringing',
  OccurredAt__c: T0
});

type Verdict = 'ok' | 'transient' | 'permanent';

/** Salesforce stand-in: answers each event by a rule the test sets, and records every Publish request. */
class ScriptedPublisher implements EventPublisher {
  readonly requests: string[][] = [];
  readonly delivered: string[] = [];
  verdict: (event: TeamsCallEvent) => Verdict = () => 'ok';
  publish(events: TeamsCallEvent[]): Promise<Array<PublishResult & { permanent: boolean }>> {
    this.requests.push(events.map((e) => e.EventId__c));
    return Promise.resolve(
      events.map((e) => {
        const v = this.verdict(e);
        if (v === 'ok') this.delivered.push(e.EventId__c);
        return {
          eventId: e.EventId__c,
          ok: v === 'ok',
          permanent: v === 'permanent',
          ...(v !== 'ok' && { error: v === 'permanent' ? 'INVALID_FIELD' : 'UNAVAILABLE' })
        };
      })
    );
  }
}

let store: SqliteStore;
let publisher: ScriptedPublisher;
let clock: ManualClock;
let metrics: InMemoryMetrics;
let drain: OutboxDrain;

async function enqueue(...events: TeamsCallEvent[]): Promise<void> {
  await store.commit({
    world: emptyWorld(config()),
    inputKey: `test:${events.map((e) => e.EventId__c).join(',')}`,
    outbox: events,
    effects: [],
    timersScheduled: [],
    timersCancelled: []
  });
}

const later = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

beforeEach(() => {
  store = new SqliteStore(':memory:');
  publisher = new ScriptedPublisher();
  clock = new ManualClock(T0);
  metrics = new InMemoryMetrics();
  drain = new OutboxDrain({
    store,
    delivery: store,
    publisher,
    clock,
    logger: new MemoryLogger(),
    metrics,
    minBackoffMs: 1_000,
    maxBackoffMs: 60_000,
    random: () => 0.5
  });
});

describe('OutboxDrain (B01)', () => {
  it('[B01] several pending events of several calls go out in one Publish request and leave the outbox', async () => {
    await enqueue(event('A', 1), event('B', 1), event('A', 2));
    await drain.drain();
    assert.deepEqual(publisher.requests, [['A:1', 'B:1', 'A:2']]);
    assert.equal(await store.outboxDepth(), 0);
  });

  it('[B01] a transient failure keeps the events; after the backoff they are delivered, nothing lost', async () => {
    await enqueue(event('A', 1), event('A', 2));
    publisher.verdict = () => 'transient';
    await drain.drain();
    assert.equal(await store.outboxDepth(), 2);
    publisher.verdict = () => 'ok';
    await drain.drain(); // still inside the backoff: nothing is sent
    assert.equal(publisher.requests.length, 1);
    clock.set(later(2));
    await drain.drain();
    assert.deepEqual(publisher.delivered, ['A:1', 'A:2']);
    assert.equal(await store.outboxDepth(), 0);
  });

  it('[B01] a failed event blocks the later events of the same call only', async () => {
    await enqueue(event('A', 1), event('B', 1));
    publisher.verdict = (e) => (e.EventId__c === 'A:1' ? 'transient' : 'ok');
    await drain.drain();
    await enqueue(event('A', 2), event('B', 2));
    publisher.verdict = () => 'ok';
    await drain.drain();
    assert.deepEqual(publisher.requests.at(-1), ['B:2'], 'A:2 waits behind A:1, B:2 goes');
    clock.set(later(2));
    await drain.drain();
    assert.deepEqual(publisher.delivered, ['B:1', 'B:2', 'A:1', 'A:2'], 'per-call order A:1 before A:2 is kept');
  });

  it('[B01] an event Salesforce refuses as invalid is dead-lettered, counted, and does not block its call', async () => {
    await enqueue(event('A', 1), event('A', 2));
    publisher.verdict = (e) => (e.EventId__c === 'A:1' ? 'permanent' : 'ok');
    await drain.drain();
    const dead = await store.deadLetters();
    assert.deepEqual(
      dead.map((d) => [d.eventId, d.error]),
      [['A:1', 'INVALID_FIELD']]
    );
    assert.deepEqual(publisher.delivered, ['A:2']);
    assert.equal(metrics.outboxDeadLetteredEvents, 1);
    assert.equal(metrics.outboxDeliveredEvents, 1);
    assert.equal(await store.outboxDepth(), 0);
  });

  it('[B01] a publisher that throws is a transient failure for the whole batch', async () => {
    await enqueue(event('A', 1));
    publisher.publish = () => Promise.reject(new Error('socket hang up'));
    const pass = await drain.drain();
    assert.deepEqual(pass, { published: 1, delivered: 0, retried: 1, deadLettered: 0 });
    const [row] = await store.pendingOutbox('9999', 10);
    assert.equal(row?.lastError, 'socket hang up');
  });

  it('[B01] the backoff doubles per attempt, is bounded and jittered', () => {
    const jittered = (random: number) =>
      new OutboxDrain({
        store,
        delivery: store,
        publisher,
        clock,
        logger: new MemoryLogger(),
        minBackoffMs: 1_000,
        maxBackoffMs: 60_000,
        random: () => random
      });
    assert.deepEqual(
      [0, 1, 2, 10].map((n) => jittered(0).backoffMs(n)),
      [500, 1_000, 2_000, 30_000]
    );
    assert.equal(jittered(0.999999).backoffMs(40), 60_000);
  });
});

describe('OutboxDrain after an outage (B01)', () => {
  it('[B01] after 60 s of Salesforce down, everything is delivered within 10 s of its return, one publish per pass', async () => {
    const defaults = new OutboxDrain({ store, delivery: store, publisher, clock, logger: new MemoryLogger() });
    await enqueue(event('A', 1), event('B', 1), event('A', 2));
    publisher.verdict = () => 'transient';
    // The drain loop runs every 5 s while Salesforce is down.
    for (let t = 0; t <= 60; t += 5) {
      clock.set(later(t));
      await defaults.drain();
    }
    const duringOutage = publisher.requests.length;
    assert.ok(duringOutage <= 13, `one batched publish per pass at most, saw ${duringOutage}`);
    publisher.verdict = () => 'ok';
    for (let t = 61; t <= 70 && (await store.outboxDepth()) > 0; t += 1) {
      clock.set(later(t));
      if (t % 5 === 0) await defaults.drain(); // the loop's next ticks after the return
    }
    assert.equal(await store.outboxDepth(), 0, 'drained within 10 s of Salesforce coming back');
    assert.deepEqual(publisher.delivered, ['A:1', 'B:1', 'A:2']);
    assert.ok(defaults.backoffMs(50) <= DEFAULT_MAX_BACKOFF_MS);
  });
});
