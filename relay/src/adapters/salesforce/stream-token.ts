/**
 * Agent-stream tokens (B10). Apex mints one for the running user with `Auth.JWS` and a certificate kept in the org's
 * Certificate and Key Management (RS256; the private key never leaves Salesforce). The relay holds only the
 * certificate (public), verifies the token here with jose, and serves that user's events only. No Salesforce
 * session leaves Salesforce, and no secret is shared.
 *
 * Claims: `iss` = the org id, `aud` = STREAM_AUDIENCE, `sub` = the user id, `exp` at most 15 minutes ahead.
 * Rotation: `RELAY_STREAM_CERTIFICATES` may list several certificates; an admin adds the new one to the relay,
 * switches the org's setting to the new certificate, then removes the old one (docs/install).
 */
import { importSPKI, importX509, jwtVerify, type CryptoKey } from 'jose';

export const STREAM_AUDIENCE = 'teams-softphone-relay';

export interface StreamIdentity {
  userId: string;
  orgId: string;
  /** Epoch milliseconds after which a stream opened with this token must end. */
  expiresAtMs: number;
}

export type StreamTokenResult = ({ ok: true } & StreamIdentity) | { ok: false; reason: string };

export interface StreamTokenVerifierOptions {
  /** Verification keys: the org certificates' public keys (see `importStreamKey`). */
  keys: readonly CryptoKey[];
  /** The org the relay serves: tokens minted by another org are refused. */
  orgId: string;
  /** Longest lifetime a token may have left when it is presented (default 15 minutes). */
  maxLifetimeSeconds?: number;
  /** Clock skew tolerated between Salesforce and the relay (default 30 s). */
  clockToleranceSeconds?: number;
  now?: () => number;
}

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** The 15-character, case-sensitive form of a Salesforce id: 15- and 18-character ids of one record compare equal. */
const id15 = (id: string): string => id.slice(0, 15);

/** A PEM certificate (as Salesforce exports it) or a PEM public key. */
export async function importStreamKey(pem: string): Promise<CryptoKey> {
  return pem.includes('BEGIN CERTIFICATE') ? importX509(pem, 'RS256') : importSPKI(pem, 'RS256');
}

export class StreamTokenVerifier {
  readonly #options: Required<StreamTokenVerifierOptions>;

  constructor(options: StreamTokenVerifierOptions) {
    if (options.keys.length === 0) throw new Error('stream tokens: at least one certificate is needed');
    this.#options = { maxLifetimeSeconds: 15 * 60, clockToleranceSeconds: 30, now: () => Date.now(), ...options };
  }

  async verify(token: string | undefined): Promise<StreamTokenResult> {
    if (!token) return { ok: false, reason: 'no token' };
    const { keys, now, clockToleranceSeconds, maxLifetimeSeconds, orgId } = this.#options;
    let lastReason = 'bad signature';
    for (const key of keys) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['RS256'],
          audience: STREAM_AUDIENCE,
          clockTolerance: clockToleranceSeconds,
          currentDate: new Date(now()),
          requiredClaims: ['exp', 'sub', 'iss']
        });
        const { sub = '', iss = '', exp = 0 } = payload;
        if (!SALESFORCE_ID.test(sub) || !sub.startsWith('005')) return { ok: false, reason: 'sub is not a user id' };
        if (!SALESFORCE_ID.test(iss) || id15(iss) !== id15(orgId))
          return { ok: false, reason: 'minted by another org' };
        if (exp > now() / 1000 + maxLifetimeSeconds + clockToleranceSeconds)
          return { ok: false, reason: 'lifetime out of range' };
        return { ok: true, userId: sub, orgId: iss, expiresAtMs: (exp + clockToleranceSeconds) * 1000 };
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') continue; // perhaps the next (rotated) certificate
        lastReason =
          code === 'ERR_JWT_EXPIRED'
            ? 'expired'
            : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED'
              ? `claim ${String((error as { claim?: string }).claim)} invalid`
              : code === 'ERR_JOSE_ALG_NOT_ALLOWED'
                ? 'algorithm not allowed'
                : 'not a stream token';
        return { ok: false, reason: lastReason };
      }
    }
    return { ok: false, reason: lastReason };
  }
}
