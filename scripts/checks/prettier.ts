import type { CheckResult, Finding } from '../lib/check.ts';
import { bin } from '../lib/paths.ts';
import { run } from '../lib/run.ts';

const PATTERNS = [
  'force-app/**/*.{cls,trigger,js,html,xml}',
  'relay/**/*.{ts,js,mjs,json,md}',
  'devstack/**/*.{ts,js,mjs,json,md}',
  'scripts/**/*.{ts,js,mjs,cjs,json,md}'
];

/** prettier --check with the repo config; each unformatted file is one finding. */
export async function prettier(root: string): Promise<CheckResult> {
  const out = await run(bin('prettier'), ['--check', '--no-error-on-unmatched-pattern', ...PATTERNS], root);
  const findings: Finding[] = [];
  for (const line of `${out.stdout}\n${out.stderr}`.split('\n')) {
    const m = /^\[(warn|error)\] (.+)$/.exec(line.trim());
    if (!m || /Code style issues|Forgot to run|All matched files/.test(m[2]!)) continue;
    const err = /^(.+?): (.*)\((\d+):\d+\)/.exec(m[2]!);
    if (err)
      findings.push({ file: err[1]!, line: Number(err[3]), message: `prettier cannot parse: ${err[2]!.trim()}` });
    else if (m[1] === 'warn')
      findings.push({ file: m[2]!, line: 0, message: 'not formatted (run npx prettier --write)' });
  }
  if (out.code !== 0 && findings.length === 0) {
    findings.push({ file: '.', line: 0, message: `prettier exit ${out.code}: ${out.stderr.trim().slice(0, 300)}` });
  }
  return { name: 'prettier', findings, note: '' };
}
