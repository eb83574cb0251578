// SQLite storage for the emulated org: sObject records (JSON per row) and the platform-event log with replay ids.
import { randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { fieldsOf, getPath, matches, parseSoql, project } from './soql.ts';

export type SRecord = Record<string, unknown> & { Id: string };

export interface StoredEvent {
  topic: string;
  replayId: number;
  /** The event's EventUuid: what REST create answers in its OPERATION_ENQUEUED message and Pub/Sub in `event.id`. */
  eventUuid: string;
  schemaId: string;
  payload: Buffer;
  decoded: Record<string, unknown>;
  publishedAt: number;
}

/** Deterministic 3-char key prefixes so ids look like Salesforce ids (15 + 3 chars). */
const PREFIX: Record<string, string> = {
  User: '005',
  Contact: '003',
  Lead: '00Q',
  Account: '001',
  Task: '00T'
};

function prefixFor(sobject: string): string {
  if (PREFIX[sobject]) return PREFIX[sobject];
  if (sobject.endsWith('__e')) return 'e00';
  let h = 0;
  for (const ch of sobject) h = (h * 31 + ch.charCodeAt(0)) % 1000;
  return `a${String(h).padStart(2, '0').slice(-2)}`;
}

function sortKey(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export class OrgStore {
  readonly db: Database.Database;
  readonly orgId: string;

  constructor(file = ':memory:', orgId = '00D000000000001EAA') {
    this.db = new Database(file);
    this.orgId = orgId;
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, sobject TEXT NOT NULL, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS records_sobject ON records (sobject);
      CREATE TABLE IF NOT EXISTS events (
        replay_id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, schema_id TEXT NOT NULL,
        payload BLOB NOT NULL, decoded TEXT NOT NULL, published_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS events_topic ON events (topic, replay_id);
    `);
    const columns = this.db.prepare('PRAGMA table_info(events)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'event_uuid')) this.db.exec('ALTER TABLE events ADD COLUMN event_uuid TEXT');
  }

  newId(sobject: string): string {
    const body = randomBytes(12).toString('hex').toUpperCase().slice(0, 12);
    return `${prefixFor(sobject)}${body}AAA`;
  }

  insert(sobject: string, fields: Record<string, unknown>): SRecord {
    const id = typeof fields.Id === 'string' ? fields.Id : this.newId(sobject);
    const now = new Date().toISOString();
    const rec: SRecord = { CreatedDate: now, LastModifiedDate: now, ...fields, Id: id };
    this.db.prepare('INSERT INTO records (id, sobject, data) VALUES (?, ?, ?)').run(id, sobject, JSON.stringify(rec));
    return rec;
  }

  get(sobject: string, id: string): SRecord | undefined {
    const row = this.db.prepare('SELECT data FROM records WHERE sobject = ? AND id = ?').get(sobject, id) as
      { data: string } | undefined;
    return row ? (JSON.parse(row.data) as SRecord) : undefined;
  }

  getById(id: string): { sobject: string; rec: SRecord } | undefined {
    const row = this.db.prepare('SELECT sobject, data FROM records WHERE id = ?').get(id) as
      { sobject: string; data: string } | undefined;
    return row ? { sobject: row.sobject, rec: JSON.parse(row.data) as SRecord } : undefined;
  }

  update(sobject: string, id: string, fields: Record<string, unknown>): SRecord | undefined {
    const cur = this.get(sobject, id);
    if (!cur) return undefined;
    const next: SRecord = { ...cur, ...fields, Id: id, LastModifiedDate: new Date().toISOString() };
    this.db.prepare('UPDATE records SET data = ? WHERE id = ?').run(JSON.stringify(next), id);
    return next;
  }

  all(sobject: string): SRecord[] {
    const rows = this.db.prepare('SELECT data FROM records WHERE sobject = ? ORDER BY rowid').all(sobject) as {
      data: string;
    }[];
    return rows.map((r) => JSON.parse(r.data) as SRecord);
  }

  /** Follows `Foo__r.Bar` through the `Foo__c` id and `Owner.X` through `OwnerId`. */
  private withRelations(rec: SRecord, fields: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = { ...rec };
    for (const f of fields) {
      const rel = f.split('.')[0]!;
      if (!f.includes('.') || out[rel] !== undefined) continue;
      const fk = rel.endsWith('__r') ? `${rel.slice(0, -3)}__c` : `${rel}Id`;
      const target = getPath(rec, fk);
      if (typeof target === 'string') out[rel] = this.getById(target)?.rec ?? null;
    }
    return out;
  }

  query(soql: string): { totalSize: number; done: true; records: Record<string, unknown>[] } {
    const parsed = parseSoql(soql);
    // Object names are case-insensitive in SOQL.
    const stored = this.db
      .prepare('SELECT sobject FROM records WHERE sobject = ? COLLATE NOCASE LIMIT 1')
      .get(parsed.object) as { sobject: string } | undefined;
    const q = { ...parsed, object: stored?.sobject ?? parsed.object };
    const fieldsUsed = [...q.fields, ...fieldsOf(q.where), ...(q.orderBy ? [q.orderBy.field] : [])];
    let rows = this.all(q.object)
      .map((r) => this.withRelations(r, fieldsUsed))
      .filter((r) => matches(r, q.where));
    if (q.orderBy) {
      const { field, desc } = q.orderBy;
      rows = rows.sort((a, b) => {
        const av = sortKey(getPath(a, field));
        const bv = sortKey(getPath(b, field));
        return desc ? bv.localeCompare(av) : av.localeCompare(bv);
      });
    }
    if (q.offset !== undefined) rows = rows.slice(q.offset);
    if (q.limit !== undefined) rows = rows.slice(0, q.limit);
    const records = rows.map((r) => ({
      attributes: { type: q.object, url: `/services/data/v67.0/sobjects/${q.object}/${String(r.Id)}` },
      ...project(r, q.fields)
    }));
    return { totalSize: records.length, done: true, records };
  }

  appendEvent(topic: string, schemaId: string, payload: Buffer, decoded: Record<string, unknown>): StoredEvent {
    const publishedAt = Date.now();
    const eventUuid = randomUUID();
    const info = this.db
      .prepare(
        'INSERT INTO events (topic, schema_id, payload, decoded, published_at, event_uuid) VALUES (?, ?, ?, ?, ?, ?)'
      )
      .run(topic, schemaId, payload, JSON.stringify(decoded), publishedAt, eventUuid);
    return { topic, replayId: Number(info.lastInsertRowid), eventUuid, schemaId, payload, decoded, publishedAt };
  }

  eventsAfter(topic: string, replayId: number, limit: number): StoredEvent[] {
    const rows = this.db
      .prepare(
        'SELECT replay_id, event_uuid, schema_id, payload, decoded, published_at FROM events WHERE topic = ? AND replay_id > ? ORDER BY replay_id LIMIT ?'
      )
      .all(topic, replayId, limit) as {
      replay_id: number;
      event_uuid: string | null;
      schema_id: string;
      payload: Buffer;
      decoded: string;
      published_at: number;
    }[];
    return rows.map((r) => ({
      topic,
      replayId: r.replay_id,
      // Rows written before the column existed get a stable stand-in derived from the replay id.
      eventUuid: r.event_uuid ?? `00000000-0000-4000-8000-${String(r.replay_id).padStart(12, '0')}`,
      schemaId: r.schema_id,
      payload: r.payload,
      decoded: JSON.parse(r.decoded) as Record<string, unknown>,
      publishedAt: r.published_at
    }));
  }

  /** Latest replay id across the bus (Salesforce replay ids are per channel but monotonic; one counter suffices). */
  latestReplayId(): number {
    const row = this.db.prepare('SELECT MAX(replay_id) AS m FROM events').get() as { m: number | null };
    return row.m ?? 0;
  }

  hasEvent(topic: string, replayId: number): boolean {
    return !!this.db.prepare('SELECT 1 FROM events WHERE topic = ? AND replay_id = ?').get(topic, replayId);
  }

  close(): void {
    this.db.close();
  }
}
