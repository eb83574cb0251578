// TeamsRedirectRuleController twin. Rules and field errors travel as maps with a `trigger` key (a reserved word
// in Apex, hence maps there); validation is redirect-rule-validator.ts, so messages equal the shared vectors.
import type { SRecord } from '../store.ts';
import { validateNoAnswerSeconds, validateRule, type RuleContext } from '../redirect-rule-validator.ts';
import { sendReloadConfig } from './command-publisher.ts';
import {
  AuraError,
  currentSettings,
  deleteRecord,
  hasAdminPermissionSet,
  idParam,
  lineOf,
  stringParam,
  toId,
  userName,
  type ApexContext,
  type ApexMethod
} from './context.ts';

export const REDIRECT_MESSAGES = {
  notAllowed: 'You can only change your own redirect settings.',
  noLine: 'This user has no Teams phone line yet. Ask your admin to set one up.',
  generic: 'Your redirect settings could not be saved. Try again.',
  duplicateTrigger: 'Only one rule per trigger.'
} as const;

const SEARCH_LIMIT = 20;

interface Rule {
  trigger: string | null;
  targetType: string | null;
  targetValue: string | null;
  targetLabel: string | null;
  isActive: boolean;
}

type FieldError = { trigger: string | null; field: string; message: string };

function guarded<T>(body: () => T): T {
  try {
    return body();
  } catch (failure) {
    if (failure instanceof AuraError) throw failure;
    throw new AuraError(REDIRECT_MESSAGES.generic);
  }
}

function targetUserId(ctx: ApexContext, requested: string | null, isAdmin: boolean): string {
  if (requested === null || requested === ctx.userId) return ctx.userId;
  if (!isAdmin) throw new AuraError(REDIRECT_MESSAGES.notAllowed);
  return requested;
}

const asString = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function ruleFromJson(raw: unknown): Rule {
  const map = (raw ?? {}) as Record<string, unknown>;
  return {
    trigger: asString(map.trigger),
    targetType: asString(map.targetType),
    targetValue: asString(map.targetValue),
    targetLabel: asString(map.targetLabel),
    isActive: map.isActive === true
  };
}

function rulesOf(ctx: ApexContext, phoneUserId: string): SRecord[] {
  return ctx.store
    .all('TeamsRedirectRule__c')
    .filter((rule) => rule.PhoneUser__c === phoneUserId)
    .sort((a, b) => String(a.Trigger__c).localeCompare(String(b.Trigger__c)));
}

function userOption(value: unknown, label: unknown, sublabel: unknown): Record<string, unknown> {
  return { value: value ?? null, label: label ?? null, sublabel: sublabel ?? null };
}

/** selectAll: every line, by its user's name. */
function allLines(ctx: ApexContext): SRecord[] {
  return ctx.store
    .all('TeamsPhoneUser__c')
    .sort((a, b) => (userName(ctx.store, a.User__c) ?? '').localeCompare(userName(ctx.store, b.User__c) ?? ''));
}

function loadSettings(ctx: ApexContext, userId: string, isAdmin: boolean): Record<string, unknown> {
  const settings = currentSettings(ctx.store);
  const result: Record<string, unknown> = {
    agentUserId: userId,
    agentName: null,
    phoneUserId: null,
    isAdmin,
    returnToPreviousPresence: null,
    noAnswerSeconds: null,
    orgNoAnswerSeconds: settings.NoAnswerSeconds__c ?? null,
    sharedVoicemailTarget: settings.SharedVoicemailTarget__c ?? null,
    callQueueTarget: settings.CallQueueTarget__c ?? null,
    rules: [] as Rule[],
    agents: null
  };
  const line = lineOf(ctx.store, userId);
  if (line) {
    result.agentName = userName(ctx.store, line.User__c);
    result.phoneUserId = line.Id;
    result.returnToPreviousPresence = line.ReturnToPreviousPresence__c === true;
    result.noAnswerSeconds = line.NoAnswerSeconds__c ?? null;
    result.rules = rulesOf(ctx, line.Id).map((record): Rule => {
      const targetId = record.TargetType__c === 'SoftphoneUser' ? toId(record.TargetValue__c) : null;
      const teamsId =
        record.TargetType__c === 'TeamsUser' && typeof record.TargetValue__c === 'string'
          ? record.TargetValue__c.trim()
          : null;
      // S13: a Teams user target reads as the name of the user whose line has that Teams id (selectByTeamsUserIds).
      const teamsLine =
        teamsId === null ? undefined : ctx.store.all('TeamsPhoneUser__c').find((l) => l.TeamsUserId__c === teamsId);
      const label =
        targetId !== null ? userName(ctx.store, targetId) : teamsLine ? userName(ctx.store, teamsLine.User__c) : null;
      return {
        trigger: asString(record.Trigger__c),
        targetType: asString(record.TargetType__c),
        targetValue: asString(record.TargetValue__c),
        targetLabel: label ?? asString(record.TargetValue__c),
        isActive: record.IsActive__c === true
      };
    });
  }
  if (isAdmin) {
    result.agents = allLines(ctx).map((agentLine) =>
      userOption(agentLine.User__c, userName(ctx.store, agentLine.User__c), agentLine.PhoneNumber__c)
    );
  }
  return result;
}

function validate(ctx: ApexContext, line: SRecord, rules: Rule[], noAnswerSeconds: number | null): FieldError[] {
  const settings = currentSettings(ctx.store);
  const candidates = new Set(
    rules.filter((rule) => rule.targetType === 'SoftphoneUser').flatMap((rule) => toId(rule.targetValue) ?? [])
  );
  const context: RuleContext = {
    agent: {
      userId: String(line.User__c),
      phoneNumber: asString(line.PhoneNumber__c),
      teamsUserId: asString(line.TeamsUserId__c)
    },
    org: {
      sharedVoicemailTarget: asString(settings.SharedVoicemailTarget__c),
      callQueueTarget: asString(settings.CallQueueTarget__c)
    },
    softphoneUsers: ctx.store
      .all('TeamsPhoneUser__c')
      .filter((candidate) => candidates.has(String(candidate.User__c)))
      .map((candidate) => ({
        userId: String(candidate.User__c),
        isActive: candidate.IsActive__c === true && ctx.store.get('User', String(candidate.User__c))?.IsActive === true,
        teamsUserId: asString(candidate.TeamsUserId__c)
      }))
  };
  const errors: FieldError[] = [];
  const seconds = validateNoAnswerSeconds(noAnswerSeconds);
  if (!seconds.valid) errors.push({ trigger: null, field: seconds.field, message: seconds.message });
  const seen = new Set<string | null>();
  for (const rule of rules) {
    const verdict = validateRule(
      {
        trigger: rule.trigger ?? '',
        targetType: rule.targetType ?? '',
        targetValue: rule.targetValue,
        isActive: rule.isActive
      },
      context
    );
    if (!verdict.valid) {
      errors.push({ trigger: rule.trigger, field: verdict.field, message: verdict.message });
    } else if (seen.has(rule.trigger)) {
      errors.push({ trigger: rule.trigger, field: 'targetType', message: REDIRECT_MESSAGES.duplicateTrigger });
    } else {
      seen.add(rule.trigger);
      rule.targetValue = verdict.normalizedValue;
    }
  }
  return errors;
}

function replaceRules(ctx: ApexContext, line: SRecord, rules: Rule[]): void {
  const existingByTrigger = new Map(rulesOf(ctx, line.Id).map((record) => [record.Trigger__c, record]));
  for (const rule of rules) {
    const fields = { TargetType__c: rule.targetType, TargetValue__c: rule.targetValue, IsActive__c: rule.isActive };
    const existing = existingByTrigger.get(rule.trigger);
    existingByTrigger.delete(rule.trigger);
    if (existing) {
      ctx.store.update('TeamsRedirectRule__c', existing.Id, fields);
    } else {
      ctx.store.insert('TeamsRedirectRule__c', {
        ...fields,
        PhoneUser__c: line.Id,
        Trigger__c: rule.trigger,
        UniqueKey__c: `${line.Id}:${rule.trigger}`,
        OwnerId: line.User__c
      });
    }
  }
  for (const stale of existingByTrigger.values()) deleteRecord(ctx.store, stale.Id);
}

/** Decimal.valueOf(String.valueOf(x)): a number or a numeric string; anything else fails the whole save. */
function decimalOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isNaN(number)) throw new TypeError('not a decimal');
  return number;
}

export const redirectRuleMethods: Record<string, ApexMethod> = {
  getSettings: (ctx, params) => {
    const agentUserId = idParam(params, 'agentUserId');
    return guarded(() => {
      const isAdmin = hasAdminPermissionSet(ctx.store, ctx.userId);
      return loadSettings(ctx, targetUserId(ctx, agentUserId, isAdmin), isAdmin);
    });
  },

  saveSettings: (ctx, params) => {
    const settingsJson = stringParam(params, 'settingsJson');
    return guarded(() => {
      const raw = JSON.parse(settingsJson ?? 'null') as Record<string, unknown>;
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new TypeError('not an object');
      const isAdmin = hasAdminPermissionSet(ctx.store, ctx.userId);
      const userId = targetUserId(ctx, toId(raw.agentUserId), isAdmin);
      const noAnswerSeconds = decimalOrNull(raw.noAnswerSeconds);
      const returnToPreviousPresence = raw.returnToPreviousPresence === true;
      const line = lineOf(ctx.store, userId);
      if (!line) throw new AuraError(REDIRECT_MESSAGES.noLine);
      const rules = Array.isArray(raw.rules) ? raw.rules.map(ruleFromJson) : [];
      const errors = validate(ctx, line, rules, noAnswerSeconds);
      if (errors.length > 0) {
        const settings = loadSettings(ctx, userId, isAdmin);
        return {
          isSuccess: false,
          errors,
          settings: { ...settings, noAnswerSeconds, returnToPreviousPresence, rules }
        };
      }
      // Without a `rules` key only the personal options change; an empty list removes every rule.
      if (Object.hasOwn(raw, 'rules')) replaceRules(ctx, line, rules);
      ctx.store.update('TeamsPhoneUser__c', line.Id, {
        ReturnToPreviousPresence__c: returnToPreviousPresence,
        NoAnswerSeconds__c: noAnswerSeconds
      });
      sendReloadConfig(ctx, userId);
      return { isSuccess: true, errors: [], settings: loadSettings(ctx, userId, isAdmin) };
    });
  },

  searchUsers: (ctx, params) => {
    const term = stringParam(params, 'term');
    const targetType = stringParam(params, 'targetType');
    return guarded(() => {
      if (term === null || term.trim().length < 2) return [];
      const prefix = term.trim().toLowerCase();
      const options: Record<string, unknown>[] = [];
      const lines = allLines(ctx)
        .filter((line) => {
          const user = ctx.store.get('User', String(line.User__c));
          const name = typeof user?.Name === 'string' ? user.Name.toLowerCase() : '';
          const upn = typeof line.TeamsUpn__c === 'string' ? line.TeamsUpn__c.toLowerCase() : '';
          return (
            line.IsActive__c === true && user?.IsActive === true && (name.startsWith(prefix) || upn.startsWith(prefix))
          );
        })
        .slice(0, SEARCH_LIMIT);
      for (const line of lines) {
        const name = userName(ctx.store, line.User__c);
        if (
          targetType === 'TeamsUser' &&
          typeof line.TeamsUserId__c === 'string' &&
          line.TeamsUserId__c.trim() !== ''
        ) {
          options.push(userOption(line.TeamsUserId__c, name, line.TeamsUpn__c));
        } else if (targetType === 'SoftphoneUser') {
          options.push(userOption(line.User__c, name, line.PhoneNumber__c));
        }
      }
      return options;
    });
  }
};
