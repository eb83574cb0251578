import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { exportPKCS8, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import {
  JWT_BEARER_GRANT,
  JwtBearerAuth,
  OrgMismatchError,
  SalesforceAuthError,
  sameOrg
} from '../../../src/adapters/salesforce/jwt-bearer-auth.ts';

const ORG = '00D000000000001EAA';
const OTHER_ORG = '00D000000000999EAA';
const USER = '005000000000001AAA';
const CLIENT_ID = 'eca-consumer-key';
const USERNAME = 'relay@example.com.integration';

let server: Server;
let baseUrl: string;
let publicKey: CryptoKey;
let privatePem: string;
let otherPem: string;
/** Org the fake token endpoint claims the user belongs to. */
let tokenOrg = ORG;
let issued = 0;
let validToken = '';
const assertionsSeen: Record<string, unknown>[] = [];

before(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  publicKey = pair.publicKey;
  privatePem = await exportPKCS8(pair.privateKey);
  otherPem = await exportPKCS8((await generateKeyPair('RS256', { extractable: true })).privateKey);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req.method ?? '', req.url ?? '', req.headers.authorization, Buffer.concat(chunks).toString()).then(
        ({ status, body }) => {
          res.statusCode = status;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(body));
        }
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  tokenOrg = ORG;
  issued = 0;
  assertionsSeen.length = 0;
});

/** A token endpoint that verifies the assertion like Salesforce does (signature, iss, sub, aud, short exp). */
async function handle(method: string, url: string, authorization: string | undefined, body: string) {
  if (method === 'POST' && url === '/services/oauth2/token') {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== JWT_BEARER_GRANT) return { status: 400, body: { error: 'unsupported_grant_type' } };
    try {
      const { payload } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
        algorithms: ['RS256'],
        issuer: CLIENT_ID,
        subject: USERNAME,
        audience: baseUrl,
        maxTokenAge: '5m'
      });
      if ((payload.exp ?? 0) - (payload.iat ?? 0) > 300) throw new Error('assertion lives too long');
      assertionsSeen.push(payload);
    } catch (error) {
      return { status: 400, body: { error: 'invalid_grant', error_description: String(error) } };
    }
    issued += 1;
    validToken = `00D!token-${issued}`;
    return {
      status: 200,
      body: {
        access_token: validToken,
        instance_url: baseUrl,
        id: `${baseUrl}/id/${tokenOrg}/${USER}`,
        token_type: 'Bearer',
        issued_at: String(Date.now())
      }
    };
  }
  if (method === 'GET' && url.startsWith('/services/data/v66.0/query')) {
    if (authorization !== `Bearer ${validToken}`) {
      return { status: 401, body: [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }] };
    }
    return { status: 200, body: { totalSize: 1, done: true, records: [{ Id: USER }] } };
  }
  return { status: 404, body: [{ errorCode: 'NOT_FOUND', message: url }] };
}

const auth = (pem = privatePem) =>
  new JwtBearerAuth({ loginUrl: baseUrl, clientId: CLIENT_ID, username: USERNAME, privateKeyPem: pem, orgId: ORG });

describe('JwtBearerAuth (salesforce.md §2)', () => {
  it('[contract] exchanges a signed short-lived assertion for a session bound to the configured org', async () => {
    const session = await auth().getSession();
    assert.deepEqual(session, { accessToken: '00D!token-1', instanceUrl: baseUrl, organizationId: ORG, userId: USER });
    assert.equal(assertionsSeen[0]?.['sub'], USERNAME);
    assert.ok(Number(assertionsSeen[0]?.['exp']) - Number(assertionsSeen[0]?.['iat']) <= 180);
  });

  it('[contract] refuses a token issued for another org and keeps no token', async () => {
    tokenOrg = OTHER_ORG;
    const a = auth();
    await assert.rejects(
      a.getSession(),
      (error: unknown) => error instanceof OrgMismatchError && error.actualOrgId === OTHER_ORG
    );
    assert.ok(!a.connection.accessToken);
  });

  it('[contract] an assertion signed with the wrong key is refused by the token endpoint', async () => {
    await assert.rejects(
      auth(otherPem).getSession(),
      (error: unknown) => error instanceof SalesforceAuthError && /invalid_grant/.test(error.message)
    );
  });

  it('[B01] an expired session mid-stream is renewed with a fresh assertion and the request succeeds', async () => {
    const a = auth();
    await a.getSession();
    validToken = 'rotated-by-server';
    const result = await a.connection.query<{ Id: string }>('SELECT Id FROM User LIMIT 1');
    assert.equal(result.records[0]?.Id, USER);
    assert.equal(issued, 2);
    assert.equal((await a.getSession()).accessToken, '00D!token-2');
  });

  it('[contract] concurrent re-authentications share one token exchange', async () => {
    const a = auth();
    const [s1, s2] = await Promise.all([a.authenticate(), a.authenticate()]);
    assert.equal(s1.accessToken, s2.accessToken);
    assert.equal(issued, 1);
  });

  it('[contract] session listeners receive each new session (shared with the Pub/Sub client)', async () => {
    const a = auth();
    const seen: string[] = [];
    a.onSession((s) => seen.push(s.accessToken));
    await a.authenticate();
    await a.authenticate();
    assert.deepEqual(seen, ['00D!token-1', '00D!token-2']);
  });

  it('[contract] refuses to start with a malformed org id', () => {
    assert.throws(
      () =>
        new JwtBearerAuth({
          loginUrl: baseUrl,
          clientId: CLIENT_ID,
          username: USERNAME,
          privateKeyPem: privatePem,
          orgId: 'not-an-id'
        }),
      /15 or 18 character/
    );
  });

  it('[contract] org ids compare on their 15-character form', () => {
    assert.equal(sameOrg('00D000000000001', ORG), true);
    assert.equal(sameOrg('00d000000000001EAA', ORG), false);
  });
});
