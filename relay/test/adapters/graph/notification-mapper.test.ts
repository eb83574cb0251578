import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  mapNotificationItems,
  type MapContext,
  type MappedItem
} from '../../../src/adapters/graph/notification-mapper.ts';
import { parseCommsNotifications } from '../../../src/adapters/graph/notification-parser.ts';

const AT = '2026-11-24T10:00:00.000Z';
const RESOURCE_ACCOUNT = '7629bdce-046c-4903-86b4-a8f718277e1a';
const context: MapContext = {
  receivedAt: AT,
  tenantId: 'token-tenant',
  dialledNumberFor: (d) =>
    d?.kind === 'applicationInstance' && d.id === RESOURCE_ACCOUNT
      ? '+442071234567'
      : d?.kind === 'phone'
        ? d.id
        : undefined
};

function mapFixture(name: string, ctx = context): MappedItem {
  const body = JSON.parse(
    readFileSync(new URL(`../../fixtures/graph/${name}.json`, import.meta.url), 'utf8')
  ) as unknown;
  return mapBody(body, ctx);
}

function mapBody(body: unknown, ctx = context): MappedItem {
  const parsed = parseCommsNotifications(body);
  assert.ok(parsed.ok);
  const [mapped] = mapNotificationItems(parsed.items, ctx);
  assert.ok(mapped);
  return mapped;
}

const inputOf = (m: MappedItem) => ('input' in m ? m.input : { skipped: m.skipped });

describe('mapNotificationItems — every calling fixture', () => {
  it('[S01] incoming PSTN call → IncomingCall with the caller number and the resource account line', () => {
    assert.deepEqual(inputOf(mapFixture('incoming-call-pstn')), {
      type: 'IncomingCall',
      at: AT,
      callId: '491f0b00-ffff-4bc9-a43e-b226498ec22a',
      tenantId: '632899f8-2ea1-4604-8413-27bd2892079f',
      dialledNumber: '+442071234567',
      callerNumber: '+12345678901'
    });
  });

  it('[S01] incoming call from a Teams user → IncomingCall without a number', () => {
    const input = inputOf(mapFixture('incoming-call-to-app-instance'));
    assert.equal('type' in input && input.type, 'IncomingCall');
    assert.equal('callerNumber' in input, false);
  });

  it('[S01] an incoming call to a line that is not configured is skipped with a reason', () => {
    const mapped = mapFixture('incoming-call-pstn', { ...context, dialledNumberFor: () => undefined });
    assert.match('skipped' in mapped ? mapped.skipped : '', /not a configured line/);
  });

  it('[S03] establishing → CallEstablishing', () => {
    assert.deepEqual(inputOf(mapFixture('call-establishing')), {
      type: 'CallEstablishing',
      at: AT,
      callId: '57DAB8B1894C409AB240BD8BEAE78896'
    });
  });

  it('[S03] established → CallEstablished', () => {
    assert.deepEqual(inputOf(mapFixture('call-established')), {
      type: 'CallEstablished',
      at: AT,
      callId: '57DAB8B1894C409AB240BD8BEAE78896'
    });
  });

  it('[S07] terminated 200/5001 (string codes) → CallTerminated with numbers', () => {
    assert.deepEqual(inputOf(mapFixture('call-terminated')), {
      type: 'CallTerminated',
      at: AT,
      callId: '57dab8b1-894c-409a-b240-bd8beae78896',
      code: 200,
      subcode: 5001
    });
  });

  it('[S04] redirect ended with answeredBy → CallTerminated answered', () => {
    const input = inputOf(mapFixture('call-redirect-terminated-answered'));
    assert.deepEqual('type' in input && input.type === 'CallTerminated' && [input.answered, input.code], [true, 0]);
  });

  it('[S07] transferring needs no engine input and says so', () => {
    assert.match(
      JSON.stringify(inputOf(mapFixture('call-transferring'))),
      /call state transferring needs no engine input/
    );
  });

  it('[S07] transferAccepted → TransferAccepted', () => {
    assert.deepEqual(inputOf(mapFixture('call-transfer-accepted')), {
      type: 'TransferAccepted',
      at: AT,
      callId: '341a0500-d4bf-4224-8b19-1581168d328b'
    });
  });

  it('[S07] terminated 0/7015 → TransferCompleted', () => {
    assert.deepEqual(inputOf(mapFixture('call-transfer-completed')), {
      type: 'TransferCompleted',
      at: AT,
      callId: '341a0500-d4bf-4224-8b19-1581168d328b'
    });
  });

  it('[S07] roster → ParticipantsUpdated with the Teams user and the bot flagged', () => {
    assert.deepEqual(inputOf(mapFixture('participants-updated')), {
      type: 'ParticipantsUpdated',
      at: AT,
      callId: '2f1a1100-b174-40a0-aba7-0b405e01ed92',
      participants: [
        {
          id: '0d7664b6-6432-43ed-8d27-d9e7adec188c',
          displayName: 'John',
          teamsUserId: '112f7296-5fa4-42ca-bae8-6a692b15d4b8'
        },
        { id: '05491616-385f-44a8-9974-18cc5f9933c1', displayName: 'Calling Bot', isBot: true }
      ]
    });
  });

  it('[S05] startHoldMusic completed → OperationCompleted StartHoldMusic', () => {
    assert.deepEqual(inputOf(mapFixture('operation-completed-start-hold-music')), {
      type: 'OperationCompleted',
      at: AT,
      callId: 'e141b67c-90fd-455d-858b-b48a40b9cc8d',
      operation: 'StartHoldMusic',
      operationId: '0fe0623f-d628-42ed-b4bd-8ac290072cc5'
    });
  });

  it('[S05] playPrompt completion is not an engine input', () => {
    assert.match(
      JSON.stringify(inputOf(mapFixture('operation-completed-play-prompt'))),
      /playPromptOperation completed needs no engine input/
    );
  });
});

describe('mapNotificationItems — derived cases', () => {
  const call = (data: Record<string, unknown>, changeType = 'updated') => ({
    value: [
      {
        changeType,
        resourceUrl: '/communications/calls/c1',
        resourceData: { '@odata.type': '#microsoft.graph.call', ...data }
      }
    ]
  });

  it('[S07] established with a 500/7700 resultInfo after a transfer → TransferFailed', () => {
    assert.deepEqual(inputOf(mapBody(call({ state: 'established', resultInfo: { code: 500, subcode: 7700 } }))), {
      type: 'TransferFailed',
      at: AT,
      callId: 'c1',
      code: '500/7700'
    });
  });

  it('[S07] consultative transfer (terminationReason AppTransferred) → TransferCompleted', () => {
    const input = inputOf(mapBody(call({ state: 'terminated', terminationReason: 'AppTransferred' }, 'deleted')));
    assert.equal('type' in input && input.type, 'TransferCompleted');
  });

  it('[S14] a bare deleted call after reject → CallTerminated 0/0', () => {
    const input = inputOf(mapBody({ value: [{ changeType: 'deleted', resourceUrl: '/communications/calls/c1' }] }));
    assert.deepEqual(input, { type: 'CallTerminated', at: AT, callId: 'c1', code: 0, subcode: 0 });
  });

  it('[S05] a failed stopHoldMusic operation → OperationFailed with the code', () => {
    const input = inputOf(
      mapBody({
        value: [
          {
            changeType: 'deleted',
            resourceUrl: '/communications/calls/c1/operations/op9',
            resourceData: {
              '@odata.type': '#microsoft.graph.stopHoldMusicOperation',
              status: 'failed',
              resultInfo: { code: '500', subCode: '9999' }
            }
          }
        ]
      })
    );
    assert.deepEqual(input, {
      type: 'OperationFailed',
      at: AT,
      callId: 'c1',
      operation: 'StopHoldMusic',
      operationId: 'op9',
      code: '500/9999'
    });
  });

  it('[S04] a failed invite operation → InviteFailed', () => {
    const input = inputOf(
      mapBody({
        value: [
          {
            changeType: 'deleted',
            resourceUrl: '/communications/calls/c1/operations/op1',
            resourceData: {
              '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
              status: 'failed',
              resultInfo: { code: 408, subcode: 10057 }
            }
          }
        ]
      })
    );
    assert.deepEqual(input, { type: 'InviteFailed', at: AT, callId: 'c1', code: '408/10057' });
  });

  it('[S07] removed participants are left out of the roster input', () => {
    const input = inputOf(
      mapBody({
        value: [
          {
            changeType: 'updated',
            resourceUrl: '/communications/calls/c1/participants',
            resourceData: [{ id: 'p1', removedState: {} }, { id: 'p2' }]
          }
        ]
      })
    );
    assert.deepEqual('type' in input && input.type === 'ParticipantsUpdated' && input.participants, [{ id: 'p2' }]);
  });
});
