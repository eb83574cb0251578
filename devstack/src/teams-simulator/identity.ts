// DEVELOPMENT ONLY — the Microsoft identity platform's discovery documents, as msal's production path reads them:
// OpenID Connect metadata at /{tenant}/v2.0/.well-known/openid-configuration, the token signing keys at
// /{tenant}/discovery/v2.0/keys and cloud instance discovery at /common/discovery/instance
// (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc, "Find your app's OpenID configuration
// document URI"). An unknown tenant is AADSTS90002, as Entra ID answers.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SigningKey } from '../keys/index.ts';

export interface IdentityOptions {
  tenantId: string;
  /** The simulator's https base URL (known once it listens). */
  baseUrl(): string;
  tokenKey: SigningKey;
}

/** Entra ID's error body for the v2.0 endpoints. */
export function aadError(reply: FastifyReply, status: number, error: string, code: number, description: string) {
  return reply.code(status).send({
    error,
    error_description: `AADSTS${code}: ${description}`,
    error_codes: [code],
    timestamp: new Date().toISOString()
  });
}

export function registerIdentityDiscovery(app: FastifyInstance, options: IdentityOptions): void {
  const known = (tenant: string) => tenant === options.tenantId || tenant === 'organizations';

  app.get<{ Params: { tenant: string } }>('/:tenant/v2.0/.well-known/openid-configuration', async (req, reply) => {
    const { tenant } = req.params;
    if (!known(tenant)) {
      return aadError(reply, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
    }
    const base = `${options.baseUrl()}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'name', 'tid', 'oid'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com'
    };
  });

  app.get<{ Params: { tenant: string } }>('/:tenant/discovery/v2.0/keys', async (req, reply) => {
    if (!known(req.params.tenant)) {
      return aadError(reply, 400, 'invalid_tenant', 90002, `Tenant '${req.params.tenant}' not found.`);
    }
    return { keys: [{ ...options.tokenKey.publicJwk, use: 'sig' }] };
  });

  // Cloud instance discovery: which host names are one cloud, and where a tenant's OpenID document lives.
  app.get<{ Querystring: { authorization_endpoint?: string } }>('/common/discovery/instance', async (req, reply) => {
    const endpoint = req.query.authorization_endpoint ?? '';
    const tenant = /^https:\/\/[^/]+\/([^/]+)\/oauth2\/v2\.0\/authorize$/.exec(endpoint)?.[1];
    if (!tenant) {
      return aadError(reply, 400, 'invalid_instance', 50049, "Unknown or invalid instance: 'authorization_endpoint'.");
    }
    const host = new URL(options.baseUrl()).host;
    return {
      tenant_discovery_endpoint: `${options.baseUrl()}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }]
    };
  });
}
