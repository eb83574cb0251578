import { openAgentStream, parseFrames } from 'c/teamsAgentStream';
import { TextDecoder, TextEncoder } from 'util';

// jsdom lacks these; the browser and Node have them.
global.TextDecoder = global.TextDecoder ?? TextDecoder;
const encoder = new TextEncoder();

/** A streaming response whose body the test feeds chunk by chunk. */
function streamingResponse(status = 200) {
  const waiting = [];
  const queued = [];
  const deliver = (item) => {
    const next = waiting.shift();
    if (next) next(item);
    else queued.push(item);
  };
  return {
    status,
    ok: status >= 200 && status < 300,
    body: {
      getReader: () => ({
        read: () =>
          new Promise((resolve, reject) => {
            const item = queued.shift();
            const settle = (i) => (i.error ? reject(i.error) : resolve(i));
            if (item) settle(item);
            else waiting.push(settle);
          }),
        cancel: () => Promise.resolve()
      })
    },
    push: (text) => deliver({ done: false, value: encoder.encode(text) }),
    end: () => deliver({ done: true }),
    fail: () => deliver({ error: new Error('network') })
  };
}

// Lets the client's promise chain (fetch, read, parse) run to its next wait; no timers involved.
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function harness({ responses, access }) {
  const timers = [];
  const calls = [];
  const events = [];
  const statuses = [];
  let resets = 0;
  let accessCalls = 0;
  const stream = openAgentStream({
    getAccess: () => {
      accessCalls += 1;
      return access
        ? access(accessCalls)
        : Promise.resolve({ url: 'https://relay.test/api/agent-stream', token: `t${accessCalls}` });
    },
    onEvent: (payload, kind) => events.push([kind, payload]),
    onReset: () => (resets += 1),
    onStatus: (status, detail) => statuses.push(detail ? `${status}: ${detail}` : status),
    fetchImpl: (url, init) => {
      calls.push({ url, headers: init.headers });
      const next = responses.shift();
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    setTimer: (fn, ms) => {
      const timer = { fn, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => {
      timer.cleared = true;
    },
    staleAfterMs: 35000
  });
  const fire = (ms) => {
    const timer = timers.filter((t) => !t.cleared && t.ms === ms).pop();
    if (!timer) throw new Error(`no pending ${ms} ms timer`);
    timer.cleared = true;
    timer.fn();
  };
  return { stream, timers, calls, events, statuses, fire, resets: () => resets, accessCalls: () => accessCalls };
}

describe('c/teamsAgentStream [B10]', () => {
  it('parses SSE frames, keeping an incomplete block for later', () => {
    const { frames, rest } = parseFrames('retry: 2000\n\n: ping\n\nid: r.1\nevent: call\ndata: {"a":1}\n\nid: r.2\nev');
    expect(frames).toEqual([{ id: 'r.1', event: 'call', data: '{"a":1}' }]);
    expect(rest).toBe('id: r.2\nev');
  });

  it('sends the token in the Authorization header, never in the URL, and hands each event over', async () => {
    const response = streamingResponse();
    const h = harness({ responses: [response] });
    await flush();
    expect(h.calls[0].url).toBe('https://relay.test/api/agent-stream');
    expect(h.calls[0].headers.Authorization).toBe('Bearer t1');
    expect(h.statuses).toEqual(['connecting', 'live']);
    response.push(
      'retry: 2000\n\nid: r.1\nevent: call\ndata: {"TeamsCallId__c":"c1","State__c":"Ringing"}\n\nid: r.2\nevent: pre'
    );
    response.push('sence\ndata: {"Presence__c":"InACall"}\n\n');
    await flush();
    expect(h.events).toEqual([
      ['call', { TeamsCallId__c: 'c1', State__c: 'Ringing' }],
      ['presence', { Presence__c: 'InACall' }]
    ]);
    h.stream.close();
  });

  it('after a drop says "reconnecting", then resumes with Last-Event-ID and is live again', async () => {
    const first = streamingResponse();
    const second = streamingResponse();
    const h = harness({ responses: [first, second] });
    await flush();
    first.push('id: r.7\nevent: call\ndata: {}\n\n');
    await flush();
    first.fail();
    await flush();
    expect(h.statuses).toEqual(['connecting', 'live', 'reconnecting: connection lost']);
    h.fire(1000);
    await flush();
    expect(h.calls[1].headers['Last-Event-ID']).toBe('r.7');
    expect(h.statuses.at(-1)).toBe('live');
    h.stream.close();
  });

  it('notices a silent connection by the missing heartbeat and reconnects', async () => {
    const first = streamingResponse();
    const second = streamingResponse();
    const h = harness({ responses: [first, second] });
    await flush();
    // No byte for staleAfterMs: the watchdog aborts; a real fetch then rejects the pending read.
    h.fire(35000);
    first.fail();
    await flush();
    expect(h.statuses.at(-1)).toBe('reconnecting: connection lost');
    h.fire(1000);
    await flush();
    expect(h.calls).toHaveLength(2);
    h.stream.close();
  });

  it('asks Apex for a new token when the relay refuses it or the stream expires', async () => {
    const refused = streamingResponse(401);
    const live = streamingResponse();
    const after = streamingResponse();
    const h = harness({ responses: [refused, live, after] });
    await flush();
    expect(h.statuses.at(-1)).toBe('reconnecting: refused');
    h.fire(1000);
    await flush();
    expect(h.calls[1].headers.Authorization).toBe('Bearer t2');
    live.push('event: expired\ndata: {}\n\n');
    await flush();
    expect(h.calls[2].headers.Authorization).toBe('Bearer t3');
    expect(h.accessCalls()).toBe(3);
    h.stream.close();
  });

  it('asks the softphone to restore from Salesforce when the relay cannot replay (reset)', async () => {
    const response = streamingResponse();
    const h = harness({ responses: [response] });
    await flush();
    response.push('event: reset\ndata: {}\n\n');
    await flush();
    expect(h.resets()).toBe(1);
    h.stream.close();
  });

  it('says "unavailable" with the reason after repeated failures, and keeps trying', async () => {
    const h = harness({
      responses: [new TypeError('Failed to fetch'), new TypeError('Failed to fetch'), new TypeError('Failed to fetch')]
    });
    await flush();
    h.fire(1000);
    await flush();
    h.fire(2000);
    await flush();
    expect(h.calls).toHaveLength(3);
    expect(h.statuses).toEqual(['connecting', 'reconnecting: unreachable', 'unavailable: unreachable']);
    expect(h.timers.some((t) => !t.cleared && t.ms === 5000)).toBe(true);
    h.stream.close();
  });

  it('reports what Apex said when the stream is not set up', async () => {
    const h = harness({
      responses: [],
      access: () => Promise.reject({ body: { message: 'The live call stream is not set up.' } })
    });
    await flush();
    expect(h.statuses).toEqual(['connecting', 'reconnecting: The live call stream is not set up.']);
    h.stream.close();
  });

  it('stops everything on close', async () => {
    const response = streamingResponse();
    const h = harness({ responses: [response] });
    await flush();
    h.stream.close();
    response.end();
    await flush();
    expect(h.statuses).toEqual(['connecting', 'live']);
    expect(h.timers.every((t) => t.cleared)).toBe(true);
  });
});
