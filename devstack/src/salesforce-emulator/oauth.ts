// OAuth 2.0 JWT bearer grant, checked the way Salesforce documents it (salesforce.md §2).
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { decodeJwt, jwtVerify, type JWTPayload } from 'jose';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Salesforce wants exp within a few minutes; the emulator allows 5 (pozil's client uses 5). */
const MAX_LIFETIME_S = 300;

export interface OAuthConfig {
  clientId: string;
  username: string;
  /** PEM certificate (as uploaded to the External Client App) or SPKI public key. */
  certificate: string;
  /** Accepted `aud` values; Salesforce accepts the login host (login/test.salesforce.com or My Domain). */
  audiences: string[];
}

export interface OAuthError {
  status: number;
  body: { error: string; error_description: string };
}

export interface Session {
  accessToken: string;
  userId: string;
  issuedAt: number;
}

export class TokenRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(readonly orgId: string) {}

  issue(userId: string): Session {
    const accessToken = `${this.orgId}!${randomBytes(48).toString('base64url')}`;
    const s = { accessToken, userId, issuedAt: Date.now() };
    this.sessions.set(accessToken, s);
    return s;
  }

  lookup(token: string | undefined): Session | undefined {
    return token ? this.sessions.get(token) : undefined;
  }

  revokeAll(): void {
    this.sessions.clear();
  }
}

function publicKeyOf(pem: string): KeyObject {
  return createPublicKey(pem);
}

const err = (error: string, description: string, status = 400): OAuthError => ({
  status,
  body: { error, error_description: description }
});

/** Returns `{ ok: username }` or a Salesforce-shaped error. */
export async function verifyAssertion(
  cfg: OAuthConfig,
  grantType: string | undefined,
  assertion: string | undefined
): Promise<{ ok: true } | { ok: false; error: OAuthError }> {
  if (grantType !== JWT_BEARER) return { ok: false, error: err('unsupported_grant_type', 'grant type not supported') };
  if (!assertion) return { ok: false, error: err('invalid_grant', 'invalid assertion') };
  let claims: JWTPayload;
  try {
    claims = decodeJwt(assertion);
  } catch {
    return { ok: false, error: err('invalid_grant', 'invalid assertion') };
  }
  if (claims.iss !== cfg.clientId) return { ok: false, error: err('invalid_client_id', 'client identifier invalid') };
  try {
    await jwtVerify(assertion, publicKeyOf(cfg.certificate), { algorithms: ['RS256'] });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') return { ok: false, error: err('invalid_grant', 'expired authorization code') };
    return { ok: false, error: err('invalid_grant', 'invalid assertion') };
  }
  const aud: string[] = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
  if (!aud.some((a) => cfg.audiences.includes(a.replace(/\/$/, '')))) {
    return { ok: false, error: err('invalid_grant', 'audience is invalid') };
  }
  if (typeof claims.exp !== 'number' || claims.exp - Date.now() / 1000 > MAX_LIFETIME_S) {
    return { ok: false, error: err('invalid_grant', 'invalid assertion') };
  }
  if (claims.sub !== cfg.username)
    return { ok: false, error: err('invalid_grant', "user hasn't approved this consumer") };
  return { ok: true };
}
