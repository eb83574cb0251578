import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { CheckResult, Finding } from '../lib/check.ts';
import { rel, walk } from '../lib/files.ts';
import { bin } from '../lib/paths.ts';
import { run } from '../lib/run.ts';

export const TS_PROJECTS = [
  'relay/tsconfig.json',
  'devstack/tsconfig.json',
  'scripts/tsconfig.json',
  'force-app/tsconfig.json'
];

/**
 * tsc --noEmit per project. For force-app a `c/<name>` path is generated per LWC bundle, because bundles live in
 * per-feature folders (force-app/main/<feature>/lwc) and a single `c/*` pattern cannot express <name>/<name>.js.
 */
export async function tsc(root: string): Promise<CheckResult> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  for (const project of TS_PROJECTS) {
    const config = join(root, project);
    if (!existsSync(config)) continue;
    let target = config;
    let tmp: string | null = null;
    if (project.startsWith('force-app/')) {
      const bundles = walk(join(root, 'force-app'), (p) => /\/lwc\/([^/]+)\/\1\.js$/.test(p));
      if (bundles.length === 0) {
        notes.push(`${project}: no files`);
        continue;
      }
      tmp = mkdtempSync(join(tmpdir(), 'verify-tsc-'));
      target = join(tmp, 'tsconfig.json');
      writeFileSync(
        target,
        JSON.stringify({
          extends: config,
          compilerOptions: { paths: Object.fromEntries(bundles.map((b) => [`c/${basename(dirname(b))}`, [b]])) }
        })
      );
    }
    try {
      const out = await run(bin('tsc'), ['-p', target, '--noEmit', '--pretty', 'false'], root);
      const text = `${out.stdout}\n${out.stderr}`;
      if (/TS18003/.test(text)) {
        notes.push(`${project}: no files`);
        continue;
      }
      let count = 0;
      for (const line of text.split('\n')) {
        const m = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line.trim());
        if (m) {
          findings.push({ file: rel(root, resolve(root, m[1]!)), line: Number(m[2]), message: `${m[3]}: ${m[4]}` });
          count++;
        } else if (/error TS\d+/.test(line)) {
          findings.push({ file: project, line: 0, message: line.trim() });
          count++;
        }
      }
      if (out.code !== 0 && count === 0)
        findings.push({ file: project, line: 0, message: `tsc exit ${out.code}: ${text.trim().slice(0, 300)}` });
      notes.push(`${project}: ${count} errors`);
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { name: 'tsc', findings, note: notes.join('; ') };
}
