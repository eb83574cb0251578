import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
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
import { noAnswerTimerId } from '../../src/domain/decide.ts';
import type { Input } from '../../src/domain/model.ts';
import { ANNA, at, cmd, config, incoming, T0 } from '../domain/fixtures.ts';

function ports(store = new InMemoryWorldStore()) {
  const base = {
    store,
    callControl: new InMemoryCallControl(),
    presence: new InMemoryPresenceGateway(),
    publisher: new InMemoryEventPublisher(),
    config: new StaticConfigSource(config()),
    clock: new ManualClock(T0),
    timers: new ManualTimerScheduler(),
    logger: new MemoryLogger()
  };
  return { ...base, deliverOutbox: inMemoryOutboxDelivery(base) };
}
const states = (p: ReturnType<typeof ports>): string[] =>
  p.publisher.delivered.map(
    (e) => `${e.TeamsCallId__c}#${e.Sequence__c}:${e.State__c}${e.Reason__c ? `/${e.Reason__c}` : ''}`
  );
const join = (callId: string, seconds: number): Input => ({
  type: 'AgentJoined',
  callId,
  teamsUserId: ANNA.teamsUserId,
  at: at(seconds)
});
/** Let timer callbacks (fire-and-forget handles) run to completion. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('CallRelay', () => {
  it('[S01] an incoming call: one commit holds world, outbox row and Graph effects; Graph gets answer+invite, Salesforce gets Ringing', async () => {
    const p = ports();
    const relay = await CallRelay.start(p);
    await relay.handle(incoming('call-1'));
    assert.equal(p.store.commits.length, 1);
    assert.deepEqual(
      p.store.commits[0]?.outbox.map((e) => e.State__c),
      ['Ringing']
    );
    assert.deepEqual(
      p.store.commits[0]?.effects.map((e) => e.effect.type),
      ['AnswerCall', 'InviteAgent']
    );
    assert.deepEqual(
      p.callControl.requests.map((r) => r.type),
      ['AnswerCall', 'InviteAgent']
    );
    assert.deepEqual(states(p), ['call-1#1:Ringing']);
    assert.equal(p.store.outboxSize(), 0);
    assert.deepEqual(await p.store.pendingEffects(), []);
  });

  it('[S04] Graph refusing the invite is fed back: the call is Missed/Failed and transferred to the agent Teams settings', async () => {
    const p = ports();
    p.callControl.refuse('InviteAgent', '403 Forbidden');
    const relay = await CallRelay.start(p);
    await relay.handle(incoming('call-1'));
    assert.deepEqual(states(p), ['call-1#1:Ringing', 'call-1#2:Missed/Failed']);
    assert.deepEqual(
      p.callControl.requests.map((r) => r.type),
      ['AnswerCall'],
      'the transfer waits for the bot leg to be established'
    );
    await relay.handle({ type: 'CallEstablished', callId: 'call-1', at: at(1) });
    assert.deepEqual(
      p.callControl.requests.map((r) => r.type),
      ['AnswerCall', 'Transfer']
    );
  });

  it('[S04] the no-answer timer fires through the scheduler and routes the call', async () => {
    const p = ports();
    const relay = await CallRelay.start(p);
    await relay.handle(incoming('call-1'));
    await relay.handle({ type: 'CallEstablished', callId: 'call-1', at: at(1) });
    p.clock.set(at(20));
    assert.deepEqual(p.timers.fireDue(at(20)), [noAnswerTimerId('call-1')]);
    await settle();
    assert.deepEqual(states(p), ['call-1#1:Ringing', 'call-1#2:Missed/NoAnswer']);
    assert.deepEqual(
      p.callControl.requests.map((r) => r.type),
      ['AnswerCall', 'InviteAgent', 'CancelInvite', 'Transfer']
    );
  });

  it('[S05] hold music Graph refuses comes back as Connected/Failed in Salesforce', async () => {
    const p = ports();
    p.callControl.refuse('StartHoldMusic');
    const relay = await CallRelay.start(p);
    await relay.handle(incoming('call-1'));
    await relay.handle(join('call-1', 3));
    await relay.handle(cmd('Hold', 'call-1', ANNA.salesforceUserId, 5));
    assert.deepEqual(states(p).slice(-1), ['call-1#3:Connected/Failed']);
  });

  it('[S16] presence is held in Teams while the call is connected and released after it', async () => {
    const p = ports();
    const relay = await CallRelay.start(p);
    await relay.handle(incoming('call-1'));
    await relay.handle(join('call-1', 3));
    assert.deepEqual([...p.presence.held.keys()], [`${ANNA.teamsUserId}/InACall`]);
    await relay.handle({ type: 'CallTerminated', callId: 'call-1', code: 200, subcode: 540000, at: at(60) });
    assert.deepEqual([...p.presence.held.keys()], []);
  });

  it('[B01] events Salesforce did not accept stay in the outbox and are delivered once, in order, when it is back', async () => {
    const p = ports();
    p.publisher.down = true;
    const relay = await CallRelay.start(p);
    await relay.handle(incoming('call-1'));
    await relay.handle(join('call-1', 3));
    assert.equal(p.store.outboxSize(), 2);
    p.publisher.down = false;
    p.clock.set(at(600));
    await relay.drainOutbox();
    assert.deepEqual(states(p), ['call-1#1:Ringing', 'call-1#2:Connected']);
    assert.equal(p.store.outboxSize(), 0);
  });

  it('[S06] a ReloadConfig command loads a new snapshot off the ring path', async () => {
    const p = ports();
    const relay = await CallRelay.start(p);
    p.config.snapshot = { ...config(), loadedAt: at(100) };
    await relay.handle(cmd('ReloadConfig', undefined, ANNA.salesforceUserId, 100));
    assert.equal(relay.snapshot().config.loadedAt, at(100));
  });

  it('[S07] a duplicate Graph notification through the app commits nothing and calls nothing', async () => {
    const p = ports();
    const relay = await CallRelay.start(p);
    await relay.handle(incoming('call-1'));
    const result = await relay.handle(incoming('call-1'));
    assert.equal(result.applied, false);
    assert.equal(p.store.commits.length, 1);
    assert.equal(p.callControl.requests.length, 2);
  });

  it('[B01] a crash between two Graph effects: after restart the missing invite is sent and timers are re-armed', async () => {
    const store = new InMemoryWorldStore();
    const before = ports(store);
    before.callControl.hangAfter = 1; // the process dies while sending the invite
    const crashed = await CallRelay.start(before);
    void crashed.handle(incoming('call-1'));
    await settle();
    assert.deepEqual(
      before.callControl.requests.map((r) => r.type),
      ['AnswerCall']
    );

    const after = ports(store);
    await CallRelay.start(after);
    assert.deepEqual(
      after.callControl.requests.map((r) => r.type),
      ['InviteAgent']
    );
    assert.deepEqual([...after.timers.armed.keys()], [noAnswerTimerId('call-1')]);
    // The Ringing event left in parallel with the Graph effects, before the crash: it is not sent twice.
    assert.deepEqual([...states(before), ...states(after)], ['call-1#1:Ringing']);
    assert.equal(store.outboxSize(), 0);
  });
});

describe('CallRelay under crashes (property)', () => {
  const scenario = fc.constantFrom<Input[]>(
    [
      incoming('c1'),
      join('c1', 3),
      cmd('Hold', 'c1', ANNA.salesforceUserId, 5),
      { type: 'OperationCompleted', callId: 'c1', operation: 'StartHoldMusic', operationId: 'o1', at: at(6) },
      cmd('Hangup', 'c1', ANNA.salesforceUserId, 9)
    ],
    [
      incoming('c1'),
      cmd('Reject', 'c1', ANNA.salesforceUserId, 2),
      incoming('c2', 4),
      { type: 'CallerLeft', callId: 'c2', at: at(5) }
    ],
    [
      incoming('c1'),
      join('c1', 3),
      incoming('c2', 4),
      join('c2', 6),
      { type: 'CallTerminated', callId: 'c1', code: 200, subcode: 540000, at: at(7) },
      cmd('Hangup', 'c2', ANNA.salesforceUserId, 9)
    ]
  );

  it('[B01] whatever effect the process dies on, every committed effect runs at least once and every event reaches Salesforce once, in sequence', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.nat({ max: 8 }), fc.boolean(), async (inputs, crashAt, duplicate) => {
        const store = new InMemoryWorldStore();
        const first = ports(store);
        first.callControl.hangAfter = crashAt;
        const relay = await CallRelay.start(first);
        const feed = duplicate ? inputs.flatMap((i) => [i, i]) : inputs;
        let dead = false;
        for (const input of feed) {
          if (dead) break;
          const done = relay.handle(input).then(() => true);
          dead = !(await Promise.race([done, settle().then(() => false)]));
        }
        // Restart on the same store and deliver every input again (Graph and Salesforce redeliver).
        const second = ports(store);
        const restarted = await CallRelay.start(second);
        for (const input of feed) await restarted.handle(input);
        await restarted.drainOutbox();

        const executed = new Set(
          [...first.callControl.requests, ...second.callControl.requests].map((r) => JSON.stringify(r))
        );
        for (const commit of store.commits) {
          for (const { effect } of commit.effects) {
            if ('callId' in effect)
              assert.ok(
                executed.has(JSON.stringify(effect)) || effect.type.endsWith('Presence'),
                `${effect.type} never ran`
              );
          }
        }
        const delivered = [...first.publisher.delivered, ...second.publisher.delivered];
        assert.equal(
          new Set(delivered.map((e) => e.EventId__c)).size,
          new Set(store.written.map((e) => e.EventId__c)).size
        );
        const byCall = new Map<string, number[]>();
        for (const event of store.written)
          byCall.set(event.TeamsCallId__c, [...(byCall.get(event.TeamsCallId__c) ?? []), event.Sequence__c]);
        for (const [, seqs] of byCall)
          assert.deepEqual(
            seqs,
            seqs.map((_, i) => i + 1)
          );
        assert.deepEqual(await store.pendingEffects(), []);
      }),
      { numRuns: 40 }
    );
  });

  it('[B15] a step whose commit fails leaves the relay world as it was (the engine wrote it in place); the input then applies once', async () => {
    class FailingOnce extends InMemoryWorldStore {
      failNext = false;
      override commit(commit: Parameters<InMemoryWorldStore['commit']>[0]): Promise<void> {
        if (this.failNext) {
          this.failNext = false;
          return Promise.reject(new Error('database is locked'));
        }
        return super.commit(commit);
      }
    }
    const store = new FailingOnce();
    const p = ports(store);
    const relay = await CallRelay.start(p);
    await relay.handle(incoming('call-0'));
    const before = structuredClone(relay.snapshot());
    store.failNext = true;
    await assert.rejects(relay.handle(incoming('call-1')), /database is locked/);
    assert.deepEqual(relay.snapshot(), before);
    assert.deepEqual(states(p), ['call-0#1:Ringing']);
    await relay.handle(incoming('call-1'));
    await relay.handle(incoming('call-1'));
    assert.deepEqual(states(p), ['call-0#1:Ringing', 'call-1#1:Ringing']);
    assert.deepEqual(Object.keys(relay.snapshot().timers).sort(), [
      noAnswerTimerId('call-0'),
      noAnswerTimerId('call-1')
    ]);
  });
});
