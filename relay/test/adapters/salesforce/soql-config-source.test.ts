import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { DEFAULT_ORG_SETTINGS, SoqlConfigSource } from '../../../src/adapters/salesforce/soql-config-source.ts';

let server: Server;
let baseUrl: string;
let settingsRows: Record<string, unknown>[];
let failQueries = false;
const soqlSeen: string[] = [];

const user = (n: number, extra: Record<string, unknown> = {}) => ({
  Id: `a01${n}`,
  User__c: `005${n}`,
  User__r: { Name: `Agent ${n}` },
  TeamsUserId__c: `1111111${n}-0000-0000-0000-000000000000`,
  PhoneNumber__c: `+4420712345${n}0`,
  ReturnToPreviousPresence__c: n === 1,
  NoAnswerSeconds__c: n === 1 ? 30 : null,
  ...extra
});

before(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    const url = new URL(req.url ?? '/', 'http://x');
    if (failQueries) {
      // 400, not 5xx: jsforce retries 5xx with back-off, which would only slow the test down.
      res.statusCode = 400;
      res.end(JSON.stringify([{ errorCode: 'INVALID_TYPE', message: 'boom' }]));
      return;
    }
    if (url.pathname === '/services/data/v66.0/query/page-2') {
      res.end(JSON.stringify({ done: true, totalSize: 3, records: [user(3, { PhoneNumber__c: null })] }));
      return;
    }
    const soql = url.searchParams.get('q') ?? '';
    soqlSeen.push(soql);
    let body: unknown;
    if (soql.includes('FROM TeamsPhoneUser__c')) {
      body = {
        done: false,
        totalSize: 3,
        nextRecordsUrl: '/services/data/v66.0/query/page-2',
        records: [user(1), user(2)]
      };
    } else if (soql.includes('FROM TeamsRedirectRule__c')) {
      body = {
        done: true,
        totalSize: 3,
        records: [
          {
            PhoneUser__c: 'a011',
            Trigger__c: 'NoAnswer',
            TargetType__c: 'PhoneNumber',
            TargetValue__c: '+441111111111'
          },
          {
            PhoneUser__c: 'a011',
            Trigger__c: 'DoNotDisturb',
            TargetType__c: 'TeamsClientSettings',
            TargetValue__c: null
          },
          { PhoneUser__c: 'a012', Trigger__c: 'Sleeping', TargetType__c: 'TeamsUser', TargetValue__c: 'x' }
        ]
      };
    } else body = { done: true, totalSize: settingsRows.length, records: settingsRows };
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  failQueries = false;
  soqlSeen.length = 0;
  settingsRows = [
    {
      DeveloperName: 'Default',
      NoAnswerSeconds__c: 20,
      DndExpiryMinutes__c: 60,
      SharedVoicemailTarget__c: null,
      CallQueueTarget__c: null
    }
  ];
});

function source(warnings: string[] = []) {
  return new SoqlConfigSource({
    connection: () => Promise.resolve(new Connection({ instanceUrl: baseUrl, accessToken: 'token', version: '66.0' })),
    now: () => new Date('2026-11-24T10:00:00Z'),
    warn: (message) => warnings.push(message)
  });
}

describe('SoqlConfigSource (ConfigSource port)', () => {
  it('[S13] loads active phone users with their rules, across result pages', async () => {
    const warnings: string[] = [];
    const snapshot = await source(warnings).load();
    assert.deepEqual(snapshot.agents[0], {
      salesforceUserId: '0051',
      teamsUserId: '11111111-0000-0000-0000-000000000000',
      phoneNumber: '+44207123451' + '0',
      returnToPreviousPresence: true,
      rules: [
        { trigger: 'NoAnswer', targetType: 'PhoneNumber', targetValue: '+441111111111' },
        { trigger: 'DoNotDisturb', targetType: 'TeamsClientSettings' }
      ],
      displayName: 'Agent 1',
      noAnswerSeconds: 30
    });
    assert.deepEqual(
      snapshot.agents.map((a) => a.salesforceUserId),
      ['0051', '0052']
    );
    assert.equal(snapshot.loadedAt, '2026-11-24T10:00:00.000Z');
  });

  it('[S13] rows the engine cannot use are skipped with a warning, not loaded half-valid', async () => {
    const warnings: string[] = [];
    const snapshot = await source(warnings).load();
    assert.deepEqual(snapshot.agents[1]?.rules, []);
    assert.deepEqual(warnings.sort(), [
      'phone user skipped: missing Teams user id or phone number',
      'redirect rule skipped: unknown trigger or target type'
    ]);
  });

  it('[S04] the OrgOverride settings record wins over Default', async () => {
    settingsRows.push({
      DeveloperName: 'OrgOverride',
      NoAnswerSeconds__c: 25,
      DndExpiryMinutes__c: 15,
      SharedVoicemailTarget__c: '+442000000000',
      CallQueueTarget__c: null
    });
    const snapshot = await source().load();
    assert.deepEqual(snapshot.settings, {
      noAnswerSeconds: 25,
      dndExpiryMinutes: 15,
      sharedVoicemailTarget: '+442000000000'
    });
  });

  it('[S04] without any settings record the packaged defaults apply', async () => {
    settingsRows = [];
    assert.deepEqual((await source().load()).settings, DEFAULT_ORG_SETTINGS);
  });

  it('[contract] a failed load rejects and records the error for /readyz', async () => {
    failQueries = true;
    const s = source();
    await assert.rejects(s.load());
    assert.match(s.lastError ?? '', /boom/);
  });

  it('[contract] only active phone users and rules are queried', async () => {
    await source().load();
    assert.ok(
      soqlSeen
        .filter((q) => /TeamsPhoneUser__c|TeamsRedirectRule__c/.test(q))
        .every((q) => q.includes('IsActive__c = true'))
    );
  });
});
