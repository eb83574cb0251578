// `relay doctor` against the local stack (emulated tenant and org, the real relay as a child process): it passes
// when everything is set up, and each step broken in turn makes exactly that step fail with its fix named.
// The doctor runs as its own process, as an operator runs it, with the relay's environment.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { startStack, type Stack } from '../../devstack/src/stack.ts';
import { generateClientCertificate, generateTlsMaterial } from '../../devstack/src/keys/index.ts';
import { REQUIRED_GRAPH_PERMISSIONS } from '../src/doctor/checks.ts';

const relayDir = fileURLToPath(new URL('..', import.meta.url));
const ALL_ROLES = REQUIRED_GRAPH_PERMISSIONS.map((p) => p.role);

interface Run {
  code: number | null;
  out: string;
  /** The first line for `check` (its status word, then the check, then the detail), and its fix line if any. */
  line(check: string): string;
}

async function runDoctor(env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'doctor'], {
    cwd: relayDir,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (exitCode) => {
      clearTimeout(killer);
      resolve(exitCode);
    });
  });
  const lines = out.split('\n');
  return {
    code,
    out,
    line(check: string) {
      const index = lines.findIndex((l) => /^(PASS|WARN|FAIL|SKIP) {2}/.test(l) && l.slice(6).startsWith(check));
      if (index < 0) assert.fail(`no line for "${check}" in:\n${out}`);
      const next = lines[index + 1] ?? '';
      return next.startsWith('      fix: ') ? `${lines[index]}\n${next}` : lines[index]!;
    }
  };
}

/**
 * Stands in for the tenant's admin consent: the Teams simulator grants a fixed set of roles, so this proxy in
 * front of it hands the doctor tokens whose `roles` claim is the set a test grants (the claim is all the doctor
 * reads), and swaps the simulator's real token back in for every Graph request it forwards.
 */
class ConsentProxy {
  granted: string[] = ALL_ROLES;
  private readonly realTokens = new Map<string, string>();
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly target: string,
    private readonly agent: Agent
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.forward(req).then(
        ({ status, body, type }) => res.writeHead(status, { 'content-type': type }).end(body),
        (error: unknown) => res.writeHead(502).end(String(error))
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async forward(req: IncomingMessage): Promise<{ status: number; body: string; type: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) headers['authorization'] = `Bearer ${this.realTokens.get(bearer) ?? bearer}`;
    const response = await undiciFetch(`${this.target}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      ...(chunks.length > 0 && { body: Buffer.concat(chunks) }),
      dispatcher: this.agent
    });
    let body = await response.text();
    const type = response.headers.get('content-type') ?? 'application/json';
    if (response.ok && /\/oauth2\/v2\.0\/token$/.test((req.url ?? '').split('?')[0]!)) {
      const issued = JSON.parse(body) as { access_token: string };
      const [header, , signature] = issued.access_token.split('.');
      const claims = { ...decodeJwt(issued.access_token), roles: this.granted };
      const consented = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
      this.realTokens.set(consented, issued.access_token);
      body = JSON.stringify({ ...issued, access_token: consented });
    }
    return { status: response.status, body, type };
  }
}

describe('relay doctor against the local stack (issue 19)', () => {
  let stack: Stack;
  let proxy: ConsentProxy;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    stack = await startStack({ relayLogLevel: 'warn', relayOutput: 'capture' });
    dir = mkdtempSync(join(tmpdir(), 'relay-doctor-'));
    const caFile = join(dir, 'emulator-ca.pem');
    writeFileSync(caFile, stack.teams.tls.cert);
    proxy = new ConsentProxy(stack.teams.url, new Agent({ connect: { ca: stack.teams.tls.cert } }));
    await proxy.start();
    env = {
      ...stack.relayEnv,
      NODE_EXTRA_CA_CERTS: caFile,
      GRAPH_BASE_URL: `${proxy.url}/v1.0`,
      GRAPH_OFFLINE_ENDPOINT_BASE: proxy.url
    };
  });

  after(async () => {
    await proxy?.stop();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes every check when the tenant and the org are set up as docs/install/ says', async () => {
    const run = await runDoctor(env);
    assert.equal(run.code, 0, run.out);
    assert.doesNotMatch(run.out, /^(FAIL|SKIP) /m, run.out);
    for (const check of [
      'configuration',
      'store',
      'graph token',
      ...ALL_ROLES.map((role) => `graph permission ${role}`),
      'calling webhook',
      'salesforce login',
      'salesforce org id',
      'pub/sub /event/TeamsCallEvent__e',
      'pub/sub /event/TeamsCallCommand__e',
      'salesforce configuration (SOQL)',
      'line +15•••••0101',
      'teams user of Alice Agent'
    ]) {
      assert.match(run.line(check), /^PASS /, check);
    }
    assert.match(run.out, /^\d+ passed, 0 warnings, 0 failed, 0 skipped$/m);
    // Secrets and full numbers never appear.
    for (const secret of [env['GRAPH_APP_SECRET']!, env['CALLBACK_TOKEN_SECRET']!, '+15555550101']) {
      assert.ok(!run.out.includes(secret), `the output contains ${secret.slice(0, 4)}…`);
    }
  });

  it('names every invalid variable and checks nothing else when the configuration is incomplete', async () => {
    const { GRAPH_APP_ID: _dropped, ...rest } = env;
    const run = await runDoctor({ ...rest, SF_ORG_ID: 'not-an-org' });
    assert.equal(run.code, 1);
    assert.match(run.out, /^FAIL {2}configuration +GRAPH_APP_ID is required but not set$/m);
    assert.match(run.out, /^FAIL {2}configuration +SF_ORG_ID must be a 15 or 18 character Salesforce org id$/m);
    assert.match(run.line('everything else'), /^SKIP /);
    assert.doesNotMatch(run.out, /^PASS /m);
  });

  it('fails the store check when the store folder is open to other users', async () => {
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const run = await runDoctor({ ...env, RELAY_STORE_PATH: join(open, 'relay.sqlite') });
    assert.equal(run.code, 1);
    assert.match(run.line('store'), /^FAIL .*writable by other users[\s\S]*fix: `chmod go-w /);
  });

  it('passes the store check for a folder the relay will create on its first start', async () => {
    const run = await runDoctor({ ...env, RELAY_STORE_PATH: join(dir, 'not-yet', 'relay.sqlite') });
    assert.match(run.line('store'), /^PASS .*the relay creates .*not-yet \(owner-only\) on start/);
  });

  it('[B15] names the SQLite store it checks, and with RELAY_DATABASE_URL checks PostgreSQL instead (no password shown)', async () => {
    const sqlite = await runDoctor({ ...env, RELAY_STORE_PATH: join(dir, 'not-yet', 'relay.sqlite') });
    assert.match(sqlite.line('store'), /^PASS +store +SQLite: /);
    // Nothing listens on port 1: the check fails with what to fix, and the password in the URL is never echoed.
    const run = await runDoctor({ ...env, RELAY_DATABASE_URL: 'postgres://relay:hunter2@127.0.0.1:1/relay' });
    assert.equal(run.code, 1);
    assert.match(run.line('store'), /^FAIL +store +PostgreSQL at relay@127\.0\.0\.1:1\/relay cannot be reached/);
    assert.match(run.line('store'), /fix: check RELAY_DATABASE_URL/);
    assert.doesNotMatch(run.out, /hunter2/);
  });

  it('fails the Graph token with the secret to renew when GRAPH_APP_SECRET is wrong', async () => {
    const run = await runDoctor({ ...env, GRAPH_APP_SECRET: 'an-expired-secret' });
    assert.equal(run.code, 1);
    assert.match(run.line('graph token'), /^FAIL .*AADSTS7000215[\s\S]*fix: GRAPH_APP_SECRET is not a current secret/);
    assert.match(run.line('graph permission Calls.Initiate.All'), /^SKIP /);
    assert.match(run.line('teams users'), /^SKIP /);
    assert.match(run.line('salesforce login'), /^PASS /, 'the Salesforce side is still checked');
  });

  it('fails the one permission the tenant did not consent to, naming where to grant it', async () => {
    proxy.granted = ALL_ROLES.filter((role) => role !== 'Calls.InitiateGroupCall.All');
    try {
      const run = await runDoctor(env);
      assert.equal(run.code, 1);
      assert.match(
        run.line('graph permission Calls.InitiateGroupCall.All'),
        /^FAIL .*invite the agent[\s\S]*fix: .*Application permissions → Calls.InitiateGroupCall.All, then "Grant admin consent"/
      );
      assert.match(run.line('graph permission Calls.Initiate.All'), /^PASS /);
      assert.equal(run.out.match(/^FAIL /gm)?.length, 1, run.out);
    } finally {
      proxy.granted = ALL_ROLES;
    }
  });

  it('fails the calling webhook when nothing answers at RELAY_PUBLIC_BASE_URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runDoctor({ ...env, RELAY_PUBLIC_BASE_URL: `http://127.0.0.1:${port}` });
    assert.equal(run.code, 1);
    assert.match(run.line('calling webhook'), /^FAIL .*ECONNREFUSED[\s\S]*fix: .*Webhook must be this URL/);
  });

  it('fails the calling webhook when something other than the relay answers there', async () => {
    const other = createServer((_req, res) => res.writeHead(200).end('welcome'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const address = other.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const run = await runDoctor({ ...env, RELAY_PUBLIC_BASE_URL: `http://127.0.0.1:${port}` });
      assert.equal(run.code, 1);
      assert.match(run.line('calling webhook'), /^FAIL .*answered 200, not the relay's 401/);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('fails the calling webhook when its certificate is not from a trusted CA', async () => {
    const tls = await generateTlsMaterial();
    const selfSigned = createHttpsServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.writeHead(401).end('{}'));
    await new Promise<void>((resolve) => selfSigned.listen(0, '127.0.0.1', resolve));
    try {
      const address = selfSigned.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const run = await runDoctor({ ...env, RELAY_PUBLIC_BASE_URL: `https://127.0.0.1:${port}` });
      assert.equal(run.code, 1);
      assert.match(run.line('calling webhook'), /^FAIL .*SELF_SIGNED_CERT[\s\S]*fix: .*certificate from a public CA/);
    } finally {
      selfSigned.closeAllConnections();
      await new Promise((resolve) => selfSigned.close(resolve));
    }
  });

  it('fails the Salesforce login with the consumer key to copy when SF_CLIENT_ID is wrong', async () => {
    const run = await runDoctor({ ...env, SF_CLIENT_ID: 'someone-elses-app' });
    assert.equal(run.code, 1);
    assert.match(
      run.line('salesforce login'),
      /^FAIL .*client identifier invalid[\s\S]*fix: SF_CLIENT_ID .*Consumer Key/
    );
    assert.match(run.line('salesforce org id'), /^SKIP /);
    assert.match(run.line('pub/sub /event/TeamsCallEvent__e'), /^SKIP /);
  });

  it('fails the Salesforce login naming the certificate when the key does not match it', async () => {
    const other = await generateClientCertificate('not-the-uploaded-one');
    const keyFile = join(dir, 'other-key.pem');
    writeFileSync(keyFile, other.privateKeyPem, { mode: 0o600 });
    const run = await runDoctor({ ...env, SF_PRIVATE_KEY_FILE: keyFile });
    assert.equal(run.code, 1);
    assert.match(run.line('salesforce login'), /^FAIL .*invalid assertion[\s\S]*fix: .*certificate uploaded/);
  });

  it('fails the org id check when the token is for another org than SF_ORG_ID', async () => {
    const run = await runDoctor({ ...env, SF_ORG_ID: '00D000000000999' });
    assert.equal(run.code, 1);
    assert.match(run.line('salesforce login'), /^PASS /);
    assert.match(
      run.line('salesforce org id'),
      new RegExp(
        `^FAIL .*logged in to org ${stack.salesforce.orgId}, but SF_ORG_ID is 00D000000000999[\\s\\S]*fix: .*set SF_ORG_ID`
      )
    );
  });

  it('fails both topics when the Pub/Sub API endpoint cannot be reached', async () => {
    const run = await runDoctor({ ...env, SF_PUBSUB_ENDPOINT: '127.0.0.1:9' });
    assert.equal(run.code, 1);
    assert.match(run.line('pub/sub /event/TeamsCallEvent__e'), /^FAIL .*GetTopic[\s\S]*fix: SF_PUBSUB_ENDPOINT/);
    assert.match(run.line('pub/sub /event/TeamsCallCommand__e'), /^FAIL /);
    assert.match(run.line('salesforce configuration (SOQL)'), /^PASS /);
  });

  it('fails the configuration query when the integration user cannot read the phone users', async () => {
    // The emulator enforces the permission sets as assigned: take TeamsPhoneIntegration away from the relay's user.
    const store = stack.salesforce.store;
    const set = store.all('PermissionSet').find((p) => p.Name === 'TeamsPhoneIntegration')!;
    const integrationUserId = stack.salesforce.seeded!.integrationUserId;
    const assignment = store
      .all('PermissionSetAssignment')
      .find((a) => a.PermissionSetId === set.Id && a.AssigneeId === integrationUserId)!;
    store.update('PermissionSetAssignment', assignment.Id, { PermissionSetId: 'revoked' });
    try {
      const run = await runDoctor(env);
      assert.equal(run.code, 1);
      assert.match(
        run.line('salesforce configuration (SOQL)'),
        /^FAIL .*TeamsPhoneUser__c[\s\S]*fix: assign the permission set TeamsPhoneIntegration/
      );
      assert.match(run.line('resource accounts'), /^SKIP /);
      assert.match(run.line('teams users'), /^SKIP /);
    } finally {
      store.update('PermissionSetAssignment', assignment.Id, { PermissionSetId: set.Id });
    }
  });

  it("fails an agent's line when no resource account in GRAPH_RESOURCE_ACCOUNTS owns its number", async () => {
    const withoutAlice = env['GRAPH_RESOURCE_ACCOUNTS']!.split(',')
      .filter((pair) => !pair.endsWith('=+15555550101'))
      .join(',');
    const run = await runDoctor({ ...env, GRAPH_RESOURCE_ACCOUNTS: withoutAlice });
    assert.equal(run.code, 1);
    assert.match(
      run.line('line +15•••••0101 (Alice Agent)'),
      /^FAIL .*no resource account[\s\S]*fix: .*Get-CsOnlineApplicationInstance/
    );
    assert.match(run.line('line +15•••••0102 (Bob Agent)'), /^PASS /);
  });

  it('warns, without failing, about a resource account whose number no agent uses', async () => {
    const spare = `${env['GRAPH_RESOURCE_ACCOUNTS']},7629bdce-046c-4903-86b4-a8f718277e99=+15555550199`;
    const run = await runDoctor({ ...env, GRAPH_RESOURCE_ACCOUNTS: spare });
    assert.equal(run.code, 0, run.out);
    assert.match(run.line('resource account 7629bdce-046c-4903-86b4-a8f718277e99'), /^WARN .*no active phone user/);
  });

  it('fails an agent mapped to a Teams user who does not exist in the tenant', async () => {
    const store = stack.salesforce.store;
    const bob = store.all('TeamsPhoneUser__c').find((r) => r.PhoneNumber__c === '+15555550102')!;
    const original = bob.TeamsUserId__c;
    store.update('TeamsPhoneUser__c', String(bob.Id), { TeamsUserId__c: '0badf00d-0000-4000-8000-000000000000' });
    try {
      const run = await runDoctor(env);
      assert.equal(run.code, 1);
      assert.match(
        run.line('teams user of Bob Agent'),
        /^FAIL .*0badf00d-0000-4000-8000-000000000000: 404[\s\S]*fix: .*Object ID/
      );
      assert.match(run.line('teams user of Alice Agent'), /^PASS /);
    } finally {
      store.update('TeamsPhoneUser__c', String(bob.Id), { TeamsUserId__c: original });
    }
  });
});
