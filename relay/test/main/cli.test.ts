import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parseCapture } from '../../src/cli.ts';

const NOW = new Date('2026-11-24T10:00:00.000Z');
const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/graph/${name}.json`, import.meta.url));
const lines = (name: string, env: Record<string, string> = {}) =>
  parseCapture(readFileSync(fixturePath(name), 'utf8'), env, NOW).map((l) => JSON.parse(l) as Record<string, unknown>);
const RESOURCE_ACCOUNTS = { GRAPH_RESOURCE_ACCOUNTS: '7629bdce-046c-4903-86b4-a8f718277e1a=+442071230001' };

describe('support CLI: parse a captured webhook body', () => {
  it('[S01] prints the IncomingCall the relay understood, with the dialled line from the resource account', () => {
    const [line] = lines('incoming-call-to-app-instance', RESOURCE_ACCOUNTS);
    assert.deepEqual(line?.['input'], {
      type: 'IncomingCall',
      at: NOW.toISOString(),
      callId: '491f0b00-ffff-4bc9-a43e-b226498ec22a',
      tenantId: '632899f8-2ea1-4604-8413-27bd2892079f',
      dialledNumber: '+442071230001'
    });
  });

  it('[S01] says why an item is not understood (a resource account that is not configured)', () => {
    const [line] = lines('incoming-call-to-app-instance');
    assert.match(String(line?.['skipped']), /not a configured line/);
  });

  it('prints one line per notification item, in order', () => {
    const body = JSON.parse(readFileSync(fixturePath('call-established'), 'utf8')) as { value: unknown[] };
    const two = JSON.stringify({ value: [...body.value, ...body.value] });
    assert.deepEqual(
      parseCapture(two, {}, NOW).map((l) => (JSON.parse(l) as { index: number }).index),
      [0, 1]
    );
  });

  it('a capture that is not JSON or not commsNotifications prints the reason', () => {
    assert.match(parseCapture('{"value": [', {}, NOW)[0] ?? '', /"error":"not-json"/);
    assert.match(parseCapture('{"hello": 1}', {}, NOW)[0] ?? '', /missing-value-array/);
  });

  it('runs as a command: JSON lines on stdout, exit 0; a usage error exits 2', () => {
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const ok = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'parse', fixturePath('call-terminated')], {
      cwd,
      encoding: 'utf8'
    });
    assert.equal(ok.status, 0);
    assert.equal((JSON.parse(ok.stdout.trim()) as { input: { type: string } }).input.type, 'CallTerminated');
    const usage = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts'], { cwd, encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /usage: npm run relay -- parse/);
  });
});
