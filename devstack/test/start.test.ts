// `npm start` stays quiet (issue 19). `startLocalStack` is npm start's code path — emulators, the relay as a child
// process with its log formatted, the banner — run here with the console preview served unbuilt (the LWC build
// prints nothing and takes a minute). After the banner it runs through several presence polls with no call
// placed: the stack polls every 2 s, so each poll stands for 30 s of a production relay's first minute.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPreview } from '../preview/server.ts';
import { startLocalStack, type LocalStack } from '../src/start.ts';

const POLLS_AFTER_BANNER = 5;

async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('npm start output (issue 19)', () => {
  const printed: string[] = [];
  let local: LocalStack;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devstack-start-'));
    local = await startLocalStack({
      ports: { relay: 0, teams: 0, salesforce: 0, pubSub: 0, preview: 0 },
      relayLogLevel: 'info',
      workDir: dir,
      print: (text) => printed.push(...text.split('\n')),
      preview: (stack, port) =>
        startPreview({ port, host: '127.0.0.1', backendUrl: stack.salesforce.url, simulatorUrl: stack.teams.url })
    });
  });

  after(async () => {
    await local?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints fewer than 15 lines through several presence polls with no call, the URLs last', async () => {
    const polls = () =>
      local.stack.teams.requests.filter((r) => r.path === '/communications/getPresencesByUserId').length;
    const atBanner = polls();
    await until(
      `${POLLS_AFTER_BANNER} presence polls after the banner`,
      () => polls() >= atBanner + POLLS_AFTER_BANNER,
      60_000
    );
    // The relay writes its line about a poll before it sends the next one, so every poll but the last is in `printed`.
    const out = printed.join('\n');
    assert.ok(printed.length < 15, `npm start printed ${printed.length} lines:\n${out}`);
    assert.match(printed.at(-4)!, /^ {2}relay +http:\/\/127\.0\.0\.1:\d+/, out);
    assert.match(printed.at(-3)!, /^ {2}Teams simulator +https:/, out);
    assert.match(printed.at(-2)!, /^ {2}Salesforce emulator +https:/, out);
    assert.match(printed.at(-1)!, /^ {2}console preview +http:\/\/127\.0\.0\.1:\d+ +← open this/, out);
    assert.equal(local.urls, printed.slice(-4).join('\n'), 'Enter prints exactly these four lines again');
  });

  it("writes the relay's environment for `relay doctor`, readable only by the developer", () => {
    const file = join(dir, 'relay.env');
    const env = readFileSync(file, 'utf8');
    assert.match(env, /^GRAPH_APP_ID=[0-9a-f-]{36}$/m);
    assert.match(env, /^NODE_EXTRA_CA_CERTS=.*emulator-ca\.pem$/m);
    assert.match(env, /^GRPC_DEFAULT_SSL_ROOTS_FILE_PATH=.*emulator-ca\.pem$/m);
    assert.equal(statSync(file).mode & 0o077, 0);
  });
});
