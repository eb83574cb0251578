import { dirname, join } from 'node:path';
import type { CheckResult, Finding } from '../lib/check.ts';
import { isApex, rel, walk } from '../lib/files.ts';
import { bin, TOOL_ROOT } from '../lib/paths.ts';
import { run } from '../lib/run.ts';

export const PMD_RULESET = join(TOOL_ROOT, 'scripts', 'checks', 'pmd-ruleset.xml');

/** PMD 7 on system Java. Exit 4 = violations, 5 = processing error (e.g. unparsable Apex). */
export async function pmd(root: string): Promise<CheckResult> {
  const files = walk(join(root, 'force-app'), isApex);
  if (files.length === 0) return { name: 'pmd', findings: [], note: 'no Apex files' };
  const dirs = [...new Set(files.map((f) => dirname(f)))];
  const out = await run(
    bin('pmd'),
    ['check', '--no-cache', '--no-progress', '-d', dirs.join(','), '-R', PMD_RULESET, '-f', 'text'],
    root
  );
  const findings: Finding[] = [];
  // Text format: "<path>:<line>:\t<Rule>:\t<message>"
  for (const line of out.stdout.split('\n')) {
    const m = /^(.+?):(\d+):\s+(\w+):\s+(.*)$/.exec(line.trim());
    if (m) findings.push({ file: rel(root, m[1]!), line: Number(m[2]), message: `PMD ${m[3]}: ${m[4]}` });
  }
  if (out.code === 5 || (out.code !== 0 && findings.length === 0)) {
    const detail = out.stderr
      .split('\n')
      .filter((l) => /ERROR|error/.test(l))
      .slice(0, 5)
      .join(' | ');
    findings.push({
      file: rel(root, dirs[0]!),
      line: 0,
      message: `PMD exit ${out.code}: ${detail || out.stderr.trim()}`
    });
  }
  return { name: 'pmd', findings, note: `${files.length} files` };
}
