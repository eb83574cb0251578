import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult, Finding } from '../lib/check.ts';
import { isApex, rel, walk } from '../lib/files.ts';
import { TOOL_ROOT } from '../lib/paths.ts';
import { run } from '../lib/run.ts';

/** apex-ls (apex-dev-tools' semantic checker) ships inside the Code Analyzer PMD engine; it runs on Java 17. */
export const APEX_LS_CLASSPATH = join(
  TOOL_ROOT,
  'node_modules',
  '@salesforce',
  'code-analyzer-pmd-engine',
  'dist',
  'java-lib'
);

/**
 * apex-ls knows the standard library of API 65.0; these newer platform methods are real (Apex Reference) and
 * reported as "Missing" by it. Each entry is a message prefix, with the release that added it.
 */
export const NEWER_THAN_APEX_LS: readonly string[] = [
  // EventBus.publishWithAccessLevel(events, accessLevel): Apex Reference, EventBus Class (API 66.0+).
  "No matching method found for 'publishWithAccessLevel' on 'System.EventBus'"
];

interface ApexLsReport {
  files: { path: string; messages: { start: { line: number }; category: string; message: string }[] }[];
}

/**
 * Compile-level Apex checks the grammar cannot see: reserved identifiers, unknown methods or fields on standard
 * classes and SObjects, type mismatches, wrong argument counts. "Error" and "Missing" fail; "Warning" is listed.
 */
export async function apexCompile(root: string): Promise<CheckResult> {
  const files = walk(join(root, 'force-app'), isApex);
  if (files.length === 0) return { name: 'apex-compile', findings: [], note: 'no Apex files' };
  if (!existsSync(join(root, 'sfdx-project.json'))) {
    return {
      name: 'apex-compile',
      findings: [{ file: '.', line: 0, message: 'apex-ls needs sfdx-project.json at the project root' }],
      note: ''
    };
  }
  const out = await run(
    'java',
    [
      '-cp',
      `${APEX_LS_CLASSPATH}/*`,
      'io.github.apexdevtools.apexls.CheckForIssues',
      '-w',
      root,
      '-d',
      'warnings',
      '-n',
      '-f',
      'json'
    ],
    root
  );
  let report: ApexLsReport;
  try {
    report = JSON.parse(out.stdout.slice(out.stdout.indexOf('{'))) as ApexLsReport;
  } catch {
    return {
      name: 'apex-compile',
      findings: [{ file: '.', line: 0, message: `apex-ls exit ${out.code}: ${(out.stderr || out.stdout).trim()}` }],
      note: ''
    };
  }
  const findings: Finding[] = [];
  const warnings: Finding[] = [];
  let newer = 0;
  for (const file of report.files) {
    for (const m of file.messages) {
      const finding = {
        file: rel(root, file.path),
        line: m.start.line,
        message: `apex-ls ${m.category}: ${m.message}`
      };
      if (m.category === 'Warning') warnings.push(finding);
      else if (NEWER_THAN_APEX_LS.some((known) => m.message.startsWith(known))) newer++;
      else findings.push(finding);
    }
  }
  return {
    name: 'apex-compile',
    findings,
    warnings,
    note: `${files.length} files; apex-ls: ${findings.length} error(s), ${warnings.length} warning(s), ${newer} call(s) to platform methods newer than its API 65.0 library`
  };
}
