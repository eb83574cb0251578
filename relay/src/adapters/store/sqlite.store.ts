import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { TeamsCallEvent } from '../../domain/call-event.ts';
import type { AgentState, CallSession, TimerEntry, World } from '../../domain/model.ts';
import type { DeadLetter, DeliveryStore, InboxItem, RetentionCutoffs } from '../../ports/delivery-store.port.ts';
import type { Commit, OutboxRow, PendingEffect, WorldDelta, WorldStore } from '../../ports/world-store.port.ts';

/** One migration: SQL, or a function for the ones that move data. */
type Migration = string | ((db: Database.Database) => void);

/**
 * Versioned schema migrations, applied in order; `PRAGMA user_version` records how far a database has come.
 * Never edit a released migration: add the next one.
 */
const MIGRATIONS: readonly Migration[] = [
  `CREATE TABLE world (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, input_key TEXT NOT NULL, saved_at TEXT NOT NULL);
   CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, call_id TEXT NOT NULL,
     event TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL DEFAULT '', last_error TEXT);
   CREATE TABLE pending_effect (seq INTEGER PRIMARY KEY AUTOINCREMENT, effect_key TEXT NOT NULL UNIQUE, effect TEXT NOT NULL);
   CREATE TABLE inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, body TEXT NOT NULL,
     received_at TEXT NOT NULL, processed_at TEXT);
   CREATE INDEX inbox_pending ON inbox (processed_at, seq);
   CREATE TABLE replay (topic TEXT PRIMARY KEY, replay_id BLOB NOT NULL);
   CREATE TABLE processed_command (command_id TEXT PRIMARY KEY, processed_at TEXT NOT NULL);
   CREATE TABLE dead_letter (event_id TEXT PRIMARY KEY, event TEXT NOT NULL, error TEXT NOT NULL, failed_at TEXT NOT NULL);`,
  // B15: a row per call, agent state and timer, so a step writes only what it touched; the world document's
  // content moves into them.
  (db) => {
    db.exec(`CREATE TABLE call (call_id TEXT PRIMARY KEY, ended INTEGER NOT NULL, json TEXT NOT NULL);
      CREATE TABLE agent (user_id TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE timer (timer_id TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE world_meta (key TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE INDEX processed_command_at ON processed_command (processed_at);`);
    const row = db.prepare('SELECT json FROM world WHERE id = 1').get() as { json: string } | undefined;
    if (row) writeWhole(db, JSON.parse(row.json) as World);
    db.exec('DROP TABLE world');
  }
];

/** Replaces the stored world with this one (first start, an old world document, a commit without a delta). */
function writeWhole(db: Database.Database, world: World): void {
  db.exec('DELETE FROM call; DELETE FROM agent; DELETE FROM timer; DELETE FROM world_meta;');
  const call = db.prepare('INSERT INTO call (call_id, ended, json) VALUES (?, ?, ?)');
  for (const c of Object.values(world.calls)) call.run(storedKey(c.callId), 0, JSON.stringify(c));
  for (const c of Object.values(world.ended ?? {})) call.run(storedKey(c.callId), 1, JSON.stringify(c));
  const agent = db.prepare('INSERT INTO agent (user_id, json) VALUES (?, ?)');
  for (const a of Object.values(world.agents)) agent.run(storedKey(a.salesforceUserId), JSON.stringify(a));
  const timer = db.prepare('INSERT INTO timer (timer_id, json) VALUES (?, ?)');
  for (const t of Object.values(world.timers)) timer.run(storedKey(t.timerId), JSON.stringify(t));
  const meta = db.prepare('INSERT INTO world_meta (key, json) VALUES (?, ?)');
  meta.run('config', JSON.stringify(world.config));
  meta.run('applied', JSON.stringify(world.applied));
  if (world.prunedAt !== undefined) meta.run('prunedAt', JSON.stringify(world.prunedAt));
}

const UPSERT_CALL = `INSERT INTO call (call_id, ended, json) VALUES (?, ?, ?)
  ON CONFLICT (call_id) DO UPDATE SET ended = excluded.ended, json = excluded.json`;
const UPSERT_AGENT =
  'INSERT INTO agent (user_id, json) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET json = excluded.json';
const UPSERT_TIMER =
  'INSERT INTO timer (timer_id, json) VALUES (?, ?) ON CONFLICT (timer_id) DO UPDATE SET json = excluded.json';
const UPSERT_META =
  'INSERT INTO world_meta (key, json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET json = excluded.json';

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
 * transaction (its calls, agent states and timers + outbox + pending effects), so a crash leaves either the whole
 * step or none of it. B15: the world is kept as a row per call, agent state and timer; a step writes only the rows
 * its delta names (the config is written only when it changed), so its cost does not grow with the calls held.
 * Statements are prepared once and reused.
 */
export class SqliteStore implements WorldStore, DeliveryStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** What the store holds of the world-level fields, so a step writes them only when they changed. */
  private stored: { config: boolean; prunedAt: string | undefined } | undefined;

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
        const migration = MIGRATIONS[version] ?? '';
        if (typeof migration === 'string') this.db.exec(migration);
        else migration(this.db);
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  /** A statement prepared on first use and reused afterwards. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  load(): Promise<World | undefined> {
    const meta = new Map(
      (this.sql('SELECT key, json FROM world_meta').all() as { key: string; json: string }[]).map((r) => [
        r.key,
        JSON.parse(r.json) as unknown
      ])
    );
    const config = meta.get('config') as World['config'] | undefined;
    const prunedAt = meta.get('prunedAt') as string | undefined;
    this.stored = { config: config !== undefined, prunedAt };
    if (config === undefined) return Promise.resolve(undefined);
    const world: World = { config, calls: {}, ended: {}, agents: {}, timers: {}, applied: [] };
    world.applied = (meta.get('applied') as string[] | undefined) ?? [];
    if (prunedAt !== undefined) world.prunedAt = prunedAt;
    const ended = world.ended ?? {};
    for (const row of this.sql('SELECT ended, json FROM call').all() as { ended: number; json: string }[]) {
      const call = JSON.parse(row.json) as CallSession;
      (row.ended === 1 ? ended : world.calls)[call.callId] = call;
    }
    for (const row of this.sql('SELECT json FROM agent').all() as { json: string }[]) {
      const agent = JSON.parse(row.json) as AgentState;
      world.agents[agent.salesforceUserId] = agent;
    }
    for (const row of this.sql('SELECT json FROM timer').all() as { json: string }[]) {
      const timer = JSON.parse(row.json) as TimerEntry;
      world.timers[timer.timerId] = timer;
    }
    return Promise.resolve(world);
  }

  commit(commit: Commit): Promise<void> {
    this.stored ??= {
      config: this.sql("SELECT 1 FROM world_meta WHERE key = 'config'").get() !== undefined,
      prunedAt: undefined
    };
    const stored = this.stored;
    // Event ids are deterministic (call id + sequence): a replayed step finds its row already there.
    const addEvent = this.sql('INSERT OR IGNORE INTO outbox (event_id, call_id, event) VALUES (?, ?, ?)');
    const addEffect = this.sql('INSERT OR IGNORE INTO pending_effect (effect_key, effect) VALUES (?, ?)');
    this.db.transaction(() => {
      const { delta, world } = commit;
      if (delta === undefined) {
        writeWhole(this.db, world);
      } else {
        this.writeDelta(delta, world, !stored.config);
        for (const id of new Set([...commit.timersScheduled.map((t) => t.timerId), ...commit.timersCancelled])) {
          const timer = world.timers[id];
          if (timer) this.sql(UPSERT_TIMER).run(storedKey(id), JSON.stringify(timer));
          else this.sql('DELETE FROM timer WHERE timer_id = ?').run(storedKey(id));
        }
        if (world.prunedAt !== stored.prunedAt && world.prunedAt !== undefined)
          this.sql(UPSERT_META).run('prunedAt', JSON.stringify(world.prunedAt));
      }
      for (const event of commit.outbox) addEvent.run(event.EventId__c, event.TeamsCallId__c, JSON.stringify(event));
      for (const effect of commit.effects) addEffect.run(storedKey(effect.effectKey), JSON.stringify(effect.effect));
    })();
    stored.config = true;
    stored.prunedAt = commit.world.prunedAt;
    return Promise.resolve();
  }

  private writeDelta(delta: WorldDelta, world: World, configMissing: boolean): void {
    for (const call of delta.calls)
      this.sql(UPSERT_CALL).run(storedKey(call.callId), call.phase === 'Ended' ? 1 : 0, JSON.stringify(call));
    for (const id of delta.removedCallIds) this.sql('DELETE FROM call WHERE call_id = ?').run(storedKey(id));
    for (const agent of delta.agents)
      this.sql(UPSERT_AGENT).run(storedKey(agent.salesforceUserId), JSON.stringify(agent));
    const config = delta.config ?? (configMissing ? world.config : undefined);
    if (config !== undefined) this.sql(UPSERT_META).run('config', JSON.stringify(config));
    if (delta.applied !== undefined || configMissing)
      this.sql(UPSERT_META).run('applied', JSON.stringify(delta.applied ?? world.applied));
  }

  /** B15: deletes processed inbox rows and command ids older than the retention; returns how many went. */
  prune(cutoffs: RetentionCutoffs): Promise<{ inbox: number; commands: number }> {
    const inbox = this.sql('DELETE FROM inbox WHERE processed_at IS NOT NULL AND received_at < ?').run(
      cutoffs.inboxBefore
    ).changes;
    const commands = this.sql('DELETE FROM processed_command WHERE processed_at < ?').run(
      cutoffs.commandsBefore
    ).changes;
    return Promise.resolve({ inbox, commands });
  }

  pendingOutbox(now: string, limit: number): Promise<OutboxRow[]> {
    const rows = this.sql(
      `SELECT event, attempts, next_attempt_at, last_error FROM outbox
         WHERE next_attempt_at <= ? ORDER BY seq LIMIT ?`
    ).all(now, limit) as { event: string; attempts: number; next_attempt_at: string; last_error: string | null }[];
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
    const del = this.sql('DELETE FROM outbox WHERE event_id = ?');
    this.db.transaction(() => eventIds.forEach((id) => del.run(id)))();
    return Promise.resolve();
  }

  recordOutboxFailure(eventId: string, error: string, nextAttemptAt: string): Promise<void> {
    this.sql('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE event_id = ?').run(
      error,
      nextAttemptAt,
      eventId
    );
    return Promise.resolve();
  }

  pendingEffects(): Promise<PendingEffect[]> {
    const rows = this.sql('SELECT effect_key, effect FROM pending_effect ORDER BY seq').all() as {
      effect_key: string;
      effect: string;
    }[];
    return Promise.resolve(
      rows.map((row) => ({ effectKey: row.effect_key, effect: JSON.parse(row.effect) as PendingEffect['effect'] }))
    );
  }

  markEffectDone(effectKey: string): Promise<void> {
    this.sql('DELETE FROM pending_effect WHERE effect_key = ?').run(storedKey(effectKey));
    return Promise.resolve();
  }

  addToInbox(item: InboxItem): Promise<boolean> {
    const result = this.sql('INSERT OR IGNORE INTO inbox (key, body, received_at) VALUES (?, ?, ?)').run(
      storedKey(item.key),
      item.body,
      item.receivedAt
    );
    return Promise.resolve(result.changes === 1);
  }

  pendingInbox(limit: number): Promise<InboxItem[]> {
    const rows = this.sql(
      'SELECT key, body, received_at FROM inbox WHERE processed_at IS NULL ORDER BY seq LIMIT ?'
    ).all(limit) as { key: string; body: string; received_at: string }[];
    return Promise.resolve(rows.map((row) => ({ key: row.key, body: row.body, receivedAt: row.received_at })));
  }

  markInboxProcessed(key: string): Promise<void> {
    this.sql('UPDATE inbox SET processed_at = ? WHERE key = ?').run(new Date().toISOString(), storedKey(key));
    return Promise.resolve();
  }

  getReplayId(topic: string): Promise<Buffer | undefined> {
    const row = this.sql('SELECT replay_id FROM replay WHERE topic = ?').get(topic) as
      { replay_id: Buffer } | undefined;
    return Promise.resolve(row?.replay_id);
  }

  setReplayId(topic: string, replayId: Buffer): Promise<void> {
    this.sql(
      'INSERT INTO replay (topic, replay_id) VALUES (?, ?) ON CONFLICT (topic) DO UPDATE SET replay_id = excluded.replay_id'
    ).run(topic, replayId);
    return Promise.resolve();
  }

  markCommandProcessed(commandId: string, at: string): Promise<boolean> {
    const result = this.sql('INSERT OR IGNORE INTO processed_command (command_id, processed_at) VALUES (?, ?)').run(
      storedKey(commandId),
      at
    );
    return Promise.resolve(result.changes === 1);
  }

  deadLetter(eventId: string, error: string, at: string): Promise<void> {
    this.db.transaction(() => {
      const row = this.sql('SELECT event FROM outbox WHERE event_id = ?').get(eventId) as { event: string } | undefined;
      if (!row) return;
      this.sql('INSERT OR REPLACE INTO dead_letter (event_id, event, error, failed_at) VALUES (?, ?, ?, ?)').run(
        eventId,
        row.event,
        error,
        at
      );
      this.sql('DELETE FROM outbox WHERE event_id = ?').run(eventId);
    })();
    return Promise.resolve();
  }

  deadLetters(): Promise<DeadLetter[]> {
    const rows = this.sql('SELECT event_id, event, error, failed_at FROM dead_letter ORDER BY failed_at').all() as {
      event_id: string;
      event: string;
      error: string;
      failed_at: string;
    }[];
    return Promise.resolve(
      rows.map((row) => ({ eventId: row.event_id, event: row.event, error: row.error, failedAt: row.failed_at }))
    );
  }

  outboxDepth(): Promise<number> {
    const row = this.sql('SELECT count(*) AS n FROM outbox').get() as { n: number };
    return Promise.resolve(row.n);
  }

  close(): void {
    this.db.close();
  }
}
