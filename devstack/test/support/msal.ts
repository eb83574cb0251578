// The relay's Graph token client (MSAL, as relay/src/adapters/graph/graph-client.ts configures it for an offline
// authority) pointed at the simulator, with a network module that trusts the simulator's dev certificate.
import {
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse
} from '@azure/msal-node';
import { trustedFetch } from './trust.ts';

function network(): INetworkModule {
  const send = async <T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const res = await trustedFetch(url, { method, headers: options?.headers, body: options?.body });
    const text = await res.text();
    return {
      status: res.status,
      headers: Object.fromEntries(res.headers.entries()),
      body: (text ? JSON.parse(text) : {}) as T
    };
  };
  return { sendGetRequestAsync: (u, o) => send('GET', u, o), sendPostRequestAsync: (u, o) => send('POST', u, o) };
}

export async function msalToken(
  simUrl: string,
  tenantId: string,
  clientId: string,
  clientSecret: string
): Promise<string | undefined> {
  const hostname = 'login.microsoftonline.com';
  const app = new ConfidentialClientApplication({
    auth: {
      clientId,
      clientSecret,
      authority: `https://${hostname}/${tenantId}`,
      knownAuthorities: [hostname],
      authorityMetadata: JSON.stringify({
        token_endpoint: `${simUrl}/${tenantId}/oauth2/v2.0/token`,
        authorization_endpoint: `${simUrl}/${tenantId}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${simUrl}/${tenantId}/oauth2/v2.0/logout`,
        issuer: `${simUrl}/${tenantId}/v2.0`,
        jwks_uri: `${simUrl}/${tenantId}/discovery/v2.0/keys`
      }),
      cloudDiscoveryMetadata: JSON.stringify({
        tenant_discovery_endpoint: `${simUrl}/${tenantId}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: hostname, preferred_cache: hostname, aliases: [hostname] }]
      })
    },
    system: { networkClient: network() }
  });
  const result = await app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
  return result?.accessToken;
}
