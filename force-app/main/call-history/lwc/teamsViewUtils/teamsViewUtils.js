/**
 * Small helpers shared by the call-history, redirect-rules and setup components.
 * Errors: controllers throw AuraHandledException whose message is already a user-safe custom label (see
 * docs/controller-contracts.md), so only those server messages are shown; anything else (a JS TypeError,
 * a network failure) is replaced by the caller's friendly fallback label so raw errors never reach the page.
 */

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
