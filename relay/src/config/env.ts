/**
 * The relay's configuration, read once at boot from environment variables. Every problem is reported with the
 * variable's name, all at once, so an operator fixes the deployment in one pass (`relay` then exits non-zero).
 */
import { readFileSync } from 'node:fs';

export interface RelayConfig {
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  host: string;
  port: number;
  /** Public https base URL Graph calls back on; per-call callbackUris are built under it. */
  publicBaseUrl: string;
  storePath: string;
  /**
   * B15: RELAY_DATABASE_URL (`postgres://…`) puts the store on PostgreSQL, for several relay instances sharing one
   * database; without it the relay keeps its state in the SQLite file at `storePath` (one instance).
   */
  databaseUrl?: string;
  /** How often all mapped agents' presence is read (getPresencesByUserId, batched). */
  presencePollSeconds: number;
  /** How often the relay publishes its Heartbeat event (B07); also once at start. */
  heartbeatSeconds: number;
  /** Names this relay in Salesforce's TeamsRelayStatus__c (default: the host name). */
  instanceId?: string;
  /**
   * B15: how long processed webhook rows and processed command ids are kept (then pruned hourly). Command ids must
   * outlive the Pub/Sub replay window (72 h), or a replayed command could run twice.
   */
  retention: { inboxHours: number; commandHours: number };
  /**
   * The operator's listener for /readyz and /metrics (RELAY_OPS_PORT, RELAY_OPS_HOST default 127.0.0.1). Without
   * it those routes stay on the webhook's port and answer loopback peers only.
   */
  ops?: { host: string; port: number };
  /**
   * B10, the agent stream: the org certificates that sign stream tokens (PEM; several while one is rotated out) and
   * the browser origins (the org's Lightning domains) allowed to read it. Without them the stream is off.
   */
  stream?: { certificatesPem: string[]; allowedOrigins: string[] };
  graph: {
    appId: string;
    appSecret: string;
    allowedTenantIds: string[];
    baseUrl: string;
    authorityHost: string;
    /** Emulator only: static token endpoints under this base, no msal discovery. */
    offlineEndpointBase?: string;
    openIdMetadataUrls: string[];
    callbackTokenSecret: string;
    /** Resource account (applicationInstance) object id → the E.164 number it owns. */
    resourceAccounts: Record<string, string>;
  };
  salesforce: {
    loginUrl: string;
    clientId: string;
    username: string;
    privateKeyPem: string;
    orgId: string;
    apiVersion: string;
    pubSubEndpoint: string;
  };
}

export type ConfigResult = { ok: true; config: RelayConfig } | { ok: false; errors: string[] };

type Env = Record<string, string | undefined>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const E164 = /^\+[1-9]\d{6,14}$/;
const SF_ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

export const SKYPE_OPENID_METADATA = 'https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration';

/** Parses and validates `env`; never throws and never echoes secret values in its messages. */
export function loadConfig(
  env: Env = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')
): ConfigResult {
  const errors: string[] = [];
  // Loopback http URLs are only for the devstack; production URLs must be https.
  const allowInsecure = flag(env, 'RELAY_ALLOW_INSECURE_LOOPBACK', errors);

  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) errors.push(`${name} is required but not set`);
    return value ?? '';
  };
  const optional = (name: string, fallback: string): string => env[name]?.trim() || fallback;
  const url = (name: string, value: string): string => {
    if (!value) return value;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      errors.push(`${name} must be an absolute URL (got "${value}")`);
      return value;
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(allowInsecure && loopback && parsed.protocol === 'http:')) {
      errors.push(`${name} must use https (http is allowed only for loopback with RELAY_ALLOW_INSECURE_LOOPBACK=true)`);
    }
    return value.replace(/\/+$/, '');
  };

  const logLevel = optional('LOG_LEVEL', 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    errors.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const portText = optional('PORT', '8080');
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    errors.push(`PORT must be an integer 1–65535 (got "${portText}")`);

  const presenceText = optional('RELAY_PRESENCE_POLL_SECONDS', '60');
  const presencePollSeconds = Number(presenceText);
  // Graph throttles presence reads per app; below a few seconds a large org would be throttled.
  if (!Number.isInteger(presencePollSeconds) || presencePollSeconds < 2 || presencePollSeconds > 3600)
    errors.push(`RELAY_PRESENCE_POLL_SECONDS must be an integer 2–3600 (got "${presenceText}")`);

  const heartbeatText = optional('RELAY_HEARTBEAT_SECONDS', '60');
  const heartbeatSeconds = Number(heartbeatText);
  if (!Number.isInteger(heartbeatSeconds) || heartbeatSeconds < 5 || heartbeatSeconds > 3600)
    errors.push(`RELAY_HEARTBEAT_SECONDS must be an integer 5–3600 (got "${heartbeatText}")`);
  const hours = (name: string, fallback: number, min: number): number => {
    const text = optional(name, String(fallback));
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > 8760)
      errors.push(`${name} must be an integer ${min}–8760 hours (got "${text}")`);
    return value;
  };
  const retention = {
    inboxHours: hours('RELAY_INBOX_RETENTION_HOURS', 24, 1),
    commandHours: hours('RELAY_COMMAND_RETENTION_HOURS', 96, 72)
  };
  const databaseUrl = env['RELAY_DATABASE_URL']?.trim() || undefined;
  if (databaseUrl !== undefined) {
    let valid = false;
    try {
      const parsed = new URL(databaseUrl);
      valid = (parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:') && parsed.hostname !== '';
    } catch {
      valid = false;
    }
    // The URL may carry a password: never echo it.
    if (!valid) errors.push('RELAY_DATABASE_URL must be a postgres://user@host:port/database URL');
  }
  const instanceId = env['RELAY_INSTANCE_ID']?.trim();
  if (instanceId !== undefined && instanceId.length > 80)
    errors.push('RELAY_INSTANCE_ID must be at most 80 characters');

  const opsPortText = env['RELAY_OPS_PORT']?.trim();
  const opsPort = opsPortText ? Number(opsPortText) : undefined;
  if (opsPort !== undefined && (!Number.isInteger(opsPort) || opsPort < 1 || opsPort > 65535 || opsPort === port))
    errors.push(`RELAY_OPS_PORT must be an integer 1–65535 other than PORT (got "${opsPortText}")`);

  const stream = streamConfig(env, readFile, errors, allowInsecure);

  const appId = required('GRAPH_APP_ID');
  if (appId && !GUID.test(appId)) errors.push('GRAPH_APP_ID must be the bot app (client) id, a GUID');

  const tenants = list(required('GRAPH_ALLOWED_TENANT_IDS'));
  for (const t of tenants)
    if (!GUID.test(t)) errors.push(`GRAPH_ALLOWED_TENANT_IDS contains "${t}", which is not a tenant GUID`);

  const callbackTokenSecret = required('CALLBACK_TOKEN_SECRET');
  if (callbackTokenSecret && Buffer.byteLength(callbackTokenSecret) < 32) {
    errors.push('CALLBACK_TOKEN_SECRET must be at least 32 bytes of random data (e.g. `openssl rand -base64 48`)');
  }

  const resourceAccounts: Record<string, string> = {};
  for (const pair of list(env['GRAPH_RESOURCE_ACCOUNTS'] ?? '')) {
    const [id, number] = pair.split('=').map((s) => s.trim());
    if (!id || !number || !GUID.test(id) || !E164.test(number)) {
      errors.push(`GRAPH_RESOURCE_ACCOUNTS entry "${pair}" must be <resource account object id>=<+E.164 number>`);
    } else resourceAccounts[id.toLowerCase()] = number;
  }

  const orgId = required('SF_ORG_ID');
  if (orgId && !SF_ID.test(orgId)) errors.push('SF_ORG_ID must be a 15 or 18 character Salesforce org id');

  const keyInline = env['SF_PRIVATE_KEY']?.trim();
  const keyFile = env['SF_PRIVATE_KEY_FILE']?.trim();
  let privateKeyPem = '';
  if (keyInline && keyFile) errors.push('set only one of SF_PRIVATE_KEY and SF_PRIVATE_KEY_FILE');
  else if (keyFile) {
    try {
      privateKeyPem = readFile(keyFile);
    } catch {
      errors.push(`SF_PRIVATE_KEY_FILE names "${keyFile}", which cannot be read`);
    }
  } else if (keyInline) privateKeyPem = keyInline.replace(/\\n/g, '\n');
  else errors.push('SF_PRIVATE_KEY_FILE (or SF_PRIVATE_KEY) is required but not set');
  if (privateKeyPem && !privateKeyPem.includes('-----BEGIN PRIVATE KEY-----')) {
    errors.push('the Salesforce private key must be an unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY")');
  }

  const apiVersion = optional('SF_API_VERSION', '66.0');
  if (!/^\d{2,3}\.0$/.test(apiVersion)) errors.push(`SF_API_VERSION must look like 66.0 (got "${apiVersion}")`);

  const pubSubEndpoint = optional('SF_PUBSUB_ENDPOINT', 'api.pubsub.salesforce.com:7443');
  if (!/^[^\s/:]+:\d+$/.test(pubSubEndpoint)) errors.push('SF_PUBSUB_ENDPOINT must be host:port');

  const config: RelayConfig = {
    logLevel: logLevel as RelayConfig['logLevel'],
    host: optional('HOST', '0.0.0.0'),
    port,
    publicBaseUrl: url('RELAY_PUBLIC_BASE_URL', required('RELAY_PUBLIC_BASE_URL')),
    storePath: optional('RELAY_STORE_PATH', './data/relay.sqlite'),
    ...(databaseUrl && { databaseUrl }),
    presencePollSeconds,
    heartbeatSeconds,
    retention,
    ...(instanceId && { instanceId }),
    ...(opsPort !== undefined && { ops: { host: optional('RELAY_OPS_HOST', '127.0.0.1'), port: opsPort } }),
    ...(stream && { stream }),
    graph: {
      appId,
      appSecret: required('GRAPH_APP_SECRET'),
      allowedTenantIds: tenants,
      baseUrl: url('GRAPH_BASE_URL', optional('GRAPH_BASE_URL', 'https://graph.microsoft.com/v1.0')),
      authorityHost: url('GRAPH_AUTHORITY_HOST', optional('GRAPH_AUTHORITY_HOST', 'https://login.microsoftonline.com')),
      ...(env['GRAPH_OFFLINE_ENDPOINT_BASE']?.trim() && {
        offlineEndpointBase: url('GRAPH_OFFLINE_ENDPOINT_BASE', env['GRAPH_OFFLINE_ENDPOINT_BASE'].trim())
      }),
      openIdMetadataUrls: list(optional('GRAPH_OPENID_METADATA_URLS', SKYPE_OPENID_METADATA)).map((u) =>
        url('GRAPH_OPENID_METADATA_URLS', u)
      ),
      callbackTokenSecret,
      resourceAccounts
    },
    salesforce: {
      loginUrl: url('SF_LOGIN_URL', required('SF_LOGIN_URL')),
      clientId: required('SF_CLIENT_ID'),
      username: required('SF_USERNAME'),
      privateKeyPem,
      orgId,
      apiVersion,
      pubSubEndpoint
    }
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}

/** For the composition root: the config, or a readable multi-line error (the caller exits non-zero). */
export function loadConfigOrThrow(env: Env = process.env): RelayConfig {
  const result = loadConfig(env);
  if (!result.ok) throw new ConfigError(result.errors);
  return result.config;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`relay configuration is incomplete:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const PEM_BLOCK = /-----BEGIN (CERTIFICATE|PUBLIC KEY)-----[\s\S]+?-----END \1-----/g;

/** RELAY_STREAM_CERTIFICATES_FILE (a PEM bundle) and RELAY_STREAM_ORIGINS: both or neither. */
function streamConfig(
  env: Env,
  readFile: (path: string) => string,
  errors: string[],
  allowInsecure: boolean
): RelayConfig['stream'] {
  const file = env['RELAY_STREAM_CERTIFICATES_FILE']?.trim();
  const origins = list(env['RELAY_STREAM_ORIGINS'] ?? '');
  if (!file && origins.length === 0) return undefined;
  if (!file) {
    errors.push('RELAY_STREAM_CERTIFICATES_FILE is required with RELAY_STREAM_ORIGINS (the org certificate, PEM)');
    return undefined;
  }
  let text = '';
  try {
    text = readFile(file);
  } catch {
    errors.push(`RELAY_STREAM_CERTIFICATES_FILE names "${file}", which cannot be read`);
    return undefined;
  }
  const certificatesPem = text.match(PEM_BLOCK) ?? [];
  if (certificatesPem.length === 0)
    errors.push('RELAY_STREAM_CERTIFICATES_FILE must hold PEM certificates ("BEGIN CERTIFICATE") or public keys');
  if (origins.length === 0)
    errors.push(
      'RELAY_STREAM_ORIGINS is required with RELAY_STREAM_CERTIFICATES_FILE (e.g. https://acme.lightning.force.com)'
    );
  const allowedOrigins: string[] = [];
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    const loopback = parsed !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    const secure = parsed?.protocol === 'https:' || (allowInsecure && loopback && parsed?.protocol === 'http:');
    if (!parsed || !secure || parsed.origin !== origin.replace(/\/+$/, ''))
      errors.push(`RELAY_STREAM_ORIGINS entry "${origin}" must be an https origin (scheme://host[:port], no path)`);
    else allowedOrigins.push(parsed.origin);
  }
  return { certificatesPem, allowedOrigins };
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function flag(env: Env, name: string, errors: string[]): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  errors.push(`${name} must be true or false`);
  return false;
}

/** Where the state is kept, for logs and `relay doctor`: the store kind and its place, never a password. */
export function describeStore(config: Pick<RelayConfig, 'storePath' | 'databaseUrl'>): string {
  if (config.databaseUrl === undefined) return `SQLite at ${config.storePath}`;
  const url = new URL(config.databaseUrl);
  const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
  return `PostgreSQL at ${user}${url.host}${url.pathname}`;
}
