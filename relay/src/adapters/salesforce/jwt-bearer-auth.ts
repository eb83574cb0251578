/**
 * Salesforce server-to-server auth (salesforce.md §2): OAuth 2.0 JWT bearer against an External Client App.
 * The relay signs a short-lived RS256 assertion and exchanges it through jsforce `authorize`; there is no refresh
 * token, so jsforce's `refreshFn` mints a new assertion on session expiry. The org id is pinned: a token for any
 * other org (e.g. a refreshed sandbox) is refused before it is used.
 */
import { importPKCS8, SignJWT } from 'jose';
import { Connection } from 'jsforce';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface JwtBearerOptions {
  /** `https://login.salesforce.com`, `https://test.salesforce.com` or the My Domain URL. */
  loginUrl: string;
  /** The External Client App's consumer key (`iss`). */
  clientId: string;
  /** The integration user's username (`sub`). */
  username: string;
  /** PKCS#8 PEM of the key whose certificate is uploaded to the External Client App. */
  privateKeyPem: string;
  /** The one org this relay serves (15 or 18 characters). */
  orgId: string;
  apiVersion?: string;
  /** Salesforce accepts at most a few minutes; kept short so a leaked assertion is useless soon. */
  assertionLifetimeSeconds?: number;
  now?: () => number;
}

export interface SalesforceSession {
  accessToken: string;
  instanceUrl: string;
  organizationId: string;
  userId: string;
}

export class OrgMismatchError extends Error {
  override readonly name = 'OrgMismatchError';
  constructor(
    readonly expectedOrgId: string,
    readonly actualOrgId: string
  ) {
    super(`Salesforce token is for org ${actualOrgId}, but this relay is bound to org ${expectedOrgId}; refusing it`);
  }
}

export class SalesforceAuthError extends Error {
  override readonly name = 'SalesforceAuthError';
}

type RefreshCallback = (error: Error | null | undefined, accessToken?: string) => void;

export class JwtBearerAuth {
  readonly connection: Connection;
  private session: SalesforceSession | undefined;
  private readonly listeners = new Set<(session: SalesforceSession) => void>();
  private inFlight: Promise<SalesforceSession> | undefined;

  constructor(private readonly options: JwtBearerOptions) {
    if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(options.orgId)) {
      throw new SalesforceAuthError('orgId must be a 15 or 18 character Salesforce id');
    }
    this.connection = new Connection({
      loginUrl: options.loginUrl,
      version: options.apiVersion ?? '66.0',
      refreshFn: (_conn: Connection, callback: RefreshCallback) => {
        this.authenticate().then(
          (session) => callback(null, session.accessToken),
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)))
        );
      }
    });
  }

  /** The current session, authenticating first if there is none. */
  async getSession(): Promise<SalesforceSession> {
    return this.session ?? this.authenticate();
  }

  /** Mints a new assertion and exchanges it (on start, on 401 / `UNAUTHENTICATED`). Concurrent calls share one exchange. */
  authenticate(): Promise<SalesforceSession> {
    this.inFlight ??= this.exchange().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Called with every new session, so the Pub/Sub client can reconnect with the same token jsforce uses. */
  onSession(listener: (session: SalesforceSession) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async mintAssertion(): Promise<string> {
    const key = await importPKCS8(this.options.privateKeyPem, 'RS256');
    const now = Math.floor((this.options.now?.() ?? Date.now()) / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(this.options.clientId)
      .setSubject(this.options.username)
      .setAudience(audienceFor(this.options.loginUrl))
      .setIssuedAt(now)
      .setExpirationTime(now + (this.options.assertionLifetimeSeconds ?? 180))
      .sign(key);
  }

  private async exchange(): Promise<SalesforceSession> {
    const assertion = await this.mintAssertion();
    let userInfo: { id: string; organizationId: string };
    try {
      userInfo = await this.connection.authorize({ grant_type: JWT_BEARER_GRANT, assertion });
    } catch (error) {
      this.session = undefined;
      throw new SalesforceAuthError(
        `JWT bearer exchange failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`
      );
    }
    if (!sameOrg(userInfo.organizationId, this.options.orgId)) {
      // Never keep a foreign org's token on the shared connection.
      this.connection.accessToken = null;
      this.session = undefined;
      throw new OrgMismatchError(this.options.orgId, userInfo.organizationId);
    }
    const session: SalesforceSession = {
      accessToken: this.connection.accessToken ?? '',
      instanceUrl: this.connection.instanceUrl,
      organizationId: userInfo.organizationId,
      userId: userInfo.id
    };
    this.session = session;
    for (const listener of this.listeners) listener(session);
    return session;
  }
}

/** Salesforce ids compare on their case-sensitive 15-character form. */
export function sameOrg(a: string | undefined, b: string): boolean {
  return typeof a === 'string' && a.length >= 15 && a.slice(0, 15) === b.slice(0, 15);
}

/** `aud` is the login host: login.salesforce.com, test.salesforce.com, or the My Domain URL for My Domain logins. */
function audienceFor(loginUrl: string): string {
  const url = new URL(loginUrl);
  return `${url.protocol}//${url.host}`;
}
