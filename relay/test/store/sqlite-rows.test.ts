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
import { at, config, incoming, T0 } from '../domain/fixtures.ts';

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
});
