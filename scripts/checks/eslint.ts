import type { CheckResult, Finding } from '../lib/check.ts';
import { rel } from '../lib/files.ts';
import { bin } from '../lib/paths.ts';
import { run } from '../lib/run.ts';

interface EslintFileResult {
  filePath: string;
  messages: { line?: number; ruleId: string | null; message: string; severity: number }[];
}

/** ESLint over the whole repo with the flat config; errors and warnings both fail. */
export async function eslint(root: string): Promise<CheckResult> {
  const out = await run(bin('eslint'), ['.', '--format', 'json', '--no-warn-ignored'], root);
  const findings: Finding[] = [];
  let files = 0;
  try {
    const results = JSON.parse(out.stdout) as EslintFileResult[];
    files = results.length;
    for (const r of results) {
      for (const msg of r.messages) {
        findings.push({
          file: rel(root, r.filePath),
          line: msg.line ?? 0,
          message: `${msg.ruleId ?? 'eslint'}: ${msg.message}`
        });
      }
    }
  } catch {
    findings.push({ file: '.', line: 0, message: `eslint exit ${out.code}: ${out.stderr.trim().slice(0, 400)}` });
  }
  return { name: 'eslint', findings, note: `${files} files` };
}
