import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { CheckResult, Finding } from '../lib/check.ts';
import { lineAt, rel, walk } from '../lib/files.ts';

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

type Layer = { kind: 'domain' | 'app' | 'ports' | 'main' | 'other' } | { kind: 'adapter'; name: string };

function layerOf(srcRel: string): Layer {
  const parts = srcRel.split('/');
  if (parts[0] === 'domain' || parts[0] === 'app' || parts[0] === 'ports') return { kind: parts[0] };
  if (parts[0] === 'adapters' && parts.length > 2) return { kind: 'adapter', name: parts[1]! };
  if (srcRel === 'main.ts') return { kind: 'main' };
  return { kind: 'other' };
}

/**
 * Hexagonal layering of relay/src: domain imports nothing outside itself; app imports only domain and ports;
 * an adapter never imports another adapter; only main.ts wires adapters and app together.
 */
export function layers(root: string): Promise<CheckResult> {
  return Promise.resolve(layersSync(root));
}

function layersSync(root: string): CheckResult {
  const src = join(root, 'relay', 'src');
  const files = walk(src, (p) => /\.(ts|mts|js|mjs)$/.test(p));
  const findings: Finding[] = [];
  for (const file of files) {
    const from = layerOf(relative(src, file).split(sep).join('/'));
    const text = readFileSync(file, 'utf8');
    let importsApp = false;
    let importsAdapter = false;
    let firstLine = 0;
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = (m[1] ?? m[2] ?? m[3])!;
      const line = lineAt(text, m.index);
      const isRelative = spec.startsWith('.');
      const target = isRelative
        ? relative(src, resolve(dirname(file), spec))
            .split(sep)
            .join('/')
        : null;
      const to = target !== null && !target.startsWith('..') ? layerOf(target) : null;
      const report = (why: string): void => {
        findings.push({ file: rel(root, file), line, message: `layer rule: ${why} (imports '${spec}')` });
      };
      if (to?.kind === 'app') importsApp = true;
      if (to?.kind === 'adapter') importsAdapter = true;
      if ((to?.kind === 'app' || to?.kind === 'adapter') && firstLine === 0) firstLine = line;

      if (from.kind === 'domain' && to?.kind !== 'domain') {
        report('relay/src/domain may import only relay/src/domain');
      } else if (from.kind === 'app' && !(to && ['domain', 'ports', 'app'].includes(to.kind))) {
        report('relay/src/app may import only domain and ports');
      } else if (from.kind === 'ports' && !(to && ['domain', 'ports'].includes(to.kind))) {
        report('relay/src/ports may import only domain and ports');
      } else if (from.kind === 'adapter' && to?.kind === 'adapter' && to.name !== from.name) {
        report(`adapter '${from.name}' must not import adapter '${to.name}'`);
      }
    }
    if (importsApp && importsAdapter && from.kind !== 'main') {
      findings.push({
        file: rel(root, file),
        line: firstLine,
        message: 'layer rule: only relay/src/main.ts may import both app and adapters'
      });
    }
  }
  return { name: 'layers', findings, note: files.length ? `${files.length} relay files` : 'no relay/src' };
}
