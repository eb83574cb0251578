/**
 * Authentication of Graph calling-webhook POSTs (graph-calls.md §4): a bearer JWT signed RS256 by the Teams
 * calling platform, keys from the OpenID metadata's `jwks_uri`, plus an unguessable per-call token embedded in
 * every `callbackUri` the relay hands to Graph (defence in depth, checked on later callbacks).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';

export const SKYPE_OPENID_METADATA_URL = 'https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration';
export const DEFAULT_CALLING_ISSUERS = ['https://api.botframework.com', 'https://graph.microsoft.com'] as const;

export type WebhookAuthFailureReason =
  | 'missing-token'
  | 'malformed-token'
  | 'algorithm-not-allowed'
  | 'bad-signature'
  | 'unknown-key'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'missing-tenant'
  | 'tenant-not-allowed'
  | 'keys-unavailable';

export type WebhookAuthResult =
  | { ok: true; tenantId: string; claims: JWTPayload }
  | { ok: false; status: 401 | 403 | 503; reason: WebhookAuthFailureReason; detail: string };

export interface WebhookAuthOptions {
  /** The bot's app (client) id — the only accepted `aud`. */
  appId: string;
  /** Tenants whose calls this relay serves (`tid` claim). */
  allowedTenantIds: readonly string[];
  /** Defaults to the Skype calling metadata; several are tried in order (the Bot Framework set may sign too). */
  openIdMetadataUrls?: readonly string[];
  allowedIssuers?: readonly string[];
  clockToleranceSeconds?: number;
  /** How long the metadata document (and hence the `jwks_uri`) is trusted; the official sample uses 2 h. */
  metadataTtlMs?: number;
  /** Minimum gap between JWKS refetches triggered by unknown kids (jose's cooldown); 30 s by default. */
  jwksCooldownMs?: number;
  now?: () => number;
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

interface MetadataEntry {
  fetchedAt: number;
  jwksUri: string;
  keySet: KeySet;
}

export class WebhookAuthenticator {
  private readonly metadataUrls: readonly string[];
  private readonly issuers: readonly string[];
  private readonly tenants: ReadonlySet<string>;
  private readonly tolerance: number;
  private readonly ttl: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, MetadataEntry>();
  private readonly loading = new Map<string, Promise<KeySet>>();

  constructor(private readonly options: WebhookAuthOptions) {
    if (!options.appId) throw new Error('WebhookAuthenticator needs the bot app id (audience)');
    this.metadataUrls = options.openIdMetadataUrls ?? [SKYPE_OPENID_METADATA_URL];
    this.issuers = options.allowedIssuers ?? DEFAULT_CALLING_ISSUERS;
    this.tenants = new Set(options.allowedTenantIds.map((t) => t.toLowerCase()));
    this.tolerance = options.clockToleranceSeconds ?? 60;
    this.ttl = options.metadataTtlMs ?? 2 * 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Checks an `Authorization` header value. Never throws: every failure is a typed result with a reason. */
  async authenticate(authorizationHeader: string | undefined): Promise<WebhookAuthResult> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorizationHeader?.trim() ?? '');
    if (!match?.[1]) return fail(401, 'missing-token', 'no bearer token in Authorization header');
    const token = match[1];

    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return fail(401, 'malformed-token', 'token header is not a JWS header');
    }
    if (alg !== 'RS256') return fail(401, 'algorithm-not-allowed', `alg ${String(alg)} is not RS256`);

    let lastUnknownKey: string | undefined;
    for (const url of this.metadataUrls) {
      let keySet: KeySet;
      try {
        keySet = await this.keySetFor(url);
      } catch (error) {
        lastUnknownKey = `metadata ${url} unavailable: ${message(error)}`;
        continue;
      }
      try {
        const { payload } = await jwtVerify(token, keySet, {
          algorithms: ['RS256'],
          issuer: [...this.issuers],
          audience: this.options.appId,
          clockTolerance: this.tolerance,
          currentDate: new Date(this.now()),
          requiredClaims: ['exp']
        });
        // jose checks `iat` only with maxTokenAge; a token issued in the future is as suspect as one not yet valid.
        if (typeof payload.iat === 'number' && payload.iat * 1000 > this.now() + this.tolerance * 1000)
          return fail(401, 'not-yet-valid', 'iat is in the future');
        return this.checkTenant(payload);
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey) {
          // jose already refetched the JWKS once for the unknown kid; try the next metadata set.
          lastUnknownKey = 'no key in the JWKS matches the token kid';
          continue;
        }
        if (isKeyFetchFailure(error)) {
          lastUnknownKey = `keys unavailable: ${message(error)}`;
          continue;
        }
        return classify(error);
      }
    }
    return lastUnknownKey?.startsWith('no key')
      ? fail(401, 'unknown-key', lastUnknownKey)
      : fail(503, 'keys-unavailable', lastUnknownKey ?? 'no OpenID metadata configured');
  }

  private checkTenant(payload: JWTPayload): WebhookAuthResult {
    const tid = payload['tid'];
    if (typeof tid !== 'string' || tid === '') return fail(403, 'missing-tenant', 'token has no tid claim');
    if (!this.tenants.has(tid.toLowerCase())) return fail(403, 'tenant-not-allowed', 'tid is not an allowed tenant');
    return { ok: true, tenantId: tid, claims: payload };
  }

  /**
   * B15: a burst of webhooks arriving before the keys are loaded shares one metadata fetch (and so one key set and
   * one JWKS fetch) instead of each request fetching its own.
   */
  private keySetFor(metadataUrl: string): Promise<KeySet> {
    const cached = this.cache.get(metadataUrl);
    if (cached && this.now() - cached.fetchedAt < this.ttl) return Promise.resolve(cached.keySet);
    let loading = this.loading.get(metadataUrl);
    if (!loading) {
      loading = this.loadKeySet(metadataUrl).finally(() => this.loading.delete(metadataUrl));
      this.loading.set(metadataUrl, loading);
    }
    return loading;
  }

  private async loadKeySet(metadataUrl: string): Promise<KeySet> {
    const cached = this.cache.get(metadataUrl);
    const response = await fetch(metadataUrl, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as { jwks_uri?: unknown };
    if (typeof body.jwks_uri !== 'string') throw new Error('metadata has no jwks_uri');
    if (cached && cached.jwksUri === body.jwks_uri) {
      cached.fetchedAt = this.now();
      return cached.keySet;
    }
    // createRemoteJWKSet caches the key set and refetches it (once, rate-limited) when a kid is unknown.
    const keySet = createRemoteJWKSet(new URL(body.jwks_uri), {
      timeoutDuration: 5000,
      cooldownDuration: this.options.jwksCooldownMs ?? 30_000
    });
    this.cache.set(metadataUrl, { fetchedAt: this.now(), jwksUri: body.jwks_uri, keySet });
    return keySet;
  }
}

/** Network/HTTP failures while loading keys are our problem, not the caller's: answer 503 so Graph retries. */
function isKeyFetchFailure(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (!(error instanceof errors.JOSEError)) return true;
  return error.code === 'ERR_JOSE_GENERIC';
}

function classify(error: unknown): WebhookAuthResult {
  if (error instanceof errors.JWTExpired) return fail(401, 'expired', 'token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return fail(401, 'wrong-issuer', 'issuer is not an allowed calling issuer');
    if (error.claim === 'aud') return fail(401, 'wrong-audience', 'audience is not the bot app id');
    if (error.claim === 'nbf' || error.claim === 'iat')
      return fail(401, 'not-yet-valid', `${error.claim} is in the future`);
    return fail(401, 'malformed-token', `claim ${error.claim} invalid: ${error.reason}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return fail(401, 'bad-signature', 'signature invalid');
  if (error instanceof errors.JOSEAlgNotAllowed) return fail(401, 'algorithm-not-allowed', 'alg not allowed');
  return fail(401, 'malformed-token', message(error));
}

function fail(status: 401 | 403 | 503, reason: WebhookAuthFailureReason, detail: string): WebhookAuthResult {
  return { ok: false, status, reason, detail };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Per-call callback tokens: HMAC-SHA256(secret, callId), so nothing has to be stored and a token for one
 * call is useless for another. The secret must be ≥ 32 bytes of randomness (config validates it).
 */
export class CallbackTokens {
  private readonly key: Buffer;

  constructor(secret: string | Buffer) {
    this.key = Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8');
    if (this.key.length < 32) throw new Error('callback token secret must be at least 32 bytes');
  }

  tokenFor(callId: string): string {
    return createHmac('sha256', this.key).update(`teams-relay-callback:${callId.toLowerCase()}`).digest('base64url');
  }

  verify(callId: string, token: string | undefined): boolean {
    if (!token) return false;
    const expected = Buffer.from(this.tokenFor(callId));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** `baseUrl` is the relay's public https callback route; the token rides in the query string as `k`. */
  callbackUri(baseUrl: string, callId: string): string {
    const url = new URL(baseUrl);
    url.searchParams.set('k', this.tokenFor(callId));
    return url.toString();
  }
}

/** Reads the `k` token from a callback URL (the request URL or a `callbackUri` echoed in a notification). */
export function callbackTokenFromUrl(url: string): string | undefined {
  try {
    return new URL(url, 'https://relay.invalid').searchParams.get('k') ?? undefined;
  } catch {
    return undefined;
  }
}
