// DEVELOPMENT ONLY — what a user may do with an object, from the package's permission sets as the emulated org has
// them assigned (PermissionSetAssignment rows): `<objectPermissions>` and `<fieldPermissions>` of
// force-app/main/access/permissionsets.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PERMISSION_SETS } from './apex/preview-org.ts';
import { assigneesOf } from './apex/context.ts';
import type { OrgStore } from './store.ts';

export type ObjectAccess = 'Read' | 'Create' | 'Edit' | 'Delete';
export type FieldAccess = 'readable' | 'editable';

interface PermissionSetGrants {
  objects: Map<string, Set<ObjectAccess>>;
  /** `Object.Field` → the accesses granted. */
  fields: Map<string, Set<FieldAccess>>;
}

/** Permission set name → object → the accesses it grants. */
function readPermissionSets(metadataRoot: string): Map<string, PermissionSetGrants> {
  const dir = join(metadataRoot, 'main', 'access', 'permissionsets');
  const sets = new Map<string, PermissionSetGrants>();
  if (!existsSync(dir)) return sets; // no permission sets: nobody is granted anything
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.permissionset-meta.xml'))) {
    const objects = new Map<string, Set<ObjectAccess>>();
    const xml = readFileSync(join(dir, file), 'utf8');
    for (const [, block = ''] of xml.matchAll(/<objectPermissions>([\s\S]*?)<\/objectPermissions>/g)) {
      const object = /<object>([^<]+)<\/object>/.exec(block)?.[1];
      if (!object) continue;
      const granted = new Set<ObjectAccess>();
      if (/<allowRead>true<\/allowRead>/.test(block)) granted.add('Read');
      if (/<allowCreate>true<\/allowCreate>/.test(block)) granted.add('Create');
      if (/<allowEdit>true<\/allowEdit>/.test(block)) granted.add('Edit');
      if (/<allowDelete>true<\/allowDelete>/.test(block)) granted.add('Delete');
      objects.set(object, granted);
    }
    const fields = new Map<string, Set<FieldAccess>>();
    for (const [, block = ''] of xml.matchAll(/<fieldPermissions>([\s\S]*?)<\/fieldPermissions>/g)) {
      const field = /<field>([^<]+)<\/field>/.exec(block)?.[1];
      if (!field) continue;
      const granted = new Set<FieldAccess>();
      if (/<readable>true<\/readable>/.test(block)) granted.add('readable');
      if (/<editable>true<\/editable>/.test(block)) granted.add('editable');
      fields.set(field, granted);
    }
    sets.set(file.replace('.permissionset-meta.xml', ''), { objects, fields });
  }
  return sets;
}

export class ObjectPermissions {
  readonly #sets: Map<string, PermissionSetGrants>;

  constructor(
    private readonly store: OrgStore,
    metadataRoot: string
  ) {
    this.#sets = readPermissionSets(metadataRoot);
  }

  /** True when a permission set assigned to the user grants `access` on `object`. */
  allows(userId: string, object: string, access: ObjectAccess): boolean {
    return PERMISSION_SETS.some(
      (name) =>
        this.#sets.get(name)?.objects.get(object)?.has(access) === true &&
        assigneesOf(this.store, name).includes(userId)
    );
  }

  /** Field-level security: true when a permission set assigned to the user makes `Object.Field` readable/editable. */
  allowsField(userId: string, object: string, field: string, access: FieldAccess): boolean {
    return PERMISSION_SETS.some(
      (name) =>
        this.#sets.get(name)?.fields.get(`${object}.${field}`)?.has(access) === true &&
        assigneesOf(this.store, name).includes(userId)
    );
  }
}
