/**
 * Agent-stream tokens (B10): Apex mints one for the running user (`TeamsStreamAccess`), the relay verifies it here
 * and serves that user's events only. No Salesforce session leaves Salesforce.
 *
 * Format: `v1.<payload>.<signature>`, both base64url without padding; payload is JSON
 * `{ "sub": <18-char user id>, "org": <org id>, "iat": <epoch s>, "exp": <epoch s> }`; signature is
 * HMAC-SHA256 over `v1.<payload>` with a 32-byte secret that Apex and the relay share. Rotation: the relay accepts
 * every secret in `RELAY_STREAM_SECRETS` (newest first), so an admin adds the new secret to the relay, then switches
 * Salesforce to it, then removes the old one (docs/install).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface StreamIdentity {
  userId: string;
  orgId: string;
  /** Epoch milliseconds after which the token (and a stream opened with it) is no longer good. */
  expiresAtMs: number;
}

export type StreamTokenResult = ({ ok: true } & StreamIdentity) | { ok: false; reason: string };

export interface StreamTokenVerifierOptions {
  /** Shared secrets, newest first (raw bytes). */
  secrets: readonly Buffer[];
  /** The org the relay serves: tokens minted by another org are refused. */
  orgId: string;
  /** Longest lifetime a token may claim (default 15 minutes). */
  maxLifetimeSeconds?: number;
  /** Clock skew tolerated between Salesforce and the relay (default 30 s). */
  clockToleranceSeconds?: number;
  now?: () => number;
}

const VERSION = 'v1';
const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** The 15-character, case-sensitive form of a Salesforce id: 15- and 18-character ids of one record compare equal. */
const id15 = (id: string): string => id.slice(0, 15);

export class StreamTokenVerifier {
  readonly #options: Required<Omit<StreamTokenVerifierOptions, 'now'>> & { now: () => number };

  constructor(options: StreamTokenVerifierOptions) {
    if (options.secrets.length === 0 || options.secrets.some((s) => s.length < 32))
      throw new Error('stream token secrets: at least one, each of at least 32 bytes');
    this.#options = {
      maxLifetimeSeconds: 15 * 60,
      clockToleranceSeconds: 30,
      now: () => Date.now(),
      ...options
    };
  }

  verify(token: string | undefined): StreamTokenResult {
    if (!token) return { ok: false, reason: 'no token' };
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'not a v1 stream token' };
    const [, payloadText = '', signatureText = ''] = parts;
    const signature = Buffer.from(signatureText, 'base64url');
    const signed = Buffer.from(`${VERSION}.${payloadText}`, 'utf8');
    const genuine = this.#options.secrets.some((secret) => {
      const expected = createHmac('sha256', secret).update(signed).digest();
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    });
    if (!genuine) return { ok: false, reason: 'bad signature' };

    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payloadText, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'payload is not JSON' };
    }
    const { sub, org, iat, exp } = (claims ?? {}) as Record<string, unknown>;
    if (typeof sub !== 'string' || !SALESFORCE_ID.test(sub) || !sub.startsWith('005'))
      return { ok: false, reason: 'sub is not a user id' };
    if (typeof org !== 'string' || !SALESFORCE_ID.test(org) || id15(org) !== id15(this.#options.orgId))
      return { ok: false, reason: 'minted by another org' };
    if (typeof iat !== 'number' || typeof exp !== 'number' || !Number.isFinite(iat) || !Number.isFinite(exp))
      return { ok: false, reason: 'iat and exp must be numbers' };
    const nowSeconds = this.#options.now() / 1000;
    const tolerance = this.#options.clockToleranceSeconds;
    if (exp - iat > this.#options.maxLifetimeSeconds || exp <= iat)
      return { ok: false, reason: 'lifetime out of range' };
    if (iat > nowSeconds + tolerance) return { ok: false, reason: 'issued in the future' };
    if (exp <= nowSeconds - tolerance) return { ok: false, reason: 'expired' };
    return { ok: true, userId: sub, orgId: org, expiresAtMs: (exp + tolerance) * 1000 };
  }
}

/** Mints a token as Apex does (tests, the local stack's emulator, and `relay doctor`). */
export function mintStreamToken(
  secret: Buffer,
  claims: { sub: string; org: string; iat: number; exp: number }
): string {
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  const signature = createHmac('sha256', secret).update(`${VERSION}.${payload}`, 'utf8').digest('base64url');
  return `${VERSION}.${payload}.${signature}`;
}
