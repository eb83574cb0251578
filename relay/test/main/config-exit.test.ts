import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const relayDir = fileURLToPath(new URL('../..', import.meta.url));
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const COMPLETE: Record<string, string> = {
  RELAY_PUBLIC_BASE_URL: 'https://relay.example.com',
  RELAY_STORE_PATH: ':memory:',
  GRAPH_APP_ID: '11111111-2222-3333-4444-555555555555',
  GRAPH_APP_SECRET: 'not-a-real-secret',
  GRAPH_ALLOWED_TENANT_IDS: '632899f8-2ea1-4604-8413-27bd2892079f',
  CALLBACK_TOKEN_SECRET: 'c'.repeat(48),
  SF_LOGIN_URL: 'https://login.salesforce.com',
  SF_CLIENT_ID: 'client-id',
  SF_USERNAME: 'relay@example.com',
  SF_PRIVATE_KEY: pem,
  SF_ORG_ID: '00D000000000001AAA'
};

/** Runs `src/main.ts` as its own process with exactly `env` (plus PATH), as an operator would. */
function startRelay(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: relayDir,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000
  });
}

describe('relay start with incomplete configuration (issue 4)', () => {
  it('exits non-zero naming every missing variable when nothing is configured', () => {
    const run = startRelay({});
    assert.equal(run.status, 2);
    for (const name of ['GRAPH_APP_ID', 'GRAPH_APP_SECRET', 'CALLBACK_TOKEN_SECRET', 'SF_ORG_ID', 'SF_LOGIN_URL']) {
      assert.match(run.stderr, new RegExp(`${name} is required but not set`));
    }
  });

  it('exits non-zero naming only the one variable left out, without echoing secrets', () => {
    const { SF_ORG_ID: _left, ...env } = COMPLETE;
    const run = startRelay(env);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /relay configuration is incomplete/);
    assert.match(run.stderr, /SF_ORG_ID is required but not set/);
    assert.doesNotMatch(run.stderr, /GRAPH_APP_ID|not-a-real-secret|BEGIN PRIVATE KEY/);
  });
});
