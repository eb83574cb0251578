import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { PubSubCommandSubscriber, type ReplayIdStore } from '../../../src/adapters/salesforce/command-subscriber.ts';
import { createPubSubClient, type PubSubGrpcClient } from '../../../src/adapters/salesforce/pubsub-channel.ts';
import type { SalesforceSession } from '../../../src/adapters/salesforce/jwt-bearer-auth.ts';
import type { TeamsCallCommand } from '../../../src/domain/call-event.ts';
import { FakePubSub } from './fake-pubsub.ts';

const fake = new FakePubSub();
let session: SalesforceSession;
let client: PubSubGrpcClient;
let subscriber: PubSubCommandSubscriber | undefined;
let received: TeamsCallCommand[];
let stored: Buffer | undefined;
let resets: number;
let reauths: number;

const replayStore: ReplayIdStore = {
  getReplayId: () => Promise.resolve(stored),
  setReplayId: (_topic, id) => {
    stored = id;
    return Promise.resolve();
  }
};

before(() => fake.start());
after(async () => {
  await subscriber?.stop();
  client?.close();
  await fake.stop();
});
beforeEach(async () => {
  await subscriber?.stop();
  subscriber = undefined;
  await until(() => fake.subscriberCount === 0, 'previous subscription to close');
  fake.down = false;
  fake.validToken = 'token-1';
  fake.oldestRetained = 1;
  fake.fetchRequests.length = 0;
  session = {
    accessToken: 'token-1',
    instanceUrl: 'https://example.my.salesforce.com',
    organizationId: '00D000000000001EAA',
    userId: '005000000000001AAA'
  };
  received = [];
  stored = undefined;
  resets = 0;
  reauths = 0;
  client?.close();
  client = createPubSubClient({
    endpoint: fake.endpoint,
    session: () => Promise.resolve(session),
    rootCertPem: fake.cert
  });
});

let openedBefore = 0;
const opened = (n = 1) => fake.subscriptionsOpened >= openedBefore + n;

function start(batchSize = 10) {
  openedBefore = fake.subscriptionsOpened;
  subscriber = new PubSubCommandSubscriber({
    client,
    replayIds: replayStore,
    onCommand: (command) => {
      received.push(command);
      return Promise.resolve();
    },
    onReplayReset: () => {
      resets += 1;
      return Promise.resolve();
    },
    reauthenticate: () => {
      reauths += 1;
      session = { ...session, accessToken: fake.validToken };
      return Promise.resolve();
    },
    batchSize,
    minBackoffMs: 20,
    maxBackoffMs: 100
  });
  subscriber.start();
}

async function until(condition: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const command = (n: number) => ({
  CommandId__c: `cmd-${n}`,
  TeamsCallId__c: 'call-1',
  Action__c: 'Hold',
  RequestedBy__c: '005000000000001AAA',
  IssuedAt__c: Date.parse('2026-11-24T10:00:00Z')
});

const storedReplay = () => (stored && stored.length === 8 ? Number(stored.readBigUInt64BE()) : 0);

describe('PubSubCommandSubscriber (salesforce.md §1.9, §1.11b)', () => {
  it('[S05] delivers a command decoded into the TeamsCallCommand shape and stores its replay id', async () => {
    start();
    await until(() => opened(), 'subscription');
    const replay = fake.addCommand({ ...command(1), CreatedById: '005000000000001AAA' });
    await until(() => received.length === 1 && storedReplay() === replay, 'command');
    assert.deepEqual(received[0], {
      CommandId__c: 'cmd-1',
      Action__c: 'Hold',
      RequestedBy__c: '005000000000001AAA',
      IssuedAt__c: '2026-11-24T10:00:00.000Z',
      TeamsCallId__c: 'call-1',
      CreatedById: '005000000000001AAA'
    });
  });

  it('[B01] keeps the requested count topped up (flow control) and delivers in order', async () => {
    start(2);
    await until(() => opened(), 'subscription');
    for (let i = 1; i <= 5; i += 1) fake.addCommand(command(i));
    await until(() => received.length === 5, 'five commands');
    assert.deepEqual(
      received.map((c) => c.CommandId__c),
      ['cmd-1', 'cmd-2', 'cmd-3', 'cmd-4', 'cmd-5']
    );
    assert.ok(fake.fetchRequests.length >= 3, `expected top-up requests, saw ${fake.fetchRequests.length}`);
    assert.ok(fake.fetchRequests.every((r) => Number(r['numRequested']) <= 2));
  });

  it('[B01] after a disconnect it resumes from the stored replay id without missing or repeating a command', async () => {
    start();
    await until(() => opened(), 'subscription');
    fake.addCommand(command(1));
    fake.addCommand(command(2));
    await until(() => received.length === 2, 'first two');
    fake.dropSubscribers();
    fake.addCommand(command(3));
    fake.addCommand(command(4));
    await until(() => received.length === 4, 'after resume');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(
      received.map((c) => c.CommandId__c),
      ['cmd-1', 'cmd-2', 'cmd-3', 'cmd-4']
    );
    const resume = fake.fetchRequests.filter((r) => r['replayPreset'] === 2);
    assert.equal(resume.length, 1);
  });

  it('[B01] a stored replay id the server refuses falls back to LATEST and asks for reconciliation', async () => {
    fake.addCommand(command(1));
    const old = Buffer.alloc(8);
    old.writeBigUInt64BE(1n);
    stored = old;
    fake.oldestRetained = 100;
    start();
    await until(() => resets === 1 && opened(), 'LATEST resubscribe');
    // The server sees enum numbers: 2 = CUSTOM, 0 = LATEST.
    assert.deepEqual(
      fake.fetchRequests.map((r) => r['replayPreset']),
      [2, 0]
    );
    assert.deepEqual(received, []);
  });

  it('[B01] keepalives store the latest replay id', async () => {
    fake.addCommand(command(1));
    const latest = fake.addCommand(command(2));
    start();
    await until(() => opened(), 'subscription');
    fake.keepalive();
    await until(() => storedReplay() === latest, 'replay id from keepalive');
    assert.deepEqual(received, []);
  });

  it('[B01] an expired token is renewed and the subscription reopens', async () => {
    fake.validToken = 'token-2';
    start();
    await until(() => reauths === 1 && opened(), 'reauthenticated subscription');
    fake.addCommand(command(9));
    await until(() => received.length === 1, 'command after reauth');
  });

  it('[contract] a malformed command event is skipped but its replay id is stored', async () => {
    start();
    await until(() => opened(), 'subscription');
    const replay = fake.addCommand({ CommandId__c: 'cmd-x', Action__c: 'Explode', RequestedBy__c: '005' });
    await until(() => storedReplay() === replay, 'replay stored');
    assert.deepEqual(received, []);
  });
});
