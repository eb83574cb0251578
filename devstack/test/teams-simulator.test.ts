// DEVELOPMENT ONLY simulator tests, through HTTPS and signed webhooks as the relay would see them.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import { start, type TeamsSimulator } from '../src/teams-simulator/server.ts';
import { DEMO_AGENTS, DEMO_LINES } from '../src/teams-simulator/directory.ts';
import { first, startFakeBot, type FakeBot, type Received } from './support/fake-bot.ts';
import { trustCertificate, trustedFetch } from './support/trust.ts';
import { runCli } from '../src/teams-simulator/cli.ts';
import { msalToken } from './support/msal.ts';

const SECRET = 'dev-only-secret';
const ALICE = DEMO_AGENTS[0]!;
const CALLER = '+15555550123';

describe('Teams simulator (dev only)', () => {
  let sim: TeamsSimulator;
  let bot: FakeBot;
  let token: string;

  const graph = async (method: string, path: string, body?: unknown, auth = true) => {
    const res = await trustedFetch(`${sim.graphUrl}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {})
      },
      body: body !== undefined ? JSON.stringify(body) : undefined
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined
    };
  };
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await trustedFetch(`${sim.url}/_sim${path}`, {
      method,
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      body: body !== undefined ? JSON.stringify(body) : undefined
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const requestToken = (form: Record<string, string>) =>
    trustedFetch(`${sim.url}/${sim.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(form) });
  const isCall =
    (
      callId: string,
      pred: (
        item: Record<string, unknown> & { resourceData: unknown; resourceUrl: string; changeType: string }
      ) => boolean
    ) =>
    (r: Received) =>
      first(r).resourceUrl.includes(callId) && pred(first(r));
  const stateOf = (item: { resourceData: unknown }) => (item.resourceData as { state?: string }).state;

  async function answeredCall(): Promise<string> {
    const { json } = await control('POST', '/calls', { from: CALLER, to: DEMO_LINES[0]!.phoneNumber });
    const callId = String(json.callId);
    await graph('POST', `/communications/calls/${callId}/answer`, {
      callbackUri: `${bot.url}/calls/${callId}`,
      acceptedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }
    });
    await bot.waitFor(isCall(callId, (i) => stateOf(i) === 'established'));
    return callId;
  }

  before(async () => {
    bot = await startFakeBot();
    sim = await start({ notificationUrl: `${bot.url}/api/calling`, clientSecret: SECRET, autoAnswerMs: 20 });
    trustCertificate(sim.tls.cert);
    const res = await requestToken({
      grant_type: 'client_credentials',
      client_id: sim.botAppId,
      client_secret: SECRET,
      scope: 'https://graph.microsoft.com/.default'
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  after(async () => {
    await sim.stop();
    await bot.close();
  });
  beforeEach(async () => {
    await control('DELETE', '/faults');
  });

  describe('identity', () => {
    it('[B06] client credentials yield a bearer access token for Graph', async () => {
      const res = await requestToken({
        grant_type: 'client_credentials',
        client_id: sim.botAppId,
        client_secret: SECRET,
        scope: 'https://graph.microsoft.com/.default'
      });
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(res.status, 200);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 3599);
      assert.equal(String(body.access_token).split('.').length, 3);
    });

    it('[B06] MSAL client credentials, configured like the relay, get a token Graph accepts', async () => {
      const accessToken = await msalToken(sim.url, sim.tenantId, sim.botAppId, SECRET);
      const res = await trustedFetch(`${sim.graphUrl}/users/${ALICE.id}/presence`, {
        headers: { authorization: `Bearer ${accessToken}` }
      });
      assert.equal(res.status, 200);
    });

    it('[B06] a wrong client secret is refused with invalid_client', async () => {
      const res = await requestToken({
        grant_type: 'client_credentials',
        client_id: sim.botAppId,
        client_secret: 'nope',
        scope: 'https://graph.microsoft.com/.default'
      });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
    });

    it('[B06] Graph without a bearer token is 401 with a Graph error body and a request-id header', async () => {
      const res = await graph('GET', `/users/${ALICE.id}/presence`, undefined, false);
      assert.equal(res.status, 401);
      assert.equal((res.json!.error as { code: string }).code, 'InvalidAuthenticationToken');
      const requestId = res.headers.get('request-id');
      assert.ok(requestId);
      assert.equal((res.json!.error as { innerError: Record<string, string> }).innerError['request-id'], requestId);
    });
  });

  describe('signed webhooks', () => {
    it('[S01] an incoming call webhook verifies with jose against the simulator JWKS from its OpenID metadata', async () => {
      const { json } = await control('POST', '/calls', { from: CALLER, to: DEMO_LINES[0]!.phoneNumber });
      const hook = await bot.waitFor(isCall(String(json.callId), (i) => i.changeType === 'created'));
      const meta = (await (await trustedFetch(sim.openIdConfigurationUrl)).json()) as { jwks_uri: string };
      const jwks = createRemoteJWKSet(new URL(meta.jwks_uri), {
        [customFetch]: (url: string, init: RequestInit) =>
          trustedFetch(url, init as never) as unknown as Promise<Response>
      });
      const jwt = String(hook.headers.authorization).replace(/^Bearer /, '');
      const { payload } = await jwtVerify(jwt, jwks, {
        issuer: 'https://api.botframework.com',
        audience: sim.botAppId
      });
      assert.equal(payload.tid, sim.tenantId);
      assert.ok(payload.exp! - payload.iat! >= 3600);
    });

    it('[S01] a forged webhook is signed with a key that the JWKS does not hold', async () => {
      const d = await control('POST', '/notifications/raw', {
        forged: true,
        body: { value: [{ changeType: 'created', resourceUrl: '/communications/calls/forged' }] }
      });
      assert.equal(d.json.forged, true);
      const hook = await bot.waitFor((r) => first(r).resourceUrl === '/communications/calls/forged');
      const jwks = createRemoteJWKSet(new URL(`${sim.url}/v1/.well-known/keys`), {
        [customFetch]: (url: string, init: RequestInit) =>
          trustedFetch(url, init as never) as unknown as Promise<Response>
      });
      await assert.rejects(jwtVerify(String(hook.headers.authorization).replace(/^Bearer /, ''), jwks), {
        code: 'ERR_JWKS_NO_MATCHING_KEY'
      });
    });

    it('[S01] the incoming call carries the PSTN caller and the dialled line in the documented shape', async () => {
      const { json } = await control('POST', '/calls', { from: CALLER, to: DEMO_LINES[1]!.phoneNumber });
      const item = first(await bot.waitFor(isCall(String(json.callId), (i) => i.changeType === 'created')));
      const data = item.resourceData as {
        state: string;
        source: { identity: { phone: { id: string } } };
        targets: { identity: { applicationInstance: { id: string } } }[];
      };
      assert.equal(data.state, 'incoming');
      assert.equal(data.source.identity.phone.id, CALLER);
      assert.equal(data.targets[0]!.identity.applicationInstance.id, DEMO_LINES[1]!.appInstanceId);
      assert.equal(item.resource, `/app/calls/${String(json.callId)}`);
    });
  });

  describe('call flow', () => {
    it('[S01] answer sends establishing then established to the callbackUri', async () => {
      const callId = await answeredCall();
      const states = bot.received
        .filter(isCall(callId, () => true))
        .filter((r) => r.path === `/calls/${callId}`)
        .map((r) => stateOf(first(r)));
      assert.deepEqual(states, ['establishing', 'established']);
    });

    it('[S01] invite makes the agent ring; accept sends a roster with the agent and completes the operation', async () => {
      const callId = await answeredCall();
      const invite = await graph('POST', `/communications/calls/${callId}/participants/invite`, {
        participants: [{ identity: { user: { id: ALICE.id } } }],
        clientContext: 'ctx-invite-1'
      });
      assert.equal(invite.status, 200);
      assert.equal(invite.json!.status, 'running');
      const ringing = await control('GET', `/users/${ALICE.id}`);
      assert.deepEqual(
        (ringing.json.ringing as { callId: string }[]).map((r) => r.callId),
        [callId]
      );

      await control('POST', `/users/${ALICE.id}/accept`, { callId });
      const rosterHook = await bot.waitFor(
        isCall(callId, (i) => Array.isArray(i.resourceData) && (i.resourceData as unknown[]).length === 3)
      );
      const ids = (first(rosterHook).resourceData as { info: { identity: { user?: { id: string } } } }[])
        .map((p) => p.info.identity.user?.id)
        .filter(Boolean);
      assert.deepEqual(ids, [ALICE.id]);
      const op = await bot.waitFor(isCall(callId, (i) => i.resourceUrl.includes('/operations/')));
      assert.equal((first(op).resourceData as { status: string; clientContext: string }).status, 'completed');
      assert.equal((first(op).resourceData as { clientContext: string }).clientContext, 'ctx-invite-1');
    });

    it('[S12] a declined invite ends the operation as failed and the agent stops ringing', async () => {
      const callId = await answeredCall();
      await graph('POST', `/communications/calls/${callId}/participants/invite`, {
        participants: [{ identity: { user: { id: ALICE.id } } }],
        clientContext: 'ctx-2'
      });
      await control('POST', `/users/${ALICE.id}/decline`, { callId });
      const op = await bot.waitFor(isCall(callId, (i) => i.resourceUrl.includes('/operations/')));
      assert.equal((first(op).resourceData as { status: string }).status, 'failed');
      const view = await control('GET', `/users/${ALICE.id}`);
      assert.deepEqual(view.json.ringing, []);
    });

    it('[S03] the caller hanging up ends the call with a numeric code and subCode', async () => {
      const callId = await answeredCall();
      await control('POST', `/calls/${callId}/caller-hangup`);
      const ended = first(await bot.waitFor(isCall(callId, (i) => i.changeType === 'deleted')));
      assert.deepEqual((ended.resourceData as { resultInfo: Record<string, unknown> }).resultInfo, {
        '@odata.type': '#microsoft.graph.resultInfo',
        code: 200,
        subCode: 560000,
        message: 'Call ended by PSTN user'
      });
    });

    it('[S05] a hold music request completes its operation and shows the participant on hold', async () => {
      const callId = await answeredCall();
      const callerPid = (
        (await control('GET', `/calls/${callId}`)).json.participants as { id: string; kind: string }[]
      ).find((p) => p.kind === 'caller')!.id;
      const res = await graph('POST', `/communications/calls/${callId}/participants/${callerPid}/startHoldMusic`, {
        clientContext: 'hold-1'
      });
      assert.equal(res.status, 202);
      const op = first(await bot.waitFor(isCall(callId, (i) => i.resourceUrl.includes('/operations/'))));
      assert.equal(
        (op.resourceData as { '@odata.type': string })['@odata.type'],
        '#microsoft.graph.startHoldMusicOperation'
      );
      const after = (await control('GET', `/calls/${callId}`)).json.participants as { id: string; onHold: boolean }[];
      assert.equal(after.find((p) => p.id === callerPid)!.onHold, true);
    });

    it('[S01] hanging up from the bot is 204, then keepAlive is 404 with a Graph error body', async () => {
      const callId = await answeredCall();
      assert.equal((await graph('DELETE', `/communications/calls/${callId}`)).status, 204);
      const keep = await graph('POST', `/communications/calls/${callId}/keepAlive`);
      assert.equal(keep.status, 404);
      assert.ok((keep.json!.error as { code: string }).code);
    });

    it('[S01] the request log records method, path and body of the Graph calls made', async () => {
      const callId = await answeredCall();
      const log = (await control('GET', '/requests')).json as unknown as {
        method: string;
        path: string;
        body: { acceptedModalities?: string[] };
      }[];
      const answer = log.find((r) => r.path === `/communications/calls/${callId}/answer`);
      assert.equal(answer?.method, 'POST');
      assert.deepEqual(answer?.body.acceptedModalities, ['audio']);
    });
  });

  describe('routing', () => {
    const placed = async (to = DEMO_LINES[0]!.phoneNumber) =>
      String((await control('POST', '/calls', { from: CALLER, to })).json.callId);

    it('[S13] a redirect to a Teams user rings them; their answer ends the bot leg with answeredBy', async () => {
      const callId = await placed();
      const bob = DEMO_AGENTS[1]!;
      assert.equal(
        (
          await graph('POST', `/communications/calls/${callId}/redirect`, {
            targets: [{ identity: { user: { id: bob.id } } }],
            callbackUri: `${bot.url}/calls/${callId}`
          })
        ).status,
        202
      );
      await control('POST', `/users/${bob.id}/accept`, { callId });
      const ended = first(await bot.waitFor(isCall(callId, (i) => i.changeType === 'deleted')));
      assert.ok(
        (ended.resourceData as { answeredBy?: { identity: { encrypted: { id: string } } } }).answeredBy?.identity
          .encrypted.id
      );
    });

    it('[S08][S14] a user in Do Not Disturb is not rung by a redirect or a transfer: their voicemail takes the call', async () => {
      const bob = DEMO_AGENTS[1]!;
      await control('POST', `/users/${bob.id}/presence`, { availability: 'DoNotDisturb', activity: 'DoNotDisturb' });
      try {
        const redirected = await placed();
        await graph('POST', `/communications/calls/${redirected}/redirect`, {
          targets: [{ identity: { user: { id: bob.id } } }],
          callbackUri: `${bot.url}/calls/${redirected}`
        });
        const ended = first(await bot.waitFor(isCall(redirected, (i) => i.changeType === 'deleted')));
        const answeredBy = (ended.resourceData as { answeredBy?: { identity: { encrypted: { id: string } } } })
          .answeredBy;
        assert.equal(
          Buffer.from(answeredBy!.identity.encrypted.id, 'base64').toString('utf8'),
          `voicemail:${bob.id}`,
          "Bob's voicemail answered"
        );

        const transferred = await answeredCall();
        await graph('POST', `/communications/calls/${transferred}/transfer`, {
          transferTarget: { endpointType: 'default', identity: { user: { id: bob.id } } }
        });
        await bot.waitFor(isCall(transferred, (i) => i.changeType === 'deleted'));
        const user = (await control('GET', `/users/${bob.id}`)).json as { ringing: unknown[] };
        assert.deepEqual(user.ringing, [], 'Bob was never rung');
      } finally {
        await control('POST', `/users/${bob.id}/presence`, { availability: 'Available', activity: 'Available' });
      }
    });

    it('[S13] a redirect to a phone number is answered by the PSTN side without a Teams client', async () => {
      const callId = await placed();
      await graph('POST', `/communications/calls/${callId}/redirect`, {
        targets: [{ identity: { phone: { id: '+15555550199' } } }],
        callbackUri: `${bot.url}/calls/${callId}`
      });
      const ended = first(await bot.waitFor(isCall(callId, (i) => i.changeType === 'deleted')));
      assert.ok((ended.resourceData as { answeredBy?: unknown }).answeredBy);
    });

    it('[S12] the caller hanging up while a redirect target rings ends the call without answeredBy and stops the ringing', async () => {
      const callId = await placed();
      const carol = DEMO_AGENTS[2]!;
      await graph('POST', `/communications/calls/${callId}/redirect`, {
        targets: [{ identity: { user: { id: carol.id } } }],
        callbackUri: `${bot.url}/calls/${callId}`
      });
      await control('POST', `/calls/${callId}/caller-hangup`);
      const ended = first(await bot.waitFor(isCall(callId, (i) => i.changeType === 'deleted')));
      assert.equal((ended.resourceData as { answeredBy?: unknown }).answeredBy, undefined);
      assert.deepEqual((await control('GET', `/users/${carol.id}`)).json.ringing, []);
    });

    it('[S04] a rejected call ends with a bare deleted notification (no state, no resultInfo)', async () => {
      const callId = await placed();
      assert.equal(
        (
          await graph('POST', `/communications/calls/${callId}/reject`, {
            reason: 'busy',
            callbackUri: `${bot.url}/calls/${callId}`
          })
        ).status,
        202
      );
      const ended = first(await bot.waitFor(isCall(callId, (i) => i.changeType === 'deleted')));
      assert.deepEqual(ended.resourceData, { '@odata.type': '#microsoft.graph.call' });
    });

    it('[S07] a blind transfer accepted by a Teams user goes transferring, transferAccepted, then 0/7015', async () => {
      const callId = await answeredCall();
      const bob = DEMO_AGENTS[1]!;
      assert.equal(
        (
          await graph('POST', `/communications/calls/${callId}/transfer`, {
            transferTarget: { identity: { user: { id: bob.id } } }
          })
        ).status,
        202
      );
      await control('POST', `/users/${bob.id}/accept`, { callId });
      const ended = first(await bot.waitFor(isCall(callId, (i) => i.changeType === 'deleted')));
      const states = bot.received.filter(isCall(callId, () => true)).map((r) => stateOf(first(r)));
      assert.deepEqual(states.slice(-3), ['transferring', 'transferAccepted', 'terminated']);
      assert.deepEqual((ended.resourceData as { resultInfo: { code: number; subcode: number } }).resultInfo.code, 0);
    });

    it('[S07] a declined transfer returns the call to established with a failure resultInfo', async () => {
      const callId = await answeredCall();
      const bob = DEMO_AGENTS[1]!;
      await graph('POST', `/communications/calls/${callId}/transfer`, {
        transferTarget: { identity: { user: { id: bob.id } } }
      });
      await control('POST', `/users/${bob.id}/decline`, { callId });
      const back = first(
        await bot.waitFor(
          isCall(
            callId,
            (i) => stateOf(i) === 'established' && !!(i.resourceData as { resultInfo?: unknown }).resultInfo
          )
        )
      );
      assert.equal((back.resourceData as { resultInfo: { code: number } }).resultInfo.code, 500);
    });

    it('[S01] redirecting an answered call is refused with a 400 Graph error', async () => {
      const callId = await answeredCall();
      const res = await graph('POST', `/communications/calls/${callId}/redirect`, {
        targets: [{ identity: { phone: { id: '+15555550199' } } }]
      });
      assert.equal(res.status, 400);
      assert.equal((res.json!.error as { code: string }).code, 'BadRequest');
    });
  });

  describe('cli', () => {
    it('[B06] place-call and accept through the CLI drive the same simulator', async () => {
      const env = { TEAMS_SIM_URL: sim.url };
      const placedCall = await runCli(['place-call', '--from', CALLER, '--to', DEMO_LINES[2]!.phoneNumber], env);
      const callId = (placedCall.body as { callId: string }).callId;
      await bot.waitFor(isCall(callId, (i) => i.changeType === 'created'));
      const bad = await runCli(['accept', DEMO_AGENTS[2]!.upn], env);
      assert.equal(bad.status, 409);
    });

    it('[B06] an unknown command prints the usage', async () => {
      await assert.rejects(runCli(['dance'], {}), /usage: cli.ts/);
    });
  });

  describe('faults', () => {
    it('[B01] an injected 429 carries Retry-After and a Graph error; the next request succeeds', async () => {
      await control('POST', '/faults', { status: 429, retryAfter: 2, path: '/presence' });
      const throttled = await graph('GET', `/users/${ALICE.id}/presence`);
      assert.equal(throttled.status, 429);
      assert.equal(throttled.headers.get('retry-after'), '2');
      assert.equal((throttled.json!.error as { code: string }).code, 'TooManyRequests');
      assert.equal((await graph('GET', `/users/${ALICE.id}/presence`)).status, 200);
    });

    it('[B01] an injected tenant mismatch is 403 with code 7505', async () => {
      await control('POST', '/faults', { tenantMismatch: true });
      const res = await graph('GET', `/users/${ALICE.id}/presence`);
      assert.equal(res.status, 403);
      assert.equal((res.json!.error as { code: string }).code, '7505');
    });
  });

  describe('presence', () => {
    it('[S08] the presence a user picks in Teams is what Graph reports, in single and batch reads', async () => {
      await control('POST', `/users/${ALICE.id}/presence`, { availability: 'DoNotDisturb', activity: 'Presenting' });
      const one = await graph('GET', `/users/${ALICE.id}/presence`);
      assert.deepEqual([one.json!.availability, one.json!.activity], ['DoNotDisturb', 'Presenting']);
      const batch = await graph('POST', '/communications/getPresencesByUserId', {
        ids: [ALICE.id, DEMO_AGENTS[2]!.id]
      });
      assert.deepEqual(
        (batch.json!.value as { id: string; availability: string }[]).map((p) => [p.id, p.availability]),
        [
          [ALICE.id, 'DoNotDisturb'],
          [DEMO_AGENTS[2]!.id, 'Available']
        ]
      );
    });

    it('[B05] a user-preferred presence overrides sessions until it is cleared', async () => {
      // Carol is in no call, so her sessions aggregate to Available.
      const carol = DEMO_AGENTS[2]!;
      await graph('POST', `/users/${carol.id}/presence/setUserPreferredPresence`, {
        availability: 'DoNotDisturb',
        activity: 'DoNotDisturb',
        expirationDuration: 'PT30M'
      });
      assert.equal((await graph('GET', `/users/${carol.id}/presence`)).json!.availability, 'DoNotDisturb');
      assert.equal((await graph('POST', `/users/${carol.id}/presence/clearUserPreferredPresence`, {})).status, 200);
      assert.equal((await graph('GET', `/users/${carol.id}/presence`)).json!.availability, 'Available');
    });

    it('[S08] clearPresence for a session that does not exist is 404', async () => {
      const res = await graph('POST', `/users/${ALICE.id}/presence/clearPresence`, { sessionId: sim.botAppId });
      assert.equal(res.status, 404);
    });
  });
});

describe('Teams simulator timing (dev only)', () => {
  let sim: TeamsSimulator;
  let bot: FakeBot;

  before(async () => {
    bot = await startFakeBot();
    sim = await start({ notificationUrl: `${bot.url}/api/calling`, unansweredTimeoutMs: 150 });
    trustCertificate(sim.tls.cert);
  });
  after(async () => {
    await sim.stop();
    await bot.close();
  });

  it('[S03] an incoming call the bot leaves alone is dropped by the platform with 408/1106', async () => {
    const res = await trustedFetch(`${sim.url}/_sim/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: CALLER, to: DEMO_LINES[0]!.phoneNumber })
    });
    const { callId } = (await res.json()) as { callId: string };
    const ended = first(
      await bot.waitFor((r) => first(r).resourceUrl.includes(callId) && first(r).changeType === 'deleted')
    );
    assert.deepEqual((ended.resourceData as { resultInfo: { code: number; subcode: number } }).resultInfo.code, 408);
    assert.deepEqual(
      (ended.resourceData as { resultInfo: { code: number; subcode: number } }).resultInfo.subcode,
      1106
    );
  });

  it('[S08] an agent who joined a call shows Busy/InACall until they hang up', async () => {
    const world = sim.world;
    const call = world.placeCall({ from: CALLER, to: DEMO_LINES[1]!.phoneNumber });
    world.answer(call.id, { acceptedModalities: ['audio'], mediaConfig: {} });
    await new Promise((r) => setTimeout(r, 60));
    world.invite(call.id, { participants: [{ identity: { user: { id: DEMO_AGENTS[1]!.id } } }] });
    world.accept(DEMO_AGENTS[1]!.id, call.id);
    const during = world.presence(DEMO_AGENTS[1]!.id);
    world.hangupAsUser(DEMO_AGENTS[1]!.id, call.id);
    const afterwards = world.presence(DEMO_AGENTS[1]!.id);
    assert.deepEqual([during.availability, during.activity], ['Busy', 'InACall']);
    assert.deepEqual([afterwards.availability, afterwards.activity], ['Available', 'Available']);
  });
});
