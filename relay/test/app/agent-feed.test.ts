// [B10] The engine feeds the agents' streams: every committed event reaches its agent's stream at once, whether or
// not Salesforce is reachable, and no other agent's stream.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessAgentFeed } from '../../src/adapters/feed/in-process.agent-feed.ts';
import { CallRelay } from '../../src/app/call-relay.ts';
import {
  InMemoryCallControl,
  InMemoryEventPublisher,
  inMemoryOutboxDelivery,
  InMemoryPresenceGateway,
  InMemoryWorldStore,
  ManualClock,
  ManualTimerScheduler,
  MemoryLogger,
  StaticConfigSource
} from '../../src/app/in-memory/index.ts';
import type { TeamsCallEvent } from '../../src/domain/call-event.ts';
import { ANNA, BEN, config, incoming, T0 } from '../domain/fixtures.ts';

function ports(agentFeed: InProcessAgentFeed) {
  const base = {
    store: new InMemoryWorldStore(),
    callControl: new InMemoryCallControl(),
    presence: new InMemoryPresenceGateway(),
    publisher: new InMemoryEventPublisher(),
    config: new StaticConfigSource(config()),
    clock: new ManualClock(T0),
    timers: new ManualTimerScheduler(),
    logger: new MemoryLogger(),
    agentFeed
  };
  return { ...base, deliverOutbox: inMemoryOutboxDelivery(base) };
}

describe('[B10] CallRelay → agent feed', () => {
  it("hands each committed event to its agent's stream, even while Salesforce is down; other agents get none", async () => {
    const feed = new InProcessAgentFeed();
    const p = ports(feed);
    p.publisher.down = true;
    const anna: TeamsCallEvent[] = [];
    const ben: TeamsCallEvent[] = [];
    feed.subscribe(ANNA.salesforceUserId, null, (item) => anna.push(item.event));
    feed.subscribe(BEN.salesforceUserId, null, (item) => ben.push(item.event));
    const relay = await CallRelay.start(p);
    await relay.handle(incoming('call-1'));

    assert.deepEqual(
      anna.map((e) => [e.TeamsCallId__c, e.State__c]),
      [['call-1', 'Ringing']]
    );
    assert.deepEqual(anna, p.store.commits[0]?.outbox, 'the same events the outbox keeps for Salesforce');
    assert.deepEqual(p.publisher.delivered, [], 'Salesforce has none yet: the stream did not wait for it');
    assert.deepEqual(ben, []);
  });
});
