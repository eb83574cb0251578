/**
 * B15: the store contract every `WorldStore & DeliveryStore` keeps, whatever the database. One test file per
 * backend calls `storeContract` with a way to open stores on a fresh, empty database (opening twice on the same
 * database is a process restart).
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { CallRelay } from '../../src/app/call-relay.ts';
import {
  InMemoryCallControl,
  InMemoryEventPublisher,
  InMemoryPresenceGateway,
  ManualClock,
  ManualTimerScheduler,
  MemoryLogger,
  StaticConfigSource
} from '../../src/app/in-memory/index.ts';
import { OutboxDrain } from '../../src/app/workers/outbox-drain.ts';
import type { TeamsCallEvent } from '../../src/domain/call-event.ts';
import type { World } from '../../src/domain/model.ts';
import type { DeliveryStore } from '../../src/ports/delivery-store.port.ts';
import type { Commit, WorldStore } from '../../src/ports/world-store.port.ts';
import { ANNA, at, BEN, config, established, incoming, T0 } from '../domain/fixtures.ts';

export type ContractStore = WorldStore & DeliveryStore & { close(): void | Promise<void> };

/** Opens a store on one database; each call of `fresh` gives a new, empty database. */
export interface StoreBackend {
  name: string;
  fresh(): Promise<() => Promise<ContractStore>>;
  /** Whether the database can be reached; reports or fails the test when not (see the PostgreSQL test). */
  available?(t: TestContext): boolean;
}

const world = (note: string, calls: World['calls'] = {}): World => ({
  config: { agents: [], settings: { noAnswerSeconds: 20, dndExpiryMinutes: 60 }, loadedAt: note },
  calls,
  ended: {},
  agents: {},
  timers: {},
  applied: [note]
});

const event = (callId: string, sequence: number): TeamsCallEvent => ({
  EventId__c: `${callId}-${sequence}`,
  TeamsCallId__c: callId,
  Sequence__c: sequence,
  Kind__c: 'Call',
  State__c: 'Ringing',
  OccurredAt__c: '2026-11-24T10:00:00.000Z'
});

const commitOf = (w: World, outbox: TeamsCallEvent[] = [], more: Partial<Commit> = {}): Commit => ({
  world: w,
  inputKey: 'k',
  outbox,
  effects: [],
  timersScheduled: [],
  timersCancelled: [],
  ...more
});

function ports(store: ContractStore) {
  const base = {
    store,
    callControl: new InMemoryCallControl(),
    presence: new InMemoryPresenceGateway(),
    publisher: new InMemoryEventPublisher(),
    config: new StaticConfigSource(config()),
    clock: new ManualClock(T0),
    timers: new ManualTimerScheduler(),
    logger: new MemoryLogger()
  };
  const drain = new OutboxDrain({ ...base, delivery: store });
  return { ...base, deliverOutbox: () => drain.drain().then(() => undefined) };
}

/** The world as the engine sees it, with `ended` always present (a stored world always has the map). */
const normal = (w: World): World => ({ ...w, ended: w.ended ?? {} });

export function storeContract(backend: StoreBackend): void {
  /** A fresh database for this test, or undefined when the backend reported it not run. */
  const start = (t: TestContext) =>
    backend.available && !backend.available(t) ? Promise.resolve(undefined) : backend.fresh();
  void describe(`[B15] store contract: ${backend.name}`, () => {
    void it('[B01] keeps the world, the outbox and pending effects across a reopen (a process restart)', async (t) => {
      const open = await start(t);
      if (!open) return;
      const store = await open();
      assert.equal(await store.load(), undefined, 'an empty database holds no world');
      await store.commit(
        commitOf(world('step-1'), [event('call-1', 1)], {
          effects: [{ effectKey: 'in-1#0', effect: { type: 'AnswerCall', callId: 'call-1' } as never }]
        })
      );
      await store.close();

      const reopened = await open();
      assert.deepEqual(await reopened.load(), world('step-1'));
      assert.deepEqual(
        (await reopened.pendingOutbox('9999', 10)).map((row) => row.event),
        [event('call-1', 1)]
      );
      assert.deepEqual(await reopened.pendingEffects(), [
        { effectKey: 'in-1#0', effect: { type: 'AnswerCall', callId: 'call-1' } }
      ]);
      await reopened.close();
    });

    void it('[B15][B01] after engine steps that each wrote only their delta, a reopened store loads exactly the world the engine holds', async (t) => {
      const open = await start(t);
      if (!open) return;
      const store = await open();
      const relay = await CallRelay.start(ports(store));
      await relay.handle(incoming('call-1'));
      await relay.handle(incoming('call-2', 1, BEN.phoneNumber));
      await relay.handle(established('call-1', 2));
      await relay.handle({ type: 'AgentJoined', callId: 'call-1', teamsUserId: ANNA.teamsUserId, at: at(3) });
      await relay.handle({ type: 'CallTerminated', callId: 'call-2', code: 0, subcode: 0, at: at(4) });
      await relay.handle(incoming('call-3', 5, BEN.phoneNumber));
      const engine = relay.snapshot();
      assert.ok(Object.keys(engine.calls).includes('call-1'), 'a call in progress');
      assert.ok(Object.keys(engine.ended ?? {}).includes('call-2'), 'an ended call');
      assert.ok(Object.keys(engine.agents).length > 0, 'agent states');
      assert.ok(Object.keys(engine.timers).length > 0, 'timers (call-3 rings)');
      await store.close();

      const reopened = await open();
      assert.deepEqual(await reopened.load(), normal(engine));
      await reopened.close();
    });

    void it('[B15] a commit with a delta writes only the rows it names (the rest of the world is not rewritten)', async (t) => {
      const open = await start(t);
      if (!open) return;
      const store = await open();
      const a = { callId: 'a', note: 1 } as never;
      const b = { callId: 'b', note: 1 } as never;
      const first = world('w', { a, b });
      await store.commit(commitOf(first, [], { delta: { calls: [a, b], removedCallIds: [], agents: [] } }));
      const a2 = { callId: 'a', note: 2 } as never;
      const c = { callId: 'c', note: 1 } as never;
      // The world passed differs in `b` too, but the delta names only `a` (changed), `c` (new) and `b`'s removal.
      await store.commit(
        commitOf(world('w', { a: a2, c }), [], { delta: { calls: [a2, c], removedCallIds: [], agents: [] } })
      );
      assert.deepEqual((await store.load())?.calls, { a: a2, b, c });
      await store.commit(
        commitOf(world('w', { a: a2, c }), [], { delta: { calls: [], removedCallIds: ['b'], agents: [] } })
      );
      await store.close();
      const reopened = await open();
      assert.deepEqual((await reopened.load())?.calls, { a: a2, c });
      await reopened.close();
    });

    void it('[B01] a commit that fails part-way leaves nothing of it: world, outbox and effects stay as before', async (t) => {
      const open = await start(t);
      if (!open) return;
      const store = await open();
      await store.commit(commitOf(world('before'), [event('a', 1)]));
      const broken = { ...event('a', 3), Detail__c: 10n } as unknown as TeamsCallEvent; // cannot be serialized
      await assert.rejects(async () =>
        store.commit(
          commitOf(world('after', { a: { callId: 'a' } as never }), [event('a', 2), broken], {
            delta: { calls: [{ callId: 'a' } as never], removedCallIds: [], agents: [], applied: ['after'] },
            effects: [{ effectKey: 'x#0', effect: { type: 'AnswerCall', callId: 'a' } as never }]
          })
        )
      );
      assert.deepEqual(await store.load(), world('before'));
      assert.deepEqual(
        (await store.pendingOutbox('9999', 10)).map((r) => r.event.EventId__c),
        ['a-1']
      );
      assert.deepEqual(await store.pendingEffects(), []);
      await store.close();
    });

    void it('[B01] writes an event once even when the same step is committed twice (replay after a crash)', async (t) => {
      const open = await start(t);
      if (!open) return;
      const store = await open();
      const commit = commitOf(world('w'), [event('c', 1)], {
        effects: [{ effectKey: 'k#0', effect: { type: 'AnswerCall', callId: 'c' } as never }]
      });
      await store.commit(commit);
      await store.commit(commit);
      assert.equal(await store.outboxDepth(), 1);
      assert.equal((await store.pendingEffects()).length, 1);
      await store.close();
    });

    void it('[B01] drains the outbox in write order and hides a failed row until its backoff is over', async (t) => {
      const open = await start(t);
      if (!open) return;
      const store = await open();
      await store.commit(commitOf(world('w'), [event('a', 1), event('b', 1), event('a', 2)]));
      await store.recordOutboxFailure('b-1', 'UNAVAILABLE', '2026-11-24T10:05:00.000Z');
      const due = await store.pendingOutbox('2026-11-24T10:01:00.000Z', 10);
      assert.deepEqual(
        due.map((r) => r.event.EventId__c),
        ['a-1', 'a-2']
      );
      const later = await store.pendingOutbox('2026-11-24T10:06:00.000Z', 10);
      assert.deepEqual(
        later.map((r) => [r.event.EventId__c, r.attempts, r.lastError]),
        [
          ['a-1', 0, undefined],
          ['b-1', 1, 'UNAVAILABLE'],
          ['a-2', 0, undefined]
        ]
      );
      assert.deepEqual(
        (await store.pendingOutbox('2026-11-24T10:06:00.000Z', 2)).map((r) => r.event.EventId__c),
        ['a-1', 'b-1'],
        'the limit keeps the oldest'
      );
      await store.deleteOutbox(['a-1', 'a-2']);
      await store.deleteOutbox(['unknown']);
      assert.equal(await store.outboxDepth(), 1);
      await store.close();
    });

    void it('[B01] replays pending effects in commit order until each is marked done', async (t) => {
      const open = await start(t);
      if (!open) return;
      const store = await open();
      const effect = (callId: string) => ({ type: 'AnswerCall', callId }) as never;
      await store.commit(commitOf(world('w'), [], { effects: [{ effectKey: 's1#0', effect: effect('z') }] }));
      await store.commit(
        commitOf(world('w'), [], {
          effects: [
            { effectKey: 's2#0', effect: effect('a') },
            { effectKey: 's2#1', effect: effect('m') }
          ]
        })
      );
      assert.deepEqual(
        (await store.pendingEffects()).map((e) => e.effectKey),
        ['s1#0', 's2#0', 's2#1']
      );
      await store.markEffectDone('s2#0');
      await store.markEffectDone('never-there');
      assert.deepEqual(await store.pendingEffects(), [
        { effectKey: 's1#0', effect: effect('z') },
        { effectKey: 's2#1', effect: effect('m') }
      ]);
      await store.close();
    });

    void it('[B01] moves a rejected event to the dead letters with its error instead of dropping it', async (t) => {
      const open = await start(t);
      if (!open) return;
      const store = await open();
      await store.commit(commitOf(world('w'), [event('x', 1)]));
      await store.deadLetter('x-1', 'INVALID_FIELD: State__c', '2026-11-24T10:00:00.000Z');
      await store.deadLetter('not-in-outbox', 'ignored', '2026-11-24T10:00:00.000Z');
      assert.equal(await store.outboxDepth(), 0);
      const letters = await store.deadLetters();
      assert.equal(letters.length, 1);
      assert.equal(letters[0]?.eventId, 'x-1');
      assert.equal(letters[0]?.error, 'INVALID_FIELD: State__c');
      assert.deepEqual(JSON.parse(letters[0]?.event ?? '{}') as TeamsCallEvent, event('x', 1));
      await store.close();
    });

    void it('de-duplicates webhook bodies by key and returns unprocessed ones oldest first', async (t) => {
      const open = await start(t);
      if (!open) return;
      const store = await open();
      assert.equal(await store.addToInbox({ key: 'n1', body: '{"a":1}', receivedAt: 't1' }), true);
      assert.equal(await store.addToInbox({ key: 'n1', body: '{"a":1}', receivedAt: 't2' }), false);
      assert.equal(await store.addToInbox({ key: 'n2', body: '{"b":2}', receivedAt: 't3' }), true);
      assert.equal(await store.addToInbox({ key: 'n0', body: '{"c":3}', receivedAt: 't4' }), true);
      assert.deepEqual(
        (await store.pendingInbox(2)).map((i) => i.key),
        ['n1', 'n2']
      );
      await store.markInboxProcessed('n1');
      assert.deepEqual(await store.pendingInbox(10), [
        { key: 'n2', body: '{"b":2}', receivedAt: 't3' },
        { key: 'n0', body: '{"c":3}', receivedAt: 't4' }
      ]);
      assert.equal(
        await store.addToInbox({ key: 'n1', body: '{}', receivedAt: 't5' }),
        false,
        'processed: still known'
      );
      await store.close();
    });

    void it('[B01] an inbox key with a lone UTF-16 surrogate is stored once and marked processed (no endless re-processing)', async (t) => {
      const open = await start(t);
      if (!open) return;
      const store = await open();
      const key = 'graph:call-\uD800x|roster';
      assert.equal(await store.addToInbox({ key, body: '{}', receivedAt: '2026-11-24T10:00:00.000Z' }), true);
      assert.equal(await store.addToInbox({ key, body: '{}', receivedAt: '2026-11-24T10:00:00.000Z' }), false);
      const other = 'graph:call-\uDBFFx|roster';
      assert.equal(await store.addToInbox({ key: other, body: '{}', receivedAt: '2026-11-24T10:00:00.000Z' }), true);
      const [first] = await store.pendingInbox(10);
      await store.markInboxProcessed(first!.key);
      await store.markInboxProcessed(other);
      assert.deepEqual(await store.pendingInbox(10), []);
      await store.close();
    });

    void it('stores the command replay id durably and refuses a command id seen before', async (t) => {
      const open = await start(t);
      if (!open) return;
      const store = await open();
      const topic = '/event/TeamsCallCommand__e';
      assert.equal(await store.getReplayId(topic), undefined);
      await store.setReplayId(topic, Buffer.from([0, 0, 0, 0, 0, 0, 0, 6]));
      await store.setReplayId(topic, Buffer.from([0, 0, 0, 0, 0, 0, 0, 7]));
      assert.equal(await store.markCommandProcessed('cmd-1', 't'), true);
      assert.equal(await store.markCommandProcessed('cmd-1', 't'), false);
      await store.close();
      const reopened = await open();
      assert.deepEqual([...((await reopened.getReplayId(topic)) ?? [])], [0, 0, 0, 0, 0, 0, 0, 7]);
      assert.equal(await reopened.getReplayId('/event/Other__e'), undefined);
      assert.equal(await reopened.markCommandProcessed('cmd-1', 't'), false, 'refused after a restart too');
      await reopened.close();
    });

    void it('[B15] pruning deletes processed inbox rows and command ids older than the retention, and nothing pending', async (t) => {
      const open = await start(t);
      if (!open) return;
      const store = await open();
      await store.addToInbox({ key: 'old-done', body: '{}', receivedAt: '2026-01-01T00:00:00.000Z' });
      await store.addToInbox({ key: 'old-pending', body: '{}', receivedAt: '2026-01-01T00:00:00.000Z' });
      await store.addToInbox({ key: 'new-done', body: '{}', receivedAt: '2026-01-03T00:00:00.000Z' });
      await store.markInboxProcessed('old-done');
      await store.markInboxProcessed('new-done');
      await store.markCommandProcessed('cmd-old', '2026-01-01T00:00:00.000Z');
      await store.markCommandProcessed('cmd-new', '2026-01-03T00:00:00.000Z');

      const pruned = await store.prune({
        inboxBefore: '2026-01-02T00:00:00.000Z',
        commandsBefore: '2026-01-02T00:00:00.000Z'
      });
      assert.deepEqual(pruned, { inbox: 1, commands: 1 });
      assert.deepEqual(
        (await store.pendingInbox(10)).map((i) => i.key),
        ['old-pending'],
        'an unprocessed row is never pruned'
      );
      assert.equal(
        await store.addToInbox({ key: 'new-done', body: '{}', receivedAt: T0 }),
        false,
        'kept: still a duplicate'
      );
      assert.equal(await store.markCommandProcessed('cmd-new', T0), false, 'kept: still refused');
      assert.equal(await store.markCommandProcessed('cmd-old', T0), true, 'forgotten after the retention');
      await store.close();
    });
  });
}
