// DEVELOPMENT ONLY — what a user may do with an object, from the package's permission sets as the emulated org has
// them assigned (PermissionSetAssignment rows): `<objectPermissions>` of force-app/main/access/permissionsets.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PERMISSION_SETS } from './apex/preview-org.ts';
import { assigneesOf } from './apex/context.ts';
import type { OrgStore } from './store.ts';

export type ObjectAccess = 'Read' | 'Create';

/** Permission set name → object → the accesses it grants. */
function readPermissionSets(metadataRoot: string): Map<string, Map<string, Set<ObjectAccess>>> {
  const dir = join(metadataRoot, 'main', 'access', 'permissionsets');
  const sets = new Map<string, Map<string, Set<ObjectAccess>>>();
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
      objects.set(object, granted);
    }
    sets.set(file.replace('.permissionset-meta.xml', ''), objects);
  }
  return sets;
}

export class ObjectPermissions {
  readonly #sets: Map<string, Map<string, Set<ObjectAccess>>>;

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
        this.#sets.get(name)?.get(object)?.has(access) === true && assigneesOf(this.store, name).includes(userId)
    );
  }
}
