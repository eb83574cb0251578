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
const terminated = (callId: string): DecodedItem => ({
  callId,
  input: { type: 'CallTerminated', callId, at: T0 } as Input
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

  it('a row whose step fails stays pending (and blocks later rows) until a retry succeeds: nothing lost', async () => {
    await add('a', JSON.stringify([terminated('call-1')]));
    await add('b', JSON.stringify([terminated('call-2')]));
    failNext = 1;
    assert.equal(await processor.processPending(), 0);
    assert.equal((await store.pendingInbox(10)).length, 2);
    await processor.processPending();
    assert.deepEqual(
      handled.map((i) => ('callId' in i ? i.callId : '')),
      ['call-1', 'call-2']
    );
  });

  it('a row that keeps failing is abandoned after maxAttempts with an error log, and the line moves on', async () => {
    await add('a', JSON.stringify([terminated('call-1')]));
    await add('b', JSON.stringify([terminated('call-2')]));
    failNext = 3;
    for (let i = 0; i < 3; i++) await processor.processPending();
    assert.deepEqual(
      handled.map((i) => ('callId' in i ? i.callId : '')),
      ['call-2']
    );
    assert.ok(logger.lines.some((l) => l.level === 'error' && /abandoned/.test(l.message)));
    assert.equal(metrics.inboxItems.abandoned, 1);
  });
});
