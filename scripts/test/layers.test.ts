import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layers } from '../checks/layers.ts';
import { project } from './fixture.ts';

const CLEAN_RELAY: Record<string, string> = {
  'relay/src/domain/model.ts': "import type { Id } from './ids.ts';\nexport interface Call { id: Id }\n",
  'relay/src/domain/ids.ts': 'export type Id = string;\n',
  'relay/src/ports/clock.port.ts':
    "import type { Call } from '../domain/model.ts';\nexport interface Clock { now(c: Call): number }\n",
  'relay/src/app/handle-call.ts':
    "import type { Call } from '../domain/model.ts';\nimport type { Clock } from '../ports/clock.port.ts';\nexport const handle = (c: Call, k: Clock) => k.now(c);\n",
  'relay/src/adapters/graph/client.ts':
    "import { createHash } from 'node:crypto';\nimport type { Clock } from '../../ports/clock.port.ts';\nexport const h = (k: Clock) => createHash('sha1').update(String(k)).digest('hex');\n",
  'relay/src/adapters/sqlite/store.ts':
    "import type { Call } from '../../domain/model.ts';\nexport const save = (c: Call) => c;\n",
  'relay/src/main.ts':
    "import { handle } from './app/handle-call.ts';\nimport { h } from './adapters/graph/client.ts';\nexport { handle, h };\n"
};

async function findings(changes: Record<string, string>) {
  const fixture = project({ ...CLEAN_RELAY, ...changes });
  try {
    return (await layers(fixture.root)).findings;
  } finally {
    fixture.dispose();
  }
}

void test('[verify] layers: a clean hexagon passes (main wires app and adapters)', async () => {
  assert.deepEqual(await findings({}), []);
});

void test('[verify] layers: domain importing a node builtin is reported', async () => {
  const result = await findings({
    'relay/src/domain/ids.ts':
      "import { randomUUID } from 'node:crypto';\nexport type Id = string;\nexport const id = randomUUID;\n"
  });
  assert.deepEqual(
    result.map((f) => `${f.file}:${f.line}`),
    ['relay/src/domain/ids.ts:1']
  );
  assert.match(result[0]!.message, /domain may import only relay\/src\/domain/);
});

void test('[verify] layers: domain importing ports is reported', async () => {
  const result = await findings({
    'relay/src/domain/ids.ts': "import type { Clock } from '../ports/clock.port.ts';\nexport type Id = Clock;\n"
  });
  assert.equal(result.length, 1);
  assert.equal(result[0]!.file, 'relay/src/domain/ids.ts');
});

void test('[verify] layers: app importing an adapter is reported', async () => {
  const result = await findings({
    'relay/src/app/handle-call.ts': "import { save } from '../adapters/sqlite/store.ts';\nexport const handle = save;\n"
  });
  assert.deepEqual(
    result.map((f) => `${f.file}:${f.line}`),
    ['relay/src/app/handle-call.ts:1']
  );
});

void test('[verify] layers: app importing a package is reported', async () => {
  const result = await findings({
    'relay/src/app/handle-call.ts': "import jsforce from 'jsforce';\nexport const handle = jsforce;\n"
  });
  assert.equal(result.length, 1);
  assert.match(result[0]!.message, /app may import only domain and ports/);
});

void test('[verify] layers: one adapter importing another is reported', async () => {
  const result = await findings({
    'relay/src/adapters/sqlite/store.ts': "export { h } from '../graph/client.ts';\n"
  });
  assert.deepEqual(
    result.map((f) => [f.file, f.message]),
    [
      [
        'relay/src/adapters/sqlite/store.ts',
        "layer rule: adapter 'sqlite' must not import adapter 'graph' (imports '../graph/client.ts')"
      ]
    ]
  );
});

void test('[verify] layers: a file other than main.ts wiring app and adapters is reported', async () => {
  const result = await findings({
    'relay/src/wiring.ts':
      "import { handle } from './app/handle-call.ts';\nimport { save } from './adapters/sqlite/store.ts';\nexport { handle, save };\n"
  });
  assert.equal(result.length, 1);
  assert.match(result[0]!.message, /only relay\/src\/main\.ts may import both app and adapters/);
});

void test('[verify] layers: a project without relay/ passes', async () => {
  const fixture = project();
  try {
    const result = await layers(fixture.root);
    assert.deepEqual(result.findings, []);
    assert.equal(result.note, 'no relay/src');
  } finally {
    fixture.dispose();
  }
});
