import { backendHeaders, frame } from '../frameBridge.js';

/**
 * lightning/empApi for the preview: a Bayeux (CometD) client over HTTP long-polling to the Salesforce emulator's
 * /cometd/67.0, written with fetch. Messages reach callbacks as on the platform: { channel, data: { payload, event } }.
 * A lost session drops every subscription and calls the onError handlers, as empApi does; the component resubscribes.
 */
const API_PATH = '/cometd/67.0';
const RETRY_MS = 2000;

/** @type {Map<string, Set<any>>} */
const subscriptions = new Map();
/** @type {Array<(error: any) => void>} */
const errorHandlers = [];
/** @type {string|null} */
let clientId = null;
/** @type {Promise<string>|null} */
let handshaking = null;
let messageId = 0;
let subscriptionId = 0;
/** @type {any} */
let retryTimer = null;

async function send(messages) {
  const response = await fetch(`${frame().backendUrl ?? ''}${API_PATH}`, {
    method: 'POST',
    headers: backendHeaders(),
    body: JSON.stringify(messages.map((m) => ({ ...m, id: String(++messageId) })))
  });
  if (!response.ok) throw new Error(`CometD HTTP ${response.status}`);
  return response.json();
}

function handshake() {
  if (clientId) return Promise.resolve(clientId);
  if (!handshaking) {
    handshaking = send([
      {
        channel: '/meta/handshake',
        version: '1.0',
        minimumVersion: '1.0',
        supportedConnectionTypes: ['long-polling'],
        ext: { replay: true }
      }
    ])
      .then((replies) => {
        const reply = replies.find((r) => r.channel === '/meta/handshake');
        if (!reply?.successful) throw new Error(reply?.error ?? 'CometD handshake refused');
        clientId = reply.clientId;
        connectLoop(reply.clientId);
        return reply.clientId;
      })
      .finally(() => {
        handshaking = null;
      });
  }
  return handshaking;
}

function deliver(message) {
  for (const subscription of subscriptions.get(message.channel) ?? []) {
    try {
      subscription.callback({ channel: message.channel, data: message.data });
    } catch (error) {
      console.error('empApi subscriber failed', error);
    }
  }
}

async function connectLoop(id) {
  while (clientId === id) {
    let replies;
    try {
      replies = await send([{ channel: '/meta/connect', clientId: id, connectionType: 'long-polling' }]);
    } catch (error) {
      sessionLost(id, error?.message ?? String(error));
      return;
    }
    if (clientId !== id) return;
    for (const reply of replies) {
      if (reply.channel === '/meta/connect') {
        if (!reply.successful || reply.advice?.reconnect === 'handshake' || reply.advice?.reconnect === 'none') {
          sessionLost(id, reply.error ?? '403::Unknown client');
          return;
        }
      } else if (!String(reply.channel).startsWith('/meta/') && reply.data !== undefined) {
        deliver(reply);
      }
    }
  }
}

function sessionLost(id, reason) {
  if (clientId !== id) return;
  clientId = null;
  subscriptions.clear();
  const error = { channel: '/meta/connect', successful: false, error: reason };
  for (const handler of errorHandlers) handler(error);
  scheduleRecovery();
}

/** While the backend is away, keep trying; once a session is possible again, tell the handlers so they resubscribe. */
function scheduleRecovery() {
  if (retryTimer) return;
  retryTimer = setTimeout(async () => {
    retryTimer = null;
    if (clientId) return;
    try {
      await handshake();
      for (const handler of errorHandlers)
        handler({ channel: '/meta/handshake', successful: true, error: 'reconnected' });
    } catch {
      scheduleRecovery();
    }
  }, RETRY_MS);
  // In Node (the adapter's own tests) a pending retry must not keep the process alive; browsers have no unref.
  retryTimer?.unref?.();
}

/**
 * @param {string} channel e.g. /event/TeamsCallEvent__e
 * @param {number} replayId -1 new events only, -2 all retained events, or the last replay id seen
 * @param {(message: any) => void} callback
 */
export async function subscribe(channel, replayId, callback) {
  // Listen before asking, as the CometD JavaScript client does: the server delivers from the moment it handles the
  // subscribe request, and an event can reach us on /meta/connect before the subscribe reply does.
  const subscription = { id: String(++subscriptionId), channel, replayId, callback };
  const set = subscriptions.get(channel) ?? new Set();
  set.add(subscription);
  subscriptions.set(channel, set);
  try {
    let reply = await requestSubscription(channel, replayId);
    // The server forgot this client (an emulator restart between two polls): start a new session once and retry.
    if (!reply?.successful && (reply?.advice?.reconnect === 'handshake' || /^40[13]:/.test(reply?.error ?? ''))) {
      clientId = null;
      reply = await requestSubscription(channel, replayId);
    }
    if (!reply?.successful) throw new Error(reply?.error ?? `Subscription to ${channel} refused`);
  } catch (error) {
    subscriptions.get(channel)?.delete(subscription);
    throw error;
  }
  // A session lost meanwhile cleared every subscription; this one is gone with it and the error handlers know.
  if (!subscriptions.get(channel)?.has(subscription)) throw new Error(`Subscription to ${channel} lost`);
  return { id: subscription.id, channel, replayId };
}

async function requestSubscription(channel, replayId) {
  const id = await handshake();
  const replies = await send([
    { channel: '/meta/subscribe', clientId: id, subscription: channel, ext: { replay: { [channel]: replayId } } }
  ]);
  return replies.find((r) => r.channel === '/meta/subscribe');
}

/**
 * @param {{id: string, channel: string}} subscription
 * @param {(response: any) => void} [callback]
 */
export async function unsubscribe(subscription, callback) {
  const set = subscriptions.get(subscription?.channel);
  for (const s of set ?? []) if (s.id === subscription.id) set.delete(s);
  if (set && set.size === 0 && clientId) {
    subscriptions.delete(subscription.channel);
    try {
      await send([{ channel: '/meta/unsubscribe', clientId, subscription: subscription.channel }]);
    } catch {
      // The session is gone: there is nothing left to release.
    }
  }
  if (callback) callback({ successful: true, subscription: subscription?.channel });
  return true;
}

/** @param {(error: any) => void} handler */
export function onError(handler) {
  errorHandlers.push(handler);
}

export function setDebugFlag() {
  return Promise.resolve(true);
}

export function isEmpEnabled() {
  return Promise.resolve(true);
}
