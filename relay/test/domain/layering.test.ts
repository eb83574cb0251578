import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const src = join(import.meta.dirname, '../../src');

function importsOf(dir: string): Array<[string, string]> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) =>
      [...readFileSync(join(dir, file), 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map(
        (m): [string, string] => [file, m[1] ?? '']
      )
    );
}

describe('layer rule', () => {
  it('[B01] the domain core imports nothing outside domain/ (no Node modules, no packages)', () => {
    const outside = importsOf(join(src, 'domain')).filter(([, spec]) => !spec.startsWith('./'));
    assert.deepEqual(outside, []);
  });

  it('[B01] the application layer and ports import no adapter', () => {
    const adapters = [...importsOf(join(src, 'app')), ...importsOf(join(src, 'ports'))].filter(
      ([, spec]) => spec.includes('adapters/') || !spec.startsWith('.')
    );
    assert.deepEqual(adapters, []);
  });
});
