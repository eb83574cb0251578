import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { apexCompile } from './checks/apex-compile.ts';
import { apexSyntax } from './checks/apex-syntax.ts';
import { codeAnalyzer, graphEngine } from './checks/code-analyzer.ts';
import { eslint } from './checks/eslint.ts';
import { layers } from './checks/layers.ts';
import { metadata } from './checks/metadata.ts';
import { prettier } from './checks/prettier.ts';
import { schemaRefs } from './checks/schema-refs.ts';
import { tsc } from './checks/tsc.ts';
import { type Check, type Finding, formatFinding } from './lib/check.ts';

/** Order: cheapest and most decisive first. */
export const CHECKS: Record<string, Check> = {
  prettier,
  eslint,
  tsc,
  'apex-syntax': apexSyntax,
  'apex-compile': apexCompile,
  'schema-refs': schemaRefs,
  'code-analyzer': codeAnalyzer,
  metadata,
  layers,
  'graph-engine': graphEngine
};

/** Run only when named with --only (npm test runs them as their own step): too slow for every verify. */
export const SLOW_CHECKS = new Set(['graph-engine']);

function parseArgs(argv: string[]): { root: string; only: string[] } {
  let root = process.cwd();
  let only = Object.keys(CHECKS).filter((n) => !SLOW_CHECKS.has(n));
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root') root = resolve(argv[++i] ?? '.');
    else if (argv[i] === '--only') only = (argv[++i] ?? '').split(',').filter(Boolean);
  }
  const unknown = only.filter((n) => !(n in CHECKS));
  if (unknown.length > 0)
    throw new Error(`unknown check(s): ${unknown.join(', ')}; known: ${Object.keys(CHECKS).join(', ')}`);
  return { root, only };
}

interface Outcome {
  findings: Finding[];
  warnings: Finding[];
  note: string;
  secs: string;
}

async function runOne(name: string, root: string): Promise<Outcome> {
  const started = performance.now();
  let findings: Finding[];
  let warnings: Finding[] = [];
  let note = '';
  try {
    const result = await CHECKS[name]!(root);
    ({ findings, note } = result);
    warnings = result.warnings ?? [];
  } catch (err) {
    findings = [{ file: '.', line: 0, message: `check crashed: ${(err as Error).stack ?? String(err)}` }];
  }
  return { findings, warnings, note, secs: ((performance.now() - started) / 1000).toFixed(1) };
}

// process.stdout directly: apex-syntax silences console.log while the parser runs, possibly concurrently.
const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const { root, only } = parseArgs(process.argv.slice(2));
  // Checks mostly wait on child processes (eslint, tsc, java); two at a time keeps a 2-core CI box busy.
  const outcomes = new Map<string, Promise<Outcome>>();
  const queue = [...only];
  const workers = Array.from({ length: Math.min(2, availableParallelism()) }, async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const outcome = runOne(name, root);
      outcomes.set(name, outcome);
      await outcome;
    }
  });
  let failed = 0;
  for (const name of only) {
    while (!outcomes.has(name)) await new Promise((r) => setTimeout(r, 20));
    const { findings, warnings, note, secs } = await outcomes.get(name)!;
    if (findings.length === 0) {
      say(`PASS ${name} (${secs}s)${note ? ` ${note}` : ''}`);
    } else {
      failed++;
      say(`FAIL ${name} (${secs}s) ${findings.length} finding(s)${note ? `; ${note}` : ''}`);
      for (const f of findings) say(`  ${formatFinding(f)}`);
    }
    for (const w of warnings) say(`  warning ${formatFinding(w)}`);
  }
  await Promise.all(workers);
  say(`verify: ${only.length - failed} checks passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
