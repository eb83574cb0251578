import { readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const SKIP_DIRS = new Set(['node_modules', '.git', '.sfdx', '.sf', 'coverage', 'dist', '.devstack', '.localdevserver']);

/** Every file under `dir` (absolute paths), skipping dependency and build folders. Missing dir: []. */
export function walk(dir: string, accept: (path: string) => boolean = () => true): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) stack.push(full);
      } else if (entry.isFile() && accept(full)) {
        out.push(full);
      }
    }
  }
  return out.sort();
}

/** Repo-relative path with forward slashes, for messages. */
export function rel(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/** 1-based line number of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export const isApex = (p: string): boolean => p.endsWith('.cls') || p.endsWith('.trigger');
