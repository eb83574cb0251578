/**
 * Small helpers shared by the softphone, call-history, redirect-rules and setup components.
 * Errors: controllers throw AuraHandledException whose message is already a user-safe custom label (see
 * docs/controller-contracts.md), so only those server messages are shown; anything else (a JS TypeError,
 * a network failure) is replaced by the caller's friendly fallback label so raw errors never reach the page.
 */

import REASON_NO_ANSWER from '@salesforce/label/c.TeamsHistory_ReasonNoAnswer';
import REASON_DND from '@salesforce/label/c.TeamsHistory_ReasonDoNotDisturb';
import REASON_PRESENTING from '@salesforce/label/c.TeamsHistory_ReasonPresenting';
import REASON_OOO from '@salesforce/label/c.TeamsHistory_ReasonOutOfOffice';
import REASON_IN_A_CALL from '@salesforce/label/c.TeamsHistory_ReasonInACall';
import REASON_DECLINED from '@salesforce/label/c.TeamsHistory_ReasonDeclined';
import REASON_CALLER_HUNG_UP from '@salesforce/label/c.TeamsHistory_ReasonCallerHungUp';
import REASON_AGENT_HUNG_UP from '@salesforce/label/c.TeamsHistory_ReasonAgentHungUp';
import REASON_FAILED from '@salesforce/label/c.TeamsHistory_ReasonFailed';
import REASON_BUSY from '@salesforce/label/c.TeamsHistory_ReasonBusy';
import REASON_RECONCILED from '@salesforce/label/c.TeamsHistory_ReasonReconciled';
import REASON_SINGLE_MATCH from '@salesforce/label/c.TeamsHistory_ReasonSingleMatch';
import REASON_SEVERAL_MATCHES from '@salesforce/label/c.TeamsHistory_ReasonSeveralMatches';
import REASON_NO_MATCH from '@salesforce/label/c.TeamsHistory_ReasonNoMatch';
import REASON_ALREADY_LINKED from '@salesforce/label/c.TeamsHistory_ReasonAlreadyLinked';
import REASON_LOOKUP_FAILED from '@salesforce/label/c.TeamsHistory_ReasonLookupFailed';

/**
 * Reasons (TeamsCall__c.Reason__c and the timeline's) in words, one map for the history and the timeline: the
 * relay's reasons (relay/src/domain/call-event.ts CallReason) and TeamsCallLinkService's link decisions.
 */
const REASONS = {
  NoAnswer: REASON_NO_ANSWER,
  DoNotDisturb: REASON_DND,
  Presenting: REASON_PRESENTING,
  OutOfOffice: REASON_OOO,
  InACall: REASON_IN_A_CALL,
  Declined: REASON_DECLINED,
  CallerHungUp: REASON_CALLER_HUNG_UP,
  AgentHungUp: REASON_AGENT_HUNG_UP,
  Failed: REASON_FAILED,
  Busy: REASON_BUSY,
  Reconciled: REASON_RECONCILED,
  SingleMatch: REASON_SINGLE_MATCH,
  SeveralMatches: REASON_SEVERAL_MATCHES,
  NoMatch: REASON_NO_MATCH,
  AlreadyLinked: REASON_ALREADY_LINKED,
  LookupFailed: REASON_LOOKUP_FAILED
};

/**
 * A reason in words; a reason this version does not know yet is shown as stored, a blank one as ''.
 * @param {string|null|undefined} reason
 * @returns {string}
 */
export function reasonLabel(reason) {
  if (!reason) return '';
  return Object.prototype.hasOwnProperty.call(REASONS, reason) ? REASONS[reason] : reason;
}

/**
 * Collects the user-safe messages of an Apex/LDS error (or an array of them).
 * @param {unknown} errors an error, or a list of errors, as thrown by imperative Apex
 * @returns {string[]} the server messages, deduplicated; empty when none is user-safe
 */
export function reduceErrors(errors) {
  const list = Array.isArray(errors) ? errors : [errors];
  const messages = [];
  for (const error of list) {
    const body = error && typeof error === 'object' ? error.body : undefined;
    if (Array.isArray(body)) {
      body.forEach((entry) => entry && typeof entry.message === 'string' && messages.push(entry.message));
    } else if (body && typeof body === 'object') {
      if (typeof body.message === 'string') {
        messages.push(body.message);
      }
      if (Array.isArray(body.pageErrors)) {
        body.pageErrors.forEach((entry) => typeof entry?.message === 'string' && messages.push(entry.message));
      }
    }
  }
  return [...new Set(messages.map((m) => m.trim()).filter((m) => m.length > 0))];
}

/**
 * The one message to show for an error: the server's user-safe message, else the fallback label.
 * @param {unknown} error what the Apex call rejected with
 * @param {string} fallback a custom label
 * @returns {string}
 */
export function friendlyMessage(error, fallback) {
  const messages = reduceErrors(error);
  return messages.length > 0 ? messages.join(' ') : fallback;
}

/**
 * Fills {0}, {1}… placeholders of a custom label.
 * @param {string} label
 * @param {...(string|number)} args
 * @returns {string}
 */
export function formatLabel(label, ...args) {
  return String(label ?? '').replace(/\{(\d+)\}/g, (match, index) => {
    const value = args[Number(index)];
    return value === undefined || value === null ? '' : String(value);
  });
}

/**
 * Seconds as m:ss (or h:mm:ss); an empty string for a missing value so tables show a blank, not "0:00".
 * @param {number|null|undefined} seconds
 * @returns {string}
 */
export function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(Number(seconds))) {
    return '';
  }
  const total = Math.max(0, Math.round(Number(seconds)));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

// ITU-T E.164 country calling codes of two digits; the one-digit codes are 1 and 7, every other code has three.
const TWO_DIGIT_CODES = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(
    ' '
  )
);

/**
 * The one phone number formatter of the package (softphone, history, timeline, redirect settings).
 * North American numbers are grouped as people write them, "+1 (415) 555-0100". Elsewhere the length of an area
 * code depends on the number itself (Berlin 30, Cologne 221, a German mobile 151…), so only the country code is set
 * apart, "+49 30123456789": a wrong grouping would mislead. Anything that is not E.164 is returned as it came.
 * @param {string|null|undefined} number
 * @returns {string}
 */
export function formatPhone(number) {
  if (!number) return '';
  const raw = String(number).trim();
  if (!/^\+\d{8,15}$/.test(raw)) return raw;
  const digits = raw.slice(1);
  if (digits.startsWith('1') && digits.length === 11) {
    return `+1 (${digits.slice(1, 4)}) ${digits.slice(4, 7)}-${digits.slice(7)}`;
  }
  let codeLength = 3;
  if (digits.startsWith('1') || digits.startsWith('7')) codeLength = 1;
  else if (TWO_DIGIT_CODES.has(digits.slice(0, 2))) codeLength = 2;
  return `+${digits.slice(0, codeLength)} ${digits.slice(codeLength)}`;
}

/**
 * A redirect target as the relay writes it into Target__c and the timeline ("SharedVoicemail:+15555550190",
 * "TeamsUser:<object id>"), told apart so a component can show a name instead of the raw value.
 * @param {string|null|undefined} target
 * @returns {{type: string, value: string}|null} null for a blank target; type '' when the text has no known type
 */
export function parseTarget(target) {
  const raw = String(target ?? '').trim();
  if (!raw) return null;
  const match = /^(TeamsClientSettings|TeamsUser|SoftphoneUser|PhoneNumber|SharedVoicemail|CallQueue)(?::(.*))?$/.exec(
    raw
  );
  return match ? { type: match[1], value: (match[2] ?? '').trim() } : { type: '', value: raw };
}

/**
 * A target in words: the label for its type (with {0} = the formatted number where the type has one). Ids of
 * users and queues are never shown: the label names the kind of target instead.
 * @param {string|null|undefined} target
 * @param {Object<string, string>} typeLabels label per target type
 * @returns {string}
 */
export function describeTarget(target, typeLabels) {
  const parsed = parseTarget(target);
  if (!parsed) return '';
  if (!parsed.type) return /^\+\d+$/.test(parsed.value) ? formatPhone(parsed.value) : parsed.value;
  if (parsed.type === 'PhoneNumber') return formatPhone(parsed.value);
  const label = typeLabels[parsed.type];
  if (!label) return parsed.value;
  return formatLabel(label, /^\+\d+$/.test(parsed.value) ? formatPhone(parsed.value) : '').trim();
}

/**
 * @typedef {HTMLElement & { setCustomValidity(message: string): void, reportValidity(): boolean }} ValidatableInput
 */

/**
 * Types a queried base input (lightning-input, lightning-combobox) as one with the constraint-validation API.
 * @param {Element|null} element
 * @returns {ValidatableInput|null}
 */
export function asInput(element) {
  return /** @type {ValidatableInput|null} */ (/** @type {unknown} */ (element));
}
