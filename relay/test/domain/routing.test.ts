import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuleTrigger, TargetType } from '../../src/domain/config.ts';
import { decide, findCall, noAnswerTimerId } from '../../src/domain/decide.ts';
import type { Effect, Input, RouteIdentity, World } from '../../src/domain/model.ts';
import { dndTimerId } from '../../src/domain/presence.policy.ts';
import {
  ANNA,
  BEN,
  OTHER_USER,
  at,
  cmd,
  connected,
  established,
  incoming,
  logs,
  presence,
  published,
  run,
  summary,
  worldWith
} from './fixtures.ts';

const routeOf = (effects: Effect[]): Effect | undefined =>
  effects.find((e) => e.type === 'Redirect' || e.type === 'Transfer');

describe('[S08] presence suppresses ringing', () => {
  const cases: Array<[string, string, string, 'DoNotDisturb' | 'Presenting' | 'OutOfOffice']> = [
    ['Do Not Disturb', 'DoNotDisturb', 'DoNotDisturb', 'DoNotDisturb'],
    ['Presenting', 'DoNotDisturb', 'Presenting', 'Presenting'],
    ['Out of Office', 'Away', 'OutOfOffice', 'OutOfOffice']
  ];
  for (const [name, availability, activity, reason] of cases) {
    it(`[S08] ${name}: Teams does not ring; the call is Suppressed and goes to the agent's Teams settings by default`, () => {
      const world = run(worldWith(), presence(ANNA.teamsUserId, availability, activity)).world;
      const { effects } = decide(world, incoming('call-1'));
      const target = `TeamsClientSettings:${ANNA.teamsUserId}`;
      assert.deepEqual(summary(effects), [
        {
          type: 'Redirect',
          callId: 'call-1',
          target: { identity: { kind: 'user', id: ANNA.teamsUserId }, targetType: 'TeamsClientSettings', label: target }
        },
        { type: 'PublishCallEvent', State__c: 'Suppressed', Reason__c: reason, Target__c: target, Sequence__c: 1 }
      ]);
    });
  }

  it('[S08] presence is matched case-insensitively (Graph may send lower camel case)', () => {
    const world = run(worldWith(), presence(ANNA.teamsUserId, 'doNotDisturb', 'doNotDisturb')).world;
    assert.equal(published(decide(world, incoming('call-1')).effects)[0]?.State__c, 'Suppressed');
  });

  it('[S08] a stale presence observation (older sequence number) does not override a newer one', () => {
    const world = run(
      worldWith(),
      {
        type: 'PresenceObserved',
        teamsUserId: ANNA.teamsUserId,
        availability: 'Available',
        activity: 'Available',
        sequenceNumber: 'B',
        at: at(-5)
      },
      {
        type: 'PresenceObserved',
        teamsUserId: ANNA.teamsUserId,
        availability: 'DoNotDisturb',
        activity: 'DoNotDisturb',
        sequenceNumber: 'A',
        at: at(-4)
      }
    ).world;
    assert.equal(published(decide(world, incoming('call-1')).effects)[0]?.State__c, 'Ringing');
  });

  it('[S08] the redirect is settled when the target answers; nothing more is published', () => {
    const world = run(
      worldWith(),
      presence(ANNA.teamsUserId, 'DoNotDisturb', 'DoNotDisturb'),
      incoming('call-1')
    ).world;
    const { effects, world: after } = decide(world, {
      type: 'CallTerminated',
      callId: 'call-1',
      code: 200,
      subcode: 0,
      answered: true,
      at: at(9)
    });
    assert.deepEqual(published(effects), []);
    assert.equal(findCall(after, 'call-1')?.phase, 'Ended');
  });
});

describe('[S09] call waiting', () => {
  it('[S09] a second call while on a call rings as call waiting, related to the first call', () => {
    const world = connected(worldWith(), 'call-1');
    const { effects } = decide(world, incoming('call-2', 30));
    const events = published(effects);
    assert.deepEqual(
      effects.map((e) => e.type),
      ['AnswerCall', 'InviteAgent', 'PublishCallEvent', 'ScheduleTimer']
    );
    assert.equal(events[0]?.State__c, 'Ringing');
    assert.equal(events[0]?.Reason__c, 'InACall');
    assert.equal(events[0]?.RelatedCallId__c, 'call-1');
  });

  it('[S09] with an "In a call" rule the second call is Redirected by that rule and Teams does not ring', () => {
    const world = connected(
      worldWith([{ trigger: 'InACall', targetType: 'PhoneNumber', targetValue: '+447700900999' }]),
      'call-1'
    );
    const { effects } = decide(world, incoming('call-2', 30));
    assert.deepEqual(summary(effects), [
      {
        type: 'Redirect',
        callId: 'call-2',
        target: {
          identity: { kind: 'phone', id: '+447700900999' },
          targetType: 'PhoneNumber',
          label: 'PhoneNumber:+447700900999'
        }
      },
      {
        type: 'PublishCallEvent',
        State__c: 'Redirected',
        Reason__c: 'InACall',
        Target__c: 'PhoneNumber:+447700900999',
        Sequence__c: 1
      }
    ]);
  });

  it('[S09] in Do Not Disturb during a call, the second call is routed as S08 (Suppressed), not signalled', () => {
    const world = run(
      connected(worldWith(), 'call-1'),
      presence(ANNA.teamsUserId, 'DoNotDisturb', 'DoNotDisturb', 10)
    ).world;
    const events = published(decide(world, incoming('call-2', 30)).effects);
    assert.equal(events[0]?.State__c, 'Suppressed');
    assert.equal(events[0]?.Reason__c, 'DoNotDisturb');
  });
});

describe('[S13] every trigger × every target type', () => {
  const expected: Record<TargetType, { value?: string; identity: RouteIdentity; label: string }> = {
    TeamsUser: {
      value: 'dddddddd-0000-0000-0000-000000000004',
      identity: { kind: 'user', id: 'dddddddd-0000-0000-0000-000000000004' },
      label: 'TeamsUser:dddddddd-0000-0000-0000-000000000004'
    },
    SoftphoneUser: {
      value: BEN.salesforceUserId,
      identity: { kind: 'user', id: BEN.teamsUserId },
      label: `SoftphoneUser:${BEN.salesforceUserId}`
    },
    PhoneNumber: {
      value: '+447700900555',
      identity: { kind: 'phone', id: '+447700900555' },
      label: 'PhoneNumber:+447700900555'
    },
    SharedVoicemail: {
      identity: { kind: 'applicationInstance', id: 'sv-resource-account-id' },
      label: 'SharedVoicemail:sv-resource-account-id'
    },
    TeamsClientSettings: {
      identity: { kind: 'user', id: ANNA.teamsUserId },
      label: `TeamsClientSettings:${ANNA.teamsUserId}`
    },
    CallQueue: { identity: { kind: 'phone', id: '+442071239999' }, label: 'CallQueue:+442071239999' }
  };

  /** Drive Anna's line into the situation that fires `trigger`; returns the effects of the routing step. */
  function fire(trigger: RuleTrigger, world: World): Effect[] {
    const steps: Record<RuleTrigger, Input[]> = {
      DoNotDisturb: [presence(ANNA.teamsUserId, 'DoNotDisturb', 'DoNotDisturb'), incoming('call-9', 40)],
      Presenting: [presence(ANNA.teamsUserId, 'DoNotDisturb', 'Presenting'), incoming('call-9', 40)],
      OutOfOffice: [presence(ANNA.teamsUserId, 'Offline', 'OutOfOffice'), incoming('call-9', 40)],
      InACall: [
        incoming('call-0'),
        { type: 'AgentJoined', callId: 'call-0', teamsUserId: ANNA.teamsUserId, at: at(2) },
        incoming('call-9', 40)
      ],
      Declined: [incoming('call-9', 40), established('call-9', 41), cmd('Reject', 'call-9', ANNA.salesforceUserId, 42)],
      NoAnswer: [
        incoming('call-9', 40),
        established('call-9', 41),
        { type: 'TimerFired', timerId: noAnswerTimerId('call-9'), at: at(60) }
      ]
    };
    return run(world, ...steps[trigger]).effects;
  }

  const states: Record<RuleTrigger, [string, string, 'Redirect' | 'Transfer']> = {
    DoNotDisturb: ['Suppressed', 'DoNotDisturb', 'Redirect'],
    Presenting: ['Suppressed', 'Presenting', 'Redirect'],
    OutOfOffice: ['Suppressed', 'OutOfOffice', 'Redirect'],
    InACall: ['Redirected', 'InACall', 'Redirect'],
    Declined: ['Rejected', 'Declined', 'Transfer'],
    NoAnswer: ['Missed', 'NoAnswer', 'Transfer']
  };

  for (const trigger of Object.keys(states) as RuleTrigger[]) {
    for (const targetType of Object.keys(expected) as TargetType[]) {
      it(`[S13] ${trigger} → ${targetType}`, () => {
        const want = expected[targetType];
        const world = worldWith([{ trigger, targetType, ...(want.value ? { targetValue: want.value } : {}) }]);
        const effects = fire(trigger, world);
        const [state, reason, via] = states[trigger];
        const route = routeOf(effects);
        assert.equal(route?.type, via);
        assert.deepEqual(route && 'target' in route ? route.target : undefined, {
          identity: want.identity,
          targetType,
          label: want.label
        });
        const final = published(effects).at(-1);
        assert.deepEqual([final?.State__c, final?.Reason__c, final?.Target__c], [state, reason, want.label]);
      });
    }
  }

  it("[S13] a softphone user's own rules apply: Ben in Do Not Disturb with a phone rule sends the call to that number", () => {
    const world = run(
      worldWith([{ trigger: 'NoAnswer', targetType: 'SoftphoneUser', targetValue: BEN.salesforceUserId }], {
        ben: { rules: [{ trigger: 'DoNotDisturb', targetType: 'PhoneNumber', targetValue: '+447700900777' }] }
      }),
      presence(BEN.teamsUserId, 'DoNotDisturb', 'DoNotDisturb')
    ).world;
    const route = routeOf(fire('NoAnswer', world));
    assert.deepEqual(route && 'target' in route ? route.target.identity : undefined, {
      kind: 'phone',
      id: '+447700900777'
    });
  });

  it("[S13] a softphone-user loop back to the first agent stops at the second agent's Teams settings and says why", () => {
    const world = worldWith([{ trigger: 'NoAnswer', targetType: 'SoftphoneUser', targetValue: BEN.salesforceUserId }], {
      ben: { rules: [{ trigger: 'DoNotDisturb', targetType: 'SoftphoneUser', targetValue: ANNA.salesforceUserId }] }
    });
    const effects = fire('NoAnswer', run(world, presence(BEN.teamsUserId, 'DoNotDisturb', 'DoNotDisturb')).world);
    const route = routeOf(effects);
    assert.deepEqual(route && 'target' in route ? route.target.identity : undefined, {
      kind: 'user',
      id: BEN.teamsUserId
    });
    assert.ok(logs(effects).some((m) => m.includes('loop')));
  });

  it('[S13] an invalid phone target falls back to the Teams settings instead of failing the call', () => {
    const effects = fire(
      'NoAnswer',
      worldWith([{ trigger: 'NoAnswer', targetType: 'PhoneNumber', targetValue: '12ab' }])
    );
    assert.equal(published(effects).at(-1)?.Target__c, `TeamsClientSettings:${ANNA.teamsUserId}`);
    assert.ok(logs(effects).some((m) => m.includes('not an E.164 number')));
  });

  it('[S13] shared voicemail without a configured resource account falls back and logs it', () => {
    const base = worldWith([{ trigger: 'NoAnswer', targetType: 'SharedVoicemail' }]);
    const world = { ...base, config: { ...base.config, settings: { noAnswerSeconds: 20, dndExpiryMinutes: 60 } } };
    const effects = fire('NoAnswer', world);
    assert.equal(published(effects).at(-1)?.Target__c, `TeamsClientSettings:${ANNA.teamsUserId}`);
    assert.ok(logs(effects).some((m) => m.includes('no SharedVoicemail resource account')));
  });
});

describe('[S14] reject', () => {
  it('[S14] reject from the softphone: Teams stops ringing, the Declined rule routes the call, presence goes DND with an expiry', () => {
    const world = run(
      worldWith([
        { trigger: 'Declined', targetType: 'TeamsUser', targetValue: 'dddddddd-0000-0000-0000-000000000004' }
      ]),
      incoming('call-1'),
      established('call-1')
    ).world;
    const { effects, world: after } = decide(world, cmd('Reject', 'call-1', ANNA.salesforceUserId, 3));
    const target = {
      identity: { kind: 'user', id: 'dddddddd-0000-0000-0000-000000000004' },
      targetType: 'TeamsUser',
      label: 'TeamsUser:dddddddd-0000-0000-0000-000000000004'
    };
    assert.deepEqual(summary(effects), [
      { type: 'CancelInvite', callId: 'call-1', teamsUserId: ANNA.teamsUserId },
      { type: 'CancelTimer', timerId: noAnswerTimerId('call-1') },
      { type: 'Transfer', callId: 'call-1', target },
      {
        type: 'PublishCallEvent',
        State__c: 'Rejected',
        Reason__c: 'Declined',
        Target__c: target.label,
        Sequence__c: 2
      },
      {
        type: 'SetPresence',
        teamsUserId: ANNA.teamsUserId,
        agentUserId: ANNA.salesforceUserId,
        mode: 'DoNotDisturb',
        availability: 'DoNotDisturb',
        activity: 'DoNotDisturb',
        expiresInMinutes: 60
      },
      {
        type: 'ScheduleTimer',
        timer: {
          timerId: dndTimerId(ANNA.salesforceUserId, at(3 + 3600)),
          purpose: 'DndExpiry',
          at: at(3 + 3600),
          agentUserId: ANNA.salesforceUserId
        }
      }
    ]);
    assert.equal(after.agents[ANNA.salesforceUserId]?.relayPresence?.dndUntil, at(3 + 3600));
  });

  it('[S14] decline in Teams routes the same way without cancelling an invite that is already over', () => {
    const world = run(worldWith(), incoming('call-1'), established('call-1')).world;
    const { effects } = decide(world, { type: 'AgentDeclined', callId: 'call-1', at: at(3) });
    assert.deepEqual(
      effects.map((e) => e.type),
      ['CancelTimer', 'Transfer', 'PublishCallEvent', 'SetPresence', 'ScheduleTimer']
    );
  });

  it('[S14] without a Declined rule the no-answer rule routes the call', () => {
    const world = run(
      worldWith([{ trigger: 'NoAnswer', targetType: 'PhoneNumber', targetValue: '+447700900555' }]),
      incoming('call-1')
    ).world;
    assert.equal(published(decide(world, cmd('Reject', 'call-1')).effects)[0]?.Target__c, 'PhoneNumber:+447700900555');
  });

  it('[S14] without Declined and no-answer rules the call goes to the agent Teams client settings', () => {
    const world = run(worldWith(), incoming('call-1')).world;
    assert.equal(
      published(decide(world, cmd('Reject', 'call-1')).effects)[0]?.Target__c,
      `TeamsClientSettings:${ANNA.teamsUserId}`
    );
  });

  it('[S14] after a reject, the next call is not signalled (the relay-set DND suppresses it before Graph reports it)', () => {
    const world = run(worldWith(), incoming('call-1'), cmd('Reject', 'call-1')).world;
    const events = published(decide(world, incoming('call-2', 10)).effects);
    assert.deepEqual([events[0]?.State__c, events[0]?.Reason__c], ['Suppressed', 'DoNotDisturb']);
  });

  const refusals: Array<[string, (w: World) => World, string, string]> = [
    [
      'from a user who is not the call agent',
      (w) => run(w, incoming('call-1')).world,
      OTHER_USER,
      "requester is not the call's agent"
    ],
    [
      'for a call that already ended',
      (w) => run(w, incoming('call-1'), { type: 'CallerLeft', callId: 'call-1', at: at(2) }).world,
      ANNA.salesforceUserId,
      'the call has ended'
    ],
    [
      'for a connected call',
      (w) => connected(w, 'call-1'),
      ANNA.salesforceUserId,
      'cannot reject a call that is Connected'
    ],
    ['for an unknown call', (w) => w, ANNA.salesforceUserId, 'unknown call']
  ];
  for (const [name, setup, requester, reason] of refusals) {
    it(`[S14] a Reject ${name} is refused: logged, nothing published, nothing done`, () => {
      const { effects } = decide(setup(worldWith()), cmd('Reject', 'call-1', requester, 9));
      assert.deepEqual(
        effects.map((e) => e.type),
        ['Log']
      );
      assert.ok(logs(effects)[0]?.endsWith(reason), logs(effects)[0]);
    });
  }
});

describe('[S15] return to previous presence', () => {
  it('[S15] an agent who opted to keep their presence is not set to Do Not Disturb after a reject', () => {
    const world = run(worldWith([], { anna: { returnToPreviousPresence: true } }), incoming('call-1')).world;
    const { effects, world: after } = decide(world, cmd('Reject', 'call-1'));
    assert.deepEqual(
      effects.filter((e) => e.type === 'SetPresence' || e.type === 'ScheduleTimer'),
      []
    );
    assert.equal(after.agents[ANNA.salesforceUserId]?.relayPresence, undefined);
  });

  it('[S15] after a reject with the option, the next call rings normally', () => {
    const world = run(
      worldWith([], { anna: { returnToPreviousPresence: true } }),
      incoming('call-1'),
      cmd('Reject', 'call-1')
    ).world;
    assert.equal(published(decide(world, incoming('call-2', 10)).effects)[0]?.State__c, 'Ringing');
  });
});
