import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/adapters/store/sqlite.store.ts';
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
import type { World } from '../../src/domain/model.ts';
import { ANNA, at, BEN, config, established, incoming, T0 } from '../domain/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'relay-rows-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshFile = (): string => join(dir, `rows-${++n}.db`);

function ports(store: SqliteStore) {
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
const normal = (world: World): World => ({ ...world, ended: world.ended ?? {} });

void describe('[B15] SqliteStore: a row per call, agent state and timer', () => {
  void it('[B15][B01] after steps that each wrote only their delta, a reopened store loads exactly the world the engine holds', async () => {
    const file = freshFile();
    const store = new SqliteStore(file);
    const relay = await CallRelay.start(ports(store));
    await relay.handle(incoming('call-1'));
    await relay.handle(incoming('call-2', 1, BEN.phoneNumber));
    await relay.handle(established('call-1', 2));
    await relay.handle({ type: 'AgentJoined', callId: 'call-1', teamsUserId: ANNA.teamsUserId, at: at(3) });
    await relay.handle({ type: 'CallTerminated', callId: 'call-2', code: 0, subcode: 0, at: at(4) });
    const engine = relay.snapshot();
    assert.ok(Object.keys(engine.calls).includes('call-1'), 'a call in progress');
    assert.ok(Object.keys(engine.ended ?? {}).includes('call-2'), 'an ended call');
    assert.ok(Object.keys(engine.agents).length > 0, 'agent states');
    store.close();

    const reopened = new SqliteStore(file);
    assert.deepEqual(await reopened.load(), normal(engine));
    reopened.close();
  });

  void it('[B15] a database holding the world as one document (schema 1) is moved into rows on open', async () => {
    const file = freshFile();
    const relay = await CallRelay.start(ports(new SqliteStore(freshFile())));
    await relay.handle(incoming('call-1'));
    await relay.handle({ type: 'CallTerminated', callId: 'call-1', code: 0, subcode: 0, at: at(4) });
    await relay.handle(incoming('call-3', 5));
    const world = relay.snapshot();
    const old = new Database(file);
    old.exec(`CREATE TABLE world (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, input_key TEXT NOT NULL,
      saved_at TEXT NOT NULL)`);
    old.prepare('INSERT INTO world VALUES (1, ?, ?, ?)').run(JSON.stringify(world), 'k', T0);
    old.exec(`CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
        call_id TEXT NOT NULL, event TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL DEFAULT '', last_error TEXT);
      CREATE TABLE pending_effect (seq INTEGER PRIMARY KEY AUTOINCREMENT, effect_key TEXT NOT NULL UNIQUE, effect TEXT NOT NULL);
      CREATE TABLE inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, body TEXT NOT NULL,
        received_at TEXT NOT NULL, processed_at TEXT);
      CREATE TABLE replay (topic TEXT PRIMARY KEY, replay_id BLOB NOT NULL);
      CREATE TABLE processed_command (command_id TEXT PRIMARY KEY, processed_at TEXT NOT NULL);
      CREATE TABLE dead_letter (event_id TEXT PRIMARY KEY, event TEXT NOT NULL, error TEXT NOT NULL, failed_at TEXT NOT NULL);
      PRAGMA user_version = 1;`);
    old.close();

    const store = new SqliteStore(file);
    assert.equal(store.schemaVersion, 2);
    assert.deepEqual(await store.load(), normal(world));
    store.close();
  });

  void it('[B15] pruning deletes processed inbox rows and command ids older than the retention, and nothing pending', async () => {
    const store = new SqliteStore(freshFile());
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
    store.close();
  });
});
