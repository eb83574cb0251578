// [B10] Agent-stream tokens: only a JWT that Apex signed (Auth.JWS with the org's certificate) for this org, for a
// user, unexpired and unaltered, opens a stream. Keys and certificates are made here; Salesforce exports PEM.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import { exportSPKI, generateKeyPair, importPKCS8, SignJWT, type CryptoKey } from 'jose';
import {
  importStreamKey,
  STREAM_AUDIENCE,
  StreamTokenVerifier
} from '../../../src/adapters/salesforce/stream-token.ts';

const require = createRequire(import.meta.url);
const selfsigned = require('selfsigned') as {
  generate(attrs: unknown[], options: unknown): Promise<{ private: string; cert: string }>;
};

const ORG = '00D000000000001AAA';
const USER = '005000000000001AAA';
const NOW_S = 1_800_000_000;

interface Claims {
  sub?: string;
  iss?: string;
  aud?: string;
  exp?: number;
  iat?: number;
}
/** What `new Auth.JWS(jwt, certName).getCompactSerialization()` produces: an RS256 JWT. */
const mint = (key: CryptoKey, claims: Claims, alg = 'RS256'): Promise<string> => {
  const jwt = new SignJWT({}).setProtectedHeader({ alg, typ: 'JWT' });
  if (claims.sub) jwt.setSubject(claims.sub);
  if (claims.iss) jwt.setIssuer(claims.iss);
  if (claims.aud) jwt.setAudience(claims.aud);
  if (claims.exp) jwt.setExpirationTime(claims.exp);
  if (claims.iat) jwt.setIssuedAt(claims.iat);
  return jwt.sign(key);
};
const good: Claims = { sub: USER, iss: ORG, aud: STREAM_AUDIENCE, iat: NOW_S - 10, exp: NOW_S + 300 };

describe('[B10] stream token', () => {
  let current: { privateKey: CryptoKey; publicKey: CryptoKey };
  let previous: { privateKey: CryptoKey; publicKey: CryptoKey };
  let stranger: { privateKey: CryptoKey; publicKey: CryptoKey };
  let verifier: StreamTokenVerifier;

  before(async () => {
    current = await generateKeyPair('RS256');
    previous = await generateKeyPair('RS256');
    stranger = await generateKeyPair('RS256');
    verifier = new StreamTokenVerifier({
      keys: [current.publicKey, previous.publicKey],
      orgId: ORG,
      now: () => NOW_S * 1000
    });
  });

  it('accepts a token signed with the current or the previous certificate (rotation), for the user it names', async () => {
    for (const pair of [current, previous]) {
      assert.deepEqual(await verifier.verify(await mint(pair.privateKey, good)), {
        ok: true,
        userId: USER,
        orgId: ORG,
        expiresAtMs: (good.exp! + 30) * 1000
      });
    }
  });

  it("reads the org's certificate as Salesforce exports it (PEM X.509), or a PEM public key", async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'TeamsSoftphoneStream' }], {
      keySize: 2048,
      algorithm: 'sha256'
    });
    const fromCert = await importStreamKey(pems.cert);
    const signer = await importPKCS8(pems.private, 'RS256');
    const certVerifier = new StreamTokenVerifier({ keys: [fromCert], orgId: ORG, now: () => NOW_S * 1000 });
    assert.equal((await certVerifier.verify(await mint(signer, good))).ok, true);
    const fromSpki = await importStreamKey(await exportSPKI(current.publicKey));
    const spkiVerifier = new StreamTokenVerifier({ keys: [fromSpki], orgId: ORG, now: () => NOW_S * 1000 });
    assert.equal((await spkiVerifier.verify(await mint(current.privateKey, good))).ok, true);
  });

  it('accepts the 15-character form of the org id', async () => {
    const result = await verifier.verify(await mint(current.privateKey, { ...good, iss: ORG.slice(0, 15) }));
    assert.equal(result.ok, true);
  });

  const refusals: Array<[string, () => Promise<string | undefined>, string]> = [
    ['no token', () => Promise.resolve(undefined), 'no token'],
    ['garbage', () => Promise.resolve('hello'), 'not a stream token'],
    ['a token signed by an unknown key (forged)', () => mint(stranger.privateKey, good), 'bad signature'],
    [
      'a payload changed after signing (another user)',
      async () => {
        const [header, , signature] = (await mint(current.privateKey, good)).split('.');
        const forged = Buffer.from(JSON.stringify({ ...good, sub: '005000000000002AAA' })).toString('base64url');
        return `${header}.${forged}.${signature}`;
      },
      'bad signature'
    ],
    ['another org', () => mint(current.privateKey, { ...good, iss: '00D000000000009AAA' }), 'minted by another org'],
    ['another audience', () => mint(current.privateKey, { ...good, aud: 'someone-else' }), 'claim aud invalid'],
    ['expired', () => mint(current.privateKey, { ...good, iat: NOW_S - 400, exp: NOW_S - 100 }), 'expired'],
    [
      'a lifetime over 15 minutes',
      () => mint(current.privateKey, { ...good, exp: NOW_S + 3600 }),
      'lifetime out of range'
    ],
    ['not a user id', () => mint(current.privateKey, { ...good, sub: '00Q000000000001AAA' }), 'sub is not a user id'],
    ['no expiry', () => mint(current.privateKey, { sub: USER, iss: ORG, aud: STREAM_AUDIENCE }), 'claim exp invalid'],
    [
      'an HMAC token (algorithm confusion)',
      () =>
        new SignJWT({ sub: USER, iss: ORG, aud: STREAM_AUDIENCE, exp: NOW_S + 60 })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode('k'.repeat(32))),
      'algorithm not allowed'
    ]
  ];
  for (const [name, token, reason] of refusals) {
    it(`refuses ${name}`, async () => {
      assert.deepEqual(await verifier.verify(await token()), { ok: false, reason });
    });
  }

  it('refuses a token replayed after it expired, though it was good before', async () => {
    let now = NOW_S * 1000;
    const clocked = new StreamTokenVerifier({ keys: [current.publicKey], orgId: ORG, now: () => now });
    const token = await mint(current.privateKey, good);
    assert.equal((await clocked.verify(token)).ok, true);
    now = (good.exp! + 31) * 1000;
    assert.deepEqual(await clocked.verify(token), { ok: false, reason: 'expired' });
  });

  it('refuses to start without a certificate', () => {
    assert.throws(() => new StreamTokenVerifier({ keys: [], orgId: ORG }), /at least one certificate/);
  });
});
