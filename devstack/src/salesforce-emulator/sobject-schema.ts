// DEVELOPMENT ONLY — which sObjects and fields the emulated org has: the package's objects from the force-app
// metadata (read at start), plus the standard objects and fields the product and the emulator touch. Used by the REST
// API to refuse what Salesforce refuses (INVALID_TYPE, INVALID_FIELD, NOT_FOUND) instead of answering 200/201.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export interface FieldInfo {
  name: string;
  type: string;
  referenceTo?: string;
  externalId: boolean;
  /** Required and master-detail fields are always readable: they have no field permissions (Salesforce Help). */
  alwaysAccessible: boolean;
}

export interface SObjectInfo {
  name: string;
  /** Custom objects and platform events obey the permission sets; standard objects follow the standard profile. */
  custom: boolean;
  fields: Map<string, FieldInfo>;
}

const ref = (name: string, referenceTo: string): FieldInfo => ({
  name,
  type: 'Lookup',
  referenceTo,
  externalId: false,
  alwaysAccessible: true
});
const plain = (name: string): FieldInfo => ({ name, type: 'Text', externalId: false, alwaysAccessible: true });

const AUDIT = ['CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'IsDeleted'];
const AUDIT_REFS: [string, string][] = [
  ['CreatedById', 'User'],
  ['LastModifiedById', 'User']
];

/** The standard objects of the emulated org and the fields it knows of them (a subset of the real ones). */
const STANDARD: Record<string, { fields: string[]; refs?: [string, string][] }> = {
  User: {
    fields: [
      'Name',
      'Username',
      'FirstName',
      'LastName',
      'Email',
      'IsActive',
      'Phone',
      'MobilePhone',
      'Title',
      'Alias'
    ],
    refs: [
      ['ProfileId', 'Profile'],
      ['ManagerId', 'User']
    ]
  },
  Profile: { fields: ['Name'] },
  Account: { fields: ['Name', 'Phone', 'Type', 'Industry'], refs: [['OwnerId', 'User']] },
  Contact: {
    fields: ['Name', 'FirstName', 'LastName', 'Phone', 'MobilePhone', 'HomePhone', 'OtherPhone', 'Email', 'Title'],
    refs: [
      ['AccountId', 'Account'],
      ['OwnerId', 'User']
    ]
  },
  Lead: {
    fields: ['Name', 'FirstName', 'LastName', 'Company', 'Phone', 'MobilePhone', 'Email', 'Status', 'IsConverted'],
    refs: [['OwnerId', 'User']]
  },
  Task: {
    fields: [
      'Subject',
      'Status',
      'Priority',
      'ActivityDate',
      'Description',
      'Type',
      'TaskSubtype',
      'CallType',
      'CallDurationInSeconds',
      'CallObject',
      'CallDisposition',
      'IsClosed'
    ],
    refs: [
      ['OwnerId', 'User'],
      ['WhoId', 'Contact'],
      ['WhatId', 'Account']
    ]
  },
  PermissionSet: { fields: ['Name', 'Label'] },
  PermissionSetAssignment: {
    fields: [],
    refs: [
      ['AssigneeId', 'User'],
      ['PermissionSetId', 'PermissionSet']
    ]
  },
  CspTrustedSite: { fields: ['DeveloperName', 'EndpointUrl', 'IsActive', 'Context', 'IsApplicableToConnectSrc'] }
};

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

function objectDirs(root: string, depth = 0, out = new Map<string, string>()): Map<string, string> {
  if (depth > 6 || !existsSync(root)) return out;
  for (const entry of readdirSync(root)) {
    const full = join(root, entry);
    if (!statSync(full).isDirectory()) continue;
    if (entry === 'objects') {
      for (const obj of readdirSync(full)) if (statSync(join(full, obj)).isDirectory()) out.set(obj, join(full, obj));
    } else objectDirs(full, depth + 1, out);
  }
  return out;
}

function customObject(name: string, dir: string): SObjectInfo {
  const fields = new Map<string, FieldInfo>();
  const add = (f: FieldInfo) => fields.set(f.name.toLowerCase(), f);
  add(plain('Id'));
  if (name.endsWith('__e')) {
    for (const f of ['ReplayId', 'EventUuid', 'CreatedDate']) add(plain(f));
    add(ref('CreatedById', 'User'));
  } else if (name.endsWith('__mdt')) {
    for (const f of ['DeveloperName', 'MasterLabel', 'Label', 'QualifiedApiName', 'NamespacePrefix', 'Language'])
      add(plain(f));
  } else {
    for (const f of ['Name', ...AUDIT]) add(plain(f));
    for (const [f, to] of [...AUDIT_REFS, ['OwnerId', 'User'] as [string, string]]) add(ref(f, to));
  }
  const fieldsDir = join(dir, 'fields');
  if (existsSync(fieldsDir)) {
    for (const file of readdirSync(fieldsDir).filter((f) => f.endsWith('.field-meta.xml'))) {
      const doc = (
        parser.parse(readFileSync(join(fieldsDir, file), 'utf8')) as {
          CustomField?: {
            fullName?: string;
            type?: string;
            referenceTo?: string;
            externalId?: string;
            required?: string;
          };
        }
      ).CustomField;
      const type = doc?.type ?? 'Text';
      add({
        name: doc?.fullName ?? file.replace('.field-meta.xml', ''),
        type,
        ...(doc?.referenceTo && { referenceTo: doc.referenceTo }),
        externalId: doc?.externalId === 'true',
        alwaysAccessible: doc?.required === 'true' || type === 'MasterDetail'
      });
    }
  }
  return { name, custom: true, fields };
}

export type FieldCheck =
  { ok: true; object: SObjectInfo; field: FieldInfo } | { ok: false; errorCode: 'INVALID_FIELD'; message: string };

export class SObjectSchema {
  readonly #objects = new Map<string, SObjectInfo>();

  constructor(metadataRoot: string) {
    for (const [name, def] of Object.entries(STANDARD)) {
      const fields = new Map<string, FieldInfo>();
      for (const f of ['Id', ...def.fields, ...AUDIT]) fields.set(f.toLowerCase(), plain(f));
      for (const [f, to] of [...AUDIT_REFS, ...(def.refs ?? [])]) fields.set(f.toLowerCase(), ref(f, to));
      this.#objects.set(name.toLowerCase(), { name, custom: false, fields });
    }
    for (const [name, dir] of objectDirs(metadataRoot)) this.#objects.set(name.toLowerCase(), customObject(name, dir));
  }

  describe(object: string): SObjectInfo | undefined {
    return this.#objects.get(object.toLowerCase());
  }

  /**
   * Resolves `Field`, `Rel__r.Field` or `Owner.Name` from `object`; `visible(object, field)` hides fields the user
   * may not read (Salesforce answers those as if they did not exist).
   */
  resolve(
    object: SObjectInfo,
    path: string,
    visible: (object: SObjectInfo, field: FieldInfo) => boolean = () => true
  ): FieldCheck {
    const parts = path.split('.');
    let current = object;
    for (let i = 0; i < parts.length - 1; i++) {
      const rel = parts[i]!;
      const fk = /__r$/i.test(rel) ? `${rel.slice(0, -3)}__c` : `${rel}Id`;
      const field = current.fields.get(fk.toLowerCase());
      const target = field?.referenceTo ? this.describe(field.referenceTo) : undefined;
      if (!field || !target || !visible(current, field) || !visible(target, target.fields.get('id')!)) {
        return {
          ok: false,
          errorCode: 'INVALID_FIELD',
          message:
            `Didn't understand relationship '${rel}' in field path. If you are attempting to use a custom relationship, ` +
            `be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`
        };
      }
      current = target;
    }
    const name = parts[parts.length - 1]!;
    const field = current.fields.get(name.toLowerCase());
    if (!field || !visible(current, field)) {
      return {
        ok: false,
        errorCode: 'INVALID_FIELD',
        message:
          `No such column '${name}' on entity '${current.name}'. If you are attempting to use a custom field, be sure to ` +
          `append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`
      };
    }
    return { ok: true, object: current, field };
  }
}

export const invalidType = (object: string): string =>
  `sObject type '${object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' ` +
  `after the entity name. Please reference your WSDL or the describe call for the appropriate names.`;
