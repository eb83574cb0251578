/**
 * `relay doctor`: checks, read-only and step by step, everything docs/install/ sets up, with the same environment
 * the relay runs with. One line per check (PASS / WARN / FAIL / SKIP), a `fix:` line under each failure, and a
 * closing count. Exit code 0 when nothing failed, 1 otherwise.
 */
import { loadConfig } from '../config/env.ts';
import { Doctor, type CheckLine } from './checks.ts';

type Env = Record<string, string | undefined>;

const LABEL: Record<CheckLine['status'], string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

export function formatLine(line: CheckLine): string {
  const head = `${LABEL[line.status]}  ${line.check.padEnd(44)} ${line.detail}`;
  return line.fix ? `${head}\n      fix: ${line.fix}` : head;
}

/** Runs the checks against `env`, writing each line as it is known; resolves to the exit code. */
export async function runDoctor(env: Env, write: (text: string) => void): Promise<number> {
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0 };
  const report = (line: CheckLine) => {
    counts[line.status] += 1;
    write(`${formatLine(line)}\n`);
  };
  write('relay doctor: read-only checks of this installation (docs/install/README.md)\n');
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    for (const problem of loaded.errors) {
      report({
        status: 'fail',
        check: 'configuration',
        detail: problem,
        fix: 'set the variable as relay/.env.example and docs/install/relay.md describe'
      });
    }
    report({ status: 'skip', check: 'everything else', detail: 'not checked: needs a valid configuration' });
  } else {
    report({ status: 'pass', check: 'configuration', detail: 'every variable is set and valid' });
    try {
      await new Doctor(loaded.config).run(report);
    } catch (error) {
      report({
        status: 'fail',
        check: 'doctor',
        detail: `stopped early: ${error instanceof Error ? error.message : String(error)}`
      });
    }
  }
  write(`${counts.pass} passed, ${counts.warn} warnings, ${counts.fail} failed, ${counts.skip} skipped\n`);
  return counts.fail > 0 ? 1 : 0;
}
