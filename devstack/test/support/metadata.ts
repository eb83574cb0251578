// A throwaway copy of the platform-event metadata for tests that edit it. Uses the real force-app objects when
// they exist; until the metadata lands, writes the same fields from docs/data-model.md in Salesforce's XML format.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const EVENTS = ['TeamsCallEvent__e', 'TeamsCallCommand__e'];

/** From docs/data-model.md, used only while force-app lacks the event metadata. */
const DATA_MODEL_FIELDS: Record<string, [string, string][]> = {
  TeamsCallEvent__e: [
    ['EventId__c', 'Text'],
    ['TeamsCallId__c', 'Text'],
    ['Sequence__c', 'Number'],
    ['Kind__c', 'Text'],
    ['State__c', 'Text'],
    ['Reason__c', 'Text'],
    ['Direction__c', 'Text'],
    ['CallerNumber__c', 'Text'],
    ['CallerName__c', 'Text'],
    ['DialledNumber__c', 'Text'],
    ['AgentUserId__c', 'Text'],
    ['AgentTeamsId__c', 'Text'],
    ['Target__c', 'Text'],
    ['Participants__c', 'LongTextArea'],
    ['Presence__c', 'Text'],
    ['RelatedCallId__c', 'Text'],
    ['OccurredAt__c', 'DateTime']
  ],
  TeamsCallCommand__e: [
    ['CommandId__c', 'Text'],
    ['TeamsCallId__c', 'Text'],
    ['Action__c', 'Text'],
    ['Argument__c', 'Text'],
    ['RequestedBy__c', 'Text'],
    ['IssuedAt__c', 'DateTime']
  ]
};

export function fieldXml(name: string, type: string): string {
  const extra =
    type === 'Text'
      ? '\n    <length>255</length>'
      : type === 'Number'
        ? '\n    <precision>18</precision>\n    <scale>0</scale>'
        : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>${name}</fullName>
    <externalId>false</externalId>
    <isFilteringDisabled>false</isFilteringDisabled>
    <isNameField>false</isNameField>
    <isSortingDisabled>false</isSortingDisabled>
    <label>${name.replace('__c', '')}</label>
    <required>false</required>
    <type>${type}</type>${extra}
</CustomField>
`;
}

function findObjects(root: string, depth = 0): string | undefined {
  if (depth > 5 || !existsSync(root)) return undefined;
  for (const e of readdirSync(root)) {
    const full = join(root, e);
    if (!statSync(full).isDirectory()) continue;
    if (e === 'objects' && EVENTS.every((ev) => existsSync(join(full, ev, 'fields')))) return full;
    const hit = findObjects(full, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

function findAllObjects(root: string, depth = 0, out: string[] = []): string[] {
  if (depth > 5 || !existsSync(root)) return out;
  for (const e of readdirSync(root)) {
    const full = join(root, e);
    if (!statSync(full).isDirectory()) continue;
    if (e === 'objects') out.push(full);
    else findAllObjects(full, depth + 1, out);
  }
  return out;
}

/** Returns a temp metadata root holding `main/default/objects/<event>/fields/*.field-meta.xml`. */
export function copyEventMetadata(): { root: string; fieldsDir(eventName: string): string; usedRealMetadata: boolean } {
  const root = mkdtempSync(join(tmpdir(), 'sf-emu-metadata-'));
  const objects = join(root, 'main', 'default', 'objects');
  const real = findObjects(join(REPO, 'force-app'));
  for (const ev of EVENTS) {
    const dest = join(objects, ev);
    if (real) {
      cpSync(join(real, ev), dest, { recursive: true });
    } else {
      mkdirSync(join(dest, 'fields'), { recursive: true });
      for (const [name, type] of DATA_MODEL_FIELDS[ev]!)
        writeFileSync(join(dest, 'fields', `${name}.field-meta.xml`), fieldXml(name, type));
    }
  }
  // The package's other objects, so REST knows them (the emulator refuses unknown sObjects and fields).
  for (const dir of findAllObjects(join(REPO, 'force-app'))) {
    for (const obj of readdirSync(dir).filter((o) => !EVENTS.includes(o))) {
      cpSync(join(dir, obj), join(objects, obj), { recursive: true });
    }
  }
  // Who may read and create each event (the emulator enforces the permission sets on CometD).
  cpSync(join(REPO, 'force-app', 'main', 'access'), join(root, 'main', 'access'), { recursive: true });
  return { root, fieldsDir: (ev) => join(objects, ev, 'fields'), usedRealMetadata: !!real };
}
