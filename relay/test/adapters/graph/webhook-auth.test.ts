import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import {
  CallbackTokens,
  callbackTokenFromUrl,
  WebhookAuthenticator
} from '../../../src/adapters/graph/webhook-auth.ts';

const APP_ID = '0efc74f7-41c3-47a4-8775-7259bfef4241';
const TENANT = '1fdd12d0-4620-44ed-baec-459b611f84b2';
const ISSUER = 'https://api.botframework.com';

let server: Server;
let baseUrl: string;
let signingKey: CryptoKey;
let otherKey: CryptoKey;
let rotatedKey: CryptoKey;
const published: JWK[] = [];
let jwksRequests = 0;
let metadataRequests = 0;

before(async () => {
  ({ privateKey: signingKey } = await generateKeyPair('RS256', { extractable: true }).then(async (pair) => {
    published.push({ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' });
    return pair;
  }));
  ({ privateKey: otherKey } = await generateKeyPair('RS256'));
  const rotated = await generateKeyPair('RS256');
  rotatedKey = rotated.privateKey;
  const rotatedJwk = { ...(await exportJWK(rotated.publicKey)), kid: 'k2', alg: 'RS256', use: 'sig' };

  server = createServer((req, res) => {
    if (req.url === '/metadata') {
      metadataRequests += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${baseUrl}/jwks` }));
      return;
    }
    if (req.url === '/jwks') {
      jwksRequests += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
      return;
    }
    if (req.url === '/rotate') {
      published.push(rotatedJwk);
      res.end('ok');
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function authenticator(overrides: Partial<ConstructorParameters<typeof WebhookAuthenticator>[0]> = {}) {
  return new WebhookAuthenticator({
    appId: APP_ID,
    allowedTenantIds: [TENANT],
    openIdMetadataUrls: [`${baseUrl}/metadata`],
    ...overrides
  });
}

interface TokenSpec {
  key?: CryptoKey | Uint8Array;
  alg?: string;
  kid?: string;
  iss?: string;
  aud?: string;
  tid?: string | null;
  expiresIn?: number;
  notBeforeIn?: number;
  issuedIn?: number;
}

async function token(spec: TokenSpec = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {};
  if (spec.tid !== null) claims['tid'] = spec.tid ?? TENANT;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: spec.alg ?? 'RS256', kid: spec.kid ?? 'k1', typ: 'JWT' })
    .setIssuer(spec.iss ?? ISSUER)
    .setAudience(spec.aud ?? APP_ID)
    .setIssuedAt(now + (spec.issuedIn ?? 0))
    .setNotBefore(now + (spec.notBeforeIn ?? 0))
    .setExpirationTime(now + (spec.expiresIn ?? 3600));
  return jwt.sign(spec.key ?? signingKey);
}

describe('WebhookAuthenticator (graph-calls.md §4)', () => {
  it('[B15] a burst of webhooks before the keys are loaded fetches the metadata and the JWKS once, and all pass', async () => {
    const auth = authenticator();
    const [metadataBefore, jwksBefore] = [metadataRequests, jwksRequests];
    const bearer = `Bearer ${await token()}`;
    const results = await Promise.all(Array.from({ length: 20 }, () => auth.authenticate(bearer)));
    assert.ok(results.every((result) => result.ok));
    assert.equal(metadataRequests - metadataBefore, 1);
    assert.equal(jwksRequests - jwksBefore, 1);
  });

  it('[contract] accepts a valid RS256 calling token and returns its tenant', async () => {
    const result = await authenticator().authenticate(`Bearer ${await token()}`);
    assert.equal(result.ok, true);
    assert.equal(result.ok && result.tenantId, TENANT);
  });

  it('[contract] accepts the Graph issuer the official sample also allows', async () => {
    const result = await authenticator().authenticate(`Bearer ${await token({ iss: 'https://graph.microsoft.com' })}`);
    assert.equal(result.ok, true);
  });

  it('[contract] rejects a token signed by another key under a known kid', async () => {
    const result = await authenticator().authenticate(`Bearer ${await token({ key: otherKey })}`);
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [401, 'bad-signature']);
  });

  it('[contract] rejects an expired token beyond the clock skew', async () => {
    const result = await authenticator().authenticate(`Bearer ${await token({ expiresIn: -120 })}`);
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [401, 'expired']);
  });

  it('[contract] tolerates a token that expired within the allowed skew', async () => {
    const result = await authenticator().authenticate(`Bearer ${await token({ expiresIn: -10 })}`);
    assert.equal(result.ok, true);
  });

  it('[contract] rejects a token that is not valid yet', async () => {
    const result = await authenticator().authenticate(`Bearer ${await token({ notBeforeIn: 600 })}`);
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [401, 'not-yet-valid']);
  });

  it('[contract] rejects a token issued an hour in the future (iat beyond the clock skew)', async () => {
    const result = await authenticator().authenticate(`Bearer ${await token({ issuedIn: 3600, expiresIn: 7200 })}`);
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [401, 'not-yet-valid']);
    const skewed = await authenticator().authenticate(`Bearer ${await token({ issuedIn: 30 })}`);
    assert.equal(skewed.ok, true, 'an iat within the allowed skew is fine');
  });

  it('[contract] rejects a token for another audience', async () => {
    const result = await authenticator().authenticate(`Bearer ${await token({ aud: 'another-app' })}`);
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [401, 'wrong-audience']);
  });

  it('[contract] rejects a token from another issuer', async () => {
    const result = await authenticator().authenticate(
      `Bearer ${await token({ iss: 'https://login.microsoftonline.com/x/v2.0' })}`
    );
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [401, 'wrong-issuer']);
  });

  it('[contract] refuses a tenant that is not on the allow-list with 403', async () => {
    const result = await authenticator().authenticate(
      `Bearer ${await token({ tid: '99999999-0000-0000-0000-000000000000' })}`
    );
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [403, 'tenant-not-allowed']);
  });

  it('[contract] refuses a token without a tid claim with 403', async () => {
    const result = await authenticator().authenticate(`Bearer ${await token({ tid: null })}`);
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [403, 'missing-tenant']);
  });

  it('[contract] rejects a request without an Authorization header', async () => {
    const result = await authenticator().authenticate(undefined);
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [401, 'missing-token']);
  });

  it('[contract] rejects a non-bearer Authorization header', async () => {
    const result = await authenticator().authenticate('Basic dXNlcjpwYXNz');
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [401, 'missing-token']);
  });

  it('[contract] rejects garbage in place of a JWT', async () => {
    const result = await authenticator().authenticate('Bearer not-a-jwt');
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [401, 'malformed-token']);
  });

  it('[contract] rejects an unsigned alg=none token', async () => {
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISSUER, aud: APP_ID, tid: TENANT, exp: now + 600 })}.`;
    const result = await authenticator().authenticate(`Bearer ${unsigned}`);
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [401, 'algorithm-not-allowed']);
  });

  it('[contract] rejects an HS256 token (no algorithm confusion)', async () => {
    const hs = await token({ alg: 'HS256', key: new TextEncoder().encode('x'.repeat(32)) });
    const result = await authenticator().authenticate(`Bearer ${hs}`);
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [401, 'algorithm-not-allowed']);
  });

  it('[contract] rejects a kid the JWKS does not know', async () => {
    const result = await authenticator().authenticate(`Bearer ${await token({ kid: 'nope', key: otherKey })}`);
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [401, 'unknown-key']);
  });

  it('[contract] answers 503 when the signing keys cannot be fetched, so Graph retries', async () => {
    const result = await authenticator({ openIdMetadataUrls: [`${baseUrl}/missing`] }).authenticate(
      `Bearer ${await token()}`
    );
    assert.deepEqual(result.ok ? null : [result.status, result.reason], [503, 'keys-unavailable']);
  });

  it('[contract] refetches the JWKS on an unknown kid and accepts a rotated key', async () => {
    const auth = authenticator({ jwksCooldownMs: 0 });
    assert.equal((await auth.authenticate(`Bearer ${await token()}`)).ok, true);
    const fetchesBeforeRotation = jwksRequests;
    await fetch(`${baseUrl}/rotate`);
    const rotated = await auth.authenticate(`Bearer ${await token({ kid: 'k2', key: rotatedKey })}`);
    assert.equal(rotated.ok, true);
    assert.equal(jwksRequests, fetchesBeforeRotation + 1);
  });
});

describe('CallbackTokens', () => {
  const tokens = new CallbackTokens('s'.repeat(48));

  it('[contract] accepts the token minted for the same call', () => {
    const uri = tokens.callbackUri('https://relay.example.com/api/calling/callback', 'call-1');
    assert.equal(tokens.verify('call-1', callbackTokenFromUrl(uri)), true);
  });

  it('[contract] refuses a token minted for another call', () => {
    assert.equal(tokens.verify('call-2', tokens.tokenFor('call-1')), false);
  });

  it('[contract] refuses a missing token', () => {
    assert.equal(
      tokens.verify('call-1', callbackTokenFromUrl('https://relay.example.com/api/calling/callback')),
      false
    );
  });

  it('[contract] refuses a token from another secret', () => {
    const other = new CallbackTokens('o'.repeat(48));
    assert.equal(tokens.verify('call-1', other.tokenFor('call-1')), false);
  });

  it('[contract] refuses to run with a short secret', () => {
    assert.throws(() => new CallbackTokens('short'), /at least 32 bytes/);
  });
});
