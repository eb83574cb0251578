// TeamsSetupController twin (B07). The checks read the emulator's store; the trigger subscription has no
// EventBusSubscriber here (the emulator's event handler stands in for the trigger), so every detail says
// "emulated" to keep the preview honest about what it checked.
import type { SRecord } from '../store.ts';
import { normalizePhone, MESSAGES as RULE_MESSAGES } from '../redirect-rule-validator.ts';
import { sendReloadConfig } from './command-publisher.ts';
import {
  AuraError,
  assigneesOf,
  currentSettings,
  hasAdminPermissionSet,
  isBlank,
  stringParam,
  toId,
  userName,
  type ApexContext,
  type ApexMethod
} from './context.ts';
import { systemLabel as L } from './labels.ts';

export const SETUP_MESSAGES = {
  adminsOnly: 'Only Teams Phone admins can use the setup page.',
  generic: 'The setup page could not load this. Try again.',
  chooseUser: 'Choose the Salesforce user.',
  teamsUserId: 'Enter the Microsoft Entra object id (a GUID) of the Teams user.'
} as const;

export const HEARTBEAT_FRESH_MINUTES = 5;
export const HEARTBEAT_STALE_MINUTES = 60;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const EMULATED = ' (emulated by the dev-only Salesforce emulator)';

interface SetupCheck {
  name: string;
  label: string;
  status: 'Pass' | 'Fail' | 'Warn';
  detail: string;
  fix: string | null;
}

function check(
  name: string,
  label: string,
  status: SetupCheck['status'],
  detail: string,
  fix: string | null
): SetupCheck {
  return { name, label, status, detail: detail + EMULATED, fix };
}

function requireAdmin(ctx: ApexContext): void {
  if (!hasAdminPermissionSet(ctx.store, ctx.userId)) throw new AuraError(SETUP_MESSAGES.adminsOnly);
}

function guarded<T>(body: () => T): T {
  try {
    return body();
  } catch (failure) {
    if (failure instanceof AuraError) throw failure;
    throw new AuraError(SETUP_MESSAGES.generic);
  }
}

function activeAssignees(ctx: ApexContext, permissionSet: string): number {
  return assigneesOf(ctx.store, permissionSet).filter((id) => ctx.store.get('User', id)?.IsActive === true).length;
}

function minutesSince(iso: string, now: number): number {
  return Math.trunc((now - Date.parse(iso)) / 60000);
}

function allLines(ctx: ApexContext): SRecord[] {
  return ctx.store
    .all('TeamsPhoneUser__c')
    .sort((a, b) => (userName(ctx.store, a.User__c) ?? '').localeCompare(userName(ctx.store, b.User__c) ?? ''));
}

function phoneUserRow(ctx: ApexContext, line: SRecord): Record<string, unknown> {
  return {
    recordId: line.Id,
    userId: line.User__c ?? null,
    userName: userName(ctx.store, line.User__c),
    teamsUserId: line.TeamsUserId__c ?? null,
    teamsUpn: line.TeamsUpn__c ?? null,
    phoneNumber: line.PhoneNumber__c ?? null,
    extension: line.Extension__c ?? null,
    isActive: line.IsActive__c === true
  };
}

function runChecks(ctx: ApexContext, now: number): SetupCheck[] {
  const checks: SetupCheck[] = [];
  const agents = activeAssignees(ctx, 'TeamsPhoneAgent');
  checks.push(
    check(
      'agentPermissionSet',
      L(ctx, 'TeamsSetup_CheckAgentPermissionSet'),
      agents > 0 ? 'Pass' : 'Fail',
      L(ctx, 'TeamsSetup_DetailAssigned', agents),
      agents > 0 ? null : L(ctx, 'TeamsSetup_FixAgentPermissionSet')
    )
  );
  const integrationUsers = activeAssignees(ctx, 'TeamsPhoneIntegration');
  const integrationStatus = integrationUsers === 1 ? 'Pass' : integrationUsers === 0 ? 'Fail' : 'Warn';
  checks.push(
    check(
      'integrationPermissionSet',
      L(ctx, 'TeamsSetup_CheckIntegrationPermissionSet'),
      integrationStatus,
      L(ctx, 'TeamsSetup_DetailAssigned', integrationUsers),
      integrationStatus === 'Pass'
        ? null
        : integrationUsers === 0
          ? L(ctx, 'TeamsSetup_FixIntegrationNone')
          : L(ctx, 'TeamsSetup_FixIntegrationSeveral', integrationUsers)
    )
  );

  let total = 0;
  let broken = 0;
  for (const line of allLines(ctx)) {
    if (line.IsActive__c !== true) continue;
    total++;
    const hasTeamsId = typeof line.TeamsUserId__c === 'string' && GUID.test(line.TeamsUserId__c);
    if (ctx.store.get('User', String(line.User__c))?.IsActive !== true || !hasTeamsId) broken++;
  }
  const lineStatus = total === 0 ? 'Fail' : broken === 0 ? 'Pass' : 'Warn';
  checks.push(
    check(
      'phoneUsers',
      L(ctx, 'TeamsSetup_CheckPhoneUsers'),
      lineStatus,
      L(ctx, 'TeamsSetup_DetailPhoneUsers', total, broken),
      lineStatus === 'Pass'
        ? null
        : total === 0
          ? L(ctx, 'TeamsSetup_FixNoPhoneUsers')
          : L(ctx, 'TeamsSetup_FixPhoneUsers')
    )
  );

  const statuses = ctx.store
    .all('TeamsRelayStatus__c')
    .filter((status) => typeof status.LastHeartbeatAt__c === 'string')
    .sort((a, b) => Date.parse(String(b.LastHeartbeatAt__c)) - Date.parse(String(a.LastHeartbeatAt__c)));
  const latest = statuses[0];
  let heartbeatStatus: SetupCheck['status'] = 'Fail';
  let heartbeatDetail = L(ctx, 'TeamsSetup_DetailNoHeartbeat');
  if (latest) {
    const minutes = minutesSince(String(latest.LastHeartbeatAt__c), now);
    heartbeatStatus =
      minutes <= HEARTBEAT_FRESH_MINUTES ? 'Pass' : minutes <= HEARTBEAT_STALE_MINUTES ? 'Warn' : 'Fail';
    heartbeatDetail = L(ctx, 'TeamsSetup_DetailHeartbeat', minutes, String(latest.RelayInstanceId__c));
  }
  checks.push(
    check(
      'relayHeartbeat',
      L(ctx, 'TeamsSetup_CheckRelayHeartbeat'),
      heartbeatStatus,
      heartbeatDetail,
      heartbeatStatus === 'Pass'
        ? null
        : heartbeatFix(latest ? Date.parse(String(latest.LastHeartbeatAt__c)) : undefined, newestEventAt(ctx), ctx)
    )
  );

  const entries = ctx.store.all('TeamsCallTimelineEntry__c');
  checks.push(
    entries.length === 0
      ? check(
          'triggerSubscription',
          L(ctx, 'TeamsSetup_CheckTriggerSubscription'),
          'Warn',
          L(ctx, 'TeamsSetup_DetailNoTriggerEvent'),
          L(ctx, 'TeamsSetup_FixTriggerNoEvent')
        )
      : check(
          'triggerSubscription',
          L(ctx, 'TeamsSetup_CheckTriggerSubscription'),
          'Pass',
          L(ctx, 'TeamsSetup_DetailTriggerStatus', 'Running'),
          null
        )
  );

  const newest = newestEventAt(ctx);
  checks.push(
    newest === undefined
      ? check(
          'lastEvent',
          L(ctx, 'TeamsSetup_CheckLastEvent'),
          'Warn',
          L(ctx, 'TeamsSetup_DetailNoEvent'),
          L(ctx, 'TeamsSetup_FixNoEvent')
        )
      : check(
          'lastEvent',
          L(ctx, 'TeamsSetup_CheckLastEvent'),
          'Pass',
          L(ctx, 'TeamsSetup_DetailLastEvent', Math.trunc((now - newest) / 60000)),
          null
        )
  );
  checks.push(streamCheck(currentSettings(ctx.store), ctx.store.all('CspTrustedSite'), ctx));
  return checks;
}

const originOf = (url: string): string => {
  const trimmed = url.trim().replace(/\/+$/, '');
  const pathStart = trimmed.indexOf('/', trimmed.indexOf('//') + 2);
  return pathStart < 0 ? trimmed : trimmed.slice(0, pathStart);
};

/** B10, as TeamsSetupController.streamCheck: settings set, and the relay origin a Trusted URL with connect-src. */
export function streamCheck(
  settings: Record<string, unknown>,
  trustedSites: SRecord[],
  ctx: { language?: string } = {}
): SetupCheck {
  const label = L(ctx, 'TeamsSetup_CheckAgentStream');
  if (isBlank(settings.RelayStreamUrl__c) || isBlank(settings.StreamCertificate__c)) {
    return check(
      'agentStream',
      label,
      'Fail',
      L(ctx, 'TeamsSetup_DetailStreamNotSet'),
      L(ctx, 'TeamsSetup_FixStreamNotSet')
    );
  }
  const origin = originOf(String(settings.RelayStreamUrl__c));
  const trusted = trustedSites.some(
    (site) =>
      site.IsActive === true &&
      site.IsApplicableToConnectSrc === true &&
      typeof site.EndpointUrl === 'string' &&
      originOf(site.EndpointUrl).toLowerCase() === origin.toLowerCase()
  );
  return trusted
    ? check('agentStream', label, 'Pass', L(ctx, 'TeamsSetup_DetailStreamTrusted', origin), null)
    : check(
        'agentStream',
        label,
        'Fail',
        L(ctx, 'TeamsSetup_DetailStreamBlocked', origin),
        L(ctx, 'TeamsSetup_FixStreamBlocked', origin)
      );
}

/** Milliseconds of the newest timeline entry (a call event that reached Salesforce), if any. */
function newestEventAt(ctx: ApexContext): number | undefined {
  return ctx.store
    .all('TeamsCallTimelineEntry__c')
    .map((entry) => Date.parse(String(entry.CreatedDate)))
    .filter((millis) => !Number.isNaN(millis))
    .sort((a, b) => b - a)[0];
}

/** TeamsSetupController.heartbeatFix: call events after the last heartbeat prove the Salesforce connection works. */
export function heartbeatFix(
  latestHeartbeat: number | undefined,
  latestEvent: number | undefined,
  ctx: { language?: string } = {}
): string {
  const eventsSinceHeartbeat =
    latestEvent !== undefined && (latestHeartbeat === undefined || latestEvent > latestHeartbeat);
  return eventsSinceHeartbeat ? L(ctx, 'TeamsSetup_FixHeartbeatOnly') : L(ctx, 'TeamsSetup_FixRelaySilent');
}

interface PhoneUserInput {
  recordId: string | null;
  userId: string | null;
  teamsUserId: string | null;
  teamsUpn: string | null;
  phoneNumber: string | null;
  extension: string | null;
  isActive: boolean;
}

/** JSON.deserialize(…, PhoneUserRow.class): typed fields, a malformed Id fails the whole call. */
function parsePhoneUser(json: string | null): PhoneUserInput {
  const raw = JSON.parse(json ?? 'null') as Record<string, unknown>;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new TypeError('not an object');
  const text = (key: string): string | null => {
    const value = raw[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new TypeError(`${key} is not text`);
  };
  const id = (key: string): string | null => {
    const value = text(key);
    if (value === null) return null;
    const parsed = toId(value);
    if (parsed === null) throw new TypeError(`${key} is not an id`);
    return parsed;
  };
  return {
    recordId: id('recordId'),
    userId: id('userId'),
    teamsUserId: text('teamsUserId'),
    teamsUpn: text('teamsUpn'),
    phoneNumber: text('phoneNumber'),
    extension: text('extension'),
    isActive: raw.isActive === undefined || raw.isActive === null ? true : raw.isActive === true
  };
}

function validatePhoneUser(input: PhoneUserInput): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  if (input.recordId === null && input.userId === null) {
    errors.push({ field: 'userId', message: SETUP_MESSAGES.chooseUser });
  }
  if (isBlank(input.teamsUserId) || !GUID.test(input.teamsUserId!.trim())) {
    errors.push({ field: 'teamsUserId', message: SETUP_MESSAGES.teamsUserId });
  }
  if (!isBlank(input.phoneNumber) && normalizePhone(input.phoneNumber!) === null) {
    errors.push({ field: 'phoneNumber', message: RULE_MESSAGES.notE164 });
  }
  return errors;
}

export const setupMethods: Record<string, ApexMethod> = {
  runChecks: (ctx) => {
    requireAdmin(ctx);
    return guarded(() => runChecks(ctx, Date.now()));
  },

  getPhoneUsers: (ctx) => {
    requireAdmin(ctx);
    return guarded(() => allLines(ctx).map((line) => phoneUserRow(ctx, line)));
  },

  savePhoneUser: (ctx, params) => {
    requireAdmin(ctx);
    const phoneUserJson = stringParam(params, 'phoneUserJson');
    return guarded(() => {
      const input = parsePhoneUser(phoneUserJson);
      const errors = validatePhoneUser(input);
      if (errors.length > 0) return { isSuccess: false, errors, phoneUser: { ...input, userName: null } };
      const fields = {
        TeamsUserId__c: input.teamsUserId!.trim().toLowerCase(),
        TeamsUpn__c: input.teamsUpn,
        PhoneNumber__c: isBlank(input.phoneNumber) ? null : normalizePhone(input.phoneNumber!),
        Extension__c: input.extension,
        IsActive__c: input.isActive
      };
      let lineId: string;
      if (input.recordId === null) {
        // The org's trigger sets UniqueUserKey__c = User__c; a second line for one user fails that unique key.
        const user = ctx.store.get('User', input.userId!);
        const taken = ctx.store.all('TeamsPhoneUser__c').some((line) => line.UniqueUserKey__c === input.userId);
        if (!user || taken) throw new Error('DmlException');
        lineId = ctx.store.insert('TeamsPhoneUser__c', {
          ...fields,
          Name: user.Name,
          OwnerId: ctx.userId,
          User__c: input.userId,
          UniqueUserKey__c: input.userId,
          ReturnToPreviousPresence__c: false,
          NoAnswerSeconds__c: null,
          Presence__c: null
        }).Id;
      } else {
        if (!ctx.store.update('TeamsPhoneUser__c', input.recordId, fields)) throw new Error('DmlException');
        lineId = input.recordId;
      }
      sendReloadConfig(ctx, input.userId);
      const saved = ctx.store.get('TeamsPhoneUser__c', lineId);
      return { isSuccess: true, errors: [], phoneUser: saved ? phoneUserRow(ctx, saved) : null };
    });
  }
};
