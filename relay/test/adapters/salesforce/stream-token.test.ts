// [B10] Agent-stream tokens: only a token Apex minted for this org, unexpired and unaltered, opens a stream.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { mintStreamToken, StreamTokenVerifier } from '../../../src/adapters/salesforce/stream-token.ts';

const SECRET = randomBytes(32);
const OLD_SECRET = randomBytes(32);
const ORG = '00D000000000001AAA';
const USER = '005000000000001AAA';
const NOW_S = 1_800_000_000;
const verifier = new StreamTokenVerifier({ secrets: [SECRET, OLD_SECRET], orgId: ORG, now: () => NOW_S * 1000 });
const claims = { sub: USER, org: ORG, iat: NOW_S - 10, exp: NOW_S + 300 };

describe('[B10] stream token', () => {
  it('accepts a token minted with the current or the previous secret (rotation), for the user it names', () => {
    for (const secret of [SECRET, OLD_SECRET]) {
      const result = verifier.verify(mintStreamToken(secret, claims));
      assert.deepEqual(result, { ok: true, userId: USER, orgId: ORG, expiresAtMs: (claims.exp + 30) * 1000 });
    }
  });

  it('accepts the 15-character form of the org id the relay is configured with', () => {
    const result = verifier.verify(mintStreamToken(SECRET, { ...claims, org: ORG.slice(0, 15) }));
    assert.equal(result.ok, true);
  });

  const refusals: Array<[string, string | undefined, string]> = [
    ['no token', undefined, 'no token'],
    ['garbage', 'hello', 'not a v1 stream token'],
    ['another version', mintStreamToken(SECRET, claims).replace(/^v1/, 'v2'), 'not a v1 stream token'],
    ['an unknown secret (forged)', mintStreamToken(randomBytes(32), claims), 'bad signature'],
    [
      'a payload changed after signing (another user)',
      (() => {
        const [v, , sig] = mintStreamToken(SECRET, claims).split('.');
        const forged = Buffer.from(JSON.stringify({ ...claims, sub: '005000000000002AAA' })).toString('base64url');
        return `${v}.${forged}.${sig}`;
      })(),
      'bad signature'
    ],
    ['another org', mintStreamToken(SECRET, { ...claims, org: '00D000000000009AAA' }), 'minted by another org'],
    ['expired', mintStreamToken(SECRET, { ...claims, iat: NOW_S - 400, exp: NOW_S - 100 }), 'expired'],
    [
      'issued in the future',
      mintStreamToken(SECRET, { ...claims, iat: NOW_S + 120, exp: NOW_S + 400 }),
      'issued in the future'
    ],
    ['a lifetime over 15 minutes', mintStreamToken(SECRET, { ...claims, exp: NOW_S + 3600 }), 'lifetime out of range'],
    ['not a user id', mintStreamToken(SECRET, { ...claims, sub: '00Q000000000001AAA' }), 'sub is not a user id'],
    ['a non-JSON payload', `v1.${Buffer.from('nope').toString('base64url')}.x`, 'bad signature']
  ];
  for (const [name, token, reason] of refusals) {
    it(`refuses ${name}`, () => {
      assert.deepEqual(verifier.verify(token), { ok: false, reason });
    });
  }

  it('refuses a token replayed after it expired, though it was good before', () => {
    let now = NOW_S * 1000;
    const clocked = new StreamTokenVerifier({ secrets: [SECRET], orgId: ORG, now: () => now });
    const token = mintStreamToken(SECRET, claims);
    assert.equal(clocked.verify(token).ok, true);
    now = (claims.exp + 31) * 1000;
    assert.deepEqual(clocked.verify(token), { ok: false, reason: 'expired' });
  });

  it('refuses to start with a secret too short to be safe', () => {
    assert.throws(() => new StreamTokenVerifier({ secrets: [randomBytes(16)], orgId: ORG }), /32 bytes/);
    assert.throws(() => new StreamTokenVerifier({ secrets: [], orgId: ORG }), /at least one/);
  });
});
