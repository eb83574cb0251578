// [B10] The agent stream over real HTTP: auth, CORS, only the agent's own events on the wire, resume, liveness,
// expiry, and a slow browser that cannot grow the relay's memory.
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { InProcessAgentFeed } from '../../src/adapters/feed/in-process.agent-feed.ts';
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { STREAM_AUDIENCE, StreamTokenVerifier } from '../../src/adapters/salesforce/stream-token.ts';
import type { TeamsCallEvent } from '../../src/domain/call-event.ts';
import { AGENT_STREAM_PATH, registerAgentStream } from '../../src/http/agent-stream.route.ts';

const ORG = '00D000000000001AAA';
const ALICE = '005000000000001AAA';
const BOB = '005000000000002AAA';
const LIGHTNING = 'https://acme.lightning.force.com';

let orgKey: CryptoKey;
/** What Apex's `Auth.JWS` with the org's stream certificate produces. */
const sign = (key: CryptoKey, sub: string, iat: number, exp: number): Promise<string> =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setSubject(sub)
    .setIssuer(ORG)
    .setAudience(STREAM_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
const token = (sub: string): Promise<string> => {
  const iat = Math.floor(Date.now() / 1000);
  return sign(orgKey, sub, iat, iat + 300);
};

let seq = 0;
const callEvent = (agent: string, extra: Partial<TeamsCallEvent> = {}): TeamsCallEvent => {
  seq += 1;
  return {
    EventId__c: `e-${seq}`,
    TeamsCallId__c: `call-${agent}`,
    Sequence__c: seq,
    Kind__c: 'Call',
    State__c: 'Ringing',
    CallerNumber__c: '+14155550123',
    AgentUserId__c: agent,
    OccurredAt__c: new Date().toISOString(),
    ...extra
  };
};

interface Frame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A streaming client that keeps the raw bytes (to assert on the wire) and the parsed frames. */
class StreamClient {
  raw = '';
  frames: Frame[] = [];
  ended = false;
  constructor(readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      this.raw += chunk;
      this.frames = this.raw
        .split('\n\n')
        .slice(0, -1)
        .map((block) => {
          const frame: Frame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1).trim();
            const m = /^(id|event|data): (.*)$/.exec(line);
            if (m) frame[m[1] as 'id' | 'event' | 'data'] = m[2];
          }
          return frame;
        });
    });
    response.on('end', () => (this.ended = true));
    response.on('close', () => (this.ended = true));
  }
  async until(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`stream: ${what} never happened; got ${JSON.stringify(this.raw)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  close(): void {
    this.response.destroy();
  }
}

describe('[B10] agent stream route', () => {
  let app: FastifyInstance;
  let feed: InProcessAgentFeed;
  let base: URL;
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const clients: StreamClient[] = [];

  before(async () => {
    const org = await generateKeyPair('RS256');
    orgKey = org.privateKey;
    feed = new InProcessAgentFeed({ runId: 'run1' });
    app = Fastify();
    registerAgentStream(app, {
      feed,
      tokens: new StreamTokenVerifier({ keys: [org.publicKey], orgId: ORG }),
      allowedOrigins: [LIGHTNING],
      heartbeatMs: 100,
      maxBufferedBytes: 64 * 1024,
      log: {
        info: () => undefined,
        warn: (message, fields) => warnings.push({ message, ...(fields && { fields }) }),
        error: () => undefined
      }
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  });
  after(async () => {
    for (const c of clients) c.close();
    await app.close();
  });

  const get = (headers: Record<string, string>, method = 'GET'): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const req = request(new URL(AGENT_STREAM_PATH, base), { method, headers }, resolve);
      req.on('error', reject);
      req.end();
    });
  const open = async (agent: string, headers: Record<string, string> = {}): Promise<StreamClient> => {
    const response = await get({ authorization: `Bearer ${await token(agent)}`, ...headers });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/event-stream/);
    const client = new StreamClient(response);
    clients.push(client);
    await client.until('the retry preamble', () => client.raw.startsWith('retry: 2000'));
    return client;
  };
  const body = async (response: IncomingMessage): Promise<unknown> => {
    let text = '';
    for await (const chunk of response) text += String(chunk);
    return JSON.parse(text);
  };

  it('refuses a missing, forged or expired token with 401 and logs the reason, never the token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await sign((await generateKeyPair('RS256')).privateKey, ALICE, now, now + 300);
    const expired = await sign(orgKey, ALICE, now - 600, now - 300);
    for (const [headers, reason] of [
      [{}, 'no token'],
      [{ authorization: `Bearer ${forged}` }, 'bad signature'],
      [{ authorization: `Bearer ${expired}` }, 'expired'],
      [{ authorization: `Basic ${await token(ALICE)}` }, 'no token']
    ] as const) {
      const response = await get(headers);
      assert.equal(response.statusCode, 401);
      assert.deepEqual(await body(response), { error: 'invalid stream token', reason });
    }
    assert.equal(warnings.length, 4);
    const logged = JSON.stringify(warnings);
    for (const secret of [forged, expired]) assert.ok(!logged.includes(secret.split('.')[2]!), 'no token in logs');
  });

  it('answers the Lightning origin with CORS, refuses other origins, and preflights Authorization', async () => {
    const preflight = await get({ origin: LIGHTNING, 'access-control-request-headers': 'authorization' }, 'OPTIONS');
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], LIGHTNING);
    assert.match(String(preflight.headers['access-control-allow-headers']), /authorization/);
    preflight.resume();
    const otherPreflight = await get({ origin: 'https://evil.example' }, 'OPTIONS');
    assert.equal(otherPreflight.statusCode, 403);
    otherPreflight.resume();
    const other = await get({ origin: 'https://evil.example', authorization: `Bearer ${await token(ALICE)}` });
    assert.equal(other.statusCode, 403);
    other.resume();
    const client = await open(ALICE, { origin: LIGHTNING });
    assert.equal(client.response.headers['access-control-allow-origin'], LIGHTNING);
    client.close();
  });

  it("sends an agent exactly their own events, in order; another agent's stream carries none of them", async () => {
    const alice = await open(ALICE);
    const bob = await open(BOB);
    const aliceEvents = [callEvent(ALICE), callEvent(ALICE, { State__c: 'Connected' })];
    feed.publish([aliceEvents[0]!, callEvent(BOB), aliceEvents[1]!]);
    feed.publish([{ ...callEvent(ALICE), Kind__c: 'Presence', Presence__c: 'InACall' }]);
    await alice.until('three events', () => alice.frames.filter((f) => f.data).length === 3);
    await bob.until('one event', () => bob.frames.filter((f) => f.data).length === 1);
    const received = alice.frames.filter((f) => f.data);
    assert.deepEqual(
      received.slice(0, 2).map((f) => JSON.parse(f.data!) as TeamsCallEvent),
      aliceEvents
    );
    assert.deepEqual(
      received.map((f) => f.event),
      ['call', 'call', 'presence']
    );
    assert.ok(!bob.raw.includes(ALICE), "Bob's wire carries nothing of Alice's calls");
    assert.ok(!bob.raw.includes(`call-${ALICE}`));
    alice.close();
    bob.close();
  });

  it('resumes from Last-Event-ID without a gap or a duplicate, and says reset when it cannot', async () => {
    const first = await open(ALICE);
    feed.publish([callEvent(ALICE)]);
    await first.until('an event', () => first.frames.some((f) => f.data));
    const lastId = first.frames.filter((f) => f.id).at(-1)!.id!;
    first.close();
    await first.until('closed', () => first.ended);
    const missed = [callEvent(ALICE), callEvent(ALICE)];
    feed.publish(missed);
    const resumed = await open(ALICE, { 'last-event-id': lastId });
    await resumed.until('the two missed events', () => resumed.frames.filter((f) => f.data).length === 2);
    assert.deepEqual(
      resumed.frames.filter((f) => f.data).map((f) => JSON.parse(f.data!) as TeamsCallEvent),
      missed
    );
    resumed.close();

    const unknown = await open(ALICE, { 'last-event-id': 'another-run.5' });
    await unknown.until('a reset', () => unknown.frames.some((f) => f.event === 'reset'));
    unknown.close();
  });

  it('sends a heartbeat so that a dead connection is noticed within seconds', async () => {
    const client = await open(BOB);
    await client.until('two pings', () => client.frames.filter((f) => f.comment === 'ping').length >= 2);
    client.close();
  });

  it('ends the stream with "expired" when its token expires; the browser reconnects with a new token', async () => {
    // A verifier whose token runs out 200 ms after the stream opens (the real one's tolerance is 30 s).
    const verifierFeed = new InProcessAgentFeed({ runId: 'exp' });
    const local = Fastify();
    registerAgentStream(local, {
      feed: verifierFeed,
      tokens: { verify: () => Promise.resolve({ ok: true, userId: ALICE, expiresAtMs: Date.now() + 200 }) },
      allowedOrigins: []
    });
    await local.listen({ port: 0, host: '127.0.0.1' });
    const port = (local.server.address() as AddressInfo).port;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request(
        `http://127.0.0.1:${port}${AGENT_STREAM_PATH}`,
        { headers: { authorization: 'Bearer short-lived' } },
        resolve
      )
        .on('error', reject)
        .end();
    });
    const client = new StreamClient(response);
    await client.until('expired and ended', () => client.ended && client.frames.some((f) => f.event === 'expired'));
    assert.equal(verifierFeed.listenerCount, 0, 'the subscription is released');
    await local.close();
  });

  it('disconnects a browser that stops reading once its queue passes the cap; its subscription is released', async () => {
    const before = feed.listenerCount;
    const response = await get({ authorization: `Bearer ${await token(BOB)}` });
    response.pause(); // a browser tab that hangs: nothing is read from the socket any more
    const big = 'x'.repeat(4096);
    const deadline = Date.now() + 20_000;
    while (feed.listenerCount > before && Date.now() < deadline) {
      feed.publish(Array.from({ length: 64 }, () => callEvent(BOB, { CallerName__c: big })));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(feed.listenerCount, before, 'the slow stream was closed');
    assert.ok(warnings.some((w) => w.message === 'agent stream too slow: closed'));
    response.destroy();
  });
});
