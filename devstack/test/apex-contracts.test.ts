// DEVELOPMENT ONLY emulator tests: the Apex controller contracts the console preview calls over HTTP
// (POST /_preview/apex/<Class>/<method>, x-preview-user), against a started, seeded Salesforce emulator.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import jsforce from 'jsforce';
import PubSubApiClient from 'salesforce-pubsub-api-client';
import { DEFAULT_METADATA_ROOT, start, type SalesforceEmulator } from '../src/salesforce-emulator/server.ts';
import { JWT_BEARER } from '../src/salesforce-emulator/oauth.ts';
import { deleteRecord } from '../src/salesforce-emulator/apex/context.ts';
import { CLIENT_ID, USERNAME, clientCertificate, signAssertion } from './support/salesforce.ts';
import { trustCertificate, trustedFetch } from './support/trust.ts';

const COMMAND_TOPIC = '/event/TeamsCallCommand__e';
const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

interface PreviewUser {
  userId: string;
  name: string;
  isAdmin: boolean;
  teamsUserId: string | null;
  phoneNumber: string | null;
}

interface RuleVectors {
  cases: {
    id: string;
    rule: Record<string, unknown>;
    expected: { valid: boolean; field?: string; message?: string };
  }[];
}
const RULE_VECTORS = JSON.parse(
  readFileSync(
    join(DEFAULT_METADATA_ROOT, 'tests', 'shared-vectors', 'staticresources', 'TeamsRedirectRuleVectors.json'),
    'utf8'
  )
) as RuleVectors;

describe('Apex controller contracts over HTTP (dev only)', () => {
  let emu: SalesforceEmulator;
  let privateKeyPem: string;
  let users: PreviewUser[];
  let alice: PreviewUser;
  let bob: PreviewUser;
  let admin: PreviewUser;
  let callCounter = 0;

  async function apex(
    userId: string,
    className: string,
    method: string,
    params: Record<string, unknown> = {}
  ): Promise<{ status: number; json: unknown }> {
    const res = await trustedFetch(`${emu.url}/_preview/apex/${className}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-preview-user': userId },
      body: JSON.stringify(params)
    });
    return { status: res.status, json: await res.json() };
  }

  async function ok<T>(userId: string, className: string, method: string, params: Record<string, unknown> = {}) {
    const res = await apex(userId, className, method, params);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return res.json as T;
  }

  async function refused(userId: string, className: string, method: string, params: Record<string, unknown> = {}) {
    const res = await apex(userId, className, method, params);
    assert.equal(res.status, 400, JSON.stringify(res.json));
    return (res.json as { body: { message: string } }).body.message;
  }

  /** A TeamsCall__c as the event handler would have written it. */
  function insertCall(fields: Record<string, unknown>): { Id: string; TeamsCallId__c: string } {
    callCounter += 1;
    const rec = emu.store.insert('TeamsCall__c', {
      TeamsCallId__c: `call-${callCounter}-${Date.now()}`,
      Direction__c: 'Inbound',
      CallerNumber__c: '+15555550123',
      StartedAt__c: new Date(Date.UTC(2026, 10, 20, 9, 0, callCounter)).toISOString(),
      IsMissed__c: false,
      DoNotLog__c: false,
      TaskId__c: null,
      ...fields
    });
    return rec as unknown as { Id: string; TeamsCallId__c: string };
  }

  function clearCalls(): void {
    emu.store.db
      .prepare("DELETE FROM records WHERE sobject IN ('TeamsCall__c', 'TeamsCallTimelineEntry__c', 'Task')")
      .run();
  }

  function commandsPublished(): Record<string, unknown>[] {
    return emu.store.eventsAfter(COMMAND_TOPIC, 0, 10_000).map((e) => e.decoded);
  }

  before(async () => {
    const cert = await clientCertificate();
    privateKeyPem = cert.privateKeyPem;
    emu = await start({ oauth: { clientId: CLIENT_ID, username: USERNAME, certificate: cert.certPem } });
    trustCertificate(emu.tls.cert);
    users = (await (await trustedFetch(`${emu.url}/_preview/users`)).json()) as PreviewUser[];
    [alice, bob] = users.filter((u) => !u.isAdmin) as [PreviewUser, PreviewUser];
    admin = users.find((u) => u.isAdmin)!;
  });
  after(async () => {
    await emu.stop();
  });
  beforeEach(() => clearCalls());

  describe('preview plumbing', () => {
    it('[B06] GET /_preview/users lists the seeded agents with their lines and one admin', () => {
      assert.deepEqual(
        users.map((u) => [u.name, u.isAdmin, u.phoneNumber]),
        [
          ['Alice Agent', false, '+15555550101'],
          ['Bob Agent', false, '+15555550102'],
          ['Carol Agent', false, '+15555550103'],
          ['Dana Admin', true, null]
        ]
      );
      assert.equal(alice.teamsUserId, emu.seeded!.agents[0]!.teamsUserId);
    });

    it('[B06] a call without a known x-preview-user is refused with 401', async () => {
      const res = await apex('005NOPE00000000AAA', 'TeamsSoftphoneController', 'getAgentContext');
      assert.equal(res.status, 401);
    });

    it('[B06] an unknown controller method answers 404 with a message', async () => {
      const res = await apex(alice.userId, 'TeamsSoftphoneController', 'deleteEverything');
      assert.equal(res.status, 404);
      assert.match((res.json as { body: { message: string } }).body.message, /deleteEverything/);
    });
    it('[B06] a malformed Id parameter is refused before the controller runs, as Lightning does', async () => {
      const message = await refused(alice.userId, 'TeamsCallHistoryController', 'getTimeline', {
        callRecordId: 'not an id'
      });
      assert.equal(message, "Value provided is invalid for action parameter 'callRecordId' of type 'Id'");
    });

    it('[B03] GET /_preview/records/<id> answers a contact for the record tab, 404 for anything else', async () => {
      const contact = emu.seeded!.contacts[0]!;
      const found = await trustedFetch(`${emu.url}/_preview/records/${contact.id}`);
      const missing = await trustedFetch(`${emu.url}/_preview/records/${alice.userId}`);
      assert.deepEqual(await found.json(), {
        id: contact.id,
        objectApiName: 'Contact',
        name: 'Ada Caller',
        fields: { Phone: '+15555550123' }
      });
      assert.equal(missing.status, 404);
    });
  });

  describe('TeamsSoftphoneController', () => {
    it('[S01] getAgentContext answers the running agent line and the org defaults', async () => {
      const context = await ok<Record<string, unknown>>(alice.userId, 'TeamsSoftphoneController', 'getAgentContext');
      assert.deepEqual(context, {
        userId: alice.userId,
        phoneUserId: emu.seeded!.agents[0]!.phoneUserId,
        phoneNumber: '+15555550101',
        teamsUserId: alice.teamsUserId,
        presence: 'Available',
        screenPop: 'SingleMatch',
        noAnswerSeconds: 20,
        afterCallWorkSeconds: 0,
        isConfigured: true
      });
    });

    it('[S01] getAgentContext says isConfigured=false for a user without a line', async () => {
      const context = await ok<{ isConfigured: boolean; phoneUserId: unknown }>(
        admin.userId,
        'TeamsSoftphoneController',
        'getAgentContext'
      );
      assert.deepEqual([context.isConfigured, context.phoneUserId], [false, null]);
    });

    it('[B02] getOpenCalls answers only the running agent ringing, connected and on-hold calls, newest first', async () => {
      const older = insertCall({
        OwnerId: alice.userId,
        State__c: 'Connected',
        StartedAt__c: '2026-11-20T09:00:00.000Z'
      });
      const newer = insertCall({
        OwnerId: alice.userId,
        State__c: 'Ringing',
        StartedAt__c: '2026-11-20T09:05:00.000Z'
      });
      insertCall({ OwnerId: alice.userId, State__c: 'Ended' });
      insertCall({ OwnerId: bob.userId, State__c: 'Connected' });
      const calls = await ok<{ teamsCallId: string; state: string }[]>(
        alice.userId,
        'TeamsSoftphoneController',
        'getOpenCalls'
      );
      assert.deepEqual(
        calls.map((c) => [c.teamsCallId, c.state]),
        [
          [newer.TeamsCallId__c, 'Ringing'],
          [older.TeamsCallId__c, 'Connected']
        ]
      );
    });

    it('[B02] a call the event handler recorded from TeamsCallEvent__e is served by getOpenCalls and getTimeline', async () => {
      emu.bus.publishJson(
        'TeamsCallEvent__e',
        {
          EventId__c: `ev-${Date.now()}`,
          TeamsCallId__c: 'call-from-event',
          Sequence__c: 1,
          Kind__c: 'Call',
          State__c: 'Ringing',
          Direction__c: 'Inbound',
          CallerNumber__c: '+15555550123',
          AgentUserId__c: alice.userId,
          OccurredAt__c: new Date().toISOString()
        },
        emu.seeded!.integrationUserId
      );
      const calls = await ok<{ recordId: string; teamsCallId: string; state: string; callerNumber: string }[]>(
        alice.userId,
        'TeamsSoftphoneController',
        'getOpenCalls'
      );
      assert.deepEqual(
        calls.map((c) => [c.teamsCallId, c.state, c.callerNumber]),
        [['call-from-event', 'Ringing', '+15555550123']]
      );
      const timeline = await ok<{ sequence: number; state: string; isApplied: boolean }[]>(
        alice.userId,
        'TeamsCallHistoryController',
        'getTimeline',
        { callRecordId: calls[0]!.recordId }
      );
      assert.deepEqual(
        timeline.map((e) => [e.sequence, e.state, e.isApplied]),
        [[1, 'Ringing', true]]
      );
    });

    it('[S01] findCallerMatches finds the contact whatever the formatting, exact match first', async () => {
      const matches = await ok<Record<string, unknown>[]>(
        alice.userId,
        'TeamsSoftphoneController',
        'findCallerMatches',
        {
          phoneNumber: '001 (555) 555-0123'
        }
      );
      assert.deepEqual(matches, [
        {
          recordId: emu.seeded!.contacts[0]!.id,
          objectApiName: 'Contact',
          name: 'Ada Caller',
          subtitle: 'Northwind Traders',
          phone: '+15555550123',
          isExactMatch: true
        }
      ]);
    });

    it('[S01] findCallerMatches answers nothing for a number too short to search', async () => {
      const matches = await ok<unknown[]>(alice.userId, 'TeamsSoftphoneController', 'findCallerMatches', {
        phoneNumber: '0123'
      });
      assert.deepEqual(matches, []);
    });

    it('[B03] findCallerMatches lists every record sharing a number', async () => {
      const matches = await ok<{ name: string; isExactMatch: boolean }[]>(
        alice.userId,
        'TeamsSoftphoneController',
        'findCallerMatches',
        { phoneNumber: '+15555550125' }
      );
      assert.deepEqual(matches.map((m) => m.name).sort(), ['Lina Duplicate', 'Linus Duplicate']);
      assert.ok(matches.every((m) => m.isExactMatch));
    });

    it('[S05] sendCommand Hold on the agent connected call answers a command id and publishes TeamsCallCommand__e', async () => {
      const call = insertCall({ OwnerId: alice.userId, State__c: 'Connected' });
      const commandId = await ok<string>(alice.userId, 'TeamsSoftphoneController', 'sendCommand', {
        teamsCallId: call.TeamsCallId__c,
        action: 'Hold'
      });
      assert.match(commandId, /^[0-9a-f-]{36}$/);
      const command = commandsPublished().find((c) => c.CommandId__c === commandId);
      assert.deepEqual(
        [command?.TeamsCallId__c, command?.Action__c, command?.RequestedBy__c],
        [call.TeamsCallId__c, 'Hold', alice.userId]
      );
    });

    it('[S06] sendCommand refuses someone else call with "This call is not yours." and publishes nothing', async () => {
      const call = insertCall({ OwnerId: bob.userId, State__c: 'Connected' });
      const before = commandsPublished().length;
      const message = await refused(alice.userId, 'TeamsSoftphoneController', 'sendCommand', {
        teamsCallId: call.TeamsCallId__c,
        action: 'Hangup'
      });
      assert.equal(message, 'This call is not yours.');
      assert.equal(commandsPublished().length, before);
    });

    it('[S05] sendCommand refuses Resume on a call that is not on hold', async () => {
      const call = insertCall({ OwnerId: alice.userId, State__c: 'Connected' });
      const message = await refused(alice.userId, 'TeamsSoftphoneController', 'sendCommand', {
        teamsCallId: call.TeamsCallId__c,
        action: 'Resume'
      });
      assert.equal(message, 'The call cannot be changed in its current state.');
    });

    it('[S14] sendCommand refuses an unknown action', async () => {
      const call = insertCall({ OwnerId: alice.userId, State__c: 'Ringing' });
      const message = await refused(alice.userId, 'TeamsSoftphoneController', 'sendCommand', {
        teamsCallId: call.TeamsCallId__c,
        action: 'ReloadConfig'
      });
      assert.equal(message, 'Unknown action or call.');
    });

    it('[B13] afterCallWork publishes Ready and Extend for the running agent only, and refuses anything else', async () => {
      for (const action of ['Extend', 'Ready']) {
        const commandId = await ok<string>(alice.userId, 'TeamsSoftphoneController', 'afterCallWork', { action });
        const command = commandsPublished().find((c) => c.CommandId__c === commandId);
        assert.deepEqual(
          [command?.Action__c, command?.RequestedBy__c, command?.TeamsCallId__c ?? null, command?.Argument__c ?? null],
          [action, alice.userId, null, null]
        );
      }
      const before = commandsPublished().length;
      assert.equal(
        await refused(alice.userId, 'TeamsSoftphoneController', 'afterCallWork', { action: 'Hangup' }),
        'Unknown action or call.'
      );
      assert.equal(
        await refused(admin.userId, 'TeamsSoftphoneController', 'afterCallWork', { action: 'Ready' }),
        'You have no active phone line. Ask your admin to set one up.'
      );
      assert.equal(commandsPublished().length, before, 'nothing published for a refusal');
    });

    it('[S14] sendCommand Reject reaches a Pub/Sub API subscriber of TeamsCallCommand__e (the relay path)', async () => {
      const call = insertCall({ OwnerId: alice.userId, State__c: 'Ringing' });
      const conn = new jsforce.Connection({ loginUrl: emu.url, version: '67.0' });
      await conn.authorize({ grant_type: JWT_BEARER, assertion: await signAssertion(privateKeyPem, { aud: emu.url }) });
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
      await client.connect();
      try {
        const received = new Promise<Record<string, unknown>>((resolve, reject) => {
          client.subscribe(
            COMMAND_TOPIC,
            (_sub, type, data) => {
              if (type === 'event') resolve((data as { payload: Record<string, unknown> }).payload);
              if (type === 'error') reject(data as Error);
            },
            1
          );
        });
        await new Promise((r) => setTimeout(r, 200));
        const commandId = await ok<string>(alice.userId, 'TeamsSoftphoneController', 'sendCommand', {
          teamsCallId: call.TeamsCallId__c,
          action: 'Reject'
        });
        const payload = await received;
        assert.deepEqual(
          [payload.CommandId__c, payload.TeamsCallId__c, payload.Action__c, payload.RequestedBy__c],
          [commandId, call.TeamsCallId__c, 'Reject', alice.userId]
        );
      } finally {
        client.close();
      }
    });

    it('[B03] linkRecord links the agent call to a contact and its account', async () => {
      const call = insertCall({ OwnerId: alice.userId, State__c: 'Connected' });
      const contact = emu.seeded!.contacts[1]!;
      const view = await ok<Record<string, unknown>>(alice.userId, 'TeamsSoftphoneController', 'linkRecord', {
        teamsCallId: call.TeamsCallId__c,
        recordId: contact.id
      });
      assert.deepEqual([view.linkedRecordId, view.linkedRecordName], [contact.id, 'Grace Caller']);
      const stored = emu.store.get('TeamsCall__c', call.Id)!;
      assert.equal(stored.Account__c, emu.store.get('Contact', contact.id)!.AccountId);
    });

    it('[B03] linkRecord refuses a record that is not a Contact, Lead or Account', async () => {
      const call = insertCall({ OwnerId: alice.userId, State__c: 'Connected' });
      const message = await refused(alice.userId, 'TeamsSoftphoneController', 'linkRecord', {
        teamsCallId: call.TeamsCallId__c,
        recordId: bob.userId
      });
      assert.equal(message, 'You cannot link this call to that record.');
    });

    it('[B04] saveWrapUp on an ended call stores notes and disposition and logs a Task on the linked record', async () => {
      const call = insertCall({
        OwnerId: alice.userId,
        State__c: 'Ended',
        Outcome__c: 'Answered',
        TalkSeconds__c: 42,
        EndedAt__c: '2026-11-20T09:10:00.000Z'
      });
      const contact = emu.seeded!.contacts[0]!;
      const view = await ok<Record<string, unknown>>(alice.userId, 'TeamsSoftphoneController', 'saveWrapUp', {
        teamsCallId: call.TeamsCallId__c,
        notes: 'Wants a callback',
        disposition: 'FollowUpNeeded',
        doNotLog: false,
        recordId: contact.id
      });
      assert.deepEqual(
        [view.notes, view.disposition, view.doNotLog, view.linkedRecordId],
        ['Wants a callback', 'FollowUpNeeded', false, contact.id]
      );
      const task = emu.store.get('Task', String(emu.store.get('TeamsCall__c', call.Id)!.TaskId__c))!;
      assert.deepEqual(
        [task.Subject, task.CallDisposition, task.CallDurationInSeconds, task.Description, task.WhoId],
        ['Inbound call from +15555550123', 'FollowUpNeeded', 42, 'Wants a callback', contact.id]
      );
    });

    it('[B04] saveWrapUp with doNotLog removes the Task logged for an answered call', async () => {
      const task = emu.store.insert('Task', { Subject: 'Inbound call from +15555550123' });
      const call = insertCall({
        OwnerId: alice.userId,
        State__c: 'Ended',
        EndedAt__c: '2026-11-20T09:10:00.000Z',
        TaskId__c: task.Id
      });
      const view = await ok<{ doNotLog: boolean }>(alice.userId, 'TeamsSoftphoneController', 'saveWrapUp', {
        teamsCallId: call.TeamsCallId__c,
        notes: null,
        disposition: null,
        doNotLog: true,
        recordId: null
      });
      assert.equal(view.doNotLog, true);
      assert.equal(emu.store.get('Task', task.Id), undefined);
      assert.equal(emu.store.get('TeamsCall__c', call.Id)!.TaskId__c, null);
    });

    it('[B04] saveWrapUp refuses someone else call', async () => {
      const call = insertCall({ OwnerId: bob.userId, State__c: 'Ended', EndedAt__c: '2026-11-20T09:10:00.000Z' });
      const message = await refused(alice.userId, 'TeamsSoftphoneController', 'saveWrapUp', {
        teamsCallId: call.TeamsCallId__c,
        notes: 'mine now',
        disposition: null,
        doNotLog: false,
        recordId: null
      });
      assert.equal(message, 'This call is not yours.');
      assert.equal(emu.store.get('TeamsCall__c', call.Id)!.Notes__c, undefined);
    });

    it('[B04] saveWrapUp refuses a disposition outside the list', async () => {
      const call = insertCall({ OwnerId: alice.userId, State__c: 'Ended', EndedAt__c: '2026-11-20T09:10:00.000Z' });
      const message = await refused(alice.userId, 'TeamsSoftphoneController', 'saveWrapUp', {
        teamsCallId: call.TeamsCallId__c,
        notes: '',
        disposition: 'Angry',
        doNotLog: false,
        recordId: null
      });
      assert.equal(message, 'Choose a disposition from the list.');
    });
  });

  describe('TeamsCallHistoryController', () => {
    it('[S11] getCalls pages an agent own calls newest first with a cursor, ignoring agentUserId', async () => {
      const ids = [0, 1, 2].map(
        (minute) =>
          insertCall({ OwnerId: alice.userId, State__c: 'Ended', StartedAt__c: `2026-11-20T09:0${minute}:00.000Z` })
            .TeamsCallId__c
      );
      insertCall({ OwnerId: bob.userId, State__c: 'Ended' });
      type Page = { rows: { teamsCallId: string; agentName: string }[]; nextCursor: string | null; isAdmin: boolean };
      const first = await ok<Page>(alice.userId, 'TeamsCallHistoryController', 'getCalls', {
        filter: 'all',
        agentUserId: bob.userId,
        pageSize: 2
      });
      const second = await ok<Page>(alice.userId, 'TeamsCallHistoryController', 'getCalls', {
        filter: 'all',
        cursor: first.nextCursor,
        pageSize: 2
      });
      assert.deepEqual(
        first.rows.map((r) => r.teamsCallId),
        [ids[2], ids[1]]
      );
      assert.deepEqual([second.rows.map((r) => r.teamsCallId), second.nextCursor], [[ids[0]], null]);
      assert.deepEqual([first.isAdmin, first.rows[0]!.agentName], [false, 'Alice Agent']);
    });

    it('[S11] getCalls lets an admin see every agent and filter missed calls by agent', async () => {
      insertCall({ OwnerId: alice.userId, State__c: 'Ended', IsMissed__c: true });
      const bobMissed = insertCall({ OwnerId: bob.userId, State__c: 'Ended', IsMissed__c: true });
      insertCall({ OwnerId: bob.userId, State__c: 'Ended', IsMissed__c: false });
      type Page = { rows: { teamsCallId: string }[]; isAdmin: boolean };
      const all = await ok<Page>(admin.userId, 'TeamsCallHistoryController', 'getCalls', { filter: 'all' });
      const missed = await ok<Page>(admin.userId, 'TeamsCallHistoryController', 'getCalls', {
        filter: 'missed',
        agentUserId: bob.userId
      });
      assert.deepEqual([all.isAdmin, all.rows.length], [true, 3]);
      assert.deepEqual(
        missed.rows.map((r) => r.teamsCallId),
        [bobMissed.TeamsCallId__c]
      );
    });

    it('[S11] getCalls refuses a tampered cursor and an unknown filter', async () => {
      const badCursor = await refused(alice.userId, 'TeamsCallHistoryController', 'getCalls', {
        cursor: Buffer.from('123:not-an-id').toString('base64')
      });
      const badFilter = await refused(alice.userId, 'TeamsCallHistoryController', 'getCalls', { filter: 'weird' });
      assert.deepEqual(
        [badCursor, badFilter],
        ['The list has changed. Reload it and try again.', 'Choose a filter from the list.']
      );
    });

    it('[B08] getTimeline answers the call entries in sequence order, and nothing for someone else call', async () => {
      const call = insertCall({ OwnerId: alice.userId, State__c: 'Ended' });
      for (const [sequence, state, applied] of [
        [2, 'Connected', true],
        [1, 'Ringing', true],
        [2, 'Connected', false]
      ] as const) {
        emu.store.insert('TeamsCallTimelineEntry__c', {
          Call__c: call.Id,
          Sequence__c: sequence,
          State__c: state,
          IsApplied__c: applied,
          OccurredAt__c: `2026-11-20T09:00:0${sequence}.000Z`
        });
      }
      const entries = await ok<{ sequence: number; state: string; isApplied: boolean }[]>(
        alice.userId,
        'TeamsCallHistoryController',
        'getTimeline',
        { callRecordId: call.Id }
      );
      const hidden = await ok<unknown[]>(bob.userId, 'TeamsCallHistoryController', 'getTimeline', {
        callRecordId: call.Id
      });
      assert.deepEqual(
        entries.map((e) => [e.sequence, e.state, e.isApplied]),
        [
          [1, 'Ringing', true],
          [2, 'Connected', true],
          [2, 'Connected', false]
        ]
      );
      assert.deepEqual(hidden, []);
    });
  });

  describe('TeamsRedirectRuleController', () => {
    type Settings = { rules: Record<string, unknown>[]; agentName: string; isAdmin: boolean; agents: unknown };
    type SaveResult = { isSuccess: boolean; errors: Record<string, unknown>[]; settings: Settings };

    it('[S13] getSettings answers the agent rules as maps with a trigger key', async () => {
      const settings = await ok<Settings>(bob.userId, 'TeamsRedirectRuleController', 'getSettings', {
        agentUserId: null
      });
      assert.deepEqual([settings.agentName, settings.isAdmin, settings.agents], ['Bob Agent', false, null]);
      assert.deepEqual(settings.rules, [
        {
          trigger: 'InACall',
          targetType: 'PhoneNumber',
          targetValue: '+15555550199',
          targetLabel: '+15555550199',
          isActive: true
        },
        {
          trigger: 'OutOfOffice',
          targetType: 'SoftphoneUser',
          targetValue: emu.seeded!.agents[2]!.userId,
          targetLabel: 'Carol Agent',
          isActive: true
        }
      ]);
    });

    it('[S13] getSettings refuses another agent settings to a non-admin', async () => {
      const message = await refused(alice.userId, 'TeamsRedirectRuleController', 'getSettings', {
        agentUserId: bob.userId
      });
      assert.equal(message, 'You can only change your own redirect settings.');
    });

    it('[S13] saveSettings saves normalized rules and publishes ReloadConfig for the agent', async () => {
      const before = commandsPublished().length;
      const result = await ok<SaveResult>(alice.userId, 'TeamsRedirectRuleController', 'saveSettings', {
        settingsJson: JSON.stringify({
          agentUserId: alice.userId,
          noAnswerSeconds: 15,
          returnToPreviousPresence: true,
          rules: [{ trigger: 'NoAnswer', targetType: 'PhoneNumber', targetValue: '+49 (89) 111-222', isActive: true }]
        })
      });
      assert.deepEqual([result.isSuccess, result.errors], [true, []]);
      assert.deepEqual(
        result.settings.rules.map((r) => [r.trigger, r.targetValue]),
        [['NoAnswer', '+4989111222']]
      );
      const reload = commandsPublished().slice(before);
      assert.deepEqual(
        reload.map((c) => [c.Action__c, c.Argument__c]),
        [['ReloadConfig', alice.userId]]
      );
    });

    it('[S13] saveSettings refuses an invalid target with the shared vector message next to its trigger and field', async () => {
      const vector = RULE_VECTORS.cases.find((c) => c.id === 'phone-national')!;
      const before = commandsPublished().length;
      const result = await ok<SaveResult>(bob.userId, 'TeamsRedirectRuleController', 'saveSettings', {
        settingsJson: JSON.stringify({ agentUserId: bob.userId, noAnswerSeconds: null, rules: [vector.rule] })
      });
      assert.equal(result.isSuccess, false);
      assert.deepEqual(result.errors, [
        { trigger: vector.rule.trigger, field: vector.expected.field, message: vector.expected.message }
      ]);
      assert.equal(commandsPublished().length, before);
    });

    it('[S04] saveSettings refuses a no-answer time out of range as a settings-level error', async () => {
      const result = await ok<SaveResult>(bob.userId, 'TeamsRedirectRuleController', 'saveSettings', {
        settingsJson: JSON.stringify({ noAnswerSeconds: 3 })
      });
      assert.deepEqual(result.errors, [
        { trigger: null, field: 'noAnswerSeconds', message: 'Enter a number of seconds from 5 to 120.' }
      ]);
    });

    it('[S13] saveSettings refuses two rules for one trigger', async () => {
      const rule = { trigger: 'Declined', targetType: 'TeamsClientSettings', targetValue: '', isActive: true };
      const result = await ok<SaveResult>(bob.userId, 'TeamsRedirectRuleController', 'saveSettings', {
        settingsJson: JSON.stringify({ rules: [rule, rule] })
      });
      assert.deepEqual(result.errors, [
        { trigger: 'Declined', field: 'targetType', message: 'Only one rule per trigger.' }
      ]);
    });

    it('[S13] searchUsers answers Teams users by name prefix with their Teams object id', async () => {
      const options = await ok<Record<string, unknown>[]>(alice.userId, 'TeamsRedirectRuleController', 'searchUsers', {
        term: 'bo',
        targetType: 'TeamsUser'
      });
      assert.deepEqual(options, [{ value: bob.teamsUserId, label: 'Bob Agent', sublabel: 'bob@contoso.example' }]);
    });

    it('[S13] getSettings gives an admin the agent picker and any agent settings', async () => {
      const settings = await ok<Settings & { agents: { label: string }[] }>(
        admin.userId,
        'TeamsRedirectRuleController',
        'getSettings',
        { agentUserId: emu.seeded!.agents[2]!.userId }
      );
      assert.deepEqual(
        [settings.agentName, settings.isAdmin, settings.agents.map((a) => a.label)],
        ['Carol Agent', true, ['Alice Agent', 'Bob Agent', 'Carol Agent']]
      );
    });
  });

  describe('TeamsSetupController', () => {
    it('[B07] runChecks reports each check and says it is emulated', async () => {
      const checks = await ok<{ name: string; status: string; detail: string }[]>(
        admin.userId,
        'TeamsSetupController',
        'runChecks'
      );
      assert.deepEqual(
        checks.map((c) => [c.name, c.status]),
        [
          ['agentPermissionSet', 'Pass'],
          ['integrationPermissionSet', 'Pass'],
          ['phoneUsers', 'Pass'],
          ['relayHeartbeat', 'Fail'],
          ['triggerSubscription', 'Warn'],
          ['lastEvent', 'Warn'],
          // B10: this emulated org has no relay stream URL or certificate set (the local stack sets them).
          ['agentStream', 'Fail']
        ]
      );
      assert.ok(checks.every((c) => c.detail.includes('emulated')));
    });

    it("[B07] the check texts are custom labels in the user's language, and a fix names the actual cause", async () => {
      const run = async (language: string) => {
        const res = await trustedFetch(`${emu.url}/_preview/apex/TeamsSetupController/runChecks`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-preview-user': admin.userId,
            'x-preview-language': language
          },
          body: '{}'
        });
        assert.equal(res.status, 200);
        return (await res.json()) as { name: string; label: string; fix: string | null }[];
      };
      const german = await run('de');
      const heartbeat = german.find((c) => c.name === 'relayHeartbeat')!;
      assert.equal(heartbeat.label, 'Das Relay läuft');
      // No relay ever reported and no call event reached Salesforce: the process comes first, not the heartbeat.
      assert.match(heartbeat.fix ?? '', /^Prüfen Sie, ob der Relay-Prozess läuft/);
      const english = await run('en');
      assert.equal(english.find((c) => c.name === 'relayHeartbeat')!.label, 'The relay is running');

      // A second integration user: the fix says how many hold the permission set, not a generic instruction.
      const permissionSet = emu.store.all('PermissionSet').find((p) => p.Name === 'TeamsPhoneIntegration')!;
      const extra = emu.store.insert('PermissionSetAssignment', {
        AssigneeId: alice.userId,
        PermissionSetId: permissionSet.Id
      });
      try {
        const integration = (await run('en')).find((c) => c.name === 'integrationPermissionSet')!;
        assert.match(integration.fix ?? '', /^2 active users have TeamsPhoneIntegration: keep it only on the one/);
      } finally {
        deleteRecord(emu.store, extra.Id);
      }
    });

    it('[B07] the setup methods refuse an agent', async () => {
      const message = await refused(alice.userId, 'TeamsSetupController', 'getPhoneUsers');
      assert.equal(message, 'Only Teams Phone admins can use the setup page.');
    });

    it('[B07] getPhoneUsers lists every line with its user', async () => {
      const rows = await ok<{ userName: string; phoneNumber: string; isActive: boolean }[]>(
        admin.userId,
        'TeamsSetupController',
        'getPhoneUsers'
      );
      assert.deepEqual(
        rows.map((r) => [r.userName, r.phoneNumber, r.isActive]),
        [
          ['Alice Agent', '+15555550101', true],
          ['Bob Agent', '+15555550102', true],
          ['Carol Agent', '+15555550103', true]
        ]
      );
    });

    it('[B07] savePhoneUser updates a line, normalizes the number and publishes ReloadConfig', async () => {
      const line = emu.seeded!.agents[2]!;
      const before = commandsPublished().length;
      const result = await ok<{ isSuccess: boolean; phoneUser: Record<string, unknown> }>(
        admin.userId,
        'TeamsSetupController',
        'savePhoneUser',
        {
          phoneUserJson: JSON.stringify({
            recordId: line.phoneUserId,
            userId: line.userId,
            teamsUserId: line.teamsUserId.toUpperCase(),
            teamsUpn: 'carol@contoso.example',
            phoneNumber: '+1 555 555 0109',
            extension: '109',
            isActive: true
          })
        }
      );
      assert.deepEqual(
        [result.isSuccess, result.phoneUser.phoneNumber, result.phoneUser.teamsUserId],
        [true, '+15555550109', line.teamsUserId]
      );
      assert.deepEqual(
        commandsPublished()
          .slice(before)
          .map((c) => [c.Action__c, c.Argument__c]),
        [['ReloadConfig', line.userId]]
      );
    });

    it('[B07] savePhoneUser answers field errors for a missing user, a bad Teams id and a national number', async () => {
      const result = await ok<{ isSuccess: boolean; errors: unknown[] }>(
        admin.userId,
        'TeamsSetupController',
        'savePhoneUser',
        {
          phoneUserJson: JSON.stringify({ teamsUserId: 'not-a-guid', phoneNumber: '030 1234567' })
        }
      );
      assert.equal(result.isSuccess, false);
      assert.deepEqual(result.errors, [
        { field: 'userId', message: 'Choose the Salesforce user.' },
        { field: 'teamsUserId', message: 'Enter the Microsoft Entra object id (a GUID) of the Teams user.' },
        {
          field: 'phoneNumber',
          message: 'Enter the phone number in international format, starting with + and the country code.'
        }
      ]);
    });
  });
});
