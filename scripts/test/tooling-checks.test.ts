import assert from 'node:assert/strict';
import { cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { prettier } from '../checks/prettier.ts';
import { tsc } from '../checks/tsc.ts';
import { TOOL_ROOT } from '../lib/paths.ts';
import { type Fixture, project } from './fixture.ts';

/** A fixture that shares the repo's node_modules and formatting/type config. */
function toolingProject(changes: Record<string, string | null>): Fixture {
  const fixture = project(changes);
  symlinkSync(join(TOOL_ROOT, 'node_modules'), join(fixture.root, 'node_modules'), 'dir');
  cpSync(join(TOOL_ROOT, '.prettierrc.json'), join(fixture.root, '.prettierrc.json'));
  cpSync(join(TOOL_ROOT, 'types'), join(fixture.root, 'types'), { recursive: true });
  cpSync(join(TOOL_ROOT, 'force-app', 'tsconfig.json'), join(fixture.root, 'force-app', 'tsconfig.json'));
  return fixture;
}

const RELAY_TSCONFIG = JSON.stringify({
  compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', types: [] },
  include: ['src']
});

void test('[verify] tsc: a type error in relay/ is reported with file and line', async () => {
  const fixture = toolingProject({
    'relay/tsconfig.json': RELAY_TSCONFIG,
    'relay/src/a.ts': 'export const n: number = 1;\nexport const s: string = n;\n'
  });
  try {
    const result = await tsc(fixture.root);
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0]!.file, 'relay/src/a.ts');
    assert.equal(result.findings[0]!.line, 2);
    assert.match(result.findings[0]!.message, /^TS2322/);
  } finally {
    fixture.dispose();
  }
});

void test('[verify] tsc: a tsconfig whose include matches no files is skipped', async () => {
  const fixture = toolingProject({ 'relay/tsconfig.json': RELAY_TSCONFIG });
  try {
    const result = await tsc(fixture.root);
    assert.deepEqual(result.findings, []);
    assert.match(result.note, /relay\/tsconfig\.json: no files/);
  } finally {
    fixture.dispose();
  }
});

const HELPER = 'force-app/main/calls/lwc/callUtils/callUtils.js';

void test('[verify] tsc: LWC checkJs resolves c/* imports and platform modules, and catches a JSDoc type error', async () => {
  const fixture = toolingProject({
    [HELPER]: '/** @param {number} n @returns {string} */\nexport function label(n) {\n    return `#${n}`;\n}\n',
    [`${HELPER}-meta.xml`]: '<LightningComponentBundle/>',
    'force-app/main/calls/lwc/callList/callList.js': `import { LightningElement } from 'lwc';
import { subscribe } from 'lightning/empApi';
import getCalls from '@salesforce/apex/CallController.getCalls';
import { label } from 'c/callUtils';

export default class CallList extends LightningElement {
    connectedCallback() {
        subscribe('/event/X__e', -1, () => getCalls());
        /** @type {number} */
        const wrong = label(1);
        this.text = wrong;
    }
}
`
  });
  try {
    const result = await tsc(fixture.root);
    assert.deepEqual(
      result.findings.map((f) => `${f.file}:${f.line}:${f.message.slice(0, 6)}`),
      ['force-app/main/calls/lwc/callList/callList.js:10:TS2322']
    );
  } finally {
    fixture.dispose();
  }
});

void test('[verify] prettier: an unformatted file is named, a formatted one is not', async () => {
  const fixture = toolingProject({
    'scripts/ugly.ts': 'export const x = {a:1,\n  b:2}\n',
    'scripts/pretty.ts': 'export const y = { a: 1 };\n'
  });
  try {
    const result = await prettier(fixture.root);
    // The Salesforce fixture files are not prettier-formatted on purpose: only scripts/ is judged here.
    assert.deepEqual(
      result.findings.map((f) => f.file).filter((f) => f.startsWith('scripts/')),
      ['scripts/ugly.ts']
    );
  } finally {
    fixture.dispose();
  }
});
