import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { GraphCallControl, GraphCallsClient } from '../../../src/adapters/graph/calls.client.ts';
import { GraphClient, GraphRequestError, MsalTokenProvider } from '../../../src/adapters/graph/graph-client.ts';
import { FakeGraph, type FakeReply, type RecordedRequest } from './fake-graph.ts';

const TENANT = '632899f8-2ea1-4604-8413-27bd2892079f';
const RESOURCE_ACCOUNT = '7d3c1e0a-5f55-4c7e-9a51-2d6f2b7a9c01';
const LINE = '+442071230001';
const AGENT = 'aaaaaaaa-0000-0000-0000-000000000001';
const fake = new FakeGraph();

before(() => fake.start());
after(() => fake.stop());
beforeEach(() => fake.reset());

const when = (method: string, path: string, reply: FakeReply) => (req: RecordedRequest) =>
  req.method === method && req.path === path ? reply : undefined;

function control(resourceAccounts: Record<string, string> = { [RESOURCE_ACCOUNT]: LINE }) {
  const tokens = new MsalTokenProvider({
    clientId: 'bot-app-id',
    clientSecret: 'test-secret-not-real',
    authorityHost: 'https://login.emulator.test',
    offlineEndpointBase: fake.baseUrl
  });
  const graph = new GraphClient({
    tokens,
    baseUrl: `${fake.baseUrl}/v1.0`,
    timeoutMs: 2000,
    sleep: () => Promise.resolve()
  });
  return new GraphCallControl(new GraphCallsClient(graph), {
    tenantOf: () => TENANT,
    defaultTenantId: TENANT,
    callbackUriFor: (callId) => `https://relay.example/api/calling/callback?k=tok-${callId}`,
    outboundCallbackUri: 'https://relay.example/api/calling',
    resourceAccountFor: (line) => Object.entries(resourceAccounts).find(([, n]) => n === line)?.[0]
  });
}

describe('[B09] GraphCallControl: outbound calls', () => {
  it('[B09] placeCall creates the call from the line’s resource account, ringing the agent first; resolves with Graph’s id', async () => {
    fake.on(
      when('POST', '/communications/calls', { status: 201, body: { id: 'graph-call-9', state: 'establishing' } })
    );
    const placed = await control().placeCall({
      type: 'PlaceCall',
      callId: 'dial:c1',
      teamsUserId: AGENT,
      lineNumber: LINE
    });
    assert.deepEqual(placed, { callId: 'graph-call-9', tenantId: TENANT });
    const [request] = fake.requests;
    const body = request?.body as Record<string, unknown>;
    assert.equal(request?.method, 'POST');
    assert.equal(body['callbackUri'], 'https://relay.example/api/calling');
    assert.deepEqual(body['source'], {
      '@odata.type': '#microsoft.graph.participantInfo',
      identity: {
        '@odata.type': '#microsoft.graph.identitySet',
        applicationInstance: { '@odata.type': '#microsoft.graph.identity', id: RESOURCE_ACCOUNT }
      }
    });
    assert.deepEqual(body['targets'], [
      {
        '@odata.type': '#microsoft.graph.invitationParticipantInfo',
        identity: {
          '@odata.type': '#microsoft.graph.identitySet',
          user: { '@odata.type': '#microsoft.graph.identity', id: AGENT }
        }
      }
    ]);
    assert.deepEqual(body['requestedModalities'], ['audio']);
    assert.equal(body['tenantId'], TENANT);
  });

  it('[B09] placeCall refuses a line without a resource account (nothing is sent) and a Graph refusal', async () => {
    await assert.rejects(
      control({}).placeCall({ type: 'PlaceCall', callId: 'dial:c2', teamsUserId: AGENT, lineNumber: LINE }),
      /no resource account/
    );
    assert.equal(fake.requests.length, 0);
    fake.on(when('POST', '/communications/calls', { status: 403, body: { error: { code: '7505', message: 'no' } } }));
    await assert.rejects(
      control().placeCall({ type: 'PlaceCall', callId: 'dial:c3', teamsUserId: AGENT, lineNumber: LINE }),
      GraphRequestError
    );
    fake.on(when('POST', '/communications/calls', { status: 201, body: {} }));
    await assert.rejects(
      control().placeCall({ type: 'PlaceCall', callId: 'dial:c4', teamsUserId: AGENT, lineNumber: LINE }),
      /no id/
    );
  });

  it('[B09] inviteNumber invites the number as a phone identity into the established call', async () => {
    fake.on(
      when('POST', '/communications/calls/graph-call-9/participants/invite', { status: 200, body: { id: 'op-1' } })
    );
    await control().inviteNumber({
      type: 'InviteNumber',
      callId: 'graph-call-9',
      tenantId: TENANT,
      phoneNumber: '+447700900555'
    });
    const body = fake.requests[0]?.body as { participants: Array<{ identity: Record<string, unknown> }> };
    assert.deepEqual(body.participants[0]?.identity['phone'], {
      '@odata.type': '#microsoft.graph.identity',
      id: '+447700900555'
    });
  });
});
