import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  deduplicationKey,
  parseCommsNotifications,
  type GraphNotificationItem
} from '../../../src/adapters/graph/notification-parser.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/graph/${name}.json`, import.meta.url), 'utf8')) as unknown;

function parseOne(body: unknown): GraphNotificationItem {
  const result = parseCommsNotifications(body);
  assert.equal(result.ok, true, JSON.stringify(result));
  if (!result.ok) throw new Error('unreachable');
  assert.equal(result.items.length, 1);
  return result.items[0]!;
}

const envelope = (...value: unknown[]) => ({ '@odata.type': '#microsoft.graph.commsNotifications', value });

describe('parseCommsNotifications — documentation fixtures', () => {
  it('[S01] incoming call from a Teams user to the resource account', () => {
    assert.deepEqual(parseOne(fixture('incoming-call-to-app-instance')), {
      index: 0,
      changeType: 'created',
      callbackUri: 'https://bot.contoso.com/api/calls/24701998-1a73-4d42-8085-bf46ed0ae039',
      resourcePath: '/communications/calls/491f0b00-ffff-4bc9-a43e-b226498ec22a',
      kind: 'incomingCall',
      callId: '491f0b00-ffff-4bc9-a43e-b226498ec22a',
      tenantId: '632899f8-2ea1-4604-8413-27bd2892079f',
      caller: {
        kind: 'user',
        id: '8d1e6ab6-26c5-4e22-a1bc-06ea7343958e',
        tenantId: '632899f8-2ea1-4604-8413-27bd2892079f'
      },
      dialled: {
        kind: 'applicationInstance',
        id: '7629bdce-046c-4903-86b4-a8f718277e1a',
        displayName: 'PstnAppInstance',
        tenantId: '632899f8-2ea1-4604-8413-27bd2892079f'
      },
      myParticipantId: 'c339cede-4bd6-4f20-ab9f-3a13e65f6d00',
      transferredIn: false
    });
  });

  it('[S01] incoming PSTN call exposes the caller number', () => {
    const item = parseOne(fixture('incoming-call-pstn'));
    assert.equal(item.kind, 'incomingCall');
    assert.equal(item.kind === 'incomingCall' && item.callerNumber, '+12345678901');
    assert.equal(item.kind === 'incomingCall' && item.dialled?.id, '7629bdce-046c-4903-86b4-a8f718277e1a');
  });

  for (const [name, state] of [
    ['call-establishing', 'establishing'],
    ['call-established', 'established'],
    ['call-transferring', 'transferring'],
    ['call-transfer-accepted', 'transferAccepted']
  ] as const) {
    it(`[S07] ${name} is a call state change to ${state}`, () => {
      const item = parseOne(fixture(name));
      assert.equal(item.kind, 'callState');
      assert.equal(item.kind === 'callState' && item.state, state);
      assert.equal(item.kind === 'callState' && item.resultInfo, undefined);
    });
  }

  it('[S07] terminated with string result codes yields numeric code/subcode', () => {
    const item = parseOne(fixture('call-terminated'));
    assert.deepEqual(item.kind === 'callState' && [item.callId, item.state, item.resultInfo], [
      '57dab8b1-894c-409a-b240-bd8beae78896',
      'terminated',
      { code: 200, subcode: 5001, message: 'The conversation has ended.' }
    ]);
  });

  it('[S07] blind transfer completed is terminated with 0/7015', () => {
    const item = parseOne(fixture('call-transfer-completed'));
    assert.deepEqual(item.kind === 'callState' && item.resultInfo, {
      code: 0,
      subcode: 7015,
      message: 'GracefulTransferCompleted'
    });
  });

  it('[S04] redirect terminated with answeredBy carries the (encrypted) answerer', () => {
    const item = parseOne(fixture('call-redirect-terminated-answered'));
    assert.equal(item.kind, 'callState');
    assert.equal(item.kind === 'callState' && item.state, 'terminated');
    assert.deepEqual(item.kind === 'callState' && item.answeredBy, {
      kind: 'encrypted',
      id: '1xt4uextl99sdzwdxuvdxrvgrv8gehcq7jdgf9yhzeto'
    });
  });

  it('[S07] roster update lists participants with Teams user, lobby and media', () => {
    const item = parseOne(fixture('participants-updated'));
    assert.equal(item.kind, 'roster');
    if (item.kind !== 'roster') return;
    assert.equal(item.callId, '2f1a1100-b174-40a0-aba7-0b405e01ed92');
    assert.equal(item.callbackUri, 'https://bot.contoso.com/callback');
    assert.deepEqual(item.participants, [
      {
        id: '0d7664b6-6432-43ed-8d27-d9e7adec188c',
        teamsUserId: '112f7296-5fa4-42ca-bae8-6a692b15d4b8',
        displayName: 'John',
        inLobby: false,
        muted: true,
        mediaActive: true
      },
      {
        id: '05491616-385f-44a8-9974-18cc5f9933c1',
        applicationId: '2891555a-92ff-42e6-80fa-6e1300c6b5c6',
        displayName: 'Calling Bot',
        inLobby: false,
        muted: false,
        mediaActive: true
      }
    ]);
  });

  it('[S05] hold-music operation completion (resourceUrl without leading slash)', () => {
    assert.deepEqual(parseOne(fixture('operation-completed-start-hold-music')), {
      index: 0,
      changeType: 'deleted',
      resourcePath:
        '/communications/calls/e141b67c-90fd-455d-858b-b48a40b9cc8d/operations/0fe0623f-d628-42ed-b4bd-8ac290072cc5',
      kind: 'operation',
      callId: 'e141b67c-90fd-455d-858b-b48a40b9cc8d',
      operationId: '0fe0623f-d628-42ed-b4bd-8ac290072cc5',
      operationType: 'startHoldMusicOperation',
      clientContext: 'd45324c1-fcb5-430a-902c-f20af696537c',
      status: 'completed'
    });
  });

  it('[S05] play-prompt operation completion carries its resultInfo', () => {
    const item = parseOne(fixture('operation-completed-play-prompt'));
    assert.deepEqual(item.kind === 'operation' && [item.operationType, item.status, item.resultInfo], [
      'playPromptOperation',
      'completed',
      { code: 200, subcode: 0, message: 'Action completed successfully.' }
    ]);
  });
});

describe('parseCommsNotifications — quirks', () => {
  const callUpdate = (extra: Record<string, unknown>, data: Record<string, unknown> = {}) => ({
    changeType: 'updated',
    resourceUrl: '/communications/calls/c1',
    resourceData: { '@odata.type': '#microsoft.graph.call', state: 'established', ...data },
    ...extra
  });

  it('[S07] legacy "resource: /app/calls/{id}" identifies the call', () => {
    const item = parseOne(
      envelope({ changeType: 'updated', resource: '/app/calls/c9', resourceData: { state: 'established' } })
    );
    assert.deepEqual(item.kind === 'callState' && [item.callId, item.resourcePath], ['c9', '/communications/calls/c9']);
  });

  it('[S07] subCode spelling is read like subcode', () => {
    const item = parseOne(
      envelope(
        callUpdate({ changeType: 'deleted' }, { state: 'terminated', resultInfo: { code: '200', subCode: '540000' } })
      )
    );
    assert.deepEqual(item.kind === 'callState' && item.resultInfo, { code: 200, subcode: 540000 });
  });

  it('[S07] callbackUri on the notification level is kept', () => {
    const item = parseOne(envelope(callUpdate({ callbackUri: 'https://relay/cb?k=t' })));
    assert.equal(item.callbackUri, 'https://relay/cb?k=t');
  });

  it('[S07] several changes in one POST come out in order', () => {
    const result = parseCommsNotifications(
      envelope(callUpdate({}, { state: 'establishing' }), callUpdate({}, { state: 'established' }), {
        changeType: 'deleted',
        resourceUrl: '/communications/calls/c1'
      })
    );
    assert.deepEqual(result.ok && result.items.map((i) => (i.kind === 'callState' ? i.state : i.kind)), [
      'establishing',
      'established',
      'terminated'
    ]);
  });

  it('[S14] a deleted call without resourceData (after reject) is a termination', () => {
    const item = parseOne(envelope({ changeType: 'deleted', resourceUrl: '/communications/calls/c1' }));
    assert.deepEqual(item.kind === 'callState' && [item.state, item.resultInfo], ['terminated', undefined]);
  });

  it('[S07] a partial media-only update has no state but the audio media state', () => {
    const item = parseOne(
      envelope({
        changeType: 'updated',
        resourceUrl: '/communications/calls/c1',
        resourceData: { mediaState: { audio: 'inactive' } }
      })
    );
    assert.deepEqual(item.kind === 'callState' && [item.state, item.audioMediaState], [undefined, 'inactive']);
  });

  it('[S07] a roster sent as a single participant object is still a roster', () => {
    const item = parseOne(
      envelope({
        changeType: 'updated',
        resourceUrl: '/communications/calls/c1/participants/p1',
        resourceData: {
          '@odata.type': '#microsoft.graph.participant',
          id: 'p1',
          isInLobby: true,
          info: { identity: { phone: { id: '+4912345' } } }
        }
      })
    );
    assert.deepEqual(item.kind === 'roster' && item.participants, [{ id: 'p1', phone: '+4912345', inLobby: true }]);
  });

  it('[S07] a removed participant is flagged', () => {
    const item = parseOne(
      envelope({
        changeType: 'updated',
        resourceUrl: '/communications/calls/c1/participants',
        resourceData: [
          { id: 'p1', removedState: { reason: 'left' }, mediaStreams: [{ mediaType: 'audio', direction: 'inactive' }] }
        ]
      })
    );
    assert.deepEqual(item.kind === 'roster' && item.participants, [{ id: 'p1', mediaActive: false, removed: true }]);
  });

  it('[contract] non-numeric result codes are dropped, not turned into NaN', () => {
    const item = parseOne(
      envelope(callUpdate({ changeType: 'deleted' }, { state: 'terminated', resultInfo: { code: 'abc' } }))
    );
    assert.equal(item.kind === 'callState' && item.resultInfo, undefined);
  });

  it('[contract] an item without any call id is unknown with a reason', () => {
    const item = parseOne(envelope({ changeType: 'updated', resourceUrl: '/users/u1/presence', resourceData: {} }));
    assert.equal(item.kind, 'unknown');
    assert.match(item.kind === 'unknown' ? item.reason : '', /no call id/);
  });

  it('[contract] an unhandled sub-resource is unknown with a reason', () => {
    const item = parseOne(
      envelope({
        changeType: 'created',
        resourceUrl: '/communications/calls/c1/contentsharingsessions/x',
        resourceData: { '@odata.type': '#microsoft.graph.contentSharingSession' }
      })
    );
    assert.match(item.kind === 'unknown' ? item.reason : '', /unhandled resource contentSharingSession/);
  });

  it('[contract] a non-object item is unknown, the rest of the batch still parses', () => {
    const result = parseCommsNotifications(envelope(42, callUpdate({})));
    assert.deepEqual(result.ok && result.items.map((i) => i.kind), ['unknown', 'callState']);
  });
});

describe('parseCommsNotifications — malformed bodies', () => {
  for (const [label, body, reason] of [
    ['invalid JSON text', '{"value": [', 'not-json'],
    ['a JSON array', [], 'not-an-object'],
    ['null', null, 'not-an-object'],
    ['no value array', { value: {} }, 'missing-value-array'],
    ['an empty value array', { value: [] }, 'empty-value-array']
  ] as const) {
    it(`[contract] ${label} → ${reason}`, () => {
      const result = parseCommsNotifications(body);
      assert.equal(result.ok ? 'ok' : result.error.reason, reason);
    });
  }

  it('[contract] raw Buffer bodies are accepted', () => {
    const result = parseCommsNotifications(Buffer.from(JSON.stringify(fixture('call-established'))));
    assert.equal(result.ok && result.items[0]?.kind, 'callState');
  });
});

describe('deduplicationKey', () => {
  it('[contract] the same change delivered twice has the same key', () => {
    const a = parseCommsNotifications(fixture('call-terminated'));
    const b = parseCommsNotifications(JSON.stringify(fixture('call-terminated')));
    assert.ok(a.ok && b.ok);
    assert.equal(deduplicationKey(a.items[0]!), deduplicationKey(b.items[0]!));
  });

  it('[contract] establishing and established on one call have different keys despite equal etags', () => {
    const a = parseCommsNotifications(fixture('call-establishing'));
    const b = parseCommsNotifications(fixture('call-established'));
    assert.ok(a.ok && b.ok);
    assert.notEqual(deduplicationKey(a.items[0]!), deduplicationKey(b.items[0]!));
  });
});
