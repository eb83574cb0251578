// Conformance of the Salesforce emulator's REST API, through jsforce (a client written for the real service).
// Each test names the documented behaviour it checks:
//   SOQL  = SOQL and SOSL Reference, "Condition Expression Syntax (WHERE Clause)" and "Comparison Operators"
//           https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_conditionexpression.htm
//   ERR   = REST API Developer Guide, "Status Codes and Error Responses"
//           https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
//   UPS   = REST API Developer Guide, "Insert or Update (Upsert) a Record Using an External ID"
//           https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
//   PE    = Platform Events Developer Guide, "Publish Event Messages with Salesforce APIs" (OPERATION_ENQUEUED's
//           message is the EventUuid)
//           https://developer.salesforce.com/docs/atlas.en-us.platform_events.meta/platform_events/platform_events_publish_api.htm
//   SEC   = Salesforce Help, "Object Permissions" / "Field-Level Security": the API enforces CRUD and FLS for the
//           session's user; a field the user cannot see is reported as if it did not exist.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import jsforce from 'jsforce';
import { start, type SalesforceEmulator } from '../../src/salesforce-emulator/server.ts';
import { JWT_BEARER } from '../../src/salesforce-emulator/oauth.ts';
import { DEMO_ADMIN } from '../../src/salesforce-emulator/apex/preview-org.ts';
import { copyEventMetadata } from '../support/metadata.ts';
import { CLIENT_ID, USERNAME, clientCertificate, signAssertion } from '../support/salesforce.ts';
import { trustCertificate, trustedFetch } from '../support/trust.ts';

type SfError = Error & { errorCode?: string };
const withCode = (code: string) => (e: SfError) => {
  assert.equal(e.errorCode, code, e.message);
  return true;
};

describe('Salesforce emulator REST conformance (jsforce)', () => {
  let emu: SalesforceEmulator;
  let metadata: ReturnType<typeof copyEventMetadata>;
  let integration: jsforce.Connection;
  let admin: jsforce.Connection;
  let agent: jsforce.Connection;

  const as = (userId: string) =>
    new jsforce.Connection({ instanceUrl: emu.url, accessToken: emu.sessionFor(userId), version: '67.0' });

  before(async () => {
    metadata = copyEventMetadata();
    const cert = await clientCertificate();
    emu = await start({
      metadataRoot: metadata.root,
      oauth: { clientId: CLIENT_ID, username: USERNAME, certificate: cert.certPem }
    });
    trustCertificate(emu.tls.cert);
    integration = new jsforce.Connection({ loginUrl: emu.url, version: '67.0' });
    await integration.authorize({
      grant_type: JWT_BEARER,
      assertion: await signAssertion(cert.privateKeyPem, { aud: emu.url })
    });
    const adminUser = emu.store.all('User').find((u) => u.Username === DEMO_ADMIN.username)!;
    admin = as(adminUser.Id);
    agent = as(emu.seeded!.agents[0]!.userId);
  });
  after(async () => {
    await emu.stop();
    rmSync(metadata.root, { recursive: true, force: true });
  });

  describe('SOQL', () => {
    it('[B06] OR returns the rows matching either side (SOQL: logical operators)', async () => {
      const [a, b] = emu.seeded!.agents;
      const res = await integration.query<{ PhoneNumber__c: string }>(
        `SELECT PhoneNumber__c FROM TeamsPhoneUser__c WHERE TeamsUserId__c = '${a!.teamsUserId}' OR TeamsUserId__c = '${b!.teamsUserId}' ORDER BY PhoneNumber__c`
      );
      assert.deepEqual(
        res.records.map((r) => r.PhoneNumber__c),
        [a!.phoneNumber, b!.phoneNumber].sort()
      );
    });

    it('[B06] parentheses group AND and OR; NOT IN and LIKE filter (SOQL: condition expressions)', async () => {
      const [a, b, c] = emu.seeded!.agents;
      const res = await integration.query<{ TeamsUserId__c: string }>(
        `SELECT TeamsUserId__c FROM TeamsPhoneUser__c WHERE IsActive__c = true AND (TeamsUserId__c = '${a!.teamsUserId}' OR (PhoneNumber__c LIKE '%${c!.phoneNumber.slice(-3)}' AND TeamsUserId__c NOT IN ('${b!.teamsUserId}')))`
      );
      assert.deepEqual(res.records.map((r) => r.TeamsUserId__c).sort(), [a!.teamsUserId, c!.teamsUserId].sort());
    });

    it('[B06] AND and OR mixed without parentheses is MALFORMED_QUERY (SOQL: "use parentheses")', async () => {
      await assert.rejects(
        async () =>
          integration.query("SELECT Id FROM TeamsPhoneUser__c WHERE IsActive__c = true AND Name = 'x' OR Name = 'y'"),
        withCode('MALFORMED_QUERY')
      );
    });

    it('[B06] an unknown sObject is INVALID_TYPE, not an empty result (ERR)', async () => {
      await assert.rejects(async () => integration.query('SELECT Id FROM NoSuchThing__c'), withCode('INVALID_TYPE'));
    });

    it('[B06] an unknown field, in the select list, the filter or a relationship, is INVALID_FIELD (ERR)', async () => {
      await assert.rejects(
        async () => integration.query('SELECT Nope__c FROM TeamsPhoneUser__c'),
        withCode('INVALID_FIELD')
      );
      await assert.rejects(
        async () => integration.query("SELECT Id FROM TeamsPhoneUser__c WHERE Nope__c = 'x'"),
        withCode('INVALID_FIELD')
      );
      await assert.rejects(
        async () => integration.query('SELECT Nope__r.Name FROM TeamsPhoneUser__c'),
        withCode('INVALID_FIELD')
      );
      const res = await integration.query<{ User__r: { Name: string } }>(
        'SELECT User__r.Name FROM TeamsPhoneUser__c WHERE IsActive__c = true'
      );
      assert.equal(res.totalSize, 3);
    });

    it('[B06] a platform event cannot be queried (INVALID_TYPE)', async () => {
      await assert.rejects(async () => integration.query('SELECT Id FROM TeamsCallEvent__e'), withCode('INVALID_TYPE'));
    });
  });

  describe('writes', () => {
    it('[B06] create on an unknown sObject is 404 NOT_FOUND (ERR)', async () => {
      await assert.rejects(async () => admin.sobject('NoSuchThing__c').create({ Name: 'x' }), withCode('NOT_FOUND'));
      const res = await trustedFetch(`${emu.url}/services/data/v67.0/sobjects/NoSuchThing__c`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.accessToken}`, 'content-type': 'application/json' },
        body: '{}'
      });
      assert.equal(res.status, 404);
    });

    it('[B06] create with an unknown field is 400 INVALID_FIELD and stores nothing (ERR)', async () => {
      await assert.rejects(
        async () => admin.sobject('TeamsCall__c').create({ TeamsCallId__c: 'bad-1', Nope__c: 'x' }),
        withCode('INVALID_FIELD')
      );
      assert.equal(emu.store.all('TeamsCall__c').filter((r) => r.TeamsCallId__c === 'bad-1').length, 0);
    });

    it('[B06] upsert by an External ID field creates then updates; by any other field it is NOT_FOUND (UPS)', async () => {
      const calls = admin.sobject('TeamsCall__c');
      const first = (await calls.upsert({ TeamsCallId__c: 'up-1', Notes__c: '1' }, 'TeamsCallId__c')) as {
        created: boolean;
      };
      assert.equal(first.created, true);
      const second = (await calls.upsert({ TeamsCallId__c: 'up-1', Notes__c: '2' }, 'TeamsCallId__c')) as {
        created: boolean;
      };
      assert.equal(second.created, false);
      await assert.rejects(
        async () => calls.upsert({ Notes__c: '2', DoNotLog__c: true }, 'Notes__c'),
        withCode('NOT_FOUND')
      );
      const rows = emu.store.all('TeamsCall__c').filter((r) => r.TeamsCallId__c === 'up-1' || r.Notes__c === '2');
      assert.deepEqual(
        rows.map((r) => [r.TeamsCallId__c, r.Notes__c, r.DoNotLog__c ?? null]),
        [['up-1', '2', null]]
      );
    });

    it('[S01] publishing a platform event answers OPERATION_ENQUEUED with the EventUuid, not the replay id (PE)', async () => {
      const res = (await integration.sobject('TeamsCallEvent__e').create({
        EventId__c: 'conf-uuid-1',
        TeamsCallId__c: 'conf-call-1',
        Kind__c: 'CallStateChanged',
        State__c: 'Ringing',
        Sequence__c: 1
      })) as unknown as { success: boolean; errors: { statusCode: string; message: string }[] };
      assert.equal(res.success, true);
      assert.equal(res.errors[0]?.statusCode, 'OPERATION_ENQUEUED');
      assert.match(res.errors[0].message, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const stored = emu.store
        .eventsAfter('/event/TeamsCallEvent__e', 0, 10_000)
        .find((e) => e.decoded.EventId__c === 'conf-uuid-1');
      assert.equal(stored?.eventUuid, res.errors[0].message);
    });
  });

  describe('permission sets (SEC)', () => {
    it('[S01] the integration user cannot publish TeamsCallCommand__e (no permission set grants Create)', async () => {
      await assert.rejects(
        async () => integration.sobject('TeamsCallCommand__e').create({ CommandId__c: 'forged', Action__c: 'HangUp' }),
        withCode('INSUFFICIENT_ACCESS_OR_READONLY')
      );
      const forged = emu.store
        .eventsAfter('/event/TeamsCallCommand__e', 0, 10_000)
        .filter((e) => e.decoded.CommandId__c === 'forged');
      assert.equal(forged.length, 0);
    });

    it('[B06] an object the user has no Read on is INVALID_TYPE to them; the admin reads it', async () => {
      await assert.rejects(async () => integration.query('SELECT Id FROM TeamsCall__c'), withCode('INVALID_TYPE'));
      const res = await admin.query('SELECT Id FROM TeamsCall__c');
      assert.equal(typeof res.totalSize, 'number');
    });

    it('[B06] an agent may edit their call notes but not the call state (FLS: read-only field)', async () => {
      const call = (await admin.sobject('TeamsCall__c').create({ TeamsCallId__c: 'fls-1', State__c: 'Ringing' })) as {
        id: string;
      };
      await agent.sobject('TeamsCall__c').update({ Id: call.id, Notes__c: 'called back' });
      await assert.rejects(
        async () => agent.sobject('TeamsCall__c').update({ Id: call.id, State__c: 'Ended' }),
        withCode('INVALID_FIELD_FOR_INSERT_UPDATE')
      );
      const rec = emu.store.get('TeamsCall__c', call.id)!;
      assert.equal(rec.Notes__c, 'called back');
      assert.equal(rec.State__c, 'Ringing');
    });

    it('[B06] an agent cannot create a relay status record (no Create on TeamsRelayStatus__c)', async () => {
      await assert.rejects(
        async () => agent.sobject('TeamsRelayStatus__c').create({ RelayInstanceId__c: 'agent-forged' }),
        withCode('NOT_FOUND')
      );
    });
  });

  describe('unserved routes (ERR)', () => {
    it('[B06] a route the emulator does not serve answers [{errorCode:"NOT_FOUND"}], never a success', async () => {
      await assert.rejects(async () => integration.request('/services/data/v67.0/limits'), withCode('NOT_FOUND'));
      const res = await trustedFetch(`${emu.url}/services/data/v67.0/sobjects/Contact/describe/layouts`, {
        headers: { authorization: `Bearer ${integration.accessToken}` }
      });
      assert.equal(res.status, 404);
      const body = (await res.json()) as { errorCode: string; message: string }[];
      assert.equal(body[0]?.errorCode, 'NOT_FOUND');
      assert.match(body[0].message, /not implemented by the emulator/);
    });

    it('[B06] a body that is not JSON is 400 JSON_PARSER_ERROR in the Salesforce shape', async () => {
      const res = await trustedFetch(`${emu.url}/services/data/v67.0/sobjects/TeamsCallEvent__e`, {
        method: 'POST',
        headers: { authorization: `Bearer ${integration.accessToken}`, 'content-type': 'application/json' },
        body: '{not json'
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { errorCode: string }[];
      assert.equal(body[0]?.errorCode, 'JSON_PARSER_ERROR');
    });
  });
});
