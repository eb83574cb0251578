// The emulator's twin of TeamsCallEventHandler.recordHeartbeats (B07): Heartbeat events keep TeamsRelayStatus__c.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handleCallEvents } from '../src/salesforce-emulator/event-handler.ts';
import { OrgStore, type StoredEvent } from '../src/salesforce-emulator/store.ts';

let replay = 0;
const heartbeat = (instance: string, at: string, version = '0.1.0'): StoredEvent => ({
  topic: '/event/TeamsCallEvent__e',
  replayId: (replay += 1),
  eventUuid: `uuid-${replay}`,
  schemaId: 's',
  payload: Buffer.alloc(0),
  publishedAt: Date.now(),
  decoded: {
    EventId__c: `hb-${replay}`,
    TeamsCallId__c: instance,
    Sequence__c: Date.parse(at),
    Kind__c: 'Heartbeat',
    Target__c: version,
    OccurredAt__c: Date.parse(at)
  }
});

describe('[B07] emulated event handler: relay heartbeats', () => {
  it('[B07] keeps one TeamsRelayStatus__c per relay with its newest heartbeat and version; no call record', () => {
    const store = new OrgStore();
    handleCallEvents(store, [heartbeat('relay-1', '2026-11-30T10:00:00Z')]);
    handleCallEvents(store, [
      heartbeat('relay-1', '2026-11-30T10:02:00Z', '0.2.0'),
      heartbeat('relay-1', '2026-11-30T10:01:00Z'),
      heartbeat('relay-2', '2026-11-30T10:01:30Z')
    ]);
    // A late, older heartbeat never moves the time back.
    handleCallEvents(store, [heartbeat('relay-1', '2026-11-30T09:00:00Z')]);
    const rows = store
      .all('TeamsRelayStatus__c')
      .map((r) => [r.RelayInstanceId__c, r.LastHeartbeatAt__c, r.Version__c])
      .sort();
    assert.deepEqual(rows, [
      ['relay-1', '2026-11-30T10:02:00.000Z', '0.2.0'],
      ['relay-2', '2026-11-30T10:01:30.000Z', '0.1.0']
    ]);
    assert.deepEqual(store.all('TeamsCall__c'), []);
  });
});
