// Avro schemas for platform events, derived at read time from the force-app field metadata so that a field
// added in force-app shows up in GetSchema without touching the emulator (issue 9 "Done when").
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export interface AvroField {
  name: string;
  type: unknown;
  doc?: string;
  default?: null;
}

export interface EventSchema {
  schemaId: string;
  schemaJson: string;
  fields: AvroField[];
}

/** Salesforce field type → Avro primitive, per docs/data-model.md. Unknown text-like types map to string. */
const AVRO_TYPE: Record<string, string> = {
  Text: 'string',
  TextArea: 'string',
  LongTextArea: 'string',
  Phone: 'string',
  Email: 'string',
  Url: 'string',
  Number: 'double',
  DateTime: 'long',
  Date: 'long',
  Checkbox: 'boolean'
};

function findObjectDir(root: string, objectName: string, depth = 0): string | undefined {
  if (depth > 6 || !existsSync(root)) return undefined;
  for (const entry of readdirSync(root)) {
    const full = join(root, entry);
    if (!statSync(full).isDirectory()) continue;
    if (entry === 'objects' && existsSync(join(full, objectName))) return join(full, objectName);
    const found = findObjectDir(full, objectName, depth + 1);
    if (found) return found;
  }
  return undefined;
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/** Where each event's metadata lives (found once: walking the project tree costs more than a publish). */
const objectDirs = new Map<string, string>();
/** The fields last read from a fields folder, kept while no file in it changed (names and modification times). */
const fieldsRead = new Map<string, { signature: string; fields: { name: string; sfType: string }[] }>();

export function readEventFields(metadataRoot: string, eventName: string): { name: string; sfType: string }[] {
  const key = `${metadataRoot}\0${eventName}`;
  let dir = objectDirs.get(key);
  if (!dir || !existsSync(dir)) {
    dir = findObjectDir(metadataRoot, eventName);
    if (!dir) throw new Error(`No metadata for ${eventName} under ${metadataRoot}`);
    objectDirs.set(key, dir);
  }
  const fieldsDir = join(dir, 'fields');
  if (!existsSync(fieldsDir)) return [];
  const files = readdirSync(fieldsDir)
    .filter((f) => f.endsWith('.field-meta.xml'))
    .sort();
  const signature = files.map((f) => `${f}:${statSync(join(fieldsDir, f)).mtimeMs}`).join('|');
  const cached = fieldsRead.get(fieldsDir);
  if (cached?.signature === signature) return cached.fields;
  const fields = files.map((file) => {
    const doc = parser.parse(readFileSync(join(fieldsDir, file), 'utf8')) as {
      CustomField?: { fullName?: string; type?: string };
    };
    const name = doc.CustomField?.fullName ?? file.replace('.field-meta.xml', '');
    return { name, sfType: doc.CustomField?.type ?? 'Text' };
  });
  fieldsRead.set(fieldsDir, { signature, fields });
  return fields;
}

/** Salesforce's shape: CreatedDate long, CreatedById string, then each custom field as a nullable union. */
export function buildEventSchema(metadataRoot: string, eventName: string): EventSchema {
  const fields: AvroField[] = [
    { name: 'CreatedDate', type: 'long', doc: 'CreatedDate:DateTime' },
    { name: 'CreatedById', type: 'string', doc: 'CreatedBy:EntityId' }
  ];
  for (const f of readEventFields(metadataRoot, eventName)) {
    fields.push({
      name: f.name,
      type: ['null', AVRO_TYPE[f.sfType] ?? 'string'],
      doc: `CustomField:${f.sfType}`,
      default: null
    });
  }
  const schema = { type: 'record', name: eventName, namespace: 'com.sforce.eventbus', fields };
  const schemaJson = JSON.stringify(schema);
  const schemaId = createHash('sha256').update(schemaJson).digest('base64url').slice(0, 22);
  return { schemaId, schemaJson, fields };
}
