// `npm test`: verify, Graph Engine, LWC Jest, node:test suites (relay, devstack, scripts), browser tests; ends with "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
let passed = 0;
let failed = 0;

function header(title) {
  console.log(`\n=== ${title} ===`);
}

function findFiles(dir, accept) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findFiles(full, accept));
    else if (accept(full)) out.push(full);
  }
  return out.sort();
}

function stageVerify(title = 'verify (npm run verify)', args = []) {
  header(title);
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'verify.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8'
  });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  const ok = (r.stdout.match(/^PASS /gm) ?? []).length;
  const bad = (r.stdout.match(/^FAIL /gm) ?? []).length;
  passed += ok;
  // A crash before any check reported still counts as one failure.
  failed += bad > 0 || r.status === 0 ? bad : 1;
}

function stageJest() {
  header('LWC unit tests (sfdx-lwc-jest)');
  const tests = findFiles(join(root, 'force-app'), (p) => /__tests__\/.+\.test\.(js|ts)$/.test(p));
  if (tests.length === 0) {
    console.log('no LWC tests yet');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'jest-'));
  const outFile = join(dir, 'result.json');
  const r = spawnSync(bin('sfdx-lwc-jest'), ['--', '--json', `--outputFile=${outFile}`, '--ci'], {
    cwd: root,
    encoding: 'utf8'
  });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (existsSync(outFile)) {
    const result = JSON.parse(readFileSync(outFile, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    // Suites that fail to load report no tests; count each as one failure.
    failed += result.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
    console.log(`jest: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
  } else {
    console.log(`jest produced no result file (exit ${r.status})`);
    failed += 1;
  }
  rmSync(dir, { recursive: true, force: true });
}

function stageNodeTests(title, dirs) {
  header(title);
  const files = dirs.flatMap((d) => findFiles(join(root, d), (p) => /\.test\.(ts|mts|js|mjs)$/.test(p)));
  if (files.length === 0) {
    console.log('no tests yet');
    return;
  }
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=tap', ...files.map((f) => relative(root, f))],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }
  );
  const lines = r.stdout.split('\n');
  for (const line of lines) {
    // Top-level TAP results only: failures with their detail, passes summarised below; and the counts a suite
    // prints for the log, by spec id (e.g. "# [B01] fault suite (seed 1): 90 calls, 0 lost").
    if (
      /^not ok /.test(line) ||
      /^# (tests|pass|fail|cancelled|skipped|todo|duration_ms) /.test(line) ||
      /^# \[[SB]\d{2}\]/.test(line)
    )
      console.log(line);
  }
  if (/^not ok /m.test(r.stdout)) {
    console.log('--- failure details (TAP) ---');
    process.stdout.write(
      r.stdout
        .split('\n')
        .filter((l) => !/^\s*ok /.test(l))
        .join('\n')
    );
  }
  process.stderr.write(r.stderr);
  const pass = Number(/^# pass (\d+)/m.exec(r.stdout)?.[1] ?? 0);
  const fail = Number(/^# fail (\d+)/m.exec(r.stdout)?.[1] ?? 0);
  const cancelled = Number(/^# cancelled (\d+)/m.exec(r.stdout)?.[1] ?? 0);
  passed += pass;
  failed += fail + cancelled;
  if (r.status !== 0 && fail + cancelled === 0) failed += 1;
}

const STAGES = {
  verify: () => stageVerify(),
  // Salesforce Graph Engine's data-flow rules take about 3 min on 2 cores: its own step, not part of every verify.
  'graph-engine': () =>
    stageVerify('Salesforce Graph Engine (npm run verify -- --only graph-engine)', ['--only', 'graph-engine']),
  jest: stageJest,
  relay: () => stageNodeTests('relay tests (node:test)', ['relay/test']),
  devstack: () => stageNodeTests('devstack tests (node:test)', ['devstack/test']),
  e2e: () => stageNodeTests('end-to-end scenarios (relay + emulators, node:test)', ['devstack/test-e2e']),
  scripts: () => stageNodeTests('scripts tests (node:test)', ['scripts/test']),
  browser: () => stageNodeTests('browser tests (node:test + chromium)', ['devstack/test-browser'])
};
// `--stages a,b` runs a subset (for local work); CI runs all.
const flag = process.argv.indexOf('--stages');
const selected = flag === -1 ? Object.keys(STAGES) : (process.argv[flag + 1] ?? '').split(',').filter(Boolean);
const unknown = selected.filter((s) => !(s in STAGES));
if (unknown.length > 0) {
  console.error(`unknown stage(s): ${unknown.join(', ')}; known: ${Object.keys(STAGES).join(', ')}`);
  process.exit(2);
}
for (const stage of selected) STAGES[stage]();

console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
