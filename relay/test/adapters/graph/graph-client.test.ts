import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { GraphCallControl, GraphCallsClient } from '../../../src/adapters/graph/calls.client.ts';
import {
  GraphClient,
  GraphRequestError,
  MsalTokenProvider,
  parseRetryAfter
} from '../../../src/adapters/graph/graph-client.ts';
import { GraphPresenceClient, GraphPresenceGateway } from '../../../src/adapters/graph/presence.client.ts';
import type { RouteTarget } from '../../../src/domain/model.ts';
import { FakeGraph, type FakeReply, type RecordedRequest } from './fake-graph.ts';

const TENANT = '632899f8-2ea1-4604-8413-27bd2892079f';
const fake = new FakeGraph();
let sleeps: number[] = [];

before(() => fake.start());
after(() => fake.stop());
beforeEach(() => {
  fake.reset();
  sleeps = [];
});

function graph(overrides: { timeoutMs?: number; maxRetryAfterMs?: number } = {}) {
  const tokens = new MsalTokenProvider({
    clientId: 'bot-app-id',
    clientSecret: 'test-secret-not-real',
    authorityHost: 'https://login.emulator.test',
    offlineEndpointBase: fake.baseUrl
  });
  return new GraphClient({
    tokens,
    baseUrl: `${fake.baseUrl}/v1.0`,
    timeoutMs: overrides.timeoutMs ?? 2000,
    maxRetryAfterMs: overrides.maxRetryAfterMs ?? 10_000,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    }
  });
}

const when = (method: string, path: string | RegExp, reply: FakeReply | (() => FakeReply)) => (req: RecordedRequest) =>
  req.method === method && (typeof path === 'string' ? req.path === path : path.test(req.path))
    ? typeof reply === 'function'
      ? reply()
      : reply
    : undefined;

const target: RouteTarget = {
  identity: { kind: 'phone', id: '+441234567890' },
  targetType: 'PhoneNumber',
  label: 'PhoneNumber:+44…'
};

describe('GraphClient (graph-calls.md §5, §10)', () => {
  it('[S01] answer sends service-hosted media, an app token for the call tenant and a client-request-id', async () => {
    fake.on(when('POST', '/communications/calls/c1/answer', { status: 202 }));
    const result = await new GraphCallsClient(graph()).answer(TENANT, 'c1', 'https://relay.example/cb?k=t');
    assert.equal(result.ok, true);
    const [req] = fake.requests;
    assert.equal(req?.headers.authorization, `Bearer token-for-${TENANT}`);
    assert.match(String(req?.headers['client-request-id']), /^[0-9a-f-]{36}$/);
    assert.deepEqual(req?.body, {
      callbackUri: 'https://relay.example/cb?k=t',
      acceptedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' }
    });
    assert.equal(fake.tokenRequests[0]?.form.get('grant_type'), 'client_credentials');
    assert.equal(result.ok && result.requestId, 'graph-req-1');
  });

  it('[contract] tokens are requested per tenant of the call', async () => {
    fake.on(when('GET', /^\/communications\/calls\//, { status: 200, body: { id: 'x', state: 'established' } }));
    const calls = new GraphCallsClient(graph());
    await calls.getCall(TENANT, 'c1');
    await calls.getCall('other-tenant', 'c2');
    assert.deepEqual(
      fake.requests.map((r) => r.headers.authorization),
      [`Bearer token-for-${TENANT}`, 'Bearer token-for-other-tenant']
    );
  });

  it('[contract] a Graph error body yields its code and message (7505 tenant mismatch)', async () => {
    fake.on(
      when('POST', '/communications/calls/c1/redirect', {
        status: 403,
        body: { error: { code: '7505', message: 'Request authorization tenant mismatch.' } }
      })
    );
    const result = await new GraphCallsClient(graph()).redirect(TENANT, 'c1', [], 'https://relay.example/cb');
    assert.deepEqual(result.ok ? null : [result.kind, result.status, result.code, result.message, result.requestId], [
      'http',
      403,
      '7505',
      'Request authorization tenant mismatch.',
      'graph-req-1'
    ]);
  });

  it('[contract] an idempotent GET throttled with Retry-After is retried after that delay', async () => {
    let n = 0;
    fake.on(
      when('GET', '/communications/calls/c1', () =>
        ++n === 1
          ? { status: 429, headers: { 'retry-after': '2' } }
          : { status: 200, body: { id: 'c1', state: 'established' } }
      )
    );
    const result = await new GraphCallsClient(graph()).getCall(TENANT, 'c1');
    assert.equal(result.ok && result.body.state, 'established');
    assert.deepEqual(sleeps, [2000]);
    assert.equal(fake.requests.length, 2);
  });

  it('[contract] a throttled non-idempotent POST is not retried and reports Retry-After', async () => {
    fake.on(when('POST', '/communications/calls/c1/transfer', { status: 429, headers: { 'retry-after': '1' } }));
    const result = await new GraphCallsClient(graph()).transfer(TENANT, 'c1', { identity: {} });
    assert.deepEqual(result.ok ? null : [result.kind, result.retryAfterMs], ['throttled', 1000]);
    assert.equal(fake.requests.length, 1);
  });

  it('[contract] a 503 on an idempotent request is retried a bounded number of times', async () => {
    fake.on(
      when('DELETE', '/communications/calls/c1', {
        status: 503,
        body: { error: { code: 'ServiceUnavailable', message: 'busy' } }
      })
    );
    const result = await new GraphCallsClient(graph()).hangUp(TENANT, 'c1');
    assert.deepEqual(result.ok ? null : [result.status, result.code], [503, 'ServiceUnavailable']);
    assert.equal(fake.requests.length, 3);
    assert.equal(sleeps.length, 2);
  });

  it('[contract] a Retry-After longer than the bound is returned instead of slept through', async () => {
    fake.on(when('GET', '/communications/calls/c1', { status: 429, headers: { 'retry-after': '120' } }));
    const result = await new GraphCallsClient(graph({ maxRetryAfterMs: 5000 })).getCall(TENANT, 'c1');
    assert.deepEqual(result.ok ? null : [result.kind, result.retryAfterMs], ['throttled', 120_000]);
    assert.deepEqual(sleeps, []);
  });

  it('[contract] a request that gets no answer times out as a typed failure, POSTs once', async () => {
    fake.on(when('POST', '/communications/calls/c1/redirect', { status: 0, hang: true }));
    const result = await new GraphCallsClient(graph({ timeoutMs: 150 })).redirect(
      TENANT,
      'c1',
      [],
      'https://relay.example/cb'
    );
    assert.equal(result.ok ? null : result.kind, 'timeout');
    assert.equal(fake.requests.length, 1);
  });

  it('[S12] keepAlive on a call that is gone answers 404', async () => {
    const result = await new GraphCallsClient(graph()).keepAlive(TENANT, 'gone');
    assert.deepEqual(result.ok ? null : [result.status, result.code], [404, 'itemNotFound']);
  });

  it('[contract] Retry-After accepts an HTTP date', () => {
    assert.equal(parseRetryAfter('Tue, 24 Nov 2026 10:00:05 GMT', Date.parse('Tue, 24 Nov 2026 10:00:00 GMT')), 5000);
  });
});

describe('GraphCallControl (CallControl port)', () => {
  const control = (overrides: Partial<ConstructorParameters<typeof GraphCallControl>[1]> = {}) =>
    new GraphCallControl(new GraphCallsClient(graph()), {
      tenantOf: () => TENANT,
      defaultTenantId: TENANT,
      callbackUriFor: (callId) => `https://relay.example/api/calling/callback?k=tok-${callId}`,
      redirectTimeoutSeconds: 20,
      ...overrides
    });

  it('[B01] callStatus: GET the call; 404 means Graph no longer has it; a 5xx is not an answer', async () => {
    fake.on(when('GET', '/communications/calls/c1', { status: 200, body: { id: 'c1', state: 'established' } }));
    fake.on(when('GET', '/communications/calls/c3', { status: 500, body: { error: { code: '9999', message: 'x' } } }));
    assert.deepEqual(await control().callStatus('c1'), { exists: true, state: 'established' });
    assert.deepEqual(await control().callStatus('gone'), { exists: false });
    await assert.rejects(control().callStatus('c3'), GraphRequestError);
  });

  it('[B01] a throttled invite rejects with retryAfterMs; its retry invites only if the roster lacks the agent', async () => {
    const agent = 'aaaaaaaa-0000-0000-0000-000000000001';
    fake.on(
      when('POST', '/communications/calls/c1/participants/invite', {
        status: 429,
        headers: { 'retry-after': '2' },
        body: { error: { code: 'TooManyRequests', message: 'slow down' } }
      })
    );
    const effect = { type: 'InviteAgent' as const, callId: 'c1', teamsUserId: agent, tenantId: TENANT };
    const error = await control()
      .inviteAgent(effect)
      .then(
        () => undefined,
        (e: unknown) => e
      );
    assert.ok(error instanceof GraphRequestError);
    assert.equal(error.retryAfterMs, 2000);
    fake.reset();
    fake.on(
      when('GET', '/communications/calls/c1/participants', {
        status: 200,
        body: { value: [{ id: 'p-agent', info: { identity: { user: { id: agent } } } }] }
      })
    );
    await control().inviteAgent({ ...effect, verify: true });
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /communications/calls/c1/participants'],
      'already invited: not invited twice'
    );
  });

  it('[S04] redirect sends the target identity, timeout and the per-call callbackUri', async () => {
    fake.on(when('POST', '/communications/calls/c1/redirect', { status: 202 }));
    await control().redirect({ type: 'Redirect', callId: 'c1', target });
    assert.deepEqual(fake.requests[0]?.body, {
      targets: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          identity: {
            '@odata.type': '#microsoft.graph.identitySet',
            phone: { '@odata.type': '#microsoft.graph.identity', id: '+441234567890' }
          }
        }
      ],
      callbackUri: 'https://relay.example/api/calling/callback?k=tok-c1',
      timeout: 20
    });
  });

  it('[S07] a failed transfer rejects with the Graph code so the engine can fall back', async () => {
    fake.on(
      when('POST', '/communications/calls/c1/transfer', {
        status: 500,
        body: { error: { code: '9999', message: 'Unknown internal error' } }
      })
    );
    await assert.rejects(
      control().transfer({ type: 'Transfer', callId: 'c1', target }),
      (error: unknown) =>
        error instanceof GraphRequestError && error.failure.code === '9999' && error.failure.status === 500
    );
    assert.equal(fake.requests.length, 1);
  });

  it('[S06] hang-up of a call that is already gone resolves', async () => {
    await control().hangUp({ type: 'HangUp', callId: 'gone' });
    assert.deepEqual(
      fake.requests.map((r) => [r.method, r.path]),
      [['DELETE', '/communications/calls/gone']]
    );
  });

  it('[S05] hold without a known participant resolves the caller from the roster', async () => {
    fake.on(
      when('GET', '/communications/calls/c1/participants', {
        status: 200,
        body: {
          value: [
            { id: 'bot', info: { identity: { application: { id: 'bot-app-id' } } } },
            { id: 'caller', info: { identity: { phone: { id: '+44' } } } }
          ]
        }
      })
    );
    fake.on(
      when('POST', '/communications/calls/c1/participants/caller/startHoldMusic', { status: 202, body: { id: 'op1' } })
    );
    await control().startHoldMusic({ type: 'StartHoldMusic', callId: 'c1' });
    assert.deepEqual(fake.requests.at(-1)?.body, { clientContext: 'hold:c1' });
  });

  it('[S12] cancelling an invite removes the invited participant returned by the invite', async () => {
    fake.on(
      when('POST', '/communications/calls/c1/participants/invite', {
        status: 200,
        body: { id: 'op-inv', participants: [{ participantId: 'agent-leg' }] }
      })
    );
    fake.on(when('DELETE', '/communications/calls/c1/participants/agent-leg', { status: 204 }));
    const cc = control();
    await cc.inviteAgent({ type: 'InviteAgent', callId: 'c1', teamsUserId: 'AGENT-1', tenantId: TENANT });
    await cc.cancelInvite({ type: 'CancelInvite', callId: 'c1', teamsUserId: 'agent-1' });
    assert.deepEqual(
      fake.requests.map((r) => [r.method, r.path]),
      [
        ['POST', '/communications/calls/c1/participants/invite'],
        ['DELETE', '/communications/calls/c1/participants/agent-leg']
      ]
    );
  });
});

describe('GraphPresenceGateway (PresenceGateway port, graph-calls.md §9)', () => {
  const gateway = () =>
    new GraphPresenceGateway(new GraphPresenceClient(graph()), {
      tenantId: TENANT,
      sessionId: 'bot-app-id',
      now: () => new Date('2026-11-24T10:00:00Z')
    });

  it('[S10] reads presences in batches of at most 650 ids', async () => {
    fake.on(
      when('POST', '/communications/getPresencesByUserId', () => ({
        status: 200,
        body: { value: [{ id: 'u0', availability: 'Busy', activity: 'InACall', sequenceNumber: 'C1' }] }
      }))
    );
    const ids = Array.from({ length: 1300 }, (_, i) => `u${i}`);
    const observed = await gateway().readPresences(ids);
    assert.deepEqual(
      fake.requests.map((r) => (r.body as { ids: string[] }).ids.length),
      [650, 650]
    );
    assert.deepEqual(observed[0], {
      type: 'PresenceObserved',
      at: '2026-11-24T10:00:00.000Z',
      teamsUserId: 'u0',
      availability: 'Busy',
      activity: 'InACall',
      sequenceNumber: 'C1'
    });
  });

  it('[B05] In a call is set on the app session with a bounded expiry', async () => {
    fake.on(when('POST', '/users/u1/presence/setPresence', { status: 200 }));
    await gateway().setPresence({
      type: 'SetPresence',
      teamsUserId: 'u1',
      agentUserId: '005x',
      mode: 'InACall',
      availability: 'Busy',
      activity: 'InACall',
      expiresInMinutes: 60
    });
    assert.deepEqual(fake.requests[0]?.body, {
      sessionId: 'bot-app-id',
      availability: 'Busy',
      activity: 'InACall',
      expirationDuration: 'PT60M'
    });
  });

  it('[S14] Do Not Disturb after a reject uses the preferred presence with an expiry', async () => {
    fake.on(when('POST', '/users/u1/presence/setUserPreferredPresence', { status: 200 }));
    await gateway().setPresence({
      type: 'SetPresence',
      teamsUserId: 'u1',
      agentUserId: '005x',
      mode: 'DoNotDisturb',
      availability: 'DoNotDisturb',
      activity: 'DoNotDisturb',
      expiresInMinutes: 30
    });
    assert.deepEqual(fake.requests[0]?.body, {
      availability: 'DoNotDisturb',
      activity: 'DoNotDisturb',
      expirationDuration: 'PT30M'
    });
  });

  it('[S15] clearing Do Not Disturb with a restore re-applies the previous presence', async () => {
    fake.on(when('POST', '/users/u1/presence/setUserPreferredPresence', { status: 200 }));
    await gateway().clearPresence({
      type: 'ClearPresence',
      teamsUserId: 'u1',
      agentUserId: '005x',
      mode: 'DoNotDisturb',
      restore: { availability: 'Available', activity: 'Available' }
    });
    assert.deepEqual(fake.requests[0]?.body, { availability: 'Available', activity: 'Available' });
  });

  it('[B05] clearing a session that no longer exists (404) resolves', async () => {
    await gateway().clearPresence({ type: 'ClearPresence', teamsUserId: 'u1', agentUserId: '005x', mode: 'InACall' });
    assert.equal(fake.requests[0]?.path, '/users/u1/presence/clearPresence');
  });

  it('[S10] a failed presence read rejects instead of returning a partial snapshot', async () => {
    fake.on(
      when('POST', '/communications/getPresencesByUserId', {
        status: 403,
        body: { error: { code: 'Forbidden', message: 'no' } }
      })
    );
    await assert.rejects(gateway().readPresences(['u1']), GraphRequestError);
  });
});
