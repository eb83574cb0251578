import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCallEvent, maskNumbers } from '../../src/domain/narrate.ts';

describe('call state sentences for the info log', () => {
  it('one human sentence per published call state, phone numbers masked to their last four digits', () => {
    const sentence = describeCallEvent({
      EventId__c: 'e',
      TeamsCallId__c: 'call-1',
      Sequence__c: 3,
      Kind__c: 'Call',
      State__c: 'Missed',
      Reason__c: 'NoAnswer',
      CallerNumber__c: '+447700900123',
      AgentUserId__c: '005000000000001AAA',
      Target__c: 'PhoneNumber:+442071239999',
      OccurredAt__c: '2026-11-30T10:00:00.000Z'
    });
    assert.equal(
      sentence,
      'Call call-1 is Missed (NoAnswer) from …0123 for agent 005000000000001AAA, sent to PhoneNumber:…9999.'
    );
    assert.doesNotMatch(String(sentence), /447700900123|442071239999/);
  });

  it('presence and heartbeat events are not call sentences; short digit runs are left alone', () => {
    assert.equal(
      describeCallEvent({
        EventId__c: 'e',
        TeamsCallId__c: 'presence:005',
        Sequence__c: 1,
        Kind__c: 'Presence',
        OccurredAt__c: 'x'
      }),
      undefined
    );
    assert.equal(maskNumbers('agent 12345 at +1 (555) 555-0101'), 'agent 12345 at …0101');
  });

  it('[B09] a dialled call says the number it called', () => {
    assert.equal(
      describeCallEvent({
        EventId__c: 'e',
        TeamsCallId__c: 'c9',
        Sequence__c: 1,
        Kind__c: 'Call',
        State__c: 'Ringing',
        Direction__c: 'Outbound',
        CallerNumber__c: '+15555550123',
        OccurredAt__c: 'x'
      }),
      'Call c9 is Ringing to …0123.'
    );
  });
});
