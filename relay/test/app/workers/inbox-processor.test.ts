import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { SqliteStore } from '../../../src/adapters/store/sqlite.store.ts';
import { InMemoryMetrics, MemoryLogger } from '../../../src/app/in-memory/index.ts';
import { InboxProcessor, type DecodedItem } from '../../../src/app/workers/inbox-processor.ts';
import type { Input } from '../../../src/domain/model.ts';
import type { InboxItem } from '../../../src/ports/delivery-store.port.ts';
import { T0 } from '../../domain/fixtures.ts';

/** Rows carry their inputs as JSON so the test controls decoding; `"poison"` cannot be decoded. */
const decode = (item: InboxItem): DecodedItem[] => {
  if (item.body === 'poison') throw new Error('inbox row is not a stored notification');
  return JSON.parse(item.body) as DecodedItem[];
};
const terminated = (callId: string, at = T0): DecodedItem => ({
  callId,
  input: { type: 'CallTerminated', callId, at } as Input
});

let store: SqliteStore;
let handled: Input[];
let failNext: number;
let logger: MemoryLogger;
let metrics: InMemoryMetrics;
let processor: InboxProcessor;

const add = (key: string, body: string) => store.addToInbox({ key, body, receivedAt: T0 });

beforeEach(() => {
  store = new SqliteStore(':memory:');
  handled = [];
  failNext = 0;
  logger = new MemoryLogger();
  metrics = new InMemoryMetrics();
  processor = new InboxProcessor({
    inbox: store,
    decode,
    handle: (input) => {
      if (failNext > 0) {
        failNext -= 1;
        return Promise.reject(new Error('database is locked'));
      }
      handled.push(input);
      return Promise.resolve();
    },
    logger,
    metrics,
    maxAttempts: 3
  });
});

describe('InboxProcessor (acknowledge fast, process from the store)', () => {
  it('[S01] feeds each stored notification to the engine in arrival order and marks it processed', async () => {
    await add('a', JSON.stringify([terminated('call-1')]));
    await add('b', JSON.stringify([terminated('call-2'), { callId: 'call-2', skipped: 'transferring' }]));
    assert.equal(await processor.processPending(), 2);
    assert.deepEqual(
      handled.map((i) => ('callId' in i ? i.callId : '')),
      ['call-1', 'call-2']
    );
    assert.deepEqual(await store.pendingInbox(10), []);
    assert.equal(metrics.inboxItems.skipped, 1);
  });

  it('a row that cannot be decoded is logged and counted, kept out of the way, and the next row still runs', async () => {
    await add('bad', 'poison');
    await add('good', JSON.stringify([terminated('call-1')]));
    await processor.processPending();
    assert.equal(handled.length, 1);
    assert.deepEqual(await store.pendingInbox(10), []);
    assert.ok(logger.lines.some((l) => l.level === 'error' && l.fields?.['inboxKey'] === 'bad'));
    assert.equal(metrics.inboxItems.undecodable, 1);
  });

  it("[B15] a row whose step fails stays pending and blocks its own call's later rows (not other calls') until a retry succeeds: nothing lost", async () => {
    await add('a', JSON.stringify([terminated('call-1')]));
    await add('b', JSON.stringify([terminated('call-2')]));
    await add('c', JSON.stringify([terminated('call-1', 'later')]));
    failNext = 1;
    assert.equal(await processor.processPending(), 1);
    assert.deepEqual(
      (await store.pendingInbox(10)).map((row) => row.key),
      ['a', 'c']
    );
    await processor.processPending();
    assert.deepEqual(
      handled.map((i) => `${'callId' in i ? i.callId : ''}@${i.at}`),
      [`call-2@${T0}`, `call-1@${T0}`, 'call-1@later']
    );
  });

  it('[B15] rows of different calls run concurrently, the rows of one call one after another in arrival order', async () => {
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const slow = new InboxProcessor({
      inbox: store,
      decode,
      handle: (input) => {
        const id = `${'callId' in input ? input.callId : ''}@${input.at}`;
        started.push(id);
        return new Promise<void>((resolve) => release.set(id, resolve));
      },
      logger
    });
    await add('a', JSON.stringify([terminated('call-1')]));
    await add('b', JSON.stringify([terminated('call-1', 'later')]));
    await add('c', JSON.stringify([terminated('call-2')]));
    const pass = slow.processPending();
    const overlapping = slow.processPending(); // e.g. the next webhook's pass: runs nothing twice
    while (started.length < 2) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [`call-1@${T0}`, `call-2@${T0}`], 'call-2 does not wait for call-1; call-1 later waits');
    release.get(`call-1@${T0}`)?.();
    while (started.length < 3) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(started[2], 'call-1@later');
    release.get('call-1@later')?.();
    release.get(`call-2@${T0}`)?.();
    assert.equal(await pass, 3);
    assert.equal(await overlapping, 0);
    assert.deepEqual(await store.pendingInbox(10), []);
    assert.equal(started.length, 3, 'each row ran once');
  });

  it('a row that keeps failing is abandoned after maxAttempts with an error log, and the line moves on', async () => {
    await add('a', JSON.stringify([terminated('call-1')]));
    failNext = 3;
    for (let i = 0; i < 3; i++) await processor.processPending();
    await add('b', JSON.stringify([terminated('call-2')]));
    await processor.processPending();
    assert.deepEqual(
      handled.map((i) => ('callId' in i ? i.callId : '')),
      ['call-2']
    );
    assert.ok(logger.lines.some((l) => l.level === 'error' && /abandoned/.test(l.message)));
    assert.equal(metrics.inboxItems.abandoned, 1);
  });
});
