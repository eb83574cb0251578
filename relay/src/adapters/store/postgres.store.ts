import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { TeamsCallEvent } from '../../domain/call-event.ts';
import type { AgentState, CallSession, TimerEntry, World } from '../../domain/model.ts';
import type { DeadLetter, DeliveryStore, InboxItem, RetentionCutoffs } from '../../ports/delivery-store.port.ts';
import type { Commit, OutboxRow, PendingEffect, WorldStore } from '../../ports/world-store.port.ts';
import { storedKey } from './sqlite.store.ts';

/**
 * Versioned schema migrations, applied in order under an advisory lock (several instances may start at once);
 * `schema_migrations` records each applied version. Never edit a released migration: add the next one.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE call (call_id TEXT PRIMARY KEY, ended BOOLEAN NOT NULL, json TEXT NOT NULL);
   CREATE TABLE agent (user_id TEXT PRIMARY KEY, json TEXT NOT NULL);
   CREATE TABLE timer (timer_id TEXT PRIMARY KEY, json TEXT NOT NULL);
   CREATE TABLE world_meta (key TEXT PRIMARY KEY, json TEXT NOT NULL);
   CREATE TABLE outbox (seq BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, call_id TEXT NOT NULL,
     event TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL DEFAULT '',
     last_error TEXT, claimed_by TEXT, claimed_until TIMESTAMPTZ);
   CREATE INDEX outbox_call ON outbox (call_id, seq);
   CREATE TABLE pending_effect (seq BIGSERIAL PRIMARY KEY, effect_key TEXT NOT NULL UNIQUE, effect TEXT NOT NULL);
   CREATE TABLE inbox (seq BIGSERIAL PRIMARY KEY, key TEXT NOT NULL UNIQUE, body BYTEA NOT NULL,
     received_at TEXT NOT NULL, processed_at TEXT);
   CREATE INDEX inbox_pending ON inbox (seq) WHERE processed_at IS NULL;
   CREATE TABLE replay (topic TEXT PRIMARY KEY, replay_id BYTEA NOT NULL);
   CREATE TABLE processed_command (command_id TEXT PRIMARY KEY, processed_at TEXT NOT NULL);
   CREATE INDEX processed_command_at ON processed_command (processed_at);
   CREATE TABLE dead_letter (event_id TEXT PRIMARY KEY, event TEXT NOT NULL, error TEXT NOT NULL,
     failed_at TEXT NOT NULL);`
];

/** Advisory lock keys (arbitrary constants of this application). */
const MIGRATION_LOCK = 7_320_150_001;
const OUTBOX_CLAIM_LOCK = 7_320_150_002;
const ENGINE_LOCK = 7_320_153;
/** The engine lock is per schema: relays on different schemas of one database do not exclude each other. */
const ENGINE_LOCK_SQL = 'SELECT $fn($1::int, hashtext(current_schema()))';

/**
 * A key as stored: PostgreSQL text is UTF-8 without NUL, so a key with a lone UTF-16 surrogate (see `storedKey`)
 * or a NUL is stored as the hex of its UTF-16 code units; such a key still matches itself.
 */
function pgKey(key: string): string {
  if (!key.includes('\u0000')) return storedKey(key);
  let hex = 'utf16:';
  for (let i = 0; i < key.length; i += 1) hex += key.charCodeAt(i).toString(16).padStart(4, '0');
  return hex;
}

/** Free text (an error message) as PostgreSQL text: NUL cannot be stored. */
const pgText = (text: string): string => text.replaceAll('\u0000', '\uFFFD');

const UPSERT_CALL = `INSERT INTO call (call_id, ended, json) VALUES ($1, $2, $3)
  ON CONFLICT (call_id) DO UPDATE SET ended = excluded.ended, json = excluded.json`;
const UPSERT_AGENT =
  'INSERT INTO agent (user_id, json) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET json = excluded.json';
const UPSERT_TIMER =
  'INSERT INTO timer (timer_id, json) VALUES ($1, $2) ON CONFLICT (timer_id) DO UPDATE SET json = excluded.json';
const UPSERT_META =
  'INSERT INTO world_meta (key, json) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET json = excluded.json';
const INSERT_META_IF_MISSING = 'INSERT INTO world_meta (key, json) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING';

export interface PostgresStoreOptions {
  /** Tables live in this schema (created if missing); default: the connection's `search_path`. */
  schema?: string;
  /** How long outbox rows handed to this instance are hidden from other instances (default 30 s). */
  outboxLeaseMs?: number;
  /** Names this instance in outbox claims (default a random id). */
  instanceId?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

type Queryable = pg.Pool | pg.PoolClient;

/**
 * The relay's durable store on PostgreSQL (B15), for several relay instances sharing one database. The same
 * contract as `SqliteStore` (the store contract suite runs on both): a row per call, agent state and timer; each
 * engine step one transaction writing only the rows its delta names; named (prepared) statements reused per
 * connection. The outbox is claimed, not just read: `pendingOutbox` takes due rows with `FOR UPDATE SKIP LOCKED`
 * under an advisory lock and leases them to this instance, so another instance draining at the same time neither
 * publishes them again nor overtakes an earlier event of the same call while the lease holds.
 */
export class PostgresStore implements WorldStore, DeliveryStore {
  private stored: { config: boolean; applied: boolean; prunedAt: string | undefined } | undefined;
  /** The connection holding the engine lock, while this instance holds it. */
  private engineLock: pg.PoolClient | undefined;
  private readonly instanceId: string;
  private readonly leaseMs: number;

  private constructor(
    private readonly pool: pg.Pool,
    options: PostgresStoreOptions,
    /** The schema version this database is at (for /readyz, `relay doctor` and support). */
    readonly schemaVersion: number
  ) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.leaseMs = options.outboxLeaseMs ?? 30_000;
  }

  /** Connects, creates the schema if asked and applies pending migrations. */
  static async open(connectionString: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
      throw new Error(`invalid PostgreSQL schema name: ${schema}`);
    const pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 10,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` })
    });
    // An idle connection that breaks (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      const version = await migrate(pool, schema);
      return new PostgresStore(pool, options, version);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  /** One transaction on one connection: all or nothing. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async load(): Promise<World | undefined> {
    const meta = new Map(
      (await run<{ key: string; json: string }>(this.pool, 'meta_all', 'SELECT key, json FROM world_meta')).map((r) => [
        r.key,
        JSON.parse(r.json) as unknown
      ])
    );
    const config = meta.get('config') as World['config'] | undefined;
    const prunedAt = meta.get('prunedAt') as string | undefined;
    this.stored = { config: config !== undefined, applied: meta.has('applied'), prunedAt };
    if (config === undefined) return undefined;
    const world: World = { config, calls: {}, ended: {}, agents: {}, timers: {}, applied: [] };
    world.applied = (meta.get('applied') as string[] | undefined) ?? [];
    if (prunedAt !== undefined) world.prunedAt = prunedAt;
    const ended = world.ended ?? {};
    for (const row of await run<{ ended: boolean; json: string }>(
      this.pool,
      'call_all',
      'SELECT ended, json FROM call'
    )) {
      const call = JSON.parse(row.json) as CallSession;
      (row.ended ? ended : world.calls)[call.callId] = call;
    }
    for (const row of await run<{ json: string }>(this.pool, 'agent_all', 'SELECT json FROM agent')) {
      const agent = JSON.parse(row.json) as AgentState;
      world.agents[agent.salesforceUserId] = agent;
    }
    for (const row of await run<{ json: string }>(this.pool, 'timer_all', 'SELECT json FROM timer')) {
      const timer = JSON.parse(row.json) as TimerEntry;
      world.timers[timer.timerId] = timer;
    }
    return world;
  }

  async commit(commit: Commit): Promise<void> {
    const stored = this.stored ?? { config: false, applied: false, prunedAt: undefined };
    const { delta, world } = commit;
    await this.transaction(async (db) => {
      if (delta === undefined) {
        await writeWhole(db, world);
      } else {
        for (const call of delta.calls)
          await run(db, 'call_upsert', UPSERT_CALL, [pgKey(call.callId), call.phase === 'Ended', JSON.stringify(call)]);
        for (const id of delta.removedCallIds)
          await run(db, 'call_delete', 'DELETE FROM call WHERE call_id = $1', [pgKey(id)]);
        for (const agent of delta.agents)
          await run(db, 'agent_upsert', UPSERT_AGENT, [pgKey(agent.salesforceUserId), JSON.stringify(agent)]);
        if (delta.config !== undefined)
          await run(db, 'meta_upsert', UPSERT_META, ['config', JSON.stringify(delta.config)]);
        else if (!stored.config)
          await run(db, 'meta_insert', INSERT_META_IF_MISSING, ['config', JSON.stringify(world.config)]);
        if (delta.applied !== undefined)
          await run(db, 'meta_upsert', UPSERT_META, ['applied', JSON.stringify(delta.applied)]);
        else if (!stored.applied)
          await run(db, 'meta_insert', INSERT_META_IF_MISSING, ['applied', JSON.stringify(world.applied)]);
        for (const id of new Set([...commit.timersScheduled.map((t) => t.timerId), ...commit.timersCancelled])) {
          const timer = world.timers[id];
          if (timer) await run(db, 'timer_upsert', UPSERT_TIMER, [pgKey(id), JSON.stringify(timer)]);
          else await run(db, 'timer_delete', 'DELETE FROM timer WHERE timer_id = $1', [pgKey(id)]);
        }
        if (world.prunedAt !== stored.prunedAt && world.prunedAt !== undefined)
          await run(db, 'meta_upsert', UPSERT_META, ['prunedAt', JSON.stringify(world.prunedAt)]);
      }
      // Event ids are deterministic (call id + sequence): a replayed step finds its row already there.
      for (const event of commit.outbox)
        await run(
          db,
          'outbox_insert',
          'INSERT INTO outbox (event_id, call_id, event) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING',
          [pgKey(event.EventId__c), pgKey(event.TeamsCallId__c), JSON.stringify(event)]
        );
      for (const effect of commit.effects)
        await run(
          db,
          'effect_insert',
          'INSERT INTO pending_effect (effect_key, effect) VALUES ($1, $2) ON CONFLICT (effect_key) DO NOTHING',
          [pgKey(effect.effectKey), JSON.stringify(effect.effect)]
        );
    });
    this.stored = { config: true, applied: true, prunedAt: world.prunedAt };
  }

  /** B15: deletes processed inbox rows and command ids older than the retention; returns how many went. */
  async prune(cutoffs: RetentionCutoffs): Promise<{ inbox: number; commands: number }> {
    const inbox = await this.pool.query({
      name: 'inbox_prune',
      text: 'DELETE FROM inbox WHERE processed_at IS NOT NULL AND received_at < $1',
      values: [cutoffs.inboxBefore]
    });
    const commands = await this.pool.query({
      name: 'command_prune',
      text: 'DELETE FROM processed_command WHERE processed_at < $1',
      values: [cutoffs.commandsBefore]
    });
    return { inbox: inbox.rowCount ?? 0, commands: commands.rowCount ?? 0 };
  }

  /**
   * Due rows, oldest first, claimed for this instance: rows another instance holds under an unexpired lease are
   * skipped, and so is every row of a call another instance holds a row of (per-call order across instances). Rows this instance
   * already holds are returned again (the drain may look twice before it deletes).
   */
  async pendingOutbox(now: string, limit: number): Promise<OutboxRow[]> {
    const rows = await this.transaction(async (db) => {
      await run(db, 'outbox_claim_lock', 'SELECT pg_advisory_xact_lock($1)', [OUTBOX_CLAIM_LOCK]);
      return run<{ seq: string; event: string; attempts: number; next_attempt_at: string; last_error: string | null }>(
        db,
        'outbox_claim',
        `WITH due AS (
           SELECT o.seq FROM outbox o
            WHERE o.next_attempt_at <= $1
              AND NOT EXISTS (SELECT 1 FROM outbox h WHERE h.call_id = o.call_id
                                AND h.claimed_by <> $3 AND h.claimed_until > now())
            ORDER BY o.seq LIMIT $2 FOR UPDATE OF o SKIP LOCKED)
         UPDATE outbox SET claimed_by = $3, claimed_until = now() + make_interval(secs => $4)
           FROM due WHERE outbox.seq = due.seq
         RETURNING outbox.seq, outbox.event, outbox.attempts, outbox.next_attempt_at, outbox.last_error`,
        [now, limit, this.instanceId, this.leaseMs / 1000]
      );
    });
    return rows
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map((row) => ({
        event: JSON.parse(row.event) as TeamsCallEvent,
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at,
        ...(row.last_error === null ? {} : { lastError: row.last_error })
      }));
  }

  async deleteOutbox(eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await run(this.pool, 'outbox_delete', 'DELETE FROM outbox WHERE event_id = ANY($1::text[])', [eventIds.map(pgKey)]);
  }

  async recordOutboxFailure(eventId: string, error: string, nextAttemptAt: string): Promise<void> {
    await run(
      this.pool,
      'outbox_failure',
      `UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, claimed_by = NULL,
         claimed_until = NULL WHERE event_id = $3`,
      [pgText(error), nextAttemptAt, pgKey(eventId)]
    );
  }

  async pendingEffects(): Promise<PendingEffect[]> {
    const rows = await run<{ effect_key: string; effect: string }>(
      this.pool,
      'effect_all',
      'SELECT effect_key, effect FROM pending_effect ORDER BY seq'
    );
    return rows.map((row) => ({
      effectKey: row.effect_key,
      effect: JSON.parse(row.effect) as PendingEffect['effect']
    }));
  }

  async markEffectDone(effectKey: string): Promise<void> {
    await run(this.pool, 'effect_delete', 'DELETE FROM pending_effect WHERE effect_key = $1', [pgKey(effectKey)]);
  }

  async addToInbox(item: InboxItem): Promise<boolean> {
    const result = await this.pool.query({
      name: 'inbox_insert',
      text: 'INSERT INTO inbox (key, body, received_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING',
      values: [pgKey(item.key), Buffer.from(item.body, 'utf8'), item.receivedAt]
    });
    return result.rowCount === 1;
  }

  async pendingInbox(limit: number): Promise<InboxItem[]> {
    const rows = await run<{ key: string; body: Buffer; received_at: string }>(
      this.pool,
      'inbox_pending',
      'SELECT key, body, received_at FROM inbox WHERE processed_at IS NULL ORDER BY seq LIMIT $1',
      [limit]
    );
    return rows.map((row) => ({ key: row.key, body: row.body.toString('utf8'), receivedAt: row.received_at }));
  }

  async markInboxProcessed(key: string): Promise<void> {
    await run(this.pool, 'inbox_processed', 'UPDATE inbox SET processed_at = $1 WHERE key = $2', [
      new Date().toISOString(),
      pgKey(key)
    ]);
  }

  async getReplayId(topic: string): Promise<Buffer | undefined> {
    const [row] = await run<{ replay_id: Buffer }>(
      this.pool,
      'replay_get',
      'SELECT replay_id FROM replay WHERE topic = $1',
      [pgKey(topic)]
    );
    return row?.replay_id;
  }

  async setReplayId(topic: string, replayId: Buffer): Promise<void> {
    await run(
      this.pool,
      'replay_set',
      'INSERT INTO replay (topic, replay_id) VALUES ($1, $2) ON CONFLICT (topic) DO UPDATE SET replay_id = excluded.replay_id',
      [pgKey(topic), replayId]
    );
  }

  async markCommandProcessed(commandId: string, at: string): Promise<boolean> {
    const result = await this.pool.query({
      name: 'command_insert',
      text: 'INSERT INTO processed_command (command_id, processed_at) VALUES ($1, $2) ON CONFLICT (command_id) DO NOTHING',
      values: [pgKey(commandId), at]
    });
    return result.rowCount === 1;
  }

  async deadLetter(eventId: string, error: string, at: string): Promise<void> {
    await this.transaction(async (db) => {
      const [row] = await run<{ event: string }>(
        db,
        'outbox_take',
        'DELETE FROM outbox WHERE event_id = $1 RETURNING event',
        [pgKey(eventId)]
      );
      if (!row) return;
      await run(
        db,
        'dead_letter_insert',
        `INSERT INTO dead_letter (event_id, event, error, failed_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (event_id) DO UPDATE SET event = excluded.event, error = excluded.error, failed_at = excluded.failed_at`,
        [pgKey(eventId), row.event, pgText(error), at]
      );
    });
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const rows = await run<{ event_id: string; event: string; error: string; failed_at: string }>(
      this.pool,
      'dead_letter_all',
      'SELECT event_id, event, error, failed_at FROM dead_letter ORDER BY failed_at'
    );
    return rows.map((row) => ({ eventId: row.event_id, event: row.event, error: row.error, failedAt: row.failed_at }));
  }

  async outboxDepth(): Promise<number> {
    const [row] = await run<{ n: string }>(this.pool, 'outbox_depth', 'SELECT count(*) AS n FROM outbox');
    return Number(row?.n ?? 0);
  }

  /**
   * Takes the engine lock (a session advisory lock) unless another process holds it. Each relay keeps the world in
   * memory, so until steps are serialized per call across instances only one relay may run the engine on a
   * database; the lock goes with this store's connection (a killed process releases it at once).
   */
  async lockEngine(): Promise<boolean> {
    if (this.engineLock) return true;
    const client = await this.pool.connect();
    const { rows } = await client.query<{ ok: boolean }>(
      ENGINE_LOCK_SQL.replace('$fn', 'pg_try_advisory_lock') + ' AS ok',
      [ENGINE_LOCK]
    );
    if (rows[0]?.ok !== true) {
      client.release();
      return false;
    }
    this.engineLock = client;
    return true;
  }

  async close(): Promise<void> {
    const lock = this.engineLock;
    this.engineLock = undefined;
    if (lock) {
      // Released now, not when the server notices the closed connection (a killed process releases it that way).
      await lock.query(ENGINE_LOCK_SQL.replace('$fn', 'pg_advisory_unlock'), [ENGINE_LOCK]).catch(() => undefined);
      lock.release(true);
    }
    await this.pool.end();
  }
}

/** A named statement: PostgreSQL parses and plans it once per connection, then reuses it. */
async function run<R extends object = Record<string, unknown>>(
  db: Queryable,
  name: string,
  text: string,
  values: unknown[] = []
): Promise<R[]> {
  const result = await db.query<R>({ name, text, values });
  return result.rows;
}

async function migrate(pool: pg.Pool, schema: string | undefined): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    // Under the lock: instances opening together would otherwise race to create the same schema.
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())'
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const from = rows[0]?.v ?? 0;
    for (let version = from; version < MIGRATIONS.length; version++) {
      await client.query(MIGRATIONS[version] ?? '');
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1]);
    }
    await client.query('COMMIT');
    return Math.max(from, MIGRATIONS.length);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Replaces the stored world with this one (a commit without a delta). */
async function writeWhole(db: pg.PoolClient, world: World): Promise<void> {
  await db.query('DELETE FROM call; DELETE FROM agent; DELETE FROM timer; DELETE FROM world_meta;');
  for (const c of Object.values(world.calls))
    await run(db, 'call_upsert', UPSERT_CALL, [pgKey(c.callId), false, JSON.stringify(c)]);
  for (const c of Object.values(world.ended ?? {}))
    await run(db, 'call_upsert', UPSERT_CALL, [pgKey(c.callId), true, JSON.stringify(c)]);
  for (const a of Object.values(world.agents))
    await run(db, 'agent_upsert', UPSERT_AGENT, [pgKey(a.salesforceUserId), JSON.stringify(a)]);
  for (const t of Object.values(world.timers))
    await run(db, 'timer_upsert', UPSERT_TIMER, [pgKey(t.timerId), JSON.stringify(t)]);
  await run(db, 'meta_upsert', UPSERT_META, ['config', JSON.stringify(world.config)]);
  await run(db, 'meta_upsert', UPSERT_META, ['applied', JSON.stringify(world.applied)]);
  if (world.prunedAt !== undefined)
    await run(db, 'meta_upsert', UPSERT_META, ['prunedAt', JSON.stringify(world.prunedAt)]);
}
