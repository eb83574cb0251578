import { check } from '@apexdevtools/apex-parser';
import { join, resolve } from 'node:path';
import type { CheckResult, Finding } from '../lib/check.ts';
import { isApex, rel, walk } from '../lib/files.ts';

/** Apex syntax via the ANTLR grammar. `check()` returns status 0 even with errors, so errors are counted. */
export async function apexSyntax(root: string): Promise<CheckResult> {
  const forceApp = join(root, 'force-app');
  const files = walk(forceApp, isApex);
  if (files.length === 0) return { name: 'apex-syntax', findings: [], note: 'no Apex files' };
  // check() prints a "Parsed N files" line per extension; keep verify's output to one line per check.
  const log = console.log;
  console.log = () => undefined;
  let result;
  try {
    result = await check(forceApp, '.cls,.trigger');
  } finally {
    console.log = log;
  }
  const findings: Finding[] = result.errors.map((e) => ({
    file: rel(root, resolve(forceApp, e.path)),
    line: e.line,
    message: `Apex syntax error: ${e.message}`
  }));
  return { name: 'apex-syntax', findings, note: `${files.length} files` };
}
