// Conformance of the Salesforce emulator's Pub/Sub API, through salesforce-pubsub-api-client and plain
// @grpc/grpc-js on the official proto. Documented behaviour checked (Pub/Sub API Developer Guide):
//   SUB  = "Subscribe RPC Method": the first FetchRequest names the topic; the topic can't change in later ones
//          https://developer.salesforce.com/docs/platform/pub-sub-api/references/methods/subscribe-rpc.html
//   EVT  = pubsub_api.proto, ConsumerEvent / ProducerEvent: `event.id` identifies the event message (EventUuid),
//          the same however often it is delivered
//   PST  = "PublishStream RPC Method": one PublishResponse per PublishRequest on a long-lived stream
//          https://developer.salesforce.com/docs/platform/pub-sub-api/references/methods/publishstream-rpc.html
//   MGD  = "ManagedSubscribe RPC Method" (beta): a ManagedEventSubscription names topic and replay; the server
//          keeps the committed replay id
//          https://developer.salesforce.com/docs/platform/pub-sub-api/references/methods/managedsubscribe-rpc.html
//   SEC  = Platform Events Developer Guide, "Platform Event Permissions": Read to subscribe, Create to publish
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import jsforce from 'jsforce';
import PubSubApiClient from 'salesforce-pubsub-api-client';
import { start, type SalesforceEmulator } from '../../src/salesforce-emulator/server.ts';
import { JWT_BEARER } from '../../src/salesforce-emulator/oauth.ts';
import { DEMO_ADMIN } from '../../src/salesforce-emulator/apex/preview-org.ts';
import { copyEventMetadata } from '../support/metadata.ts';
import { CLIENT_ID, USERNAME, clientCertificate, signAssertion } from '../support/salesforce.ts';
import { trustCertificate } from '../support/trust.ts';
import { rawPubSubClient, replayIdBuffer, unary, type RawPubSub } from '../support/grpc-client.ts';

const EVENT_TOPIC = '/event/TeamsCallEvent__e';
const COMMAND_TOPIC = '/event/TeamsCallCommand__e';
const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

type Fetched = { events: { event: { id: string }; replayId: Buffer }[]; latestReplayId: Buffer };

describe('Salesforce emulator Pub/Sub conformance', () => {
  let emu: SalesforceEmulator;
  let metadata: ReturnType<typeof copyEventMetadata>;
  let integrationToken: string;
  let adminToken: string;
  const clients: RawPubSub[] = [];

  const raw = (accessToken: string): RawPubSub => {
    const c = rawPubSubClient(emu.pubSubEndpoint, emu.tls.cert, {
      accessToken,
      instanceUrl: emu.url,
      orgId: emu.orgId
    });
    clients.push(c);
    return c;
  };
  const community = (accessToken: string) =>
    new PubSubApiClient(
      {
        authType: 'user-supplied',
        accessToken,
        instanceUrl: emu.url,
        organizationId: emu.orgId,
        pubSubEndpoint: emu.pubSubEndpoint,
        rejectUnauthorizedSsl: false
      },
      quietLogger
    );
  /** Publishes through REST as the integration user; returns the replay id. */
  const publish = async (eventId: string): Promise<number> => {
    const conn = new jsforce.Connection({ instanceUrl: emu.url, accessToken: integrationToken, version: '67.0' });
    await conn.sobject('TeamsCallEvent__e').create({ EventId__c: eventId, TeamsCallId__c: 'conf-ps', Sequence__c: 1 });
    return emu.store.eventsAfter(EVENT_TOPIC, 0, 10_000).find((e) => e.decoded.EventId__c === eventId)!.replayId;
  };
  /** Opens a Subscribe stream, sends `first`, and collects responses until `until` holds or an error ends it. */
  const subscribe = (
    client: RawPubSub,
    requests: unknown[],
    until: (got: Fetched[]) => boolean
  ): Promise<{ got: Fetched[]; error?: grpc.ServiceError }> =>
    new Promise((resolve) => {
      const stream = (client.Subscribe as () => grpc.ClientDuplexStream<unknown, Fetched>)();
      const got: Fetched[] = [];
      stream.on('data', (r: Fetched) => {
        got.push(r);
        if (until(got)) {
          stream.cancel();
          resolve({ got });
        }
      });
      stream.on('error', (error: grpc.ServiceError) => resolve({ got, error }));
      for (const r of requests) stream.write(r);
    });

  before(async () => {
    metadata = copyEventMetadata();
    const cert = await clientCertificate();
    emu = await start({
      metadataRoot: metadata.root,
      oauth: { clientId: CLIENT_ID, username: USERNAME, certificate: cert.certPem },
      keepaliveMs: 300
    });
    trustCertificate(emu.tls.cert);
    const conn = new jsforce.Connection({ loginUrl: emu.url, version: '67.0' });
    await conn.authorize({
      grant_type: JWT_BEARER,
      assertion: await signAssertion(cert.privateKeyPem, { aud: emu.url })
    });
    integrationToken = conn.accessToken!;
    adminToken = emu.sessionFor(emu.store.all('User').find((u) => u.Username === DEMO_ADMIN.username)!.Id);
  });
  after(async () => {
    for (const c of clients) c.close();
    await emu.stop();
    rmSync(metadata.root, { recursive: true, force: true });
  });

  it('[S01] event.id is the EventUuid and is the same on every redelivery (EVT)', async () => {
    const replayId = await publish('conf-ps-stable');
    const uuid = emu.store.eventsAfter(EVENT_TOPIC, replayId - 1, 1)[0]!.eventUuid;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { got, error } = await subscribe(
        raw(adminToken),
        [{ topicName: EVENT_TOPIC, replayPreset: 'CUSTOM', replayId: replayIdBuffer(replayId - 1), numRequested: 1 }],
        (g) => g.some((r) => r.events.length > 0)
      );
      assert.equal(error, undefined);
      ids.push(got.flatMap((r) => r.events)[0]!.event.id);
    }
    assert.deepEqual(ids, [uuid, uuid]);
  });

  it('[S01] Subscribe to a topic the org does not have ends with NOT_FOUND, not an empty stream (SUB)', async () => {
    const { error } = await subscribe(
      raw(adminToken),
      [{ topicName: '/event/NoSuchEvent__e', replayPreset: 'LATEST', numRequested: 1 }],
      () => false
    );
    assert.equal(error?.code, grpc.status.NOT_FOUND);
    assert.deepEqual(error?.metadata.get('error-code'), ['sfdc.platform.eventbus.grpc.service.topic.not.found']);
  });

  it('[S01] the community client reports the unknown topic as an error too (SUB)', async () => {
    const client = community(adminToken);
    await client.connect();
    try {
      const failure = await new Promise<unknown>((resolve) => {
        try {
          client.subscribe(
            '/event/NoSuchEvent__e',
            (_s, type, data) => {
              if (type === 'error') resolve(data);
            },
            1
          );
        } catch (e) {
          resolve(e);
        }
      });
      assert.ok(failure, 'expected an error');
    } finally {
      client.close();
    }
  });

  it('[S01] a later FetchRequest naming another topic ends the stream with INVALID_ARGUMENT (SUB)', async () => {
    const { error } = await subscribe(
      raw(adminToken),
      [
        { topicName: EVENT_TOPIC, replayPreset: 'LATEST', numRequested: 1 },
        { topicName: COMMAND_TOPIC, numRequested: 1 }
      ],
      () => false
    );
    assert.equal(error?.code, grpc.status.INVALID_ARGUMENT);
  });

  it('[S01] the integration user may not publish TeamsCallCommand__e nor subscribe to TeamsCallEvent__e (SEC)', async () => {
    const client = raw(integrationToken);
    const command = await unary<{ schemaId: string; canPublish: boolean; canSubscribe: boolean }>(client, 'GetTopic', {
      topicName: COMMAND_TOPIC
    });
    assert.deepEqual([command.canPublish, command.canSubscribe], [false, true]);
    await assert.rejects(
      unary(client, 'Publish', {
        topicName: COMMAND_TOPIC,
        events: [{ id: 'forged', schemaId: command.schemaId, payload: Buffer.alloc(0) }]
      }),
      (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED
    );
    const { error } = await subscribe(
      client,
      [{ topicName: EVENT_TOPIC, replayPreset: 'LATEST', numRequested: 1 }],
      () => false
    );
    assert.equal(error?.code, grpc.status.PERMISSION_DENIED);
  });

  it('[S01] PublishStream answers each PublishRequest with its results (PST, via publishBatch)', async () => {
    const client = community(integrationToken);
    await client.connect();
    try {
      const response = await new Promise<{ results: { replayId: number; correlationKey: string }[] }>(
        (resolve, reject) => {
          void client.publishBatch(
            EVENT_TOPIC,
            [
              {
                id: 'batch-a',
                payload: { CreatedDate: Date.now(), CreatedById: '005', EventId__c: { string: 'batch-a' } }
              },
              {
                id: 'batch-b',
                payload: { CreatedDate: Date.now(), CreatedById: '005', EventId__c: { string: 'batch-b' } }
              }
            ],
            (_info, type, data) => {
              if (type === 'publishResponse')
                resolve(data as { results: { replayId: number; correlationKey: string }[] });
              if (type === 'error') reject(data as Error);
            }
          );
        }
      );
      assert.deepEqual(
        response.results.map((r) => r.correlationKey),
        ['batch-a', 'batch-b']
      );
      const stored = emu.store
        .eventsAfter(EVENT_TOPIC, 0, 10_000)
        .filter((e) => String(e.decoded.EventId__c).startsWith('batch-'));
      assert.deepEqual(
        stored.map((e) => e.replayId),
        response.results.map((r) => r.replayId)
      );
    } finally {
      client.close();
    }
  });

  it('[S01] ManagedSubscribe delivers from the committed replay id on (MGD, via subscribeWithManagedSubscription)', async () => {
    const first = await publish('managed-1');
    emu.store.insert('ManagedEventSubscription', {
      Id: '18x000000000001AAA',
      DeveloperName: 'Conformance_Sub',
      Metadata: {
        label: 'Conformance',
        topicName: EVENT_TOPIC,
        defaultReplay: 'LATEST',
        errorRecoveryReplay: 'LATEST',
        state: 'RUN'
      },
      CommittedReplayId: first - 1
    });
    await publish('managed-2');
    const client = community(adminToken);
    await client.connect();
    try {
      const seen: string[] = [];
      await new Promise<void>((resolve, reject) => {
        void client
          .subscribeWithManagedSubscription(
            'Conformance_Sub',
            (_s, type, data) => {
              if (type === 'event') {
                seen.push(String((data as { payload: { EventId__c: string } }).payload.EventId__c));
                if (seen.length === 2) resolve();
              }
              if (type === 'error') reject(data as Error);
            },
            2
          )
          .catch(reject);
      });
      assert.deepEqual(seen, ['managed-1', 'managed-2']);
      // Committing moves where the next stream starts.
      client.commitReplayId('18x000000000001AAA', first);
      const committed = await waitFor(
        () => emu.store.get('ManagedEventSubscription', '18x000000000001AAA')!.CommittedReplayId === first
      );
      assert.ok(committed);
    } finally {
      client.close();
    }
  });

  it('[S01] ManagedSubscribe with an unknown subscription ends with NOT_FOUND (MGD)', async () => {
    const client = raw(adminToken);
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      const stream = (client.ManagedSubscribe as () => grpc.ClientDuplexStream<unknown, unknown>)();
      stream.on('data', () => {});
      stream.on('error', resolve);
      stream.write({ developerName: 'Nope', numRequested: 1 });
    });
    assert.equal(error.code, grpc.status.NOT_FOUND);
  });
});

/** Polls a condition on the event loop (no fixed sleeps); gives up after 5 s. */
async function waitFor(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return true;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}
