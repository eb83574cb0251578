import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
import type { InviteNumber, PlaceCall } from '../../src/domain/model.ts';
import { ANNA, TENANT, at, cmd, config, T0 } from '../domain/fixtures.ts';

/** The in-memory Graph plus outbound calls: Graph names each placed call `graph-<n>`. */
class DialingCallControl extends InMemoryCallControl {
  readonly placed: PlaceCall[] = [];
  readonly invitedNumbers: InviteNumber[] = [];
  refusePlace = false;
  placeCall = (effect: PlaceCall): Promise<{ callId: string; tenantId: string }> => {
    if (this.refusePlace) return Promise.reject(new Error('403 Forbidden'));
    this.placed.push(effect);
    return Promise.resolve({ callId: `graph-${this.placed.length}`, tenantId: TENANT });
  };
  inviteNumber = (effect: InviteNumber): Promise<void> => {
    this.invitedNumbers.push(effect);
    return Promise.resolve();
  };
}

function ports(callControl = new DialingCallControl()) {
  const base = {
    store: new InMemoryWorldStore(),
    callControl,
    presence: new InMemoryPresenceGateway(),
    publisher: new InMemoryEventPublisher(),
    config: new StaticConfigSource(config()),
    clock: new ManualClock(T0),
    timers: new ManualTimerScheduler(),
    logger: new MemoryLogger()
  };
  return { ...base, deliverOutbox: inMemoryOutboxDelivery(base) };
}

function dial(commandId: string, number = '+447700900555') {
  const base = cmd('Dial', undefined, ANNA.salesforceUserId, 1);
  if (base.type !== 'CommandReceived') throw new Error('fixture');
  return { ...base, command: { ...base.command, CommandId__c: commandId, Argument__c: number } };
}

describe('[B09] CallRelay places a dialled call', () => {
  it('[B09] Dial → Graph creates the call → CallPlaced: Salesforce sees an Outbound Ringing keyed by Graph’s id', async () => {
    const p = ports();
    const relay = await CallRelay.start(p);
    await relay.handle(dial('c1'));
    assert.deepEqual(p.callControl.placed, [
      { type: 'PlaceCall', callId: 'dial:c1', teamsUserId: ANNA.teamsUserId, lineNumber: ANNA.phoneNumber }
    ]);
    assert.deepEqual(
      p.publisher.delivered.map((e) => [e.TeamsCallId__c, e.State__c, e.Direction__c]),
      [['graph-1', 'Ringing', 'Outbound']]
    );
    await relay.handle({ type: 'CallEstablished', callId: 'graph-1', at: at(5) });
    assert.deepEqual(
      p.callControl.invitedNumbers.map((e) => [e.callId, e.phoneNumber]),
      [['graph-1', '+447700900555']]
    );
    assert.deepEqual(await p.store.pendingEffects(), []);
  });

  it('[B09] a double click (one command id delivered twice) places one call', async () => {
    const p = ports();
    const relay = await CallRelay.start(p);
    await relay.handle(dial('twice'));
    await relay.handle(dial('twice'));
    assert.equal(p.callControl.placed.length, 1);
  });

  it('[B09] Graph refusing the call is fed back: the softphone sees the dial Missed/Failed', async () => {
    const control = new DialingCallControl();
    control.refusePlace = true;
    const p = ports(control);
    const relay = await CallRelay.start(p);
    await relay.handle(dial('no'));
    assert.deepEqual(
      p.publisher.delivered.map((e) => [e.TeamsCallId__c, e.State__c, e.Reason__c]),
      [['dial:no', 'Missed', 'Failed']]
    );
    assert.deepEqual(Object.keys(relay.snapshot().calls), []);
  });

  it('[B09] a call control without outbound calls refuses the dial instead of dropping it', async () => {
    const p = { ...ports(), callControl: new InMemoryCallControl() };
    const relay = await CallRelay.start({ ...p, deliverOutbox: inMemoryOutboxDelivery(p) });
    await relay.handle(dial('unsupported'));
    assert.deepEqual(
      p.publisher.delivered.map((e) => [e.State__c, e.Reason__c]),
      [['Missed', 'Failed']]
    );
  });
});
