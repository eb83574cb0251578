/**
 * Avro encoding for platform events as the Pub/Sub API wants them (salesforce.md §1.9): optional fields are
 * `["null", T]` unions and must be wrapped (`{ string: 'x' }`), `CreatedDate`/`CreatedById` must be supplied,
 * Date/Time fields are epoch-millisecond longs. Values are validated against the schema before publishing.
 */
import { createRequire } from 'node:module';

interface AvroType {
  toBuffer(value: unknown): Buffer;
  fromBuffer(buffer: Buffer): unknown;
  isValid(value: unknown, options?: { errorHook?: (path: string[], value: unknown) => void }): boolean;
  toJSON(): unknown;
  getFields?(): AvroField[];
  getTypes?(): AvroType[];
}
interface AvroField {
  getName(): string;
  getType(): AvroType;
}

// avro-js ships no type declarations; the subset used is typed above.
const avro = createRequire(import.meta.url)('avro-js') as { parse(schema: unknown): AvroType };

export type EncodeResult = { ok: true; payload: Buffer } | { ok: false; error: string };

export class EventCodec {
  private readonly type: AvroType;
  private readonly fields: { name: string; branches: string[] }[];

  constructor(
    readonly schemaId: string,
    schemaJson: string
  ) {
    this.type = avro.parse(JSON.parse(schemaJson) as unknown);
    this.fields = (this.type.getFields?.() ?? []).map((field) => {
      const t = field.getType();
      const branches = t.getTypes ? t.getTypes().map((b) => String(b.toJSON())) : [String(t.toJSON())];
      return { name: field.getName(), branches };
    });
  }

  /** `values` uses plain JS values keyed by field API name; ISO strings go into long (Date/Time) fields. */
  encode(values: Record<string, unknown>, createdById: string, now = Date.now()): EncodeResult {
    const known = new Set(this.fields.map((f) => f.name));
    const unknown = Object.keys(values).filter((k) => !known.has(k) && values[k] !== undefined);
    if (unknown.length > 0) return { ok: false, error: `fields not in the event schema: ${unknown.join(', ')}` };
    const record: Record<string, unknown> = {};
    for (const { name, branches } of this.fields) {
      const raw = name === 'CreatedDate' ? now : name === 'CreatedById' ? createdById : values[name];
      const isUnion = branches.length > 1;
      if (raw === undefined || raw === null) {
        record[name] = null;
        continue;
      }
      const branch = branches.find((b) => b !== 'null') ?? 'null';
      const value = coerce(raw, branch);
      record[name] = isUnion ? { [branch]: value } : value;
    }
    const invalid: string[] = [];
    if (!this.type.isValid(record, { errorHook: (path) => invalid.push(path.join('.')) })) {
      return { ok: false, error: `invalid value for ${[...new Set(invalid)].join(', ') || 'the record'}` };
    }
    return { ok: true, payload: this.type.toBuffer(record) };
  }

  /** Decodes a payload and unwraps unions into plain values (what subscribers work with). */
  decode(payload: Buffer): Record<string, unknown> {
    const record = this.type.fromBuffer(payload) as Record<string, unknown>;
    const plain: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) {
      if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
        const entries = Object.entries(value);
        plain[key] = entries.length === 1 ? entries[0]?.[1] : value;
      } else plain[key] = value;
    }
    return plain;
  }
}

function coerce(value: unknown, branch: string): unknown {
  if (branch === 'long' && typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? value : ms;
  }
  if ((branch === 'double' || branch === 'float') && typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isNaN(n) ? value : n;
  }
  return value;
}
