// Conformance of the Teams simulator, through @azure/msal-node (production discovery path, no static metadata) and
// @microsoft/microsoft-graph-client. Documented behaviour checked:
//   OIDC = Microsoft identity platform, "OpenID Connect on the Microsoft identity platform": the metadata document at
//          {authority}/v2.0/.well-known/openid-configuration names the token endpoint msal uses
//          https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc
//   ERR  = Microsoft Graph, "Error responses": {"error":{"code","message","innerError"}}
//          https://learn.microsoft.com/graph/errors
//   SET  = presence: setPresence, "Supported combinations" and expirationDuration PT5M–PT4H
//          https://learn.microsoft.com/graph/api/presence-setpresence
//   PREF = presence: setUserPreferredPresence, "Supported combinations"
//          https://learn.microsoft.com/graph/api/presence-setuserpreferredpresence
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions } from '@azure/msal-node';
import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { Agent, setGlobalDispatcher } from 'undici';
import { start, type TeamsSimulator } from '../../src/teams-simulator/server.ts';
import { DEMO_AGENTS } from '../../src/teams-simulator/directory.ts';

const SECRET = 'conformance-secret-not-real';

describe('Teams simulator conformance (msal-node, microsoft-graph-client)', () => {
  let sim: TeamsSimulator;
  let graph: Client;

  /** msal's own network module would use node:https without the simulator's CA; this one trusts it (only it). */
  const network: INetworkModule = {
    sendGetRequestAsync: (url, o) => send('GET', url, o),
    sendPostRequestAsync: (url, o) => send('POST', url, o)
  };
  async function send<T>(method: string, url: string, options?: NetworkRequestOptions) {
    const res = await fetch(url, { method, headers: options?.headers, body: options?.body });
    const text = await res.text();
    return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body: JSON.parse(text) as T };
  }
  const msal = (tenantId: string) =>
    new ConfidentialClientApplication({
      auth: {
        clientId: sim.botAppId,
        clientSecret: SECRET,
        authority: `${sim.url}/${tenantId}`,
        // Not a Microsoft cloud host: msal skips cloud instance discovery and reads the tenant's OpenID document.
        knownAuthorities: [new URL(sim.url).host]
      },
      system: { networkClient: network }
    });

  before(async () => {
    sim = await start({ notificationUrl: 'https://127.0.0.1:9/unused', clientSecret: SECRET });
    setGlobalDispatcher(new Agent({ connect: { ca: sim.tls.cert } }));
    const token = await msal(sim.tenantId).acquireTokenByClientCredential({
      scopes: ['https://graph.microsoft.com/.default']
    });
    graph = Client.init({
      baseUrl: `${sim.url}/`,
      defaultVersion: 'v1.0',
      // The client sends the token only to Graph hosts and the custom hosts listed here.
      customHosts: new Set([new URL(sim.url).hostname]),
      authProvider: (done) => done(null, token!.accessToken)
    });
  });
  after(async () => {
    await sim.stop();
  });

  describe('identity (OIDC)', () => {
    it('[S01] msal-node gets a Graph token through OpenID discovery, with no static authority metadata', async () => {
      const result = await msal(sim.tenantId).acquireTokenByClientCredential({
        scopes: ['https://graph.microsoft.com/.default']
      });
      assert.ok(result?.accessToken);
      const doc = (await (await fetch(`${sim.url}/${sim.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as {
        token_endpoint: string;
        issuer: string;
        jwks_uri: string;
      };
      assert.equal(doc.token_endpoint, `${sim.url}/${sim.tenantId}/oauth2/v2.0/token`);
      const keys = (await (await fetch(doc.jwks_uri)).json()) as { keys: { kid: string }[] };
      const kid = JSON.parse(Buffer.from(result.accessToken.split('.')[0]!, 'base64url').toString()) as { kid: string };
      assert.ok(
        keys.keys.some((k) => k.kid === kid.kid),
        'the token is signed by a key the JWKS lists'
      );
    });

    it('[S01] an unknown tenant is refused at discovery (AADSTS90002), so msal issues no token', async () => {
      const res = await fetch(`${sim.url}/not-a-tenant/v2.0/.well-known/openid-configuration`);
      assert.equal(res.status, 400);
      assert.deepEqual(((await res.json()) as { error_codes: number[] }).error_codes, [90002]);
      await assert.rejects(
        msal('not-a-tenant').acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })
      );
    });
  });

  describe('Graph errors (ERR)', () => {
    it('[S01] a route the simulator does not serve is a Graph-shaped error, never a success', async () => {
      await assert.rejects(
        async () => graph.api('/subscriptions').get(),
        (e: GraphError) => {
          assert.equal(e.statusCode, 400);
          assert.equal(e.code, 'BadRequest');
          assert.match(e.message, /not implemented by the simulator/);
          return true;
        }
      );
    });

    it('[S01] a body that is not JSON is a Graph-shaped BadRequest', async () => {
      const res = await fetch(`${sim.url}/v1.0/users/${DEMO_AGENTS[0]!.id}/presence/setPresence`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await tokenOf()}`,
          'content-type': 'application/json'
        },
        body: '{nope'
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: { code: string; message: string; innerError: unknown } };
      assert.equal(body.error.code, 'BadRequest');
      assert.ok(body.error.innerError);
    });
  });

  describe('presence writes (SET, PREF)', () => {
    const user = DEMO_AGENTS[1]!.id;
    const set = (body: Record<string, unknown>) =>
      graph.api(`/users/${user}/presence/setPresence`).post({ sessionId: sim.botAppId, ...body });

    it('[B05] setPresence accepts the documented pairs within PT5M–PT4H', async () => {
      await set({ availability: 'Busy', activity: 'InACall', expirationDuration: 'PT240M' });
      const presence = (await graph.api(`/users/${user}/presence`).get()) as { availability: string; activity: string };
      assert.deepEqual([presence.availability, presence.activity], ['Busy', 'InACall']);
      await graph.api(`/users/${user}/presence/clearPresence`).post({ sessionId: sim.botAppId });
    });

    it('[B05] setPresence refuses a pair Graph does not support (Busy/Away) with 400 BadRequest', async () => {
      await assert.rejects(
        async () => set({ availability: 'Busy', activity: 'Away' }),
        (e: GraphError) => e.statusCode === 400 && e.code === 'BadRequest'
      );
    });

    it('[B05] setPresence refuses an expiration outside PT5M–PT4H', async () => {
      for (const expirationDuration of ['PT4M', 'PT4H1M', 'P1D', 'soon']) {
        await assert.rejects(
          async () => set({ availability: 'Available', activity: 'Available', expirationDuration }),
          (e: GraphError) => e.statusCode === 400,
          expirationDuration
        );
      }
      const presence = (await graph.api(`/users/${user}/presence`).get()) as { availability: string };
      assert.equal(presence.availability, 'Available');
    });

    it('[B05] setUserPreferredPresence refuses a pair outside its list (Busy/InACall) and accepts DoNotDisturb', async () => {
      await assert.rejects(
        async () =>
          graph
            .api(`/users/${user}/presence/setUserPreferredPresence`)
            .post({ availability: 'Busy', activity: 'InACall' }),
        (e: GraphError) => e.statusCode === 400
      );
      await graph
        .api(`/users/${user}/presence/setUserPreferredPresence`)
        .post({ availability: 'DoNotDisturb', activity: 'DoNotDisturb', expirationDuration: 'PT1H' });
      const presence = (await graph.api(`/users/${user}/presence`).get()) as { availability: string };
      assert.equal(presence.availability, 'DoNotDisturb');
      await graph.api(`/users/${user}/presence/clearUserPreferredPresence`).post({});
    });
  });

  async function tokenOf(): Promise<string> {
    const r = await msal(sim.tenantId).acquireTokenByClientCredential({
      scopes: ['https://graph.microsoft.com/.default']
    });
    return r!.accessToken;
  }
});
