import { formatDuration, initialState, reduce } from '../softphoneState';

const AGENT = '005000000000000AAA';
const OTHER = '005000000000000BBB';

/**
 * A TeamsCallEvent__e message for the reducer.
 * @param {Object<string, any>} fields
 */
const ev = (fields) => ({
  type: 'platformEvent',
  userId: AGENT,
  payload: {
    Kind__c: 'Call',
    AgentUserId__c: AGENT,
    TeamsCallId__c: 'call-1',
    CallerNumber__c: '+4930123456789',
    CallerName__c: 'Erika Mustermann',
    OccurredAt__c: '2026-11-24T10:00:00.000Z',
    ...fields
  }
});

const run = (events, from = initialState()) => events.reduce(reduce, from);

const ringing = ev({ Sequence__c: 1, State__c: 'Ringing' });
const connected = ev({ Sequence__c: 2, State__c: 'Connected', OccurredAt__c: '2026-11-24T10:00:05.000Z' });
const onHold = ev({ Sequence__c: 3, State__c: 'OnHold' });

describe('softphoneState reducer', () => {
  /** @type {Array<[string, any[], (s: any) => void]>} */
  const table = [
    [
      '[S01] a ringing event adds the call with caller number and Teams name',
      [ringing],
      (s) => {
        expect(s.calls).toHaveLength(1);
        expect(s.calls[0]).toMatchObject({
          state: 'Ringing',
          callerNumber: '+4930123456789',
          callerName: 'Erika Mustermann'
        });
      }
    ],
    [
      '[S03] connected sets the answer time used for the running duration',
      [ringing, connected],
      (s) => expect(s.calls[0]).toMatchObject({ state: 'Connected', answeredAt: '2026-11-24T10:00:05.000Z' })
    ],
    [
      '[S05] on hold keeps the call and its answer time',
      [ringing, connected, onHold],
      (s) =>
        expect(s.calls[0]).toMatchObject({ state: 'OnHold', answeredAt: '2026-11-24T10:00:05.000Z', lastSequence: 3 })
    ],
    [
      '[S06] ended after answering removes the call and opens a wrap-up (B04)',
      [ringing, connected, ev({ Sequence__c: 3, State__c: 'Ended', Reason__c: 'AgentHungUp' })],
      (s) => {
        expect(s.calls).toHaveLength(0);
        expect(s.wrapUps).toEqual([expect.objectContaining({ teamsCallId: 'call-1', callerName: 'Erika Mustermann' })]);
        expect(s.notices).toHaveLength(0);
      }
    ],
    [
      '[S12] the caller hanging up while ringing leaves a "caller hung up" notice and no wrap-up',
      [ringing, ev({ Sequence__c: 2, State__c: 'Abandoned', Reason__c: 'CallerHungUp' })],
      (s) => {
        expect(s.notices).toEqual([expect.objectContaining({ kind: 'CallerHungUp', teamsCallId: 'call-1' })]);
        expect(s.wrapUps).toHaveLength(0);
      }
    ],
    [
      '[S08] a call suppressed by Do Not Disturb leaves a missed notice with the target',
      [ev({ Sequence__c: 1, State__c: 'Suppressed', Reason__c: 'DoNotDisturb', Target__c: 'Teams voicemail' })],
      (s) =>
        expect(s.notices).toEqual([
          expect.objectContaining({ kind: 'MissedPresence', reason: 'DoNotDisturb', target: 'Teams voicemail' })
        ])
    ],
    [
      '[S04] no answer leaves a "forwarded to" notice',
      [ringing, ev({ Sequence__c: 2, State__c: 'Redirected', Reason__c: 'NoAnswer', Target__c: 'Anna Schmidt' })],
      (s) => expect(s.notices).toEqual([expect.objectContaining({ kind: 'NotAnswered', target: 'Anna Schmidt' })])
    ],
    [
      '[S14] a reject leaves neither notice nor wrap-up, and the later redirect raises nothing',
      [
        ringing,
        ev({ Sequence__c: 2, State__c: 'Rejected', Reason__c: 'Declined' }),
        ev({ Sequence__c: 3, State__c: 'Redirected', Reason__c: 'Declined', Target__c: 'Queue' })
      ],
      (s) => {
        expect(s.calls).toHaveLength(0);
        expect(s.notices).toHaveLength(0);
        expect(s.wrapUps).toHaveLength(0);
        expect(s.sequences['call-1']).toBe(3);
      }
    ],
    [
      '[S09] a second ringing call while connected keeps both calls',
      [
        ringing,
        connected,
        ev({ TeamsCallId__c: 'call-2', Sequence__c: 1, State__c: 'Ringing', RelatedCallId__c: 'call-1' })
      ],
      (s) =>
        expect(s.calls.map((c) => [c.teamsCallId, c.state, c.relatedCallId])).toEqual([
          ['call-1', 'Connected', null],
          ['call-2', 'Ringing', 'call-1']
        ])
    ],
    [
      '[S10] a presence event updates the presence',
      [ev({ Kind__c: 'Presence', Presence__c: 'DoNotDisturb', TeamsCallId__c: null })],
      (s) => expect(s.presence).toBe('DoNotDisturb')
    ],
    [
      'a heartbeat changes nothing',
      [ev({ Kind__c: 'Heartbeat', Sequence__c: 1 })],
      (s) => expect(s).toEqual(initialState())
    ]
  ];

  it.each(table)('%s', (name, events, check) => {
    expect.hasAssertions();
    check(run(events));
  });

  /** @type {Array<[string, any[], any[]]>} events that must leave the state object untouched */
  const noOps = [
    ['a duplicate event', [ringing, connected], [connected]],
    ['an out-of-order (older) event', [ringing, connected, onHold], [connected]],
    ['a late ringing after the call ended', [ringing, ev({ Sequence__c: 2, State__c: 'Abandoned' })], [ringing]],
    [
      'another agent’s call event',
      [ringing],
      [
        {
          ...ev({ Sequence__c: 5, State__c: 'Connected' }),
          payload: { ...ev({}).payload, Sequence__c: 5, State__c: 'Connected', AgentUserId__c: OTHER }
        }
      ]
    ],
    [
      'another agent’s presence',
      [],
      [
        {
          type: 'platformEvent',
          userId: AGENT,
          payload: { Kind__c: 'Presence', AgentUserId__c: OTHER, Presence__c: 'Away' }
        }
      ]
    ],
    ['an event without a call id', [], [ev({ TeamsCallId__c: null, Sequence__c: 1, State__c: 'Ringing' })]],
    ['an event without a sequence', [], [ev({ Sequence__c: null, State__c: 'Ringing' })]],
    ['an event with a non-numeric sequence', [], [ev({ Sequence__c: 'x', State__c: 'Ringing' })]],
    ['a message without payload', [], [{ type: 'platformEvent', userId: AGENT }]],
    ['an unknown event type', [ringing], [{ type: 'nonsense' }]],
    ['dismissing an unknown notice', [ringing], [{ type: 'dismissNotice', noticeId: 'nope' }]],
    ['a command for an unknown call', [ringing], [{ type: 'commandSent', teamsCallId: 'nope', action: 'Hold' }]]
  ];

  it.each(noOps)('[S01] ignores %s (same state object)', (name, setup, events) => {
    const before = run(setup);
    expect(run(events, before)).toBe(before);
  });

  it('[B02] the open-calls snapshot adds calls but never undoes a newer event', () => {
    const afterEvents = run([ringing, connected]);
    const snapshot = [
      { teamsCallId: 'call-1', state: 'Ringing', lastSequence: 1, callerNumber: '+4930123456789' },
      {
        teamsCallId: 'call-9',
        state: 'OnHold',
        lastSequence: 4,
        callerNumber: '+441632960001',
        answeredAt: '2026-11-24T09:00:00.000Z'
      },
      { teamsCallId: 'call-8', state: 'Ended', lastSequence: 7 },
      null
    ];
    const s = reduce(afterEvents, { type: 'openCalls', calls: snapshot });
    expect(s.calls.map((c) => [c.teamsCallId, c.state])).toEqual([
      ['call-1', 'Connected'],
      ['call-9', 'OnHold']
    ]);
  });

  it('[B02] a call that rang before the restore finished survives a snapshot taken before it existed', () => {
    // The console opens as a call rings: the live event lands first, then the restore answers with no open calls.
    const s = run([ringing, { type: 'openCalls', calls: [] }]);
    expect(s.calls.map((c) => [c.teamsCallId, c.state])).toEqual([['call-1', 'Ringing']]);
  });

  it('[B02] events older than the snapshot are ignored after it', () => {
    const s = run([
      { type: 'openCalls', calls: [{ teamsCallId: 'call-1', state: 'Connected', lastSequence: 2, answeredAt: 'x' }] },
      ringing
    ]);
    expect(s.calls[0].state).toBe('Connected');
  });

  it('[S05] a command in flight is pending until the next event for that call, and a failure is recorded', () => {
    const sent = run([ringing, connected, { type: 'commandSent', teamsCallId: 'call-1', action: 'Hold' }]);
    expect(sent.pending).toEqual({ 'call-1': 'Hold' });
    expect(reduce(sent, onHold).pending).toEqual({});
    const failed = reduce(sent, { type: 'commandFailed', teamsCallId: 'call-1', action: 'Hold' });
    expect(failed.pending).toEqual({});
    expect(failed.failures).toEqual({ 'call-1': { action: 'Hold', isTimeout: false } });
  });

  it('[S05] a relay event with reason Failed records the pending command as refused; the next event clears it', () => {
    const sent = run([ringing, connected, { type: 'commandSent', teamsCallId: 'call-1', action: 'Hold' }]);
    const refused = reduce(sent, ev({ Sequence__c: 3, State__c: 'Connected', Reason__c: 'Failed' }));
    expect(refused.pending).toEqual({});
    expect(refused.failures).toEqual({ 'call-1': { action: 'Hold', isTimeout: false } });
    expect(reduce(refused, ev({ Sequence__c: 4, State__c: 'OnHold' })).failures).toEqual({});
  });

  it('[S05] a timeout only fails the command still pending', () => {
    const sent = run([ringing, connected, { type: 'commandSent', teamsCallId: 'call-1', action: 'Hold' }]);
    const timedOut = reduce(sent, { type: 'commandFailed', teamsCallId: 'call-1', action: 'Hold', isTimeout: true });
    expect(timedOut.failures).toEqual({ 'call-1': { action: 'Hold', isTimeout: true } });
    const confirmed = reduce(sent, onHold);
    expect(reduce(confirmed, { type: 'commandFailed', teamsCallId: 'call-1', action: 'Hold', isTimeout: true })).toBe(
      confirmed
    );
  });

  it('[S04] notices are dismissed one by one', () => {
    const s = run([
      ev({ Sequence__c: 1, State__c: 'Missed', Reason__c: 'NoAnswer' }),
      ev({ TeamsCallId__c: 'call-2', Sequence__c: 1, State__c: 'Abandoned', Reason__c: 'CallerHungUp' })
    ]);
    expect(s.notices).toHaveLength(2);
    const after = reduce(s, { type: 'dismissNotice', noticeId: s.notices[0].id });
    expect(after.notices.map((n) => n.teamsCallId)).toEqual(['call-2']);
  });

  it('[B04] linking a record updates the call and its wrap-up; closing the wrap-up removes it', () => {
    const ended = run([ringing, connected, ev({ Sequence__c: 3, State__c: 'Ended' })]);
    const linked = reduce(ended, {
      type: 'recordLinked',
      teamsCallId: 'call-1',
      recordId: '003A',
      recordName: 'Erika'
    });
    expect(linked.wrapUps[0]).toMatchObject({ linkedRecordId: '003A', linkedRecordName: 'Erika' });
    expect(reduce(linked, { type: 'wrapUpClosed', teamsCallId: 'call-1' }).wrapUps).toEqual([]);
  });

  it('[B03] caller matches are stored on the call', () => {
    const s = run([
      ringing,
      { type: 'matchesLoaded', teamsCallId: 'call-1', matches: [{ recordId: '003A', name: 'Erika' }] }
    ]);
    expect(s.calls[0].matches).toEqual([{ recordId: '003A', name: 'Erika' }]);
  });

  it('[S10] the agent context presence is only a starting value', () => {
    const live = run([ev({ Kind__c: 'Presence', Presence__c: 'Busy' })]);
    expect(reduce(live, { type: 'agentContext', presence: 'Available' }).presence).toBe('Busy');
    expect(reduce(initialState(), { type: 'agentContext', presence: 'Available' }).presence).toBe('Available');
  });

  it('keeps a call-back intent until dismissed and ignores one without a number', () => {
    const s = reduce(initialState(), { type: 'dialIntent', phoneNumber: '+4930123', recordId: '003A' });
    expect(s.dialIntent).toEqual({ phoneNumber: '+4930123', recordId: '003A' });
    expect(reduce(s, { type: 'dismissDialIntent' }).dialIntent).toBeNull();
    const none = initialState();
    expect(reduce(none, { type: 'dialIntent', phoneNumber: '' })).toBe(none);
  });
});

describe('formatDuration', () => {
  const start = '2026-11-24T10:00:00.000Z';
  it.each([
    [start, Date.parse(start) + 65_000, '1:05'],
    [start, Date.parse(start) + 3_725_000, '1:02:05'],
    [start, Date.parse(start) - 5_000, '0:00'],
    [null, 0, '0:00'],
    ['garbage', 0, '0:00']
  ])('[S03] from %p at %p is %p', (from, now, expected) => {
    expect(formatDuration(from, now)).toBe(expected);
  });
});
