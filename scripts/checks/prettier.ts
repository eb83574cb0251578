import type { CheckResult, Finding } from '../lib/check.ts';
import { bin } from '../lib/paths.ts';
import { run } from '../lib/run.ts';

const PATTERNS = [
  'force-app/**/*.{cls,trigger,js,html,xml}',
  'relay/**/*.{ts,js,mjs,json,md}',
  'devstack/**/*.{ts,js,mjs,json,md}',
  'scripts/**/*.{ts,js,mjs,cjs,json,md}'
];

/**
 * prettier --list-different with the repo config; each unformatted file is one finding. (--check is not used: with
 * CI=true it stops printing which files are unformatted, and the CI log would name none.)
 */
export async function prettier(root: string): Promise<CheckResult> {
  const out = await run(bin('prettier'), ['--list-different', '--no-error-on-unmatched-pattern', ...PATTERNS], root);
  const findings: Finding[] = [];
  const plain = (text: string): string[] =>
    text
      // eslint-disable-next-line no-control-regex -- strip terminal colours from prettier's messages
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  for (const line of plain(out.stdout)) {
    findings.push({ file: line, line: 0, message: 'not formatted (run npx prettier --write)' });
  }
  for (const line of plain(out.stderr)) {
    const err = /^\[error\] (.+?): (.*)\((\d+):\d+\)$/.exec(line);
    if (err)
      findings.push({ file: err[1]!, line: Number(err[3]), message: `prettier cannot parse: ${err[2]!.trim()}` });
  }
  if (out.code !== 0 && findings.length === 0) {
    findings.push({ file: '.', line: 0, message: `prettier exit ${out.code}: ${out.stderr.trim().slice(0, 300)}` });
  }
  return { name: 'prettier', findings, note: '' };
}
