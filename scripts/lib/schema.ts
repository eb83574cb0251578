import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TOOL_ROOT } from './paths.ts';
import { walk } from './files.ts';

interface StandardSchemaFile {
  objects: Record<string, string[]>;
  customObjectFields: Record<string, string[]>;
  relationships: Record<string, string | null>;
}

interface FieldInfo {
  name: string;
  referenceTo: string | null;
}

interface ObjectInfo {
  name: string;
  standard: boolean;
  /** Custom objects need their .object-meta.xml; a folder holding only fields does not create one. */
  defined: boolean;
  fields: Map<string, FieldInfo>;
}

const CUSTOM_SUFFIX = /__(c|e|mdt|b|x)$/i;
export const isCustomName = (name: string): boolean => CUSTOM_SUFFIX.test(name);

/** Object/field catalogue: force-app metadata plus scripts/checks/standard-schema.json. Keys are lower case (Apex is case-insensitive). */
export class Schema {
  readonly objects = new Map<string, ObjectInfo>();
  private readonly standard: StandardSchemaFile;

  constructor(root: string) {
    this.standard = JSON.parse(
      readFileSync(join(TOOL_ROOT, 'scripts', 'checks', 'standard-schema.json'), 'utf8')
    ) as StandardSchemaFile;
    for (const [name, fields] of Object.entries(this.standard.objects)) {
      const info = this.ensure(name, true);
      info.defined = true;
      for (const f of fields) info.fields.set(f.toLowerCase(), { name: f, referenceTo: null });
    }
    for (const file of walk(join(root, 'force-app'), (p) => p.includes('/objects/') && p.endsWith('-meta.xml'))) {
      if (file.endsWith('.object-meta.xml') && basename(dirname(dirname(file))) === 'objects') {
        const name = basename(file, '.object-meta.xml');
        this.ensure(name, !isCustomName(name)).defined = true;
      } else if (file.endsWith('.field-meta.xml') && basename(dirname(file)) === 'fields') {
        const objName = basename(dirname(dirname(file)));
        const info = this.ensure(objName, !isCustomName(objName));
        const fieldName = basename(file, '.field-meta.xml');
        const ref = /<referenceTo>\s*([^<\s]+)\s*<\/referenceTo>/.exec(readFileSync(file, 'utf8'));
        info.fields.set(fieldName.toLowerCase(), { name: fieldName, referenceTo: ref ? ref[1]! : null });
      }
    }
  }

  private ensure(name: string, standard: boolean): ObjectInfo {
    const key = name.toLowerCase();
    let info = this.objects.get(key);
    if (!info) {
      info = { name, standard, defined: false, fields: new Map() };
      this.objects.set(key, info);
    }
    return info;
  }

  /** True when the object is a custom object with metadata or a listed standard object. */
  hasObject(name: string): boolean {
    const info = this.objects.get(name.toLowerCase());
    return info !== undefined && (info.defined || (info.standard && info.fields.size > 0));
  }

  isKnownObject(name: string): boolean {
    return this.hasObject(name);
  }

  private systemFields(objName: string): string[] {
    const suffix = CUSTOM_SUFFIX.exec(objName)?.[0]?.toLowerCase();
    return suffix ? (this.standard.customObjectFields[suffix] ?? []) : [];
  }

  /**
   * Resolves `path` (e.g. ["Call__r", "Status__c"]) from `objName`. Returns a message when something is missing,
   * null when it resolves or when the walk reaches something this catalogue cannot judge (a standard lookup).
   * `checkStandard`: also judge standard field names (LWC/permission sets); Apex checks only custom names.
   */
  resolve(objName: string, path: string[], checkStandard: boolean): string | null {
    let obj = objName;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      const last = i === path.length - 1;
      const info = this.objects.get(obj.toLowerCase());
      if (!this.hasObject(obj)) {
        return isCustomName(obj) || checkStandard ? `object ${obj} does not exist` : null;
      }
      if (!last && /__r$/i.test(seg)) {
        const field = info!.fields.get(`${seg.slice(0, -3)}__c`.toLowerCase());
        if (!field) return `relationship ${obj}.${seg} has no lookup field ${seg.slice(0, -3)}__c`;
        if (!field.referenceTo) return null;
        obj = field.referenceTo;
        continue;
      }
      if (!last) {
        if (!checkStandard) return null;
        const target = this.standard.relationships[seg];
        if (target === undefined && !info!.fields.has(`${seg}id`.toLowerCase())) {
          return `${obj}.${seg} is not a known relationship`;
        }
        if (!target) return null;
        obj = target;
        continue;
      }
      const known =
        info!.fields.has(seg.toLowerCase()) ||
        this.systemFields(obj).some((f) => f.toLowerCase() === seg.toLowerCase());
      if (known) return null;
      if (isCustomName(seg)) return `field ${obj}.${seg} does not exist`;
      if (checkStandard && info!.standard) return `field ${obj}.${seg} is not in force-app or standard-schema.json`;
      if (checkStandard && !info!.standard) return `field ${obj}.${seg} does not exist`;
      return null;
    }
    return null;
  }
}
