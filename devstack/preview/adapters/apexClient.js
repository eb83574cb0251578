import { backendHeaders, frame } from './frameBridge.js';

/**
 * Calls a controller method on the Salesforce emulator: POST /_preview/apex/<Class>/<method> with the parameters as a
 * JSON object, answered by the method's JSON result. Failures reject the way Lightning rejects an imperative Apex
 * call, `{ status, body: { message } }`, so the components' error handling runs unchanged.
 * @param {string} className
 * @param {string} method
 * @param {Object<string, any>|undefined} params
 */
export async function callApex(className, method, params) {
  let response;
  try {
    response = await fetch(`${frame().backendUrl ?? ''}/_preview/apex/${className}/${method}`, {
      method: 'POST',
      headers: backendHeaders(),
      body: JSON.stringify(params ?? {})
    });
  } catch (error) {
    throw { status: 0, body: { message: `Network error: ${error?.message ?? error}` } };
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!response.ok) {
    const message = data?.body?.message ?? data?.message ?? (typeof data === 'string' && data) ?? response.statusText;
    throw { status: response.status, statusText: response.statusText, body: { message, ...(data?.body ?? {}) } };
  }
  return data;
}
