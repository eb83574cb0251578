// What every emulated controller needs: the running user, the org store, the event bus, and Apex-like helpers
// (AuraHandledException, typed parameters, the org settings, the admin permission set).
import type { KeyObject } from 'node:crypto';
import type { EventBus } from '../event-bus.ts';
import { to18CharId } from '../redirect-rule-validator.ts';
import type { OrgStore, SRecord } from '../store.ts';

export interface ApexContext {
  store: OrgStore;
  bus: EventBus;
  /** UserInfo.getUserId(): the signed-in demo user of the preview. */
  userId: string;
  /** The running user's language (LanguageLocaleKey; the preview sends its frame's): System.Label answers in it. */
  language?: string;
  /** Setup → Certificate and Key Management: private keys by certificate API name (Auth.JWS signs with them). */
  certificates?: ReadonlyMap<string, KeyObject>;
}

export type ApexParams = Record<string, unknown>;
export type ApexMethod = (ctx: ApexContext, params: ApexParams) => unknown;

/** AuraHandledException: the message is user-safe and reaches the LWC as `body.message`. */
export class AuraError extends Error {}

/** Runs a controller method body the way the Apex `try … catch (Exception) { throw userSafe(…) }` does. */
export function userSafe<T>(genericMessage: string, body: () => T): T {
  try {
    return body();
  } catch (failure) {
    if (failure instanceof AuraError) throw failure;
    throw new AuraError(genericMessage);
  }
}

const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** Lightning refuses a call whose argument does not convert to the parameter's Apex type before Apex runs. */
function invalidParam(name: string, type: string): AuraError {
  return new AuraError(`Value provided is invalid for action parameter '${name}' of type '${type}'`);
}

export function stringParam(params: ApexParams, name: string): string | null {
  const value = params[name];
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalidParam(name, 'String');
}

export function idParam(params: ApexParams, name: string): string | null {
  const value = stringParam(params, name);
  if (value === null || value === '') return null;
  if (!ID.test(value)) throw invalidParam(name, 'Id');
  return to18CharId(value);
}

export function booleanParam(params: ApexParams, name: string): boolean | null {
  const value = params[name];
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw invalidParam(name, 'Boolean');
}

export function integerParam(params: ApexParams, name: string): number | null {
  const value = params[name];
  if (value === undefined || value === null || value === '') return null;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number)) throw invalidParam(name, 'Integer');
  return number;
}

/** An Apex `Date` from the LWC: `YYYY-MM-DD`; returned as UTC midnight millis (the emulator's users are on UTC). */
export function dateParam(params: ApexParams, name: string): number | null {
  const value = stringParam(params, name);
  if (value === null || value === '') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const millis = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (Number.isNaN(millis)) throw invalidParam(name, 'Date');
  return millis;
}

/** An id from user input, or null (Apex `toId`): nothing the LWC sends is trusted to be well formed. */
export function toId(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const trimmed = value.trim();
  return ID.test(trimmed) ? to18CharId(trimmed) : null;
}

export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** TeamsPhoneSettings.current(): `OrgOverride` wins over the packaged `Default`; built-in defaults otherwise. */
export function currentSettings(store: OrgStore): Record<string, unknown> {
  const rows = store.all('TeamsPhoneSetting__mdt');
  return (
    rows.find((row) => row.DeveloperName === 'OrgOverride') ??
    rows.find((row) => row.DeveloperName === 'Default') ?? {
      DeveloperName: 'BuiltIn',
      LogMissedCalls__c: true,
      LogAllCalls__c: false,
      NoAnswerSeconds__c: 20,
      ScreenPop__c: 'SingleMatch',
      RealtimeTransport__c: 'PlatformEvents',
      DndExpiryMinutes__c: 60
    }
  );
}

/** Assignments of a permission set by name (PermissionSetAssignment → PermissionSet.Name). */
export function assigneesOf(store: OrgStore, permissionSetName: string): string[] {
  const setIds = new Set(
    store
      .all('PermissionSet')
      .filter((set) => set.Name === permissionSetName)
      .map((set) => set.Id)
  );
  return store
    .all('PermissionSetAssignment')
    .filter((assignment) => setIds.has(String(assignment.PermissionSetId)))
    .map((assignment) => String(assignment.AssigneeId));
}

/** TeamsPhoneUserSelector.hasAdminPermissionSet. */
export function hasAdminPermissionSet(store: OrgStore, userId: string): boolean {
  return assigneesOf(store, 'TeamsPhoneAdmin').includes(userId);
}

/** TeamsPhoneUserSelector.selectByUserId: the user's line (active or not), or undefined. */
export function lineOf(store: OrgStore, userId: string): SRecord | undefined {
  return store.all('TeamsPhoneUser__c').find((line) => line.User__c === userId);
}

export function userName(store: OrgStore, userId: unknown): string | null {
  if (typeof userId !== 'string') return null;
  const name = store.get('User', userId)?.Name;
  return typeof name === 'string' ? name : null;
}

export function nameOf(store: OrgStore, recordId: unknown): string | null {
  if (typeof recordId !== 'string') return null;
  const name = store.getById(recordId)?.rec.Name;
  return typeof name === 'string' ? name : null;
}

/** OrgStore has no delete (the REST slice never needed one); controllers delete Tasks and rules. */
export function deleteRecord(store: OrgStore, id: string): void {
  store.db.prepare('DELETE FROM records WHERE id = ?').run(id);
}

/** The key prefix the store gives an sObject type (Id.getSObjectType()). */
export function keyPrefixOf(store: OrgStore, sobject: string): string {
  return store.newId(sobject).slice(0, 3);
}

export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
