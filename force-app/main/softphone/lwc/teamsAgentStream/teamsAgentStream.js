/**
 * B10: the softphone's live events, straight from the relay (relay/src/http/agent-stream.route.ts).
 *
 * The stream is Server-Sent Events read with `fetch`, so the short-lived token Apex mints travels in the
 * Authorization header and never in a URL. The client resumes after any drop with `Last-Event-ID` (the relay replays
 * what was missed, or answers `reset` and the softphone restores from Salesforce), notices a dead connection when
 * no byte (data or heartbeat) arrives for `staleAfterMs`, asks Apex for a new token when the relay says it expired
 * or refuses it, and reports each status change so the agent is never shown stale calls silently.
 *
 * Statuses: 'connecting' (first attempt), 'live', 'reconnecting' (a drop; retrying with backoff), 'unavailable'
 * (several attempts failed: `detail` says what, e.g. not set up, refused, unreachable).
 */

const BACKOFF_MS = [1000, 2000, 5000, 10000];
const UNAVAILABLE_AFTER_ATTEMPTS = 3;

/**
 * @typedef {{ url: string, token: string, expiresAt?: string }} StreamAccess
 * @typedef {{
 *   getAccess: () => Promise<StreamAccess>,
 *   onEvent: (payload: Record<string, any>, kind: string) => void,
 *   onReset: () => void,
 *   onStatus: (status: string, detail?: string) => void,
 *   staleAfterMs?: number,
 *   fetchImpl?: typeof fetch,
 *   setTimer?: (fn: () => void, ms: number) => any,
 *   clearTimer?: (handle: any) => void
 * }} StreamOptions
 */

/**
 * Parses complete SSE blocks out of `buffer`; returns the frames and what is left (an incomplete block).
 * @param {string} buffer
 * @returns {{ frames: Array<{ id?: string, event?: string, data?: string }>, rest: string }}
 */
export function parseFrames(buffer) {
  const blocks = buffer.replace(/\r\n/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  const frames = [];
  for (const block of blocks) {
    /** @type {{ id?: string, event?: string, data?: string }} */
    const frame = {};
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id' || field === 'event') frame[field] = value;
      else if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
    }
    if (frame.id !== undefined || frame.event !== undefined || frame.data !== undefined) frames.push(frame);
  }
  return { frames, rest };
}

/**
 * Opens the agent stream and keeps it open until `close()`.
 * @param {StreamOptions} options
 * @returns {{ close: () => void }}
 */
export function openAgentStream(options) {
  const fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
  // eslint-disable-next-line @lwc/lwc/no-async-operation
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle));
  const staleAfterMs = options.staleAfterMs ?? 35000;

  /** @type {string|null} */
  let lastEventId = null;
  /** @type {StreamAccess|null} */
  let access = null;
  let closed = false;
  let failures = 0;
  /** @type {AbortController|null} */
  let controller = null;
  /** @type {any} */
  let staleTimer = null;
  /** @type {any} */
  let retryTimer = null;
  let status = '';

  const report = (next, detail) => {
    const said = detail ? `${next}: ${detail}` : next;
    if (said === status) return;
    status = said;
    options.onStatus(next, detail);
  };

  const armWatchdog = () => {
    if (staleTimer) clearTimer(staleTimer);
    staleTimer = setTimer(() => controller?.abort(), staleAfterMs);
  };

  const scheduleRetry = (detail) => {
    if (closed) return;
    failures += 1;
    report(failures >= UNAVAILABLE_AFTER_ATTEMPTS ? 'unavailable' : 'reconnecting', detail);
    const delay = BACKOFF_MS[Math.min(failures - 1, BACKOFF_MS.length - 1)];
    retryTimer = setTimer(() => {
      retryTimer = null;
      connect();
    }, delay);
  };

  /** @param {{ id?: string, event?: string, data?: string }} frame */
  const handleFrame = (frame) => {
    if (frame.event === 'reset') {
      options.onReset();
      return 'continue';
    }
    if (frame.event === 'expired') {
      access = null;
      return 'reconnect';
    }
    if (frame.data !== undefined && (frame.event === 'call' || frame.event === 'presence')) {
      try {
        options.onEvent(JSON.parse(frame.data), frame.event);
      } catch {
        // A frame that is not JSON is not ours to apply; the next restore covers anything it held.
      }
    }
    if (frame.id !== undefined) lastEventId = frame.id;
    return 'continue';
  };

  async function connect() {
    if (closed) return;
    if (status === '') report('connecting');
    try {
      if (!access) access = await options.getAccess();
    } catch (error) {
      scheduleRetry(error?.body?.message ?? error?.message ?? 'not set up');
      return;
    }
    controller = new AbortController();
    /** @type {Record<string, string>} */
    const headers = { Authorization: `Bearer ${access.token}`, Accept: 'text/event-stream' };
    if (lastEventId !== null) headers['Last-Event-ID'] = lastEventId;
    let response;
    try {
      armWatchdog();
      response = await fetchImpl(access.url, { headers, signal: controller.signal, cache: 'no-store' });
    } catch {
      scheduleRetry('unreachable');
      return;
    }
    if (response.status === 401) {
      access = null; // a new token next time
      scheduleRetry('refused');
      return;
    }
    if (!response.ok || !response.body) {
      scheduleRetry(`HTTP ${response.status}`);
      return;
    }
    failures = 0;
    report('live');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let outcome = 'dropped';
    try {
      for (;;) {
        // eslint-disable-next-line no-await-in-loop
        const { done, value } = await reader.read();
        if (done) break;
        armWatchdog();
        buffer += decoder.decode(value, { stream: true });
        const parsed = parseFrames(buffer);
        buffer = parsed.rest;
        if (parsed.frames.map(handleFrame).includes('reconnect')) {
          outcome = 'expired';
          break;
        }
      }
    } catch {
      outcome = 'dropped';
    } finally {
      if (staleTimer) clearTimer(staleTimer);
      reader.cancel().catch(() => {});
    }
    if (closed) return;
    if (outcome === 'expired') connect();
    else scheduleRetry('connection lost');
  }

  connect();
  return {
    close() {
      closed = true;
      if (staleTimer) clearTimer(staleTimer);
      if (retryTimer) clearTimer(retryTimer);
      controller?.abort();
    }
  };
}
