/**
 * The one HTTP path to Microsoft Graph: app-only tokens per tenant (client credentials via msal-node), a
 * `client-request-id` on every request, Graph's `request-id` captured, timeouts, and bounded `Retry-After`
 * handling that only ever repeats requests the caller declared idempotent (graph-calls.md §5, §10).
 */
import { randomUUID } from 'node:crypto';
import {
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse
} from '@azure/msal-node';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export interface TokenProvider {
  /** An app-only Graph access token for `tenantId` (cached until shortly before expiry). */
  getToken(tenantId: string): Promise<string>;
}

export interface MsalTokenProviderOptions {
  clientId: string;
  clientSecret: string;
  /** `https://login.microsoftonline.com` in production; the emulator's host in devstack. */
  authorityHost?: string;
  /**
   * When set, msal is handed static authority metadata whose endpoints live under this base URL, so it does
   * no instance discovery. The emulator needs it because msal only accepts `https` authorities and would
   * otherwise call login.microsoftonline.com for discovery; production leaves it unset.
   */
  offlineEndpointBase?: string;
  timeoutMs?: number;
}

/**
 * msal-node ConfidentialClientApplication per tenant (multi-tenant bots answer calls for customer tenants;
 * a token from the wrong tenant is Graph's 7505). msal's network module is replaced by a fetch-based one so
 * timeouts are ours and loopback emulators work.
 */
export class MsalTokenProvider implements TokenProvider {
  private readonly apps = new Map<string, ConfidentialClientApplication>();
  private readonly network: INetworkModule;

  constructor(private readonly options: MsalTokenProviderOptions) {
    this.network = fetchNetworkModule(options.timeoutMs ?? 10_000);
  }

  async getToken(tenantId: string): Promise<string> {
    const result = await this.appFor(tenantId).acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
    if (!result?.accessToken) throw new GraphTokenError(`no token issued for tenant ${tenantId}`);
    return result.accessToken;
  }

  private appFor(tenantId: string): ConfidentialClientApplication {
    const existing = this.apps.get(tenantId);
    if (existing) return existing;
    const host = (this.options.authorityHost ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
    const hostname = new URL(host).host;
    const offline = this.options.offlineEndpointBase?.replace(/\/+$/, '');
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: this.options.clientId,
        clientSecret: this.options.clientSecret,
        authority: `${host}/${tenantId}`,
        ...(offline && {
          knownAuthorities: [hostname],
          authorityMetadata: JSON.stringify({
            token_endpoint: `${offline}/${tenantId}/oauth2/v2.0/token`,
            authorization_endpoint: `${offline}/${tenantId}/oauth2/v2.0/authorize`,
            end_session_endpoint: `${offline}/${tenantId}/oauth2/v2.0/logout`,
            issuer: `${offline}/${tenantId}/v2.0`,
            jwks_uri: `${offline}/${tenantId}/discovery/v2.0/keys`
          }),
          cloudDiscoveryMetadata: JSON.stringify({
            tenant_discovery_endpoint: `${offline}/${tenantId}/v2.0/.well-known/openid-configuration`,
            'api-version': '1.1',
            metadata: [{ preferred_network: hostname, preferred_cache: hostname, aliases: [hostname] }]
          })
        })
      },
      system: { networkClient: this.network }
    });
    this.apps.set(tenantId, app);
    return app;
  }
}

export class GraphTokenError extends Error {
  override readonly name = 'GraphTokenError';
}

function fetchNetworkModule(timeoutMs: number): INetworkModule {
  const send = async <T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const response = await fetch(url, {
      method,
      ...(options?.headers && { headers: options.headers }),
      ...(options?.body !== undefined && { body: options.body }),
      signal: AbortSignal.timeout(timeoutMs)
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers.entries()),
      body: (text ? JSON.parse(text) : {}) as T
    };
  };
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options)
  };
}

export interface GraphRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH';
  /** Path under the Graph base URL, e.g. `/communications/calls/{id}/answer`. */
  path: string;
  tenantId: string;
  body?: unknown;
  /**
   * True only when repeating the request cannot act twice (GET, DELETE, keepAlive, presence writes). Call-control
   * POSTs are not: a throttled or timed-out redirect is returned as a failure so the caller re-reads the call.
   */
  idempotent: boolean;
}

export interface GraphSuccess<T> {
  ok: true;
  status: number;
  body: T;
  requestId?: string;
  clientRequestId: string;
  location?: string;
}

export type GraphFailureKind = 'http' | 'throttled' | 'timeout' | 'network' | 'token';

export interface GraphFailure {
  ok: false;
  kind: GraphFailureKind;
  status?: number;
  /** Graph error code, e.g. `7505` or `InvalidRequest`. */
  code?: string;
  message: string;
  requestId?: string;
  clientRequestId: string;
  /** Graph's `Retry-After`, when it sent one (429/503). */
  retryAfterMs?: number;
}

export type GraphResult<T> = GraphSuccess<T> | GraphFailure;

export interface GraphLog {
  (level: 'debug' | 'warn', message: string, fields: Record<string, unknown>): void;
}

export interface GraphClientOptions {
  tokens: TokenProvider;
  baseUrl?: string;
  timeoutMs?: number;
  /** Attempts in total for idempotent requests answered 429/503/504 or failing on the network. */
  maxAttempts?: number;
  /** Longest `Retry-After` we are willing to sleep through; longer ones are returned as failures. */
  maxRetryAfterMs?: number;
  log?: GraphLog;
  sleep?: (ms: number) => Promise<void>;
}

const RETRYABLE_STATUS = new Set([429, 503, 504]);

export class GraphClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: GraphClientOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://graph.microsoft.com/v1.0').replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async request<T = unknown>(req: GraphRequest): Promise<GraphResult<T>> {
    for (let attempt = 1; ; attempt += 1) {
      const result = await this.once<T>(req);
      if (result.ok) return result;
      const retryable =
        req.idempotent &&
        attempt < this.maxAttempts &&
        (result.kind === 'network' ||
          result.kind === 'timeout' ||
          (result.status !== undefined && RETRYABLE_STATUS.has(result.status)));
      if (!retryable) return result;
      const wait = result.retryAfterMs ?? backoff(attempt);
      if (wait > this.maxRetryAfterMs) return result;
      this.options.log?.('warn', 'graph request retried', {
        path: req.path,
        status: result.status,
        kind: result.kind,
        waitMs: wait,
        attempt,
        requestId: result.requestId
      });
      await this.sleep(wait);
    }
  }

  private async once<T>(req: GraphRequest): Promise<GraphResult<T>> {
    const clientRequestId = randomUUID();
    let token: string;
    try {
      token = await this.options.tokens.getToken(req.tenantId);
    } catch (error) {
      return { ok: false, kind: 'token', message: errorMessage(error), clientRequestId };
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${req.path}`, {
        method: req.method,
        headers: {
          authorization: `Bearer ${token}`,
          'client-request-id': clientRequestId,
          accept: 'application/json',
          ...(req.body !== undefined && { 'content-type': 'application/json' })
        },
        ...(req.body !== undefined && { body: JSON.stringify(req.body) }),
        signal: AbortSignal.timeout(this.timeoutMs)
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return { ok: false, kind: timedOut ? 'timeout' : 'network', message: errorMessage(error), clientRequestId };
    }
    const requestId = response.headers.get('request-id') ?? undefined;
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      return { ok: false, kind: 'timeout', status: response.status, message: errorMessage(error), clientRequestId };
    }
    this.options.log?.('debug', 'graph response', {
      method: req.method,
      path: req.path,
      status: response.status,
      requestId,
      clientRequestId
    });
    if (response.ok) {
      const location = response.headers.get('location') ?? undefined;
      return {
        ok: true,
        status: response.status,
        body: (text ? safeJson(text) : undefined) as T,
        clientRequestId,
        ...(requestId && { requestId }),
        ...(location && { location })
      };
    }
    const parsed = parseGraphError(text);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return {
      ok: false,
      kind: response.status === 429 ? 'throttled' : 'http',
      status: response.status,
      message: parsed.message ?? `HTTP ${response.status}`,
      clientRequestId,
      ...(parsed.code && { code: parsed.code }),
      ...(requestId && { requestId }),
      ...(retryAfterMs !== undefined && { retryAfterMs })
    };
  }
}

/** Graph errors are `{"error":{"code":"7505","message":"…"}}`; anything else keeps only the status. */
export function parseGraphError(text: string): { code?: string; message?: string } {
  const body = safeJson(text);
  if (typeof body !== 'object' || body === null) return {};
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    ...((typeof code === 'string' || typeof code === 'number') && { code: String(code) }),
    ...(typeof message === 'string' && { message })
  };
}

/** `Retry-After` is delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function backoff(attempt: number): number {
  const base = 200 * 2 ** (attempt - 1);
  return Math.round(base / 2 + Math.random() * base);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Thrown by the port adapters (CallControl / PresenceGateway) so the app can feed `EffectFailed` back. */
export class GraphRequestError extends Error {
  override readonly name = 'GraphRequestError';
  constructor(
    readonly operation: string,
    readonly failure: GraphFailure
  ) {
    super(
      `${operation} failed: ${failure.kind}${failure.status ? ` ${failure.status}` : ''}${
        failure.code ? ` code ${failure.code}` : ''
      } — ${failure.message}`
    );
  }

  /** Set when Graph throttled the request (429/503): it was not executed (the CallControl port's contract). */
  get retryAfterMs(): number | undefined {
    return this.failure.status === 429 || this.failure.status === 503
      ? (this.failure.retryAfterMs ?? 1_000)
      : undefined;
  }
}
