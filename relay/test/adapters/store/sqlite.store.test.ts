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

  void it('[B01] writes an event once even when the same step is committed twice (replay after a crash)', async () => {
    const store = new SqliteStore(freshFile());
    const commit = {
      world: world('w'),
      inputKey: 'k',
      outbox: [event('c', 1)],
      effects: [],
      timersScheduled: [],
      timersCancelled: []
    };
    await store.commit(commit);
    await store.commit(commit);
    assert.equal(await store.outboxDepth(), 1);
    store.close();
  });

  void it('[B01] drains the outbox in write order and hides a failed row until its backoff is over', async () => {
    const store = new SqliteStore(freshFile());
    await store.commit({
      world: world('w'),
      inputKey: 'k',
      outbox: [event('a', 1), event('b', 1), event('a', 2)],
      effects: [],
      timersScheduled: [],
      timersCancelled: []
    });
    await store.recordOutboxFailure('b-1', 'UNAVAILABLE', '2026-11-24T10:05:00.000Z');
    const due = await store.pendingOutbox('2026-11-24T10:01:00.000Z', 10);
    assert.deepEqual(
      due.map((r) => r.event.EventId__c),
      ['a-1', 'a-2']
    );
    const later = await store.pendingOutbox('2026-11-24T10:06:00.000Z', 10);
    assert.deepEqual(
      later.map((r) => [r.event.EventId__c, r.attempts, r.lastError]),
      [
        ['a-1', 0, undefined],
        ['b-1', 1, 'UNAVAILABLE'],
        ['a-2', 0, undefined]
      ]
    );
    await store.deleteOutbox(['a-1', 'a-2']);
    assert.equal(await store.outboxDepth(), 1);
    store.close();
  });

  void it('[B01] moves a rejected event to the dead letters with its error instead of dropping it', async () => {
    const store = new SqliteStore(freshFile());
    await store.commit({
      world: world('w'),
      inputKey: 'k',
      outbox: [event('x', 1)],
      effects: [],
      timersScheduled: [],
      timersCancelled: []
    });
    await store.deadLetter('x-1', 'INVALID_FIELD: State__c', '2026-11-24T10:00:00.000Z');
    assert.equal(await store.outboxDepth(), 0);
    const letters = await store.deadLetters();
    assert.equal(letters.length, 1);
    assert.equal(letters[0]?.error, 'INVALID_FIELD: State__c');
    assert.equal((JSON.parse(letters[0]?.event ?? '{}') as TeamsCallEvent).TeamsCallId__c, 'x');
    store.close();
  });

  void it('de-duplicates webhook bodies by key and returns unprocessed ones oldest first', async () => {
    const store = new SqliteStore(freshFile());
    assert.equal(await store.addToInbox({ key: 'n1', body: '{"a":1}', receivedAt: 't1' }), true);
    assert.equal(await store.addToInbox({ key: 'n1', body: '{"a":1}', receivedAt: 't2' }), false);
    assert.equal(await store.addToInbox({ key: 'n2', body: '{"b":2}', receivedAt: 't3' }), true);
    await store.markInboxProcessed('n1');
    assert.deepEqual(
      (await store.pendingInbox(10)).map((i) => i.key),
      ['n2']
    );
    store.close();
  });

  void it('stores the command replay id durably and refuses a command id seen before', async () => {
    const file = freshFile();
    const store = new SqliteStore(file);
    assert.equal(await store.getReplayId('/event/TeamsCallCommand__e'), undefined);
    await store.setReplayId('/event/TeamsCallCommand__e', Buffer.from([0, 0, 0, 0, 0, 0, 0, 7]));
    assert.equal(await store.markCommandProcessed('cmd-1', 't'), true);
    assert.equal(await store.markCommandProcessed('cmd-1', 't'), false);
    store.close();
    const reopened = new SqliteStore(file);
    assert.deepEqual([...((await reopened.getReplayId('/event/TeamsCallCommand__e')) ?? [])], [0, 0, 0, 0, 0, 0, 0, 7]);
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

  it('[B01] an inbox key with a lone UTF-16 surrogate is stored once and marked processed (no endless re-processing)', async () => {
    const store = new SqliteStore(':memory:');
    const key = 'graph:call-\uD800x|roster';
    assert.equal(await store.addToInbox({ key, body: '{}', receivedAt: '2026-11-24T10:00:00.000Z' }), true);
    assert.equal(await store.addToInbox({ key, body: '{}', receivedAt: '2026-11-24T10:00:00.000Z' }), false);
    const other = 'graph:call-\uDBFFx|roster';
    assert.equal(await store.addToInbox({ key: other, body: '{}', receivedAt: '2026-11-24T10:00:00.000Z' }), true);
    const [first] = await store.pendingInbox(10);
    await store.markInboxProcessed(first!.key);
    await store.markInboxProcessed(other);
    assert.deepEqual(await store.pendingInbox(10), []);
  });
});
