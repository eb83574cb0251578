// [B10] The in-process fan-out: each agent receives only their own events, in order, resumable without gap or
// duplicate; what cannot be resumed says so (null backlog) instead of silently skipping.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessAgentFeed } from '../../../src/adapters/feed/in-process.agent-feed.ts';
import type { TeamsCallEvent } from '../../../src/domain/call-event.ts';
import type { AgentFeedItem } from '../../../src/ports/agent-feed.port.ts';

const ALICE = '005000000000001AAA';
const BOB = '005000000000002AAA';
let n = 0;
const event = (agent: string | undefined, callId = 'call-1'): TeamsCallEvent => {
  n += 1;
  return {
    EventId__c: `e-${n}`,
    TeamsCallId__c: callId,
    Sequence__c: n,
    Kind__c: 'Call',
    State__c: 'Ringing',
    ...(agent && { AgentUserId__c: agent }),
    OccurredAt__c: new Date(0).toISOString()
  };
};

describe('[B10] in-process agent feed', () => {
  it("delivers each agent's events to that agent's listeners only, in order", () => {
    const feed = new InProcessAgentFeed({ runId: 'r' });
    const alice: AgentFeedItem[] = [];
    const bob: AgentFeedItem[] = [];
    feed.subscribe(ALICE, null, (i) => alice.push(i));
    feed.subscribe(BOB, null, (i) => bob.push(i));
    const events = [event(ALICE), event(BOB), event(ALICE), event(undefined)];
    feed.publish(events);
    assert.deepEqual(
      alice.map((i) => i.event),
      [events[0], events[2]]
    );
    assert.deepEqual(
      bob.map((i) => i.event),
      [events[1]]
    );
    assert.equal(feed.listenerCount, 2);
  });

  it('resumes after the last id seen: exactly the missed events, none twice', () => {
    const feed = new InProcessAgentFeed({ runId: 'r' });
    const seen: AgentFeedItem[] = [];
    const first = feed.subscribe(ALICE, null, (i) => seen.push(i));
    feed.publish([event(ALICE), event(ALICE)]);
    first.close();
    feed.publish([event(ALICE), event(BOB), event(ALICE)]);
    const resumed = feed.subscribe(ALICE, seen.at(-1)!.id, () => undefined);
    assert.deepEqual(
      resumed.backlog?.map((i) => i.event.EventId__c),
      [`e-${n - 2}`, `e-${n}`]
    );
    assert.equal(feed.listenerCount, 1, 'a closed subscription no longer counts');
  });

  it('answers null (restore from Salesforce) for an id of another run, a malformed id, or one pushed out of the backlog', () => {
    const feed = new InProcessAgentFeed({ runId: 'r', backlogPerAgent: 2 });
    feed.publish([event(ALICE)]);
    const firstId = 'r.1';
    assert.deepEqual(feed.subscribe(ALICE, firstId, () => undefined).backlog, []);
    feed.publish([event(ALICE), event(ALICE), event(ALICE)]);
    assert.equal(feed.subscribe(ALICE, firstId, () => undefined).backlog, null, 'r.2 was pushed out');
    assert.equal(feed.subscribe(ALICE, 'other.1', () => undefined).backlog, null);
    assert.equal(feed.subscribe(ALICE, 'r.x', () => undefined).backlog, null);
    assert.equal(feed.subscribe(ALICE, 'r.99', () => undefined).backlog, null, 'an id from the future');
    assert.equal(feed.subscribe(ALICE, 'r.1.2', () => undefined).backlog, null);
    assert.equal(feed.subscribe(ALICE, 'r.2', () => undefined).backlog?.length, 2, 'r.3 and r.4 are kept');
  });

  it("an agent's backlog stays bounded however many events pass", () => {
    const feed = new InProcessAgentFeed({ runId: 'r', backlogPerAgent: 8 });
    for (let i = 0; i < 1000; i += 1) feed.publish([event(ALICE)]);
    assert.equal(feed.subscribe(ALICE, 'r.0', () => undefined).backlog, null);
    const lastButEight = `r.${1000 - 8}`;
    assert.equal(feed.subscribe(ALICE, lastButEight, () => undefined).backlog?.length, 8);
  });
});
