// What the console preview needs on top of the demo seed: the package's permission sets (the controllers'
// admin check reads TeamsPhoneAdmin assignments), a demo admin, and the list of users one can sign in as.
import type { OrgStore } from '../store.ts';
import { assigneesOf, hasAdminPermissionSet, lineOf } from './context.ts';

export const DEMO_ADMIN = { username: 'dana.admin@teams-softphone.dev', name: 'Dana Admin' } as const;
export const PERMISSION_SETS = ['TeamsPhoneAgent', 'TeamsPhoneAdmin', 'TeamsPhoneIntegration'] as const;

export interface PreviewUser {
  userId: string;
  name: string;
  isAdmin: boolean;
  teamsUserId: string | null;
  phoneNumber: string | null;
}

function assign(store: OrgStore, userId: string, permissionSet: string): void {
  if (assigneesOf(store, permissionSet).includes(userId)) return;
  const set = store.all('PermissionSet').find((row) => row.Name === permissionSet);
  store.insert('PermissionSetAssignment', { AssigneeId: userId, PermissionSetId: set!.Id });
}

/**
 * Idempotent: permission sets, TeamsPhoneAgent for every user with a line, TeamsPhoneIntegration for the relay's
 * user, and a demo admin (no line of their own, like most admins) holding TeamsPhoneAdmin.
 */
export function preparePreviewOrg(store: OrgStore, integrationUsername: string | undefined): void {
  for (const name of PERMISSION_SETS) {
    if (!store.all('PermissionSet').some((row) => row.Name === name)) store.insert('PermissionSet', { Name: name });
  }
  for (const line of store.all('TeamsPhoneUser__c')) {
    if (typeof line.User__c === 'string') assign(store, line.User__c, 'TeamsPhoneAgent');
  }
  const integration = store.all('User').find((user) => user.Username === integrationUsername);
  if (integration) assign(store, integration.Id, 'TeamsPhoneIntegration');
  const admin =
    store.all('User').find((user) => user.Username === DEMO_ADMIN.username) ??
    store.insert('User', {
      Username: DEMO_ADMIN.username,
      Name: DEMO_ADMIN.name,
      Email: 'dana@contoso.example',
      IsActive: true
    });
  assign(store, admin.Id, 'TeamsPhoneAdmin');
}

/** Active users with a line or the admin permission set, in the order they were created. */
export function previewUsers(store: OrgStore): PreviewUser[] {
  return store
    .all('User')
    .filter((user) => user.IsActive === true)
    .map((user) => ({ user, line: lineOf(store, user.Id), isAdmin: hasAdminPermissionSet(store, user.Id) }))
    .filter(({ line, isAdmin }) => line !== undefined || isAdmin)
    .map(({ user, line, isAdmin }) => ({
      userId: user.Id,
      name: String(user.Name ?? user.Username),
      isAdmin,
      teamsUserId: typeof line?.TeamsUserId__c === 'string' ? line.TeamsUserId__c : null,
      phoneNumber: typeof line?.PhoneNumber__c === 'string' ? line.PhoneNumber__c : null
    }));
}
