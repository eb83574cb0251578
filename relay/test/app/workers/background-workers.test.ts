import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryEventPublisher, ManualClock, MemoryLogger } from '../../../src/app/in-memory/index.ts';
import { Heartbeat } from '../../../src/app/workers/heartbeat.ts';
import { KeepAliveSweeper } from '../../../src/app/workers/keep-alive.ts';
import { Loop } from '../../../src/app/workers/loop.ts';
import { PRESENCE_BATCH, PresencePoller } from '../../../src/app/workers/presence-poller.ts';
import { NodeTimerScheduler } from '../../../src/app/workers/timer-scheduler.ts';
import { emptyWorld } from '../../../src/domain/decide.ts';
import type { CallSession, Input, PresenceObserved } from '../../../src/domain/model.ts';
import { config, T0 } from '../../domain/fixtures.ts';

describe('PresencePoller (S10)', () => {
  it('[S10] reads all mapped agents in batches of at most 650 and feeds each observation to the engine', async () => {
    const ids = Array.from({ length: PRESENCE_BATCH + 50 }, (_, i) => `user-${i}`);
    const batches: number[] = [];
    const fed: Input[] = [];
    const poller = new PresencePoller(
      {
        readPresences: (batch) => {
          batches.push(batch.length);
          return Promise.resolve(
            batch.map<PresenceObserved>((id) => ({
              type: 'PresenceObserved',
              teamsUserId: id,
              availability: 'Available',
              activity: 'Available',
              at: T0
            }))
          );
        }
      },
      () => ids,
      (input) => Promise.resolve(fed.push(input)),
      new MemoryLogger()
    );
    assert.equal(await poller.poll(), ids.length);
    assert.deepEqual(batches, [650, 50]);
    assert.equal(fed.length, ids.length);
  });

  it('[S10] a batch that fails is logged and the other batches are still fed', async () => {
    const ids = Array.from({ length: PRESENCE_BATCH + 1 }, (_, i) => `user-${i}`);
    let call = 0;
    const logger = new MemoryLogger();
    const poller = new PresencePoller(
      {
        readPresences: (batch) => {
          call += 1;
          if (call === 1) return Promise.reject(new Error('429 throttled'));
          return Promise.resolve(
            batch.map<PresenceObserved>((id) => ({
              type: 'PresenceObserved',
              teamsUserId: id,
              availability: 'Busy',
              activity: 'InACall',
              at: T0
            }))
          );
        }
      },
      () => ids,
      () => Promise.resolve(),
      logger
    );
    assert.equal(await poller.poll(), 1);
    assert.ok(logger.lines.some((l) => l.level === 'warn' && l.fields?.['error'] === '429 throttled'));
  });
});

describe('[B07] Heartbeat', () => {
  it('[B07] publishes a Heartbeat event naming the instance and version; newer beats have higher sequences', async () => {
    const salesforce = new InMemoryEventPublisher();
    const clock = new ManualClock('2026-11-30T10:00:00.000Z');
    const heartbeat = new Heartbeat(salesforce, clock, new MemoryLogger(), { instanceId: 'relay-1', version: '0.1.0' });
    assert.equal(await heartbeat.beat(), true);
    clock.set('2026-11-30T10:01:00.000Z');
    assert.equal(await heartbeat.beat(), true);
    const [first, second] = salesforce.delivered;
    assert.deepEqual(
      { ...first, EventId__c: undefined },
      {
        EventId__c: undefined,
        TeamsCallId__c: 'relay-1',
        Sequence__c: Date.parse('2026-11-30T10:00:00.000Z'),
        Kind__c: 'Heartbeat',
        Target__c: '0.1.0',
        OccurredAt__c: '2026-11-30T10:00:00.000Z'
      }
    );
    assert.ok(second!.Sequence__c > first!.Sequence__c);
    assert.notEqual(second!.EventId__c, first!.EventId__c);
  });

  it('[B07] Salesforce down: the beat is logged as not delivered, nothing throws', async () => {
    const salesforce = new InMemoryEventPublisher();
    salesforce.down = true;
    const logger = new MemoryLogger();
    const heartbeat = new Heartbeat(salesforce, new ManualClock(T0), logger, { instanceId: 'r', version: 'v' });
    assert.equal(await heartbeat.beat(), false);
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /heartbeat not accepted/.test(l.message)));
  });
});

describe('KeepAliveSweeper', () => {
  it('[S03] keeps alive every call the bot answered, and only those', async () => {
    const world = emptyWorld(config());
    const call = (callId: string, botAnswered: boolean) =>
      ({ callId, tenantId: 't', botAnswered, phase: 'Connected' }) as CallSession;
    world.calls = { a: call('a', true), b: call('b', false) };
    const sent: string[] = [];
    const sweeper = new KeepAliveSweeper(
      () => world,
      (_tenant, callId) => {
        sent.push(callId);
        return Promise.resolve('ok' as const);
      },
      new MemoryLogger()
    );
    assert.equal(await sweeper.sweep(), 1);
    assert.deepEqual(sent, ['a']);
  });

  it('[B01] a keepAlive 404 hands the call to reconciliation instead of only logging it', async () => {
    const world = emptyWorld(config());
    world.calls = { a: { callId: 'a', tenantId: 't', botAnswered: true, phase: 'Connected' } as CallSession };
    const gone: string[] = [];
    const sweeper = new KeepAliveSweeper(
      () => world,
      () => Promise.resolve('gone' as const),
      new MemoryLogger(),
      (callId) => Promise.resolve(gone.push(callId))
    );
    assert.equal(await sweeper.sweep(), 0);
    assert.deepEqual(gone, ['a']);
  });
});

describe('NodeTimerScheduler (durable timers re-armed in process)', () => {
  it('[S04] fires a timer at its due time; rescheduling the same id replaces it; a cancelled one never fires', async () => {
    const timers = new NodeTimerScheduler();
    const fired: string[] = [];
    const soon = () => new Date(Date.now() + 20).toISOString();
    timers.schedule('no-answer:1', new Date(Date.now() + 60_000).toISOString(), (id) => fired.push(id));
    timers.schedule('no-answer:1', soon(), (id) => fired.push(id));
    timers.schedule('dnd:2', soon(), (id) => fired.push(id));
    timers.cancel('dnd:2');
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(fired, ['no-answer:1']);
    assert.equal(timers.size, 0);
  });

  it('[S04] a timer already overdue at start (after a restart) fires at once', async () => {
    const timers = new NodeTimerScheduler();
    const fired: string[] = [];
    timers.schedule('no-answer:1', '2020-01-01T00:00:00.000Z', (id) => fired.push(id));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(fired, ['no-answer:1']);
  });
});

describe('Loop', () => {
  it('a wake during a pass runs the task once more afterwards, never two passes at once', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const loop = new Loop(
      async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        runs += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        active -= 1;
      },
      60_000,
      () => undefined
    );
    const first = loop.wake();
    void loop.wake();
    void loop.wake();
    await first;
    assert.equal(runs, 2);
    assert.equal(maxActive, 1);
  });

  it('a task that throws is reported and the loop keeps working', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const loop = new Loop(
      () => {
        runs += 1;
        return runs === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      60_000,
      (error) => errors.push(error)
    );
    await loop.wake();
    await loop.wake();
    assert.equal(runs, 2);
    assert.equal(errors.length, 1);
  });
});
