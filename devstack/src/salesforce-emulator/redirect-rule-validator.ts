/**
 * Redirect-rule validation (S13) — the TypeScript twin of the Apex `TeamsRedirectRuleValidator`. Pure functions.
 * Both are checked against `force-app/tests/shared-vectors/staticresources/TeamsRedirectRuleVectors.json`; the
 * messages are the ones the `teamsRedirectSettings` LWC shows, so change them in the vectors first.
 */

export const TRIGGERS: ReadonlySet<string> = new Set([
  'DoNotDisturb',
  'InACall',
  'Presenting',
  'OutOfOffice',
  'Declined',
  'NoAnswer'
]);

export const MESSAGES = {
  unknownTrigger: 'This rule has an unknown trigger.',
  unknownTargetType: 'Choose a target type.',
  blankTarget: 'Enter a target for this rule.',
  notE164: 'Enter the phone number in international format, starting with + and the country code.',
  notTeamsUser: 'Choose a Teams user from the list.',
  notSoftphoneUser: 'Choose an active softphone user.',
  loop: 'This target routes the call back to the same agent.',
  orgTargetMissing: 'Your admin has not set up this target yet.',
  noAnswerSeconds: 'Enter a number of seconds from 5 to 120.'
} as const;

export interface RuleAgent {
  userId: string;
  phoneNumber: string | null;
  teamsUserId: string | null;
}

export interface SoftphoneUserEntry {
  userId: string;
  isActive: boolean;
  teamsUserId: string | null;
}

export interface RuleContext {
  agent: RuleAgent;
  org: { sharedVoicemailTarget: string | null; callQueueTarget: string | null };
  softphoneUsers: SoftphoneUserEntry[];
}

export interface RuleInput {
  trigger: string;
  targetType: string;
  targetValue: string | null;
  isActive: boolean;
}

export type RuleVerdict =
  | { valid: true; normalizedValue: string | null }
  | { valid: false; field: 'targetValue' | 'targetType' | 'noAnswerSeconds'; message: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const USER_ID = /^005[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$/;

/** Removes formatting characters and turns an international `00` prefix into `+`; null when it is not E.164. */
export function normalizePhone(value: string): string | null {
  let compact = value.replace(/[\s\-.()/]/g, '');
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  return E164.test(compact) ? compact : null;
}

/** The 18-character form of a 15- or 18-character Salesforce id (case-safe checksum suffix). */
export function to18CharId(id: string): string {
  if (id.length === 18) return id;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let flags = 0;
    for (let position = 0; position < 5; position++) {
      const char = id.charAt(block * 5 + position);
      if (char >= 'A' && char <= 'Z') flags += 1 << position;
    }
    suffix += alphabet.charAt(flags);
  }
  return id + suffix;
}

function fail(field: 'targetValue' | 'targetType', message: string): RuleVerdict {
  return { valid: false, field, message };
}

function isBlank(value: string | null | undefined): boolean {
  return value === null || value === undefined || value.trim() === '';
}

export function validateRule(rule: RuleInput, context: RuleContext): RuleVerdict {
  if (!TRIGGERS.has(rule.trigger)) return fail('targetType', MESSAGES.unknownTrigger);
  const value = (rule.targetValue ?? '').trim();
  switch (rule.targetType) {
    case 'TeamsClientSettings':
      return { valid: true, normalizedValue: null };
    case 'SharedVoicemail':
    case 'CallQueue': {
      const target =
        rule.targetType === 'SharedVoicemail' ? context.org.sharedVoicemailTarget : context.org.callQueueTarget;
      return isBlank(target)
        ? fail('targetType', MESSAGES.orgTargetMissing)
        : { valid: true, normalizedValue: (target ?? '').trim() };
    }
    case 'PhoneNumber':
    case 'TeamsUser':
    case 'SoftphoneUser':
      break;
    default:
      return fail('targetType', MESSAGES.unknownTargetType);
  }
  if (value === '') {
    return rule.isActive ? fail('targetValue', MESSAGES.blankTarget) : { valid: true, normalizedValue: null };
  }
  if (rule.targetType === 'PhoneNumber') {
    const phone = normalizePhone(value);
    if (phone === null) return fail('targetValue', MESSAGES.notE164);
    const ownLine = context.agent.phoneNumber === null ? null : normalizePhone(context.agent.phoneNumber);
    return phone === ownLine ? fail('targetValue', MESSAGES.loop) : { valid: true, normalizedValue: phone };
  }
  if (rule.targetType === 'TeamsUser') {
    const objectId = value.toLowerCase();
    if (!GUID.test(objectId)) return fail('targetValue', MESSAGES.notTeamsUser);
    return objectId === (context.agent.teamsUserId ?? '').toLowerCase()
      ? fail('targetValue', MESSAGES.loop)
      : { valid: true, normalizedValue: objectId };
  }
  if (!USER_ID.test(value)) return fail('targetValue', MESSAGES.notSoftphoneUser);
  const userId = to18CharId(value);
  if (userId === to18CharId(context.agent.userId)) return fail('targetValue', MESSAGES.loop);
  const entry = context.softphoneUsers.find((user) => to18CharId(user.userId) === userId);
  return entry?.isActive === true
    ? { valid: true, normalizedValue: userId }
    : fail('targetValue', MESSAGES.notSoftphoneUser);
}

/** S04: blank means the org default; otherwise whole seconds from 5 to 120. */
export function validateNoAnswerSeconds(seconds: number | null): RuleVerdict {
  if (seconds === null) return { valid: true, normalizedValue: null };
  return Number.isInteger(seconds) && seconds >= 5 && seconds <= 120
    ? { valid: true, normalizedValue: String(seconds) }
    : { valid: false, field: 'noAnswerSeconds', message: MESSAGES.noAnswerSeconds };
}
