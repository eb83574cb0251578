import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createPubSubClient, type PubSubGrpcClient } from '../../../src/adapters/salesforce/pubsub-channel.ts';
import { PubSubEventPublisher } from '../../../src/adapters/salesforce/pubsub-publisher.ts';
import type { SalesforceSession } from '../../../src/adapters/salesforce/jwt-bearer-auth.ts';
import type { TeamsCallEvent } from '../../../src/domain/call-event.ts';
import { FakePubSub } from './fake-pubsub.ts';

const fake = new FakePubSub();
let session: SalesforceSession;
let reauths = 0;
let client: PubSubGrpcClient;
let registry: Registry;

before(async () => {
  await fake.start();
});
after(async () => {
  client?.close();
  await fake.stop();
});
beforeEach(() => {
  fake.down = false;
  fake.validToken = 'token-1';
  fake.rejectIds.clear();
  fake.published.length = 0;
  fake.publishRequestSizes.length = 0;
  session = {
    accessToken: 'token-1',
    instanceUrl: 'https://example.my.salesforce.com',
    organizationId: '00D000000000001EAA',
    userId: '005000000000001AAA'
  };
  reauths = 0;
  client?.close();
  client = createPubSubClient({
    endpoint: fake.endpoint,
    session: () => Promise.resolve(session),
    rootCertPem: fake.cert
  });
  registry = new Registry();
});

const publisher = () =>
  new PubSubEventPublisher({
    client,
    createdById: () => Promise.resolve(session.userId),
    reauthenticate: () => {
      reauths += 1;
      session = { ...session, accessToken: fake.validToken };
      return Promise.resolve(session);
    },
    registry,
    deadlineMs: 3000
  });

const event = (n: number, extra: Partial<TeamsCallEvent> = {}): TeamsCallEvent => ({
  EventId__c: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  TeamsCallId__c: 'call-1',
  Sequence__c: n,
  Kind__c: 'Call',
  State__c: 'Ringing',
  CallerNumber__c: '+12345678901',
  OccurredAt__c: '2026-11-24T10:00:00.000Z',
  ...extra
});

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  return m?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
}

describe('PubSubEventPublisher (salesforce.md §1.9)', () => {
  it('[B01] publishes a batch in one Publish request with one final result per event', async () => {
    const results = await publisher().publish([event(1), event(2), event(3)]);
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, true]
    );
    assert.deepEqual(fake.publishRequestSizes, [3]);
    assert.equal(await metric('relay_salesforce_publish_requests_total'), 1);
    assert.equal(await metric('relay_salesforce_events_published_total'), 3);
  });

  it('[B01] encodes fields the way Salesforce stores them (unions, Date/Time as epoch ms, CreatedById)', async () => {
    await publisher().publish([event(7)]);
    const stored = fake.published[0]!;
    assert.deepEqual(stored['Sequence__c'], { double: 7 });
    assert.deepEqual(stored['OccurredAt__c'], { long: Date.parse('2026-11-24T10:00:00.000Z') });
    assert.equal(stored['CreatedById'], '005000000000001AAA');
    assert.equal(stored['Reason__c'], null);
  });

  it('[B01] an event Salesforce rejects is a permanent failure; the others in the batch succeed', async () => {
    fake.rejectIds.add(event(2).EventId__c);
    const results = await publisher().publish([event(1), event(2), event(3)]);
    assert.deepEqual(
      results.map((r) => [r.ok, r.permanent]),
      [
        [true, false],
        [false, true],
        [true, false]
      ]
    );
    assert.match(results[1]?.error ?? '', /INVALID_FIELD/);
    assert.equal(await metric('relay_salesforce_events_failed_total', { kind: 'permanent' }), 1);
  });

  it('[B01] an event that does not fit the schema is refused before sending, as permanent', async () => {
    const bad = { ...event(1), Unknown__c: 'x' } as unknown as TeamsCallEvent;
    const results = await publisher().publish([bad, event(2)]);
    assert.deepEqual(
      results.map((r) => [r.ok, r.permanent]),
      [
        [false, true],
        [true, false]
      ]
    );
    assert.match(results[0]?.error ?? '', /Unknown__c/);
    assert.deepEqual(fake.publishRequestSizes, [1]);
  });

  it('[B01] with the server down every event is a transient failure, and nothing is lost once it is back', async () => {
    const p = publisher();
    fake.down = true;
    const whileDown = await p.publish([event(1), event(2)]);
    assert.deepEqual(
      whileDown.map((r) => [r.ok, r.permanent]),
      [
        [false, false],
        [false, false]
      ]
    );
    fake.down = false;
    const afterwards = await p.publish([event(1), event(2)]);
    assert.deepEqual(
      afterwards.map((r) => r.ok),
      [true, true]
    );
    assert.deepEqual(
      fake.published.map((e) => e['Sequence__c']),
      [{ double: 1 }, { double: 2 }]
    );
  });

  it('[B01] a token that expired mid-stream is renewed once and the batch goes through', async () => {
    const p = publisher();
    await p.publish([event(1)]);
    fake.validToken = 'token-2';
    const results = await p.publish([event(2)]);
    assert.deepEqual(
      results.map((r) => r.ok),
      [true]
    );
    assert.equal(reauths, 1);
  });
});
