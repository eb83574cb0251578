/**
 * The checks `relay doctor` runs, in the order an administrator sets things up (docs/install/). Every check is
 * read-only: it asks for tokens, reads topics, runs the relay's own SOQL and reads presence; it publishes, writes
 * and subscribes to nothing. The one request that reaches the relay itself is an unsigned POST to the calling
 * webhook, which the relay refuses (401) without storing anything.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { GraphClient, MsalTokenProvider } from '../adapters/graph/graph-client.ts';
import { COMMAND_TOPIC } from '../adapters/salesforce/command-subscriber.ts';
import { JwtBearerAuth, OrgMismatchError, type SalesforceSession } from '../adapters/salesforce/jwt-bearer-auth.ts';
import { createPubSubClient, type PubSubGrpcClient } from '../adapters/salesforce/pubsub-channel.ts';
import { CALL_EVENT_TOPIC } from '../adapters/salesforce/pubsub-publisher.ts';
import { SoqlConfigSource } from '../adapters/salesforce/soql-config-source.ts';
import { unary } from '../adapters/salesforce/topic-schemas.ts';
import { describeStore, type RelayConfig } from '../config/env.ts';
import { maskPhone } from '../config/redact.ts';
import type { ConfigSnapshot } from '../domain/config.ts';

export interface CheckLine {
  /** `warn`: works, but probably not what was meant; never fails the run. */
  status: 'pass' | 'warn' | 'fail' | 'skip';
  check: string;
  detail: string;
  /** What to do, for a failed check: the setting, command or page that fixes it. */
  fix?: string;
}

/**
 * The Graph application permissions the relay needs, and why (graph-calls.md §1, §5, §9). The bot keeps media
 * service-hosted, so `Calls.AccessMedia.All` is not among them.
 */
export const REQUIRED_GRAPH_PERMISSIONS: readonly { role: string; why: string }[] = [
  { role: 'Calls.JoinGroupCall.All', why: 'answer the incoming call on the resource account' },
  { role: 'Calls.InitiateGroupCall.All', why: "invite the agent's Teams client into the answered call" },
  { role: 'Calls.Initiate.All', why: 'redirect and transfer calls (redirect rules, transfer)' },
  { role: 'Presence.ReadWrite.All', why: "read agents' presence and set In a call / Do Not Disturb" }
];

const WEBHOOK_PATH = '/api/calling';
const TIMEOUT_MS = 10_000;

/** Everything a later check needs from an earlier one; a missing piece turns the later check into a skip. */
interface Context {
  graphToken?: string;
  session?: SalesforceSession;
  snapshot?: ConfigSnapshot;
}

export class Doctor {
  private readonly context: Context = {};
  private readonly tokens: MsalTokenProvider;
  private readonly graph: GraphClient;
  private readonly sfAuth: JwtBearerAuth;
  private pubsub: PubSubGrpcClient | undefined;

  constructor(private readonly config: RelayConfig) {
    this.tokens = new MsalTokenProvider({
      clientId: config.graph.appId,
      clientSecret: config.graph.appSecret,
      authorityHost: config.graph.authorityHost,
      timeoutMs: TIMEOUT_MS,
      ...(config.graph.offlineEndpointBase && { offlineEndpointBase: config.graph.offlineEndpointBase })
    });
    // One attempt per request: the doctor reports what happens now instead of retrying it away.
    this.graph = new GraphClient({
      tokens: this.tokens,
      baseUrl: config.graph.baseUrl,
      timeoutMs: TIMEOUT_MS,
      maxAttempts: 1
    });
    this.sfAuth = new JwtBearerAuth({
      loginUrl: config.salesforce.loginUrl,
      clientId: config.salesforce.clientId,
      username: config.salesforce.username,
      privateKeyPem: config.salesforce.privateKeyPem,
      orgId: config.salesforce.orgId,
      apiVersion: config.salesforce.apiVersion
    });
  }

  /** Runs every check in order, handing each line to `report` as soon as it is known. */
  async run(report: (line: CheckLine) => void): Promise<void> {
    try {
      const url = this.config.databaseUrl;
      const store = url === undefined ? this.store() : await this.postgresStore(url);
      report(url === undefined ? { ...store, detail: `SQLite: ${store.detail}` } : store);
      for (const line of await this.graphToken()) report(line);
      for (const line of this.graphPermissions()) report(line);
      report(await this.webhook());
      for (const line of await this.salesforceLogin()) report(line);
      for (const line of await this.topics()) report(line);
      report(await this.configQuery());
      for (const line of this.resourceAccounts()) report(line);
      for (const line of await this.teamsUsers()) report(line);
    } finally {
      this.pubsub?.close();
    }
  }

  /** B15: the store on PostgreSQL (RELAY_DATABASE_URL): the server answers and the schema version is known. */
  async postgresStore(url: string): Promise<CheckLine> {
    const check = 'store';
    const where = describeStore(this.config);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS });
    try {
      await client.connect();
      const { rows } = await client.query<{ version: number | null }>(
        "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN NULL ELSE (SELECT max(version) FROM schema_migrations) END AS version"
      );
      const version = rows[0]?.version;
      return {
        status: 'pass',
        check,
        detail:
          version === null || version === undefined
            ? `${where} answers; the relay creates its tables on start`
            : `${where} answers, schema version ${version}`
      };
    } catch (error) {
      return {
        status: 'fail',
        check,
        detail: `${where} cannot be reached: ${error instanceof Error ? error.message : String(error)}`,
        fix: 'check RELAY_DATABASE_URL (postgres://user@host:port/database) and that the server accepts this host'
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  store(): CheckLine {
    const check = 'store';
    const file = resolve(this.config.storePath);
    const dir = dirname(file);
    const fix = (what: string) =>
      `${what}: give the relay's user a private folder, e.g. \`install -d -m 700 -o <relay user> ${dir}\` (the container's /data volume is owned by uid 1000, "node")`;
    if (!existsSync(dir)) {
      // The relay creates its folder (0700) on start, if it may write where the folder goes.
      let parent = dirname(dir);
      while (!existsSync(parent) && parent !== dirname(parent)) parent = dirname(parent);
      try {
        accessSync(parent, constants.W_OK | constants.X_OK);
      } catch {
        return {
          status: 'fail',
          check,
          detail: `folder ${dir} does not exist and ${parent} is not writable by this user`,
          fix: fix('create it')
        };
      }
      return { status: 'pass', check, detail: `the relay creates ${dir} (owner-only) on start` };
    }
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch {
      return {
        status: 'fail',
        check,
        detail: `folder ${dir} is not writable by this user`,
        fix: fix('make it writable')
      };
    }
    const dirMode = statSync(dir).mode;
    if (dirMode & 0o022) {
      return {
        status: 'fail',
        check,
        detail: `folder ${dir} is writable by other users (mode ${octal(dirMode)})`,
        fix: `\`chmod go-w ${dir}\` (better: \`chmod 700 ${dir}\`)`
      };
    }
    if (existsSync(file)) {
      const fileMode = statSync(file).mode;
      // Others can read the calls and replay ids only if they can both reach the folder and read the file.
      if (fileMode & 0o004 && dirMode & 0o001) {
        return {
          status: 'fail',
          check,
          detail: `${file} is readable by every user on this host (file ${octal(fileMode)}, folder ${octal(dirMode)})`,
          fix: `\`chmod 700 ${dir}\` and \`chmod 600 ${file}*\``
        };
      }
      try {
        accessSync(file, constants.R_OK | constants.W_OK);
      } catch {
        return {
          status: 'fail',
          check,
          detail: `${file} exists but is not read/writable by this user`,
          fix: fix('fix its owner')
        };
      }
      return { status: 'pass', check, detail: `${file} is writable and private` };
    }
    return { status: 'pass', check, detail: `${dir} is writable and private; the relay creates ${file} on start` };
  }

  async graphToken(): Promise<CheckLine[]> {
    const lines: CheckLine[] = [];
    for (const tenantId of this.config.graph.allowedTenantIds) {
      const check = `graph token (tenant ${tenantId})`;
      try {
        const token = await this.tokens.getToken(tenantId);
        this.context.graphToken ??= token;
        lines.push({ status: 'pass', check, detail: `app ${this.config.graph.appId} got an app-only Graph token` });
      } catch (error) {
        lines.push({ status: 'fail', check, detail: firstLine(error), fix: tokenFix(firstLine(error), this.config) });
      }
    }
    return lines;
  }

  graphPermissions(): CheckLine[] {
    const token = this.context.graphToken;
    if (!token) {
      return REQUIRED_GRAPH_PERMISSIONS.map(({ role }) => skip(`graph permission ${role}`, 'graph token'));
    }
    let roles: string[] = [];
    try {
      const claims = decodeJwt(token);
      roles = Array.isArray(claims['roles']) ? claims['roles'].map(String) : [];
    } catch {
      // Graph tokens are opaque to clients in principle; every Entra token today is a JWT with a `roles` claim.
    }
    return REQUIRED_GRAPH_PERMISSIONS.map(({ role, why }) => {
      const check = `graph permission ${role}`;
      return roles.includes(role)
        ? { status: 'pass', check, detail: `granted (${why})` }
        : {
            status: 'fail',
            check,
            detail: `not in the token's roles (needed to ${why})`,
            fix: `Entra admin center → App registrations → ${this.config.graph.appId} → API permissions → Add a permission → Microsoft Graph → Application permissions → ${role}, then "Grant admin consent"`
          };
    });
  }

  async webhook(): Promise<CheckLine> {
    const check = 'calling webhook';
    const url = `${this.config.publicBaseUrl}${WEBHOOK_PATH}`;
    const fix = `Graph must reach ${url} over https with a certificate from a public CA: point DNS and the TLS proxy at the relay's port ${this.config.port}, and start the relay; the Azure Bot's Teams channel → Calling → Webhook must be this URL`;
    let status: number;
    try {
      // Unsigned on purpose: a relay that answers 401 is reachable, serves this path and refuses forgeries.
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(TIMEOUT_MS)
      });
      status = response.status;
      await response.body?.cancel();
    } catch (error) {
      return { status: 'fail', check, detail: `POST ${url}: ${causeOf(error)}`, fix };
    }
    if (status !== 401) {
      return {
        status: 'fail',
        check,
        detail: `POST ${url} without a token answered ${status}, not the relay's 401`,
        fix: `${fix}. Something other than the relay answers there (a proxy route missing or pointing elsewhere)`
      };
    }
    const transport = url.startsWith('https:')
      ? 'served over https with a trusted certificate'
      : 'served over http on loopback (development only)';
    return { status: 'pass', check, detail: `${url} ${transport}; unsigned requests are refused` };
  }

  async salesforceLogin(): Promise<CheckLine[]> {
    const { loginUrl, username, clientId, orgId } = this.config.salesforce;
    const login = `salesforce login (${username})`;
    const org = 'salesforce org id';
    try {
      this.context.session = await this.sfAuth.authenticate();
      return [
        { status: 'pass', check: login, detail: `JWT bearer login at ${loginUrl} succeeded` },
        { status: 'pass', check: org, detail: `the token is for ${orgId}` }
      ];
    } catch (error) {
      if (error instanceof OrgMismatchError) {
        return [
          { status: 'pass', check: login, detail: `JWT bearer login at ${loginUrl} succeeded` },
          {
            status: 'fail',
            check: org,
            detail: `logged in to org ${error.actualOrgId}, but SF_ORG_ID is ${error.expectedOrgId}`,
            fix: `if ${error.actualOrgId} is the right org (e.g. a refreshed sandbox), set SF_ORG_ID to it (Setup → Company Information → Salesforce.com Organization ID); otherwise fix SF_LOGIN_URL / SF_USERNAME`
          }
        ];
      }
      return [
        { status: 'fail', check: login, detail: firstLine(error), fix: salesforceFix(firstLine(error), clientId) },
        skip(org, 'salesforce login')
      ];
    }
  }

  async topics(): Promise<CheckLine[]> {
    const wanted = [
      { topic: CALL_EVENT_TOPIC, need: 'canPublish' as const, verb: 'publish' },
      { topic: COMMAND_TOPIC, need: 'canSubscribe' as const, verb: 'subscribe to' }
    ];
    const session = this.context.session;
    if (!session) return wanted.map(({ topic }) => skip(`pub/sub ${topic}`, 'salesforce login'));
    this.pubsub = createPubSubClient({
      endpoint: this.config.salesforce.pubSubEndpoint,
      session: () => Promise.resolve(session)
    });
    const lines: CheckLine[] = [];
    for (const { topic, need, verb } of wanted) {
      const check = `pub/sub ${topic}`;
      try {
        const info = await unary<{ canPublish: boolean; canSubscribe: boolean }>(
          this.pubsub,
          'GetTopic',
          { topicName: topic },
          TIMEOUT_MS
        );
        lines.push(
          info[need]
            ? { status: 'pass', check, detail: `the integration user may ${verb} it` }
            : {
                status: 'fail',
                check,
                detail: `the integration user may not ${verb} it`,
                fix: 'assign the permission set TeamsPhoneIntegration to the integration user'
              }
        );
      } catch (error) {
        lines.push({
          status: 'fail',
          check,
          detail: `GetTopic at ${this.config.salesforce.pubSubEndpoint}: ${firstLine(error)}`,
          fix: `SF_PUBSUB_ENDPOINT must be api.pubsub.salesforce.com:7443 (or 443) and reachable from the relay; the package "Teams Softphone" must be installed (it defines ${topic}); the integration user needs the permission set TeamsPhoneIntegration`
        });
      }
    }
    return lines;
  }

  async configQuery(): Promise<CheckLine> {
    const check = 'salesforce configuration (SOQL)';
    if (!this.context.session) return skip(check, 'salesforce login');
    const skipped: string[] = [];
    const source = new SoqlConfigSource({
      connection: () => Promise.resolve(this.sfAuth.connection),
      warn: (message) => skipped.push(message)
    });
    try {
      const snapshot = await source.load();
      this.context.snapshot = snapshot;
      const rules = snapshot.agents.reduce((sum, agent) => sum + agent.rules.length, 0);
      if (snapshot.agents.length === 0) {
        return {
          status: 'fail',
          check,
          detail: 'readable, but no active phone user (TeamsPhoneUser__c) exists: no call can reach an agent',
          fix: 'Teams Phone Setup tab → Phone users: map each agent to their Teams user and line'
        };
      }
      const note = skipped.length ? `; ${skipped.length} row(s) ignored (${[...new Set(skipped)].join('; ')})` : '';
      return {
        status: 'pass',
        check,
        detail: `${snapshot.agents.length} phone user(s), ${rules} redirect rule(s)${note}`
      };
    } catch (error) {
      return {
        status: 'fail',
        check,
        detail: firstLine(error),
        fix: 'assign the permission set TeamsPhoneIntegration to the integration user, and install the package version the relay expects'
      };
    }
  }

  /**
   * Every agent's number must be owned by a resource account the relay knows (GRAPH_RESOURCE_ACCOUNTS): Graph
   * names the dialled line only by the resource account's object id. That the account exists in the tenant with
   * that number is Teams admin data no Graph application permission of the relay can read, so the fix names the
   * PowerShell that shows it.
   */
  resourceAccounts(): CheckLine[] {
    const snapshot = this.context.snapshot;
    const accounts = Object.entries(this.config.graph.resourceAccounts);
    if (!snapshot) return [skip('resource accounts', 'salesforce configuration (SOQL)')];
    const owner = new Map(accounts.map(([id, number]) => [number, id]));
    const lines: CheckLine[] = [];
    for (const agent of snapshot.agents) {
      const check = `line ${maskPhone(agent.phoneNumber)} (${agent.displayName ?? agent.salesforceUserId})`;
      const account = owner.get(agent.phoneNumber);
      lines.push(
        account
          ? { status: 'pass', check, detail: `GRAPH_RESOURCE_ACCOUNTS gives it to resource account ${account}` }
          : {
              status: 'fail',
              check,
              detail: 'no resource account in GRAPH_RESOURCE_ACCOUNTS owns this number: calls to it cannot be routed',
              fix: 'find the account with `Get-CsOnlineApplicationInstance | Where-Object PhoneNumber -like "*<last digits>"` (Teams PowerShell), add `<its ObjectId>=<+E.164>` to GRAPH_RESOURCE_ACCOUNTS, or correct the phone user\'s number in Salesforce'
            }
      );
    }
    const used = new Set(snapshot.agents.map((agent) => agent.phoneNumber));
    for (const [id, number] of accounts) {
      if (!used.has(number)) {
        lines.push({
          status: 'warn',
          check: `resource account ${id}`,
          detail: `its number ${maskPhone(number)} belongs to no active phone user: calls to it reach no agent`,
          fix: "map the number to an agent (Teams Phone Setup tab → Phone users), or remove the entry from GRAPH_RESOURCE_ACCOUNTS; confirm the account's number with `Get-CsOnlineApplicationInstance -Identity <id>`"
        });
      }
    }
    return lines;
  }

  async teamsUsers(): Promise<CheckLine[]> {
    const snapshot = this.context.snapshot;
    if (!snapshot) return [skip('teams users', 'salesforce configuration (SOQL)')];
    if (!this.context.graphToken) return [skip('teams users', 'graph token')];
    const [tenantId = ''] = this.config.graph.allowedTenantIds;
    const lines: CheckLine[] = [];
    for (const agent of snapshot.agents) {
      const check = `teams user of ${agent.displayName ?? agent.salesforceUserId}`;
      const result = await this.graph.request<{ availability?: string }>({
        method: 'GET',
        path: `/communications/presences/${encodeURIComponent(agent.teamsUserId)}`,
        tenantId,
        idempotent: true
      });
      if (result.ok) {
        lines.push({
          status: 'pass',
          check,
          detail: `${agent.teamsUserId} exists (${result.body.availability ?? 'presence unknown'})`
        });
      } else {
        lines.push({
          status: 'fail',
          check,
          detail:
            `${agent.teamsUserId}: ${result.status ?? result.kind} ${result.code ?? ''} ${result.message}`.replace(
              /\s+/g,
              ' '
            ),
          fix:
            result.status === 404
              ? "the phone user's Teams user id must be the agent's Entra object id (Entra admin center → Users → the user → Object ID)"
              : 'see the Graph error; a 403 means Presence.ReadWrite.All is not consented'
        });
      }
    }
    return lines;
  }
}

function skip(check: string, needs: string): CheckLine {
  return { status: 'skip', check, detail: `not checked: needs a passing "${needs}"` };
}

function tokenFix(message: string, config: RelayConfig): string {
  if (/AADSTS7000215|AADSTS7000222|invalid_client/i.test(message)) {
    return `GRAPH_APP_SECRET is not a current secret of app ${config.graph.appId}: Entra admin center → App registrations → the app → Certificates & secrets → New client secret, then set GRAPH_APP_SECRET to its Value`;
  }
  if (/AADSTS700016|unauthorized_client/i.test(message)) {
    return `GRAPH_APP_ID ${config.graph.appId} is unknown in this tenant: use the Application (client) ID of the bot's app registration, and grant admin consent in this tenant`;
  }
  if (/AADSTS90002|AADSTS900023|tenant/i.test(message)) {
    return 'GRAPH_ALLOWED_TENANT_IDS must hold the Directory (tenant) ID GUID from Entra admin center → Overview';
  }
  return `the relay could not reach ${config.graph.authorityHost}: check outbound https (proxy, firewall) and GRAPH_AUTHORITY_HOST`;
}

function salesforceFix(message: string, clientId: string): string {
  if (/invalid_client_id|client identifier invalid/i.test(message)) {
    return `SF_CLIENT_ID (${clientId}) is not the consumer key of the External Client App: Setup → External Client App Manager → the app → Settings → OAuth Settings → Consumer Key`;
  }
  if (/approved|pre-?authori[sz]ed/i.test(message)) {
    return 'the integration user is not allowed to use the app: External Client App → Policies → Permitted Users "Admin approved users are pre-authorized", and add the permission set TeamsPhoneIntegration to the app\'s policies and to the user';
  }
  if (/audience/i.test(message)) {
    return 'SF_LOGIN_URL must be https://login.salesforce.com, https://test.salesforce.com (sandbox) or the My Domain URL';
  }
  if (/invalid assertion|invalid_grant|user/i.test(message)) {
    return "the key in SF_PRIVATE_KEY_FILE must match the certificate uploaded to the External Client App (OAuth Settings → Use digital signatures), SF_USERNAME must be the integration user's username, and the app must have the JWT Bearer Flow enabled";
  }
  return 'check SF_LOGIN_URL and that the relay can reach it over https';
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 300);
}

/** fetch wraps network errors as "fetch failed"; the cause says what actually happened (ECONNREFUSED, a TLS error). */
function causeOf(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return firstLine(error);
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(3, '0');
}
