/** One problem a check found; `line` is 1-based (0 when the whole file is at fault). */
export interface Finding {
  file: string;
  line: number;
  message: string;
}

export interface CheckResult {
  name: string;
  findings: Finding[];
  /** Listed under the check's status line but never fail it (e.g. apex-ls warnings). */
  warnings?: Finding[];
  /** Short note printed after the status, e.g. "12 files" or "skipped: no Apex". */
  note: string;
}

export type Check = (root: string) => Promise<CheckResult>;

export function formatFinding(f: Finding): string {
  return f.line > 0 ? `${f.file}:${f.line}: ${f.message}` : `${f.file}: ${f.message}`;
}
