import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TeamsCallEvent } from '../../../src/domain/call-event.ts';
import type { World } from '../../../src/domain/model.ts';
import { SqliteStore } from '../../../src/adapters/store/sqlite.store.ts';

const dir = mkdtempSync(join(tmpdir(), 'relay-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshFile = (): string => join(dir, `store-${++n}.db`);

const world = (note: string): World => ({
  config: { agents: [], settings: { noAnswerSeconds: 20, dndExpiryMinutes: 60 }, loadedAt: note },
  calls: {},
  agents: {},
  timers: {},
  applied: [note]
});

const event = (callId: string, sequence: number): TeamsCallEvent => ({
  EventId__c: `${callId}-${sequence}`,
  TeamsCallId__c: callId,
  Sequence__c: sequence,
  Kind__c: 'Call',
  State__c: 'Ringing',
  OccurredAt__c: '2026-11-24T10:00:00.000Z'
});

void describe('SqliteStore', () => {
  void it('[B01] keeps the world, the outbox and pending effects across a reopen (a process restart)', async () => {
    const file = freshFile();
    const store = new SqliteStore(file);
    await store.commit({
      world: world('step-1'),
      inputKey: 'in-1',
      outbox: [event('call-1', 1)],
      effects: [{ effectKey: 'in-1#0', effect: { type: 'AnswerCall', callId: 'call-1' } as never }],
      timersScheduled: [],
      timersCancelled: []
    });
    store.close();

    const reopened = new SqliteStore(file);
    assert.deepEqual((await reopened.load())?.applied, ['step-1']);
    assert.deepEqual(
      (await reopened.pendingOutbox('9999', 10)).map((row) => row.event.EventId__c),
      ['call-1-1']
    );
    assert.deepEqual(
      (await reopened.pendingEffects()).map((e) => e.effectKey),
      ['in-1#0']
    );
    assert.equal(reopened.schemaVersion, 2);
    reopened.close();
  });
});

describe('SqliteStore: private files and byte-safe keys', () => {
  it('[B01] the database, its WAL and SHM are 0600 in a 0700 folder it creates', async () => {
    const folder = join(dir, 'private', 'data');
    const file = join(folder, 'relay.sqlite');
    const store = new SqliteStore(file);
    await store.addToInbox({ key: 'k', body: '{}', receivedAt: '2026-11-24T10:00:00.000Z' });
    const mode = (path: string) => statSync(path).mode & 0o777;
    assert.equal(mode(folder), 0o700);
    for (const path of [file, `${file}-wal`, `${file}-shm`]) assert.equal(mode(path), 0o600, path);
    store.close();
  });

  it('[B01] an existing database file readable by others is narrowed to 0600 when opened', () => {
    const file = freshFile();
    writeFileSync(file, '', { mode: 0o644 });
    new SqliteStore(file).close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});
