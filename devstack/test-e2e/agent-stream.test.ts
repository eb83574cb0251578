// [B10] End to end: the softphone's live events come straight from the relay's agent stream, authenticated by the
// token the (emulated) Apex mints; an agent's stream carries that agent's calls and nothing of anyone else's, and a
// relay restart is survived (the stream says reset; the softphone restores from Salesforce, B02).
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ALICE, BOB, CALLER, E2E } from './support/stack.ts';

interface StreamAccess {
  url: string;
  token: string;
}

/** A stream reader that keeps the raw bytes, to assert on what crossed the wire. */
class Stream {
  raw = '';
  ended = false;
  private constructor(readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (this.raw += chunk));
    response.on('close', () => (this.ended = true));
  }
  static open(access: StreamAccess, lastEventId?: string): Promise<Stream> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { authorization: `Bearer ${access.token}` };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      request(access.url, { headers }, (response) => {
        if (response.statusCode !== 200) reject(new Error(`stream answered ${response.statusCode}`));
        else resolve(new Stream(response));
      })
        .on('error', reject)
        .end();
    });
  }
  events(): Array<{ id: string; event: string; data: Record<string, unknown> }> {
    return [...this.raw.matchAll(/id: (\S+)\nevent: (\S+)\ndata: (.*)\n\n/g)].map((m) => ({
      id: m[1]!,
      event: m[2]!,
      data: JSON.parse(m[3]!) as Record<string, unknown>
    }));
  }
  close(): void {
    this.response.destroy();
  }
}

describe('[B10] agent stream (relay + emulators)', () => {
  let e2e: E2E;
  const streams: Stream[] = [];
  before(async () => {
    // The console preview's origin; the test's own client is not a browser and sends none.
    e2e = await E2E.start({ streamOrigins: ['http://127.0.0.1:5173'] });
  });
  after(async () => {
    for (const s of streams) s.close();
    await e2e?.stop();
  });

  const accessFor = (upn: string): Promise<StreamAccess> =>
    e2e.apex<StreamAccess>(e2e.seededUserId(upn), 'TeamsStreamAccessController', 'getStreamAccess', {});
  const open = async (upn: string, lastEventId?: string): Promise<Stream> => {
    const stream = await Stream.open(await accessFor(upn), lastEventId);
    streams.push(stream);
    return stream;
  };

  it("[S01] rings the agent's softphone from the stream; another agent's stream carries nothing of it", async () => {
    const alice = await open(ALICE.upn);
    const bob = await open(BOB.upn);
    const callId = await e2e.ringAgent(ALICE);
    await e2e.until("Ringing on Alice's stream", () =>
      alice.events().some((e) => e.data.TeamsCallId__c === callId && e.data.State__c === 'Ringing')
    );
    const ringing = alice.events().find((e) => e.data.TeamsCallId__c === callId)!;
    assert.equal(ringing.event, 'call');
    assert.equal(ringing.data.CallerNumber__c, CALLER);
    assert.equal(ringing.data.AgentUserId__c, e2e.seededUserId(ALICE.upn));
    await e2e.sim('POST', `/calls/${callId}/caller-hangup`);
    await e2e.until(`the call's end on Alice's stream (got ${alice.raw.length} bytes)`, () =>
      alice.events().some((e) => e.data.TeamsCallId__c === callId && e.data.Reason__c === 'CallerHungUp')
    );
    assert.ok(!bob.raw.includes(callId), "Bob's wire carries nothing of Alice's call");
    assert.ok(!bob.raw.includes(CALLER), "nor her caller's number");
  });

  it('[B02] after a relay restart the stream drops; reconnecting with Last-Event-ID says reset, then carries on', async () => {
    const before = await open(ALICE.upn);
    const first = await e2e.ringAgent(ALICE);
    await e2e.until('an event before the restart', () => before.events().some((e) => e.data.TeamsCallId__c === first));
    const lastId = before.events().at(-1)!.id;
    await e2e.sim('POST', `/calls/${first}/caller-hangup`);
    await e2e.recordInState(first, 'Abandoned');
    await e2e.stack.restartRelay();
    await e2e.until('the old stream closed by the restart', () => before.ended);

    const resumed = await open(ALICE.upn, lastId);
    await e2e.until('a reset frame', () => resumed.raw.includes('event: reset'));
    const second = await e2e.ringAgent(ALICE);
    await e2e.until('the next call on the resumed stream', () =>
      resumed.events().some((e) => e.data.TeamsCallId__c === second && e.data.State__c === 'Ringing')
    );
    await e2e.sim('POST', `/calls/${second}/caller-hangup`);
    await e2e.recordInState(second, 'Abandoned');
  });

  it('refuses a stream without a valid token (401), and one for another user is not possible to forge', async () => {
    const access = await accessFor(ALICE.upn);
    const [header, payload, signature] = access.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const asBob = Buffer.from(JSON.stringify({ ...claims, sub: e2e.seededUserId(BOB.upn) })).toString('base64url');
    for (const token of ['', 'not-a-token', `${header}.${asBob}.${signature}`]) {
      await assert.rejects(Stream.open({ url: access.url, token }), /stream answered 401/);
    }
  });
});
