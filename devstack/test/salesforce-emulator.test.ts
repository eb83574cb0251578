// DEVELOPMENT ONLY emulator tests, through the real protocols (jsforce, Pub/Sub gRPC, CometD).
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import jsforce from 'jsforce';
import PubSubApiClient from 'salesforce-pubsub-api-client';
import { createRequire } from 'node:module';
import { generateClientCertificate } from '../src/keys/index.ts';
import { start, type SalesforceEmulator } from '../src/salesforce-emulator/server.ts';
import { JWT_BEARER } from '../src/salesforce-emulator/oauth.ts';
import { DEMO_ADMIN } from '../src/salesforce-emulator/apex/preview-org.ts';
import { copyEventMetadata, fieldXml } from './support/metadata.ts';
import { CLIENT_ID, USERNAME, clientCertificate, signAssertion } from './support/salesforce.ts';
import { trustCertificate, trustedFetch } from './support/trust.ts';
import { rawPubSubClient, replayIdBuffer, unary, type RawPubSub } from './support/grpc-client.ts';

const require = createRequire(import.meta.url);
const EVENT_TOPIC = '/event/TeamsCallEvent__e';
const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

describe('Salesforce emulator (dev only)', () => {
  let emu: SalesforceEmulator;
  let metadata: ReturnType<typeof copyEventMetadata>;
  let privateKeyPem: string;
  const published: { topic: string; events: Record<string, unknown>[] }[] = [];

  async function authorize(): Promise<jsforce.Connection> {
    const conn = new jsforce.Connection({ loginUrl: emu.url, version: '67.0' });
    await conn.authorize({ grant_type: JWT_BEARER, assertion: await signAssertion(privateKeyPem, { aud: emu.url }) });
    return conn;
  }

  /** The org's admin (TeamsPhoneAdmin): reads call records the integration user has no access to. */
  function adminConnection(): jsforce.Connection {
    const admin = emu.store.all('User').find((u) => u.Username === DEMO_ADMIN.username)!;
    return new jsforce.Connection({ instanceUrl: emu.url, accessToken: emu.sessionFor(admin.Id), version: '67.0' });
  }

  /** As the integration user, or (subscriber: true) as the admin, who has Read on TeamsCallEvent__e. */
  async function rawClient(subscriber = false): Promise<RawPubSub> {
    const conn = subscriber ? adminConnection() : await authorize();
    return rawPubSubClient(emu.pubSubEndpoint, emu.tls.cert, {
      accessToken: conn.accessToken!,
      instanceUrl: conn.instanceUrl,
      orgId: emu.orgId
    });
  }

  async function postToken(body: Record<string, string>): Promise<{ status: number; json: Record<string, string> }> {
    const res = await trustedFetch(`${emu.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body)
    });
    return { status: res.status, json: (await res.json()) as Record<string, string> };
  }

  before(async () => {
    metadata = copyEventMetadata();
    const cert = await clientCertificate();
    privateKeyPem = cert.privateKeyPem;
    emu = await start({
      metadataRoot: metadata.root,
      oauth: { clientId: CLIENT_ID, username: USERNAME, certificate: cert.certPem },
      keepaliveMs: 300,
      onPublished: (topic, events) => published.push({ topic, events })
    });
    trustCertificate(emu.tls.cert);
  });
  after(async () => {
    await emu.stop();
    rmSync(metadata.root, { recursive: true, force: true });
  });

  describe('OAuth JWT bearer', () => {
    it('[B06] jsforce authorize with a jwt-bearer assertion yields a token, instance URL and org id', async () => {
      const conn = await authorize();
      assert.match(conn.accessToken ?? '', /^00D\w+!/);
      assert.equal(conn.instanceUrl, emu.url);
      assert.equal(conn.userInfo?.organizationId, emu.orgId);
    });

    it('[B06] userinfo answers the organization id for the issued token', async () => {
      const conn = await authorize();
      const res = await trustedFetch(`${emu.url}/services/oauth2/userinfo`, {
        headers: { authorization: `Bearer ${conn.accessToken}` }
      });
      const body = (await res.json()) as { organization_id: string; preferred_username: string };
      assert.deepEqual([body.organization_id, body.preferred_username], [emu.orgId, USERNAME]);
    });

    it('[B06] an assertion signed with another key is refused with 400 invalid_grant', async () => {
      const forger = await generateClientCertificate('forger');
      const res = await postToken({
        grant_type: JWT_BEARER,
        assertion: await signAssertion(forger.privateKeyPem, { aud: emu.url })
      });
      assert.equal(res.status, 400);
      assert.deepEqual(res.json, { error: 'invalid_grant', error_description: 'invalid assertion' });
    });

    it('[B06] an assertion for another audience is refused', async () => {
      const res = await postToken({
        grant_type: JWT_BEARER,
        assertion: await signAssertion(privateKeyPem, { aud: 'https://evil.example' })
      });
      assert.equal(res.status, 400);
      assert.equal(res.json.error_description, 'audience is invalid');
    });

    it('[B06] an assertion with a long lifetime is refused', async () => {
      const res = await postToken({
        grant_type: JWT_BEARER,
        assertion: await signAssertion(privateKeyPem, { aud: emu.url, expiresInS: 3600 })
      });
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'invalid_grant');
    });

    it('[B06] an unknown client id is refused with invalid_client_id', async () => {
      const res = await postToken({
        grant_type: JWT_BEARER,
        assertion: await signAssertion(privateKeyPem, { aud: emu.url, iss: 'other-app' })
      });
      assert.equal(res.json.error, 'invalid_client_id');
    });

    it('[B06] another grant type is refused with unsupported_grant_type', async () => {
      const res = await postToken({ grant_type: 'password', username: USERNAME, password: 'x' });
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'unsupported_grant_type');
    });
  });

  describe('REST', () => {
    it('[B06] queries the seeded agent lines with a WHERE filter', async () => {
      const conn = await authorize();
      const res = await conn.query<{ TeamsUserId__c: string; PhoneNumber__c: string }>(
        'SELECT Id, TeamsUserId__c, PhoneNumber__c FROM TeamsPhoneUser__c WHERE IsActive__c = true'
      );
      assert.equal(res.totalSize, 3);
      assert.deepEqual(res.records.map((r) => r.PhoneNumber__c).sort(), [
        '+15555550101',
        '+15555550102',
        '+15555550103'
      ]);
    });

    it('[B06] follows a lookup relationship in the select list', async () => {
      const conn = await authorize();
      const rule = emu.seeded!.agents[0]!;
      const res = await conn.query<{ Trigger__c: string; PhoneUser__r: { TeamsUserId__c: string } }>(
        `SELECT Trigger__c, PhoneUser__r.TeamsUserId__c FROM TeamsRedirectRule__c WHERE PhoneUser__c = '${rule.phoneUserId}' ORDER BY Trigger__c`
      );
      assert.deepEqual(
        res.records.map((r) => [r.Trigger__c, r.PhoneUser__r.TeamsUserId__c]),
        [
          ['DoNotDisturb', rule.teamsUserId],
          ['NoAnswer', rule.teamsUserId]
        ]
      );
    });

    it('[B06] a query outside the supported slice is a MALFORMED_QUERY 400', async () => {
      const conn = await authorize();
      await assert.rejects(
        async () => conn.query('SELECT COUNT() FROM Contact GROUP BY Name'),
        (e: Error & { errorCode?: string }) => e.errorCode === 'MALFORMED_QUERY'
      );
    });

    it('[B06] REST without a session is 401 INVALID_SESSION_ID', async () => {
      const res = await trustedFetch(
        `${emu.url}/services/data/v67.0/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`
      );
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    });

    it('[B06] sObject create then update is visible to a query', async () => {
      const conn = adminConnection();
      const created = (await conn.sobject('TeamsCall__c').create({ TeamsCallId__c: 'crud-1', Notes__c: 'first' })) as {
        id: string;
        success: boolean;
      };
      assert.equal(created.success, true);
      await conn.sobject('TeamsCall__c').update({ Id: created.id, Notes__c: 'second' });
      const res = await conn.query<{ Notes__c: string }>(
        `SELECT Notes__c FROM TeamsCall__c WHERE TeamsCallId__c = 'crud-1'`
      );
      assert.deepEqual(
        res.records.map((r) => r.Notes__c),
        ['second']
      );
    });
    it('[S01] publishing a platform event with a field the metadata lacks is a 400 INVALID_FIELD', async () => {
      const res = await trustedFetch(`${emu.url}/services/data/v67.0/sobjects/TeamsCallEvent__e`, {
        method: 'POST',
        headers: { authorization: `Bearer ${(await authorize()).accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ NoSuchField__c: 'x' })
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { errorCode: string }[])[0]?.errorCode, 'INVALID_FIELD');
    });
  });

  describe('Pub/Sub API', () => {
    it('[S01] publish through salesforce-pubsub-api-client reaches a subscriber and the onPublished hook', async () => {
      const conn = await authorize();
      const client = new PubSubApiClient(
        {
          authType: 'user-supplied',
          accessToken: conn.accessToken!,
          instanceUrl: conn.instanceUrl,
          organizationId: emu.orgId,
          pubSubEndpoint: emu.pubSubEndpoint,
          rejectUnauthorizedSsl: false
        },
        quietLogger
      );
      // The integration user publishes; only a user with Read on the event (the admin) may subscribe to it.
      const subscriber = new PubSubApiClient(
        {
          authType: 'user-supplied',
          accessToken: adminConnection().accessToken!,
          instanceUrl: conn.instanceUrl,
          organizationId: emu.orgId,
          pubSubEndpoint: emu.pubSubEndpoint,
          rejectUnauthorizedSsl: false
        },
        quietLogger
      );
      await client.connect();
      await subscriber.connect();
      try {
        const received = new Promise<{ replayId: number; payload: Record<string, unknown> }>((resolve, reject) => {
          subscriber.subscribe(
            EVENT_TOPIC,
            (_sub, type, data) => {
              if (type === 'event') resolve(data as { replayId: number; payload: Record<string, unknown> });
              if (type === 'error') reject(data as Error);
            },
            1
          );
        });
        await new Promise((r) => setTimeout(r, 200));
        const result = await client.publish(EVENT_TOPIC, {
          CreatedDate: Date.now(),
          CreatedById: '005000000000001AAA',
          EventId__c: { string: 'ev-1' },
          TeamsCallId__c: { string: 'call-1' },
          Sequence__c: { double: 1 },
          State__c: { string: 'Ringing' }
        });
        const event = await received;
        assert.equal(event.replayId, result.replayId);
        assert.equal(event.payload.State__c, 'Ringing');
        assert.equal(event.payload.TeamsCallId__c, 'call-1');
        assert.ok(published.some((p) => p.topic === EVENT_TOPIC && p.events[0]?.EventId__c === 'ev-1'));
      } finally {
        client.close();
        subscriber.close();
      }
    });

    it('[S01] the schema comes from the metadata: a field added to a copy shows up in GetSchema', async () => {
      const client = await rawClient();
      try {
        const before = await unary<{ schemaId: string }>(client, 'GetTopic', { topicName: EVENT_TOPIC });
        writeFileSync(
          join(metadata.fieldsDir('TeamsCallEvent__e'), 'QueueName__c.field-meta.xml'),
          fieldXml('QueueName__c', 'Text')
        );
        const topic = await unary<{ schemaId: string }>(client, 'GetTopic', { topicName: EVENT_TOPIC });
        assert.notEqual(topic.schemaId, before.schemaId);
        const schema = await unary<{ schemaJson: string }>(client, 'GetSchema', { schemaId: topic.schemaId });
        const fields = (JSON.parse(schema.schemaJson) as { fields: { name: string; type: unknown }[] }).fields;
        assert.deepEqual(fields.find((f) => f.name === 'QueueName__c')?.type, ['null', 'string']);
        assert.deepEqual(
          fields.slice(0, 2).map((f) => [f.name, f.type]),
          [
            ['CreatedDate', 'long'],
            ['CreatedById', 'string']
          ]
        );
        assert.deepEqual(fields.find((f) => f.name === 'OccurredAt__c')?.type, ['null', 'long']);
        assert.deepEqual(fields.find((f) => f.name === 'Sequence__c')?.type, ['null', 'double']);
      } finally {
        client.close();
      }
    });

    it('[S01] an event whose payload does not match the schema gets an error PublishResult', async () => {
      const client = await rawClient();
      try {
        const topic = await unary<{ schemaId: string }>(client, 'GetTopic', { topicName: EVENT_TOPIC });
        const res = await unary<{ results: { error: { code: string; msg: string } | null; correlationKey: string }[] }>(
          client,
          'Publish',
          {
            topicName: EVENT_TOPIC,
            events: [{ id: 'bad-1', schemaId: topic.schemaId, payload: Buffer.from([0xff, 0xff, 0xff]) }]
          }
        );
        assert.equal(res.results[0]?.correlationKey, 'bad-1');
        assert.equal(res.results[0]?.error?.code, 'PUBLISH');
      } finally {
        client.close();
      }
    });

    it('[S01] Subscribe honours num_requested, replays from EARLIEST and sends keepalives with the latest replay id', async () => {
      const conn = await authorize();
      for (const seq of [1, 2, 3]) {
        await conn
          .sobject('TeamsCallEvent__e')
          .create({ EventId__c: `flow-${seq}`, TeamsCallId__c: 'flow', Sequence__c: seq, Kind__c: 'Call' });
      }
      const client = await rawClient(true);
      const stream = (
        client.Subscribe as () => grpc.ClientDuplexStream<
          unknown,
          { events: unknown[]; latestReplayId: Buffer; pendingNumRequested: number }
        >
      )();
      type Fetched = { events: unknown[]; latestReplayId: Buffer; pendingNumRequested: number };
      const responses: Fetched[] = [];
      stream.on('data', (r: Fetched) => responses.push(r));
      stream.on('error', () => {});
      stream.write({ topicName: EVENT_TOPIC, replayPreset: 'EARLIEST', numRequested: 2 });
      await new Promise((r) => setTimeout(r, 800));
      stream.cancel();
      client.close();
      const delivered = responses.reduce((n, r) => n + r.events.length, 0);
      assert.equal(delivered, 2);
      const keepalive = responses.find((r) => r.events.length === 0);
      assert.ok(keepalive, 'expected an idle keepalive response');
      assert.equal(keepalive.latestReplayId.length, 8);
      assert.equal(keepalive.pendingNumRequested, 0);
    });

    it('[S01] Subscribe with a CUSTOM replay id beyond the stream fails with the replay id error code', async () => {
      const client = await rawClient(true);
      const stream = (client.Subscribe as () => grpc.ClientDuplexStream<unknown, unknown>)();
      const error = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
      stream.on('data', () => {});
      stream.write({
        topicName: EVENT_TOPIC,
        replayPreset: 'CUSTOM',
        replayId: replayIdBuffer(999_999),
        numRequested: 1
      });
      const e = await error;
      client.close();
      assert.equal(e.code, grpcStatus.INVALID_ARGUMENT);
      assert.deepEqual(e.metadata.get('error-code'), [
        'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted'
      ]);
    });

    it('[B01] an emulated outage answers UNAVAILABLE (Pub/Sub) and 503 (REST) until it ends', async () => {
      // Its own emulator: an outage ends every open subscription, including other tests' clients.
      const shared = emu;
      emu = await start({
        metadataRoot: metadata.root,
        oauth: { clientId: CLIENT_ID, username: USERNAME, certificate: (await clientCertificate()).certPem },
        keepaliveMs: 300
      });
      trustCertificate(emu.tls.cert);
      try {
        const client = await rawClient();
        const conn = await authorize();
        emu.outage(true);
        await assert.rejects(
          unary(client, 'GetTopic', { topicName: EVENT_TOPIC }),
          (e: grpc.ServiceError) => e.code === grpcStatus.UNAVAILABLE
        );
        const rest = await trustedFetch(`${emu.url}/services/data/v67.0/query?q=SELECT+Id+FROM+User`, {
          headers: { authorization: `Bearer ${conn.accessToken}` }
        });
        assert.equal(rest.status, 503);
        emu.outage(false);
        const topic = await unary<{ topicName?: string }>(client, 'GetTopic', { topicName: EVENT_TOPIC });
        assert.equal(topic.topicName, EVENT_TOPIC);
        client.close();
      } finally {
        await emu.stop();
        emu = shared;
        trustCertificate(emu.tls.cert);
      }
    });

    it('[S01] RPCs without a valid access token are UNAUTHENTICATED', async () => {
      const client = rawPubSubClient(emu.pubSubEndpoint, emu.tls.cert, {
        accessToken: 'forged',
        instanceUrl: emu.url,
        orgId: emu.orgId
      });
      await assert.rejects(
        unary(client, 'GetTopic', { topicName: EVENT_TOPIC }),
        (e: grpc.ServiceError) => e.code === grpcStatus.UNAUTHENTICATED
      );
      client.close();
    });
  });

  describe('event handler', () => {
    it('[S17] Ringing then Missed events create one TeamsCall__c, its timeline and a missed-call Task', async () => {
      const conn = await authorize();
      const agent = emu.seeded!.agents[0]!;
      const base = {
        TeamsCallId__c: 'rk-1',
        Kind__c: 'Call',
        CallerNumber__c: '+15555550123',
        AgentUserId__c: agent.userId
      };
      await conn.sobject('TeamsCallEvent__e').create({
        ...base,
        EventId__c: 'rk-1-a',
        Sequence__c: 1,
        State__c: 'Ringing',
        Direction__c: 'Inbound',
        OccurredAt__c: '2026-01-01T10:00:00.000Z'
      });
      await conn.sobject('TeamsCallEvent__e').create({
        ...base,
        EventId__c: 'rk-1-b',
        Sequence__c: 2,
        State__c: 'Missed',
        Reason__c: 'NoAnswer',
        OccurredAt__c: '2026-01-01T10:00:20.000Z'
      });
      const admin = adminConnection();
      const calls = await admin.query<{ Id: string; State__c: string; IsMissed__c: boolean; TaskId__c: string }>(
        "SELECT Id, State__c, IsMissed__c, TaskId__c FROM TeamsCall__c WHERE TeamsCallId__c = 'rk-1'"
      );
      assert.equal(calls.totalSize, 1);
      const call = calls.records[0]!;
      assert.deepEqual([call.State__c, call.IsMissed__c], ['Missed', true]);
      const timeline = await admin.query<{ State__c: string; Reason__c: string | null }>(
        `SELECT State__c, Reason__c FROM TeamsCallTimelineEntry__c WHERE Call__c = '${call.Id}'`
      );
      // Both events, then the link decision: +15555550123 is exactly one seeded contact (Ada Caller).
      assert.deepEqual(
        timeline.records.map((r) => [r.State__c, r.Reason__c]),
        [
          ['Ringing', null],
          ['Missed', 'NoAnswer'],
          ['RecordLink', 'SingleMatch']
        ]
      );
      const task = await admin.query<{ Subject: string }>(`SELECT Subject FROM Task WHERE Id = '${call.TaskId__c}'`);
      assert.match(task.records[0]?.Subject ?? '', /^Missed call from/);
    });

    it('[S17] a redelivered event does not add a second timeline row', async () => {
      const conn = await authorize();
      const ev = {
        TeamsCallId__c: 'rk-2',
        Kind__c: 'Call',
        EventId__c: 'rk-2-a',
        Sequence__c: 1,
        State__c: 'Ringing',
        OccurredAt__c: '2026-01-01T10:00:00.000Z'
      };
      await conn.sobject('TeamsCallEvent__e').create(ev);
      await conn.sobject('TeamsCallEvent__e').create(ev);
      const timeline = await adminConnection().query(
        "SELECT Id FROM TeamsCallTimelineEntry__c WHERE Call__r.TeamsCallId__c = 'rk-2'"
      );
      assert.equal(timeline.totalSize, 1);
    });
  });

  describe('CometD', () => {
    const handshake = async (authorization?: string) => {
      const res = await trustedFetch(`${emu.url}/cometd/67.0/handshake`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
        body: JSON.stringify([
          { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: '1' }
        ])
      });
      return ((await res.json()) as { successful: boolean; clientId?: string; error?: string }[])[0]!;
    };
    const userWith = (permissionSet: string): string => {
      const set = emu.store.all('PermissionSet').find((p) => p.Name === permissionSet)!;
      return String(emu.store.all('PermissionSetAssignment').find((a) => a.PermissionSetId === set.Id)!.AssigneeId);
    };

    it('[S01] a CometD subscriber with Read on the event receives TeamsCallEvent__e as {payload, event:{replayId, EventUuid}}', async () => {
      const faye = require('faye') as {
        Client: new (
          url: string,
          o: { tls: { ca: string } }
        ) => {
          setHeader(name: string, value: string): void;
          subscribe(ch: string, cb: (m: unknown) => void): Promise<void>;
          disconnect(): void;
        };
      };
      const client = new faye.Client(`${emu.url}/cometd/67.0`, { tls: { ca: emu.tls.cert } });
      // As empApi does: the user's session on every request.
      client.setHeader('Authorization', `OAuth ${emu.sessionFor(userWith('TeamsPhoneAdmin'))}`);
      try {
        let onMessage: (m: unknown) => void = () => {};
        type Delivered = { payload: Record<string, unknown>; event: { replayId: number; EventUuid: string } };
        const got = new Promise<Delivered>((resolve) => {
          onMessage = (m) => resolve(m as Delivered);
        });
        // faye's Subscription is a thenable that settles once /meta/subscribe succeeded.
        await client.subscribe(EVENT_TOPIC, (m) => onMessage(m));
        const conn = await authorize();
        const created = (await conn.sobject('TeamsCallEvent__e').create({
          EventId__c: 'cometd-1',
          State__c: 'Connected',
          OccurredAt__c: '2026-01-01T10:00:00.000Z'
        })) as unknown as {
          errors: { message: string }[];
        };
        const msg = await got;
        assert.equal(msg.payload.State__c, 'Connected');
        assert.equal(msg.payload.OccurredAt__c, '2026-01-01T10:00:00.000Z');
        assert.equal(typeof msg.event.replayId, 'number');
        // The EventUuid the publisher was told (OPERATION_ENQUEUED) is the one subscribers see.
        assert.equal(msg.event.EventUuid, created.errors[0]?.message);
      } finally {
        client.disconnect();
      }
    });

    it('refuses a handshake without a session (401), as the Streaming API does', async () => {
      const reply = await handshake();
      assert.equal(reply.successful, false);
      assert.match(reply.error ?? '', /^401::/);
    });

    it('[B10] refuses an agent-only user the call event channel: agents have no Read on TeamsCallEvent__e', async () => {
      const authorization = `OAuth ${emu.sessionFor(userWith('TeamsPhoneAgent'))}`;
      const { clientId } = await handshake(authorization);
      assert.ok(clientId, 'a session may connect');
      const res = await trustedFetch(`${emu.url}/cometd/67.0`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify([{ channel: '/meta/subscribe', clientId, subscription: EVENT_TOPIC, id: '2' }])
      });
      const [reply] = (await res.json()) as { successful: boolean; error?: string }[];
      assert.equal(reply?.successful, false);
      assert.equal(reply?.error, '403::Forbidden: no Read access to TeamsCallEvent__e');
    });
  });
});
