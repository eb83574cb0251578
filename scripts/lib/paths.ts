import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository that holds these scripts (and node_modules), independent of the project being checked. */
export const TOOL_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function bin(name: string): string {
  return join(TOOL_ROOT, 'node_modules', '.bin', name);
}
