/**
 * Client-side pre-check of redirect rules (S13), mirroring the format part of the server validator so the agent
 * sees a mistake before saving. The server stays the authority: loops back to the agent and unknown or inactive
 * softphone users can only be decided there (see the shared vectors TeamsRedirectRuleVectors.json).
 */
import ERROR_PHONE from '@salesforce/label/c.TeamsRules_ErrorPhoneFormat';
import ERROR_REQUIRED from '@salesforce/label/c.TeamsRules_ErrorTargetRequired';
import ERROR_TEAMS_USER from '@salesforce/label/c.TeamsRules_ErrorTeamsUser';
import ERROR_SOFTPHONE_USER from '@salesforce/label/c.TeamsRules_ErrorSoftphoneUser';
import ERROR_NOT_CONFIGURED from '@salesforce/label/c.TeamsRules_ErrorNotConfigured';
import ERROR_TARGET_TYPE from '@salesforce/label/c.TeamsRules_ErrorTargetType';
import ERROR_TRIGGER from '@salesforce/label/c.TeamsRules_ErrorTrigger';
import ERROR_NO_ANSWER from '@salesforce/label/c.TeamsRules_ErrorNoAnswerSeconds';

/** The triggers of S13, in the order the settings page lists them. */
export const TRIGGERS = ['DoNotDisturb', 'InACall', 'Presenting', 'OutOfOffice', 'Declined', 'NoAnswer'];
/** Target types of TeamsRedirectRule__c.TargetType__c. */
export const TARGET_TYPES = [
  'TeamsClientSettings',
  'TeamsUser',
  'SoftphoneUser',
  'PhoneNumber',
  'SharedVoicemail',
  'CallQueue'
];
export const NO_ANSWER_MIN = 5;
export const NO_ANSWER_MAX = 120;

const E164 = /^\+[1-9]\d{6,14}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USER_ID = /^005[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/;

/**
 * @typedef {Object} Rule
 * @property {string} trigger
 * @property {string} targetType
 * @property {string|null} targetValue
 * @property {boolean} isActive
 *
 * @typedef {Object} OrgTargets
 * @property {string|null} [sharedVoicemailTarget]
 * @property {string|null} [callQueueTarget]
 *
 * @typedef {Object} Verdict valid with the value to save, or invalid with the field and the message to show
 * @property {boolean} valid
 * @property {string|null} [normalizedValue]
 * @property {string} [field]
 * @property {string} [message]
 */

/**
 * Removes formatting from a phone number and turns an international 00 prefix into +.
 * @param {string|null|undefined} value
 * @returns {string}
 */
export function normalizePhone(value) {
  const compact = String(value ?? '').replace(/[\s\-.()]/g, '');
  return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
}

/**
 * Is the value a valid E.164 number once normalized?
 * @param {string|null|undefined} value
 * @returns {boolean}
 */
export function isPhoneNumber(value) {
  return E164.test(normalizePhone(value));
}

/**
 * @param {string} field
 * @param {string} message
 * @returns {Verdict}
 */
const invalid = (field, message) => ({ valid: false, field, message });
const blank = (value) => value === null || value === undefined || String(value).trim() === '';

/**
 * Pre-checks one rule; an inactive rule may be blank but a value it has must still be well-formed.
 * @param {Rule} rule
 * @param {OrgTargets} orgTargets the org's configured voicemail and call-queue targets
 * @returns {Verdict}
 */
export function validateRule(rule, orgTargets = {}) {
  if (!TRIGGERS.includes(rule?.trigger)) {
    return invalid('targetType', ERROR_TRIGGER);
  }
  if (!TARGET_TYPES.includes(rule.targetType)) {
    return invalid('targetType', ERROR_TARGET_TYPE);
  }
  const value = rule.targetValue;
  switch (rule.targetType) {
    case 'TeamsClientSettings':
      return { valid: true, normalizedValue: null };
    case 'SharedVoicemail':
    case 'CallQueue': {
      const configured =
        rule.targetType === 'SharedVoicemail' ? orgTargets.sharedVoicemailTarget : orgTargets.callQueueTarget;
      return blank(configured)
        ? invalid('targetType', ERROR_NOT_CONFIGURED)
        : { valid: true, normalizedValue: configured };
    }
    default:
      break;
  }
  if (blank(value)) {
    return rule.isActive ? invalid('targetValue', ERROR_REQUIRED) : { valid: true, normalizedValue: null };
  }
  const trimmed = String(value).trim();
  if (rule.targetType === 'PhoneNumber') {
    const phone = normalizePhone(trimmed);
    return E164.test(phone) ? { valid: true, normalizedValue: phone } : invalid('targetValue', ERROR_PHONE);
  }
  if (rule.targetType === 'TeamsUser') {
    return GUID.test(trimmed)
      ? { valid: true, normalizedValue: trimmed.toLowerCase() }
      : invalid('targetValue', ERROR_TEAMS_USER);
  }
  return USER_ID.test(trimmed)
    ? { valid: true, normalizedValue: trimmed }
    : invalid('targetValue', ERROR_SOFTPHONE_USER);
}

/**
 * Pre-checks the agent's no-answer time; blank means the org default.
 * @param {number|string|null|undefined} seconds
 * @returns {Verdict}
 */
export function validateNoAnswerSeconds(seconds) {
  if (blank(seconds)) {
    return { valid: true };
  }
  const number = Number(seconds);
  return Number.isInteger(number) && number >= NO_ANSWER_MIN && number <= NO_ANSWER_MAX
    ? { valid: true }
    : invalid('noAnswerSeconds', ERROR_NO_ANSWER);
}
