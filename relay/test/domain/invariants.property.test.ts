import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CallState, TeamsCallEvent } from '../../src/domain/call-event.ts';
import { decide, noAnswerTimerId } from '../../src/domain/decide.ts';
import type { Effect, Input, World } from '../../src/domain/model.ts';
import { isCallControlEffect } from '../../src/domain/model.ts';
import { dndTimerId } from '../../src/domain/presence.policy.ts';
import { ANNA, BEN, OTHER_USER, at, worldWith } from './fixtures.ts';

const FINAL: ReadonlySet<CallState> = new Set([
  'Ended',
  'Missed',
  'Abandoned',
  'Rejected',
  'Redirected',
  'Transferred',
  'Suppressed'
]);
const callIds = ['c1', 'c2', 'c3'];
const agents = [ANNA, BEN];

const callId = fc.constantFrom(...callIds);
const agent = fc.constantFrom(...agents);
const seconds = fc.integer({ min: 0, max: 600 });

/** Any input Graph, Salesforce or the timers could deliver, with no regard for order or plausibility. */
const anyInput: fc.Arbitrary<Input> = fc.oneof(
  fc.record({ id: callId, a: agent, t: seconds }).map(({ id, a, t }): Input => ({
    type: 'IncomingCall',
    callId: id,
    tenantId: 't',
    callerNumber: '+447700900123',
    dialledNumber: a.phoneNumber,
    at: at(t)
  })),
  fc
    .record({ id: callId, a: agent, t: seconds })
    .map(({ id, a, t }): Input => ({ type: 'AgentJoined', callId: id, teamsUserId: a.teamsUserId, at: at(t) })),
  fc
    .record({ id: callId, a: agent, t: seconds })
    .map(({ id, a, t }): Input => ({ type: 'AgentLeft', callId: id, teamsUserId: a.teamsUserId, at: at(t) })),
  fc.record({ id: callId, t: seconds }).map(({ id, t }): Input => ({ type: 'AgentDeclined', callId: id, at: at(t) })),
  fc.record({ id: callId, t: seconds }).map(({ id, t }): Input => ({ type: 'InviteFailed', callId: id, at: at(t) })),
  fc.record({ id: callId, t: seconds }).map(({ id, t }): Input => ({ type: 'CallerLeft', callId: id, at: at(t) })),
  fc
    .record({ id: callId, t: seconds, sub: fc.constantFrom(540000, 7015, 7000, 5002) })
    .map(({ id, t, sub }): Input => ({ type: 'CallTerminated', callId: id, code: 200, subcode: sub, at: at(t) })),
  fc.record({ id: callId, t: seconds }).map(({ id, t }): Input => ({ type: 'CallEstablished', callId: id, at: at(t) })),
  fc
    .record({ id: callId, t: seconds })
    .map(({ id, t }): Input => ({ type: 'CallEstablishing', callId: id, at: at(t) })),
  fc
    .record({ id: callId, t: seconds })
    .map(({ id, t }): Input => ({ type: 'TransferAccepted', callId: id, target: 'TeamsUser:x', at: at(t) })),
  fc
    .record({ id: callId, t: seconds })
    .map(({ id, t }): Input => ({ type: 'TransferCompleted', callId: id, at: at(t) })),
  fc.record({ id: callId, t: seconds }).map(({ id, t }): Input => ({ type: 'TransferFailed', callId: id, at: at(t) })),
  fc
    .record({
      id: callId,
      t: seconds,
      op: fc.constantFrom('StartHoldMusic' as const, 'StopHoldMusic' as const),
      ok: fc.boolean()
    })
    .map(({ id, t, op, ok }): Input =>
      ok
        ? { type: 'OperationCompleted', callId: id, operation: op, at: at(t) }
        : { type: 'OperationFailed', callId: id, operation: op, at: at(t) }
    ),
  fc.record({ id: callId, t: seconds }).map(({ id, t }): Input => ({
    type: 'ParticipantsUpdated',
    callId: id,
    participants: [{ id: 'p1', isCaller: true }, { id: `p-${t}` }],
    at: at(t)
  })),
  // Sequenced rosters, reordered: Graph can deliver an older roster (the agent not yet in it) after a newer one.
  fc
    .record({ id: callId, t: seconds, seq: fc.integer({ min: 1, max: 6 }), a: agent, present: fc.boolean() })
    .map(({ id, t, seq, a, present }): Input => ({
      type: 'ParticipantsUpdated',
      callId: id,
      key: `ParticipantsUpdated:${id}:${seq}`,
      sequence: seq,
      participants: [
        { id: 'p-bot', isBot: true },
        { id: 'p1', isCaller: true, phoneNumber: '+447700900123' },
        ...(present ? [{ id: `p-${a.salesforceUserId}`, teamsUserId: a.teamsUserId }] : [])
      ],
      at: at(t)
    })),
  fc
    .record({ id: callId, t: seconds, exists: fc.boolean(), state: fc.constantFrom('established', 'terminated') })
    .map(({ id, t, exists, state }): Input => ({ type: 'CallObserved', callId: id, exists, state, at: at(t) })),
  fc.record({ a: agent, t: seconds, dnd: fc.boolean() }).map(({ a, t, dnd }): Input => ({
    type: 'PresenceObserved',
    teamsUserId: a.teamsUserId,
    availability: dnd ? 'DoNotDisturb' : 'Available',
    activity: dnd ? 'DoNotDisturb' : 'Available',
    at: at(t)
  })),
  fc
    .record({ id: callId, t: seconds })
    .map(({ id, t }): Input => ({ type: 'TimerFired', timerId: noAnswerTimerId(id), at: at(t) })),
  fc.record({ a: agent, t: seconds }).map(({ a, t }): Input => ({
    type: 'TimerFired',
    timerId: dndTimerId(a.salesforceUserId, at(t + 3600)),
    at: at(t + 3600)
  })),
  fc
    .record({
      id: callId,
      t: seconds,
      n: fc.nat(),
      action: fc.constantFrom('Hold' as const, 'Resume' as const, 'Hangup' as const, 'Reject' as const),
      by: fc.constantFrom(ANNA.salesforceUserId, BEN.salesforceUserId, OTHER_USER)
    })
    .map(({ id, t, n, action, by }): Input => ({
      type: 'CommandReceived',
      at: at(t),
      command: {
        CommandId__c: `cmd-${n}`,
        TeamsCallId__c: id,
        Action__c: action,
        RequestedBy__c: by,
        IssuedAt__c: at(t),
        CreatedById: by
      }
    })),
  fc
    .record({
      id: callId,
      t: seconds,
      kind: fc.constantFrom('AnswerCall', 'InviteAgent', 'Transfer', 'Redirect', 'StartHoldMusic', 'HangUp')
    })
    .map(({ id, t, kind }): Input => {
      const target = {
        identity: { kind: 'user' as const, id: 'x' },
        targetType: 'TeamsUser' as const,
        label: 'TeamsUser:x'
      };
      const effect: Effect =
        kind === 'Transfer' || kind === 'Redirect'
          ? { type: kind, callId: id, target }
          : kind === 'AnswerCall' || kind === 'InviteAgent'
            ? { type: 'AnswerCall', callId: id, tenantId: 't' }
            : { type: kind, callId: id };
      return { type: 'EffectFailed', effect, error: 'boom', at: at(t) };
    })
);

/** A delivery: the inputs in random order, some delivered twice (Graph and Salesforce are at-least-once). */
const delivery = fc
  .array(anyInput, { minLength: 1, maxLength: 40 })
  .chain((inputs) =>
    fc.tuple(fc.constant(inputs), fc.array(fc.nat({ max: inputs.length - 1 }), { maxLength: 10 }), fc.nat())
  )
  .map(([inputs, dupes, seed]) => {
    const all = [...inputs, ...dupes.map((i) => inputs[i] as Input)];
    // Deterministic shuffle from the seed so fast-check can shrink.
    let s = seed || 1;
    for (let i = all.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [all[i], all[j]] = [all[j] as Input, all[i] as Input];
    }
    return all;
  });

interface Trace {
  world: World;
  events: TeamsCallEvent[];
  violations: string[];
  presence: Map<string, Effect['type']>;
}

function drive(inputs: Input[], rules = worldWith()): Trace {
  const trace: Trace = { world: rules, events: [], violations: [], presence: new Map() };
  const step = (input: Input): void => {
    const endedBefore = new Set(Object.keys(trace.world.ended ?? {}));
    const decision = decide(trace.world, input);
    for (const effect of decision.effects) {
      if (isCallControlEffect(effect) && endedBefore.has(effect.callId))
        trace.violations.push(`${effect.type} on ended ${effect.callId}`);
      if (effect.type === 'PublishCallEvent') trace.events.push(effect.event);
      if (effect.type === 'SetPresence' || effect.type === 'ClearPresence')
        trace.presence.set(`${effect.agentUserId}/${effect.mode}`, effect.type);
    }
    trace.world = decision.world;
  };
  inputs.forEach(step);
  // Let everything finish: every leg terminates, every pending timer fires.
  for (const call of Object.values(trace.world.calls)) {
    if (call.phase !== 'Ended')
      step({ type: 'CallTerminated', callId: call.callId, code: 200, subcode: 540000, at: at(10_000) });
  }
  for (let round = 0; round < 5 && Object.keys(trace.world.timers).length > 0; round++) {
    for (const timer of Object.values(trace.world.timers))
      step({ type: 'TimerFired', timerId: timer.timerId, at: timer.at });
  }
  return trace;
}

describe('engine invariants under random deliveries', () => {
  it('[S07] every call ends in exactly one final state (restated at most once with a fallback target), published last', () => {
    fc.assert(
      fc.property(delivery, (inputs) => {
        const trace = drive(inputs);
        assert.deepEqual(Object.keys(trace.world.calls), []);
        for (const call of Object.values(trace.world.ended ?? {})) {
          assert.equal(call.phase, 'Ended', `${call.callId} not ended`);
          const events = trace.events.filter((e) => e.TeamsCallId__c === call.callId);
          const finals = events.filter((e) => e.State__c !== undefined && FINAL.has(e.State__c));
          // One final state; a routing fallback may restate it once with where the call actually went (B08).
          const story = `${call.callId}: ${events.map((e) => `${e.State__c}@${e.Target__c ?? ''}`).join(',')}`;
          assert.ok(finals.length === 1 || finals.length === 2, story);
          assert.equal(new Set(finals.map((e) => e.State__c)).size, 1, story);
          if (finals.length === 2) assert.notEqual(finals[0]!.Target__c, finals[1]!.Target__c, story);
          assert.equal(events.at(-1), finals.at(-1));
          assert.equal(events.indexOf(finals[0]!), events.length - finals.length, story);
        }
      }),
      { numRuns: 300 }
    );
  });

  it('[S07] the published sequence of a call strictly increases (1, 2, 3…) and event ids never repeat', () => {
    fc.assert(
      fc.property(delivery, (inputs) => {
        const trace = drive(inputs);
        const last = new Map<string, number>();
        for (const event of trace.events) {
          assert.equal(event.Sequence__c, (last.get(event.TeamsCallId__c) ?? 0) + 1);
          last.set(event.TeamsCallId__c, event.Sequence__c);
        }
        assert.equal(new Set(trace.events.map((e) => e.EventId__c)).size, trace.events.length);
      }),
      { numRuns: 300 }
    );
  });

  it('[B05] no agent keeps a relay-set presence once all calls and timers are done', () => {
    fc.assert(
      fc.property(delivery, (inputs) => {
        const trace = drive(inputs);
        assert.deepEqual(trace.world.timers, {});
        for (const state of Object.values(trace.world.agents))
          assert.equal(state.relayPresence, undefined, state.salesforceUserId);
        for (const [slot, last] of trace.presence) assert.equal(last, 'ClearPresence', slot);
      }),
      { numRuns: 300 }
    );
  });

  it('[S12] no call-control effect targets a call after it ended', () => {
    fc.assert(
      fc.property(delivery, (inputs) => {
        assert.deepEqual(drive(inputs).violations, []);
      }),
      { numRuns: 300 }
    );
  });

  it('[S07] a roster older than the one a call applied changes nothing (Graph reorders rosters)', () => {
    fc.assert(
      fc.property(delivery, fc.nat(), (inputs, pick) => {
        let world = worldWith();
        for (const input of inputs) world = decide(world, input).world;
        const sequenced = Object.values(world.calls).filter((c) => c.rosterSequence !== undefined);
        fc.pre(sequenced.length > 0);
        const call = sequenced[pick % sequenced.length]!;
        const stale = decide(world, {
          type: 'ParticipantsUpdated',
          callId: call.callId,
          key: `ParticipantsUpdated:${call.callId}:stale`,
          sequence: call.rosterSequence! - 1,
          participants: [{ id: 'p-bot', isBot: true }],
          at: at(700)
        });
        assert.deepEqual(
          stale.effects.filter((e) => e.type !== 'Log'),
          []
        );
        const after = stale.world.calls[call.callId]!;
        assert.equal(after.phase, call.phase);
        assert.deepEqual(after.participants, call.participants);
      }),
      { numRuns: 300 }
    );
  });

  it('[S07] a duplicate of any already-applied input changes nothing', () => {
    fc.assert(
      fc.property(fc.array(anyInput, { minLength: 1, maxLength: 25 }), fc.nat(), (inputs, pick) => {
        let world = worldWith();
        const applied: Input[] = [];
        for (const input of inputs) {
          const decision = decide(world, input);
          if (decision.applied) applied.push(input);
          world = decision.world;
        }
        fc.pre(applied.length > 0);
        const again = decide(world, applied[pick % applied.length] as Input);
        assert.equal(again.applied, false);
        assert.deepEqual(again.effects, []);
        assert.equal(again.world, world);
      }),
      { numRuns: 300 }
    );
  });

  it('[B15] a step written in place decides the same as a copy-on-write step, and its rollback restores the world', () => {
    fc.assert(
      fc.property(fc.array(anyInput, { minLength: 1, maxLength: 25 }), fc.nat(), (inputs, pick) => {
        let copied = worldWith();
        let owned = structuredClone(copied);
        for (const [i, input] of inputs.entries()) {
          const pure = decide(copied, input);
          const before = structuredClone(owned);
          const inPlace = decide(owned, input, { inPlace: true });
          assert.deepEqual(inPlace.effects, pure.effects);
          assert.equal(inPlace.applied, pure.applied);
          assert.deepEqual(inPlace.touched, pure.touched);
          assert.deepEqual(inPlace.timersRemoved, pure.timersRemoved);
          // The cancelled and fired timers named are exactly those the world no longer holds.
          assert.deepEqual(
            [...(pure.timersRemoved ?? [])].sort(),
            Object.keys(copied.timers)
              .filter((id) => pure.world.timers[id] === undefined)
              .sort()
          );
          if (inPlace.applied && i % 3 === pick % 3) {
            // A failed commit: the caller keeps its world, exactly as it was before the step.
            inPlace.rollback?.();
            assert.deepEqual(owned, before);
            continue;
          }
          assert.deepEqual(inPlace.world, pure.world);
          copied = pure.world;
          owned = inPlace.world;
        }
      }),
      { numRuns: 300 }
    );
  });

  it('[B15] a copy-on-write step never changes the world it was given, even where calls are indexed by agent', () => {
    fc.assert(
      fc.property(fc.array(anyInput, { minLength: 1, maxLength: 25 }), (inputs) => {
        let world = worldWith();
        for (const input of inputs) {
          const before = structuredClone(world);
          const decision = decide(world, input);
          assert.deepEqual(world, before);
          world = decision.world;
        }
      }),
      { numRuns: 200 }
    );
  });
});
