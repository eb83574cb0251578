import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { TeamsCallEvent } from '../../domain/call-event.ts';
import type { World } from '../../domain/model.ts';
import type { DeadLetter, DeliveryStore, InboxItem } from '../../ports/delivery-store.port.ts';
import type { Commit, OutboxRow, PendingEffect, WorldStore } from '../../ports/world-store.port.ts';

/**
 * Versioned schema migrations, applied in order; `PRAGMA user_version` records how far a database has come.
 * Never edit a released migration: add the next one.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE world (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, input_key TEXT NOT NULL, saved_at TEXT NOT NULL);
   CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, call_id TEXT NOT NULL,
     event TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL DEFAULT '', last_error TEXT);
   CREATE TABLE pending_effect (seq INTEGER PRIMARY KEY AUTOINCREMENT, effect_key TEXT NOT NULL UNIQUE, effect TEXT NOT NULL);
   CREATE TABLE inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, body TEXT NOT NULL,
     received_at TEXT NOT NULL, processed_at TEXT);
   CREATE INDEX inbox_pending ON inbox (processed_at, seq);
   CREATE TABLE replay (topic TEXT PRIMARY KEY, replay_id BLOB NOT NULL);
   CREATE TABLE processed_command (command_id TEXT PRIMARY KEY, processed_at TEXT NOT NULL);
   CREATE TABLE dead_letter (event_id TEXT PRIMARY KEY, event TEXT NOT NULL, error TEXT NOT NULL, failed_at TEXT NOT NULL);`
];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A key as stored: SQLite stores text as UTF-8, which cannot carry a lone UTF-16 surrogate (it is replaced), so a
 * key with one would never match itself again. Such keys are stored as the hex of their UTF-16 code units instead.
 */
export function storedKey(key: string): string {
  if (!LONE_SURROGATE.test(key)) return key;
  let hex = 'utf16:';
  for (let i = 0; i < key.length; i += 1) hex += key.charCodeAt(i).toString(16).padStart(4, '0');
  return hex;
}

/** The database, its WAL and shared-memory files hold callers' numbers: owner-only, in an owner-only folder. */
function createPrivately(filename: string): void {
  if (filename === ':memory:' || filename.startsWith('file:')) return;
  const folder = dirname(filename);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (!existsSync(filename)) closeSync(openSync(filename, 'a', 0o600));
  chmodSync(filename, 0o600);
}

/**
 * The relay's durable store on SQLite (WAL). One process owns a database file; every engine step is one
 * transaction (world + outbox + pending effects), so a crash leaves either the whole step or none of it.
 * The world is kept as one JSON document: it is small (open calls and agents) and always read and written whole.
 */
export class SqliteStore implements WorldStore, DeliveryStore {
  private readonly db: Database.Database;

  constructor(filename: string) {
    createPrivately(filename);
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    // SQLite gives the -wal and -shm files the database file's mode; an existing pair is narrowed here too.
    for (const suffix of ['-wal', '-shm']) if (existsSync(filename + suffix)) chmodSync(filename + suffix, 0o600);
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  /** The schema version this database is at (for /readyz and support). */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const from = this.schemaVersion;
    for (let version = from; version < MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version] ?? '');
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  load(): Promise<World | undefined> {
    const row = this.db.prepare('SELECT json FROM world WHERE id = 1').get() as { json: string } | undefined;
    return Promise.resolve(row ? (JSON.parse(row.json) as World) : undefined);
  }

  commit(commit: Commit): Promise<void> {
    const saveWorld = this.db.prepare(
      `INSERT INTO world (id, json, input_key, saved_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET json = excluded.json, input_key = excluded.input_key, saved_at = excluded.saved_at`
    );
    // Event ids are deterministic (call id + sequence): a replayed step finds its row already there.
    const addEvent = this.db.prepare('INSERT OR IGNORE INTO outbox (event_id, call_id, event) VALUES (?, ?, ?)');
    const addEffect = this.db.prepare('INSERT OR IGNORE INTO pending_effect (effect_key, effect) VALUES (?, ?)');
    this.db.transaction(() => {
      saveWorld.run(JSON.stringify(commit.world), commit.inputKey, new Date().toISOString());
      for (const event of commit.outbox) addEvent.run(event.EventId__c, event.TeamsCallId__c, JSON.stringify(event));
      for (const effect of commit.effects) addEffect.run(storedKey(effect.effectKey), JSON.stringify(effect.effect));
    })();
    return Promise.resolve();
  }

  pendingOutbox(now: string, limit: number): Promise<OutboxRow[]> {
    const rows = this.db
      .prepare(
        `SELECT event, attempts, next_attempt_at, last_error FROM outbox
         WHERE next_attempt_at <= ? ORDER BY seq LIMIT ?`
      )
      .all(now, limit) as { event: string; attempts: number; next_attempt_at: string; last_error: string | null }[];
    return Promise.resolve(
      rows.map((row) => ({
        event: JSON.parse(row.event) as TeamsCallEvent,
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at,
        ...(row.last_error === null ? {} : { lastError: row.last_error })
      }))
    );
  }

  deleteOutbox(eventIds: string[]): Promise<void> {
    const del = this.db.prepare('DELETE FROM outbox WHERE event_id = ?');
    this.db.transaction(() => eventIds.forEach((id) => del.run(id)))();
    return Promise.resolve();
  }

  recordOutboxFailure(eventId: string, error: string, nextAttemptAt: string): Promise<void> {
    this.db
      .prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE event_id = ?')
      .run(error, nextAttemptAt, eventId);
    return Promise.resolve();
  }

  pendingEffects(): Promise<PendingEffect[]> {
    const rows = this.db.prepare('SELECT effect_key, effect FROM pending_effect ORDER BY seq').all() as {
      effect_key: string;
      effect: string;
    }[];
    return Promise.resolve(
      rows.map((row) => ({ effectKey: row.effect_key, effect: JSON.parse(row.effect) as PendingEffect['effect'] }))
    );
  }

  markEffectDone(effectKey: string): Promise<void> {
    this.db.prepare('DELETE FROM pending_effect WHERE effect_key = ?').run(storedKey(effectKey));
    return Promise.resolve();
  }

  addToInbox(item: InboxItem): Promise<boolean> {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO inbox (key, body, received_at) VALUES (?, ?, ?)')
      .run(storedKey(item.key), item.body, item.receivedAt);
    return Promise.resolve(result.changes === 1);
  }

  pendingInbox(limit: number): Promise<InboxItem[]> {
    const rows = this.db
      .prepare('SELECT key, body, received_at FROM inbox WHERE processed_at IS NULL ORDER BY seq LIMIT ?')
      .all(limit) as { key: string; body: string; received_at: string }[];
    return Promise.resolve(rows.map((row) => ({ key: row.key, body: row.body, receivedAt: row.received_at })));
  }

  markInboxProcessed(key: string): Promise<void> {
    this.db.prepare('UPDATE inbox SET processed_at = ? WHERE key = ?').run(new Date().toISOString(), storedKey(key));
    return Promise.resolve();
  }

  getReplayId(topic: string): Promise<Buffer | undefined> {
    const row = this.db.prepare('SELECT replay_id FROM replay WHERE topic = ?').get(topic) as
      { replay_id: Buffer } | undefined;
    return Promise.resolve(row?.replay_id);
  }

  setReplayId(topic: string, replayId: Buffer): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO replay (topic, replay_id) VALUES (?, ?) ON CONFLICT (topic) DO UPDATE SET replay_id = excluded.replay_id'
      )
      .run(topic, replayId);
    return Promise.resolve();
  }

  markCommandProcessed(commandId: string, at: string): Promise<boolean> {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO processed_command (command_id, processed_at) VALUES (?, ?)')
      .run(storedKey(commandId), at);
    return Promise.resolve(result.changes === 1);
  }

  deadLetter(eventId: string, error: string, at: string): Promise<void> {
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT event FROM outbox WHERE event_id = ?').get(eventId) as
        { event: string } | undefined;
      if (!row) return;
      this.db
        .prepare('INSERT OR REPLACE INTO dead_letter (event_id, event, error, failed_at) VALUES (?, ?, ?, ?)')
        .run(eventId, row.event, error, at);
      this.db.prepare('DELETE FROM outbox WHERE event_id = ?').run(eventId);
    })();
    return Promise.resolve();
  }

  deadLetters(): Promise<DeadLetter[]> {
    const rows = this.db
      .prepare('SELECT event_id, event, error, failed_at FROM dead_letter ORDER BY failed_at')
      .all() as { event_id: string; event: string; error: string; failed_at: string }[];
    return Promise.resolve(
      rows.map((row) => ({ eventId: row.event_id, event: row.event, error: row.error, failedAt: row.failed_at }))
    );
  }

  outboxDepth(): Promise<number> {
    const row = this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number };
    return Promise.resolve(row.n);
  }

  close(): void {
    this.db.close();
  }
}
