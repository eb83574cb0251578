import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, describeStore, loadConfig, loadConfigOrThrow } from '../../src/config/env.ts';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n';
const valid = {
  RELAY_PUBLIC_BASE_URL: 'https://relay.example.com',
  GRAPH_APP_ID: '0efc74f7-41c3-47a4-8775-7259bfef4241',
  GRAPH_APP_SECRET: 'graph-app-credential-value',
  GRAPH_ALLOWED_TENANT_IDS: '1fdd12d0-4620-44ed-baec-459b611f84b2',
  CALLBACK_TOKEN_SECRET: 'x'.repeat(48),
  GRAPH_RESOURCE_ACCOUNTS: '7629bdce-046c-4903-86b4-a8f718277e1a=+442071234567',
  SF_LOGIN_URL: 'https://login.salesforce.com',
  SF_CLIENT_ID: 'eca-consumer-key',
  SF_USERNAME: 'relay@example.com',
  SF_PRIVATE_KEY_FILE: '/run/secrets/sf.pem',
  SF_ORG_ID: '00D000000000001EAA'
};
const readFile = (path: string) => {
  if (path === '/run/secrets/sf.pem') return PEM;
  throw new Error('ENOENT');
};

function errorsFor(env: Record<string, string | undefined>): string[] {
  const result = loadConfig(env, readFile);
  return result.ok ? [] : result.errors;
}

describe('[B15] RELAY_DATABASE_URL', () => {
  it('selects PostgreSQL when set; SQLite stays the default', () => {
    const sqlite = loadConfig(valid, readFile);
    assert.ok(sqlite.ok);
    assert.equal(sqlite.config.databaseUrl, undefined);
    assert.equal(describeStore(sqlite.config), 'SQLite at ./data/relay.sqlite');
    const pgConfig = loadConfig(
      { ...valid, RELAY_DATABASE_URL: ' postgres://relay:s3cret@db.internal:5432/relay ' },
      readFile
    );
    assert.ok(pgConfig.ok);
    assert.equal(pgConfig.config.databaseUrl, 'postgres://relay:s3cret@db.internal:5432/relay');
    assert.equal(describeStore(pgConfig.config), 'PostgreSQL at relay@db.internal:5432/relay', 'no password');
  });

  for (const bad of ['mysql://db/relay', 'not a url', 'postgres:///relay', 'file:///data/relay.sqlite']) {
    it(`refuses ${JSON.stringify(bad)} with the variable's name and without echoing it`, () => {
      const errors = errorsFor({ ...valid, RELAY_DATABASE_URL: bad });
      assert.deepEqual(errors, ['RELAY_DATABASE_URL must be a postgres://user@host:port/database URL']);
    });
  }
});

describe('loadConfig', () => {
  it('[contract] a complete environment yields the config with defaults', () => {
    const result = loadConfig(valid, readFile);
    assert.ok(result.ok);
    assert.equal(result.config.port, 8080);
    assert.equal(result.config.salesforce.privateKeyPem, PEM);
    assert.equal(result.config.graph.baseUrl, 'https://graph.microsoft.com/v1.0');
    assert.deepEqual(result.config.graph.resourceAccounts, { '7629bdce-046c-4903-86b4-a8f718277e1a': '+442071234567' });
  });

  it('[contract] every missing required variable is named', () => {
    const errors = errorsFor({});
    for (const name of [
      'RELAY_PUBLIC_BASE_URL',
      'GRAPH_APP_ID',
      'GRAPH_APP_SECRET',
      'GRAPH_ALLOWED_TENANT_IDS',
      'CALLBACK_TOKEN_SECRET',
      'SF_LOGIN_URL',
      'SF_CLIENT_ID',
      'SF_USERNAME',
      'SF_ORG_ID',
      'SF_PRIVATE_KEY_FILE'
    ]) {
      assert.ok(
        errors.some((e) => e.startsWith(name)),
        `${name} not reported in ${JSON.stringify(errors)}`
      );
    }
  });

  for (const [name, value, pattern] of [
    ['GRAPH_APP_ID', 'bot', /GRAPH_APP_ID must be the bot app \(client\) id/],
    ['GRAPH_ALLOWED_TENANT_IDS', 'contoso.com', /GRAPH_ALLOWED_TENANT_IDS contains "contoso.com"/],
    ['CALLBACK_TOKEN_SECRET', 'short', /CALLBACK_TOKEN_SECRET must be at least 32 bytes/],
    ['SF_ORG_ID', '00D', /SF_ORG_ID must be a 15 or 18 character/],
    ['PORT', '70000', /PORT must be an integer/],
    ['RELAY_PUBLIC_BASE_URL', 'http://relay.example.com', /RELAY_PUBLIC_BASE_URL must use https/],
    ['SF_LOGIN_URL', 'not a url', /SF_LOGIN_URL must be an absolute URL/],
    ['GRAPH_RESOURCE_ACCOUNTS', 'abc=123', /GRAPH_RESOURCE_ACCOUNTS entry "abc=123"/],
    ['SF_PRIVATE_KEY_FILE', '/nope.pem', /SF_PRIVATE_KEY_FILE names "\/nope.pem", which cannot be read/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['RELAY_PRESENCE_POLL_SECONDS', '1', /RELAY_PRESENCE_POLL_SECONDS must be an integer 2–3600/],
    ['RELAY_HEARTBEAT_SECONDS', '2', /RELAY_HEARTBEAT_SECONDS must be an integer 5–3600/],
    ['RELAY_INBOX_RETENTION_HOURS', '0', /RELAY_INBOX_RETENTION_HOURS must be an integer 1–8760 hours/],
    ['RELAY_COMMAND_RETENTION_HOURS', '24', /RELAY_COMMAND_RETENTION_HOURS must be an integer 72–8760 hours/],
    ['RELAY_INSTANCE_ID', 'x'.repeat(81), /RELAY_INSTANCE_ID must be at most 80 characters/]
  ] as const) {
    it(`[contract] a wrong ${name} is reported by name`, () => {
      assert.deepEqual(errorsFor({ ...valid, [name]: value }).filter((e) => pattern.test(e)).length, 1);
    });
  }

  it('[B06] loopback http URLs are allowed only with RELAY_ALLOW_INSECURE_LOOPBACK=true', () => {
    const env = { ...valid, GRAPH_BASE_URL: 'http://127.0.0.1:4010/v1.0' };
    assert.equal(errorsFor(env).length, 1);
    assert.deepEqual(errorsFor({ ...env, RELAY_ALLOW_INSECURE_LOOPBACK: 'true' }), []);
  });

  it('[contract] secret values never appear in error messages', () => {
    const errors = errorsFor({ ...valid, CALLBACK_TOKEN_SECRET: 'tiny-secret-value' });
    assert.ok(!errors.join('\n').includes('tiny-secret-value'));
  });

  it('[contract] loadConfigOrThrow lists every problem in one error', () => {
    assert.throws(
      () => loadConfigOrThrow({}),
      (error: unknown) => error instanceof ConfigError && error.problems.length >= 10
    );
  });
});
