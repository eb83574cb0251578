// The emulated event bus: validates Avro payloads against the metadata-derived schema, stores them with
// replay ids, and fans them out to gRPC subscribers, CometD and the onPublished hook.
import { createRequire } from 'node:module';
import { buildEventSchema, type EventSchema } from './event-schema.ts';
import type { OrgStore, StoredEvent } from './store.ts';

const require = createRequire(import.meta.url);
interface AvroType {
  toBuffer(v: unknown): Buffer;
  fromBuffer(b: Buffer): unknown;
  isValid(v: unknown): boolean;
}
const avro = require('avro-js') as { parse(schema: string): AvroType };

export type EventListener = (event: StoredEvent) => void;

export function topicToEventName(topic: string): string | undefined {
  const m = /^\/event\/(\w+__e)$/.exec(topic);
  return m?.[1];
}

/** avro-js reads unions as `{ string: 'x' }`; subscribers and the store want plain values. */
function unwrap(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
      const inner = Object.values(v as Record<string, unknown>);
      out[k] = inner.length === 1 ? inner[0] : v;
    } else {
      out[k] = v;
    }
  }
  return out;
}

export class EventBus {
  private readonly schemasById = new Map<string, { schema: EventSchema; type: AvroType; eventName: string }>();
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly store: OrgStore,
    private readonly metadataRoot: string
  ) {}

  /** Re-read on every call so metadata edits take effect without a restart. */
  currentSchema(eventName: string): EventSchema {
    const schema = buildEventSchema(this.metadataRoot, eventName);
    if (!this.schemasById.has(schema.schemaId)) {
      this.schemasById.set(schema.schemaId, { schema, type: avro.parse(schema.schemaJson), eventName });
    }
    return schema;
  }

  schemaById(schemaId: string): EventSchema | undefined {
    return this.schemasById.get(schemaId)?.schema;
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publish an Avro payload (Pub/Sub API path). Throws with a message suitable for PublishResult.error. */
  publishAvro(topic: string, schemaId: string, payload: Buffer): StoredEvent {
    const eventName = topicToEventName(topic);
    if (!eventName) throw new Error(`Unknown topic ${topic}`);
    this.currentSchema(eventName);
    const entry = this.schemasById.get(schemaId);
    if (!entry || entry.eventName !== eventName) throw new Error(`Schema id ${schemaId} is not valid for ${topic}`);
    let decoded: unknown;
    try {
      decoded = entry.type.fromBuffer(payload);
    } catch (err) {
      throw new Error(`Payload does not match schema ${schemaId}: ${(err as Error).message}`, { cause: err });
    }
    return this.append(topic, schemaId, payload, unwrap(decoded));
  }

  /** Publish a JSON record (REST sObject create path); encodes it with the current schema. */
  publishJson(eventName: string, fields: Record<string, unknown>, createdById: string): StoredEvent {
    const schema = this.currentSchema(eventName);
    const entry = this.schemasById.get(schema.schemaId)!;
    const known = new Set(schema.fields.map((f) => f.name));
    const unknown = Object.keys(fields).filter((k) => !known.has(k));
    if (unknown.length > 0) throw new Error(`No such column '${unknown[0]}' on sobject of type ${eventName}`);
    const record: Record<string, unknown> = { CreatedDate: Date.now(), CreatedById: createdById };
    for (const f of schema.fields.slice(2)) {
      const branch = (f.type as string[])[1]!;
      let v = fields[f.name];
      if (v === undefined || v === null) {
        record[f.name] = null;
        continue;
      }
      if (branch === 'long' && typeof v === 'string') v = Date.parse(v);
      if (branch === 'double' && typeof v === 'string') v = Number(v);
      record[f.name] = { [branch]: v };
    }
    if (!entry.type.isValid(record)) throw new Error(`Invalid field value for ${eventName}`);
    const payload = entry.type.toBuffer(record);
    return this.append(`/event/${eventName}`, schema.schemaId, payload, unwrap(record));
  }

  private append(topic: string, schemaId: string, payload: Buffer, decoded: Record<string, unknown>): StoredEvent {
    const stored = this.store.appendEvent(topic, schemaId, payload, decoded);
    for (const l of this.listeners) {
      try {
        l(stored);
      } catch {
        // A failing listener (test hook, CometD) must not fail the publisher; Salesforce's bus is decoupled too.
      }
    }
    return stored;
  }
}
