// End to end, through the real protocols (B09): Apex dial → TeamsCallCommand__e over Pub/Sub → the relay places the
// call on the Teams simulator (Graph POST /communications/calls) → the agent answers in Teams → the bot invites the
// number → records, commands, wrap-up and the Task in the Salesforce emulator.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ALICE, BOB, CALLER, E2E } from './support/stack.ts';

describe('[B09] click-to-dial (relay + emulators)', () => {
  let e2e: E2E;
  let requests = 0;
  before(async () => {
    e2e = await E2E.start();
  });
  after(async () => {
    await e2e?.stop();
  });
  beforeEach(async () => {
    await e2e.reset();
    await e2e.sim('PUT', `/phones/${encodeURIComponent(CALLER)}`, { behaviour: 'answer' });
  });

  /** Calls the relay asked Graph to create (POST /communications/calls). */
  const placed = () =>
    e2e.graphRequests('/communications/calls').filter((r) => r.method === 'POST' && r.path === '/communications/calls');

  /** Alice dials `number` from Salesforce; resolves with the Graph call id once her Teams rings for it. */
  async function dial(
    number = CALLER,
    requestId = `e2e-${(requests += 1)}-${Date.now()}`,
    agent: { upn: string } = ALICE
  ): Promise<string> {
    const before = placed().length;
    await e2e.apex(e2e.seededUserId(agent.upn), 'TeamsSoftphoneController', 'dial', { phoneNumber: number, requestId });
    const ring = await e2e.until(`${agent.upn} ringing for the dial`, async () =>
      (await e2e.user(agent.upn)).ringing.find((r) => (r as { kind?: string }).kind === 'outbound')
    );
    assert.equal(placed().length, before + 1, 'one call placed');
    return ring.callId;
  }

  const invitesOf = (callId: string) =>
    e2e.graphRequests(`/communications/calls/${callId}/participants/invite`).filter((r) => r.method === 'POST');

  it('[B09] dial a contact → Alice answers in Teams → the number answers → hold, resume, hang up → wrap-up → Task on the contact', async () => {
    const callId = await dial('+1 (555) 555-0123');
    const ringing = await e2e.recordInState(callId, 'Ringing');
    assert.equal(ringing.Direction__c, 'Outbound');
    assert.equal(ringing.CallerNumber__c, CALLER, 'the number dialled, normalised');
    assert.equal(ringing.DialledNumber__c, ALICE.line, "from Alice's line");
    assert.equal(ringing.OwnerId, e2e.seededUserId(ALICE.upn));
    const created = e2e.graphRequests('/communications/calls').find((r) => r.path === '/communications/calls')!;
    assert.match(JSON.stringify(created.body), /applicationInstance/);
    assert.match(JSON.stringify(created.body), new RegExp(ALICE.id));
    assert.deepEqual(invitesOf(callId), [], 'nothing is dialled before Alice answers');

    await e2e.sim('POST', `/users/${ALICE.upn}/accept`, { callId });
    const connected = await e2e.recordInState(callId, 'Connected');
    assert.ok(connected.AnsweredAt__c);
    const invite = invitesOf(callId);
    assert.equal(invite.length, 1);
    const invited = (invite[0]!.body as { participants: Array<{ identity: { phone?: { id: string } } }> }).participants;
    assert.equal(invited[0]?.identity.phone?.id, CALLER, 'the number is invited as a phone identity');
    await e2e.until('setPresence InACall for Alice', () =>
      e2e
        .graphRequests(`/users/${ALICE.id}/presence/setPresence`)
        .some((r) => r.status === 200 && JSON.stringify(r.body).includes('InACall'))
    );

    await e2e.command(ALICE.upn, callId, 'Hold');
    await e2e.recordInState(callId, 'OnHold');
    await e2e.command(ALICE.upn, callId, 'Resume');
    await e2e.recordInState(callId, 'Connected');
    await e2e.command(ALICE.upn, callId, 'Hangup');
    const ended = await e2e.recordInState(callId, 'Ended');
    assert.equal(ended.Outcome__c, 'Answered');
    assert.equal(ended.IsMissed__c, false);

    const contact = e2e.stack.salesforce.store.all('Contact').find((c) => c.Phone === CALLER)!;
    await e2e.apex(e2e.seededUserId(ALICE.upn), 'TeamsSoftphoneController', 'saveWrapUp', {
      teamsCallId: callId,
      notes: 'Called Ada back about her order.',
      disposition: 'Resolved',
      doNotLog: false,
      recordId: contact.Id
    });
    const tasks = await e2e.until('a Task for the dialled call', () => {
      const taskId = e2e.callRecord(callId)?.TaskId__c;
      const task = typeof taskId === 'string' ? e2e.stack.salesforce.store.get('Task', taskId) : undefined;
      return task ? [task] : undefined;
    });
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]!.WhoId, contact.Id, 'linked to the contact dialled');
    assert.equal(tasks[0]!.CallType, 'Outbound');
    assert.match(String(tasks[0]!.Subject), /^Outbound call to /);
  });

  it('[B09] Alice declines her dial in Teams: nothing is dialled, the record says Rejected (Declined)', async () => {
    const callId = await dial();
    await e2e.recordInState(callId, 'Ringing');
    await e2e.sim('POST', `/users/${ALICE.upn}/decline`, { callId });
    const record = await e2e.recordInState(callId, 'Rejected');
    assert.equal(record.Reason__c, 'Declined');
    assert.equal(record.IsMissed__c, false);
    assert.deepEqual(invitesOf(callId), []);
  });

  for (const [behaviour, reason] of [
    ['busy', 'Busy'],
    ['noAnswer', 'NoAnswer']
  ] as const) {
    // Bob dials these: an agent may dial at most 5 times a minute (Apex and the relay both check it).
    it(`[B09] the number is ${behaviour}: the call ends with ${reason} on the record and Bob is released`, async () => {
      await e2e.sim('PUT', `/phones/${encodeURIComponent(CALLER)}`, { behaviour });
      const callId = await dial(CALLER, `${behaviour}-${Date.now()}`, BOB);
      await e2e.recordInState(callId, 'Ringing');
      await e2e.sim('POST', `/users/${BOB.upn}/accept`, { callId });
      const record = await e2e.recordInState(callId, 'Ended');
      assert.equal(record.Reason__c, reason);
      assert.equal(record.AnsweredAt__c, null);
      assert.equal(record.IsMissed__c, false);
      await e2e.until('the simulated call terminated', async () => (await e2e.simCall(callId)).state === 'terminated');
    });
  }

  it('[B09] a double click (the same request twice) dials once', async () => {
    const requestId = `double-${Date.now()}`;
    const before = placed().length;
    const callId = await dial(CALLER, requestId);
    await e2e.apex(e2e.seededUserId(ALICE.upn), 'TeamsSoftphoneController', 'dial', {
      phoneNumber: CALLER,
      requestId
    });
    // A later command the relay does apply proves the repeat was processed (and dropped) before it.
    await e2e.command(ALICE.upn, callId, 'Reject');
    await e2e.recordInState(callId, 'Missed');
    assert.equal(placed().length, before + 1);
    await e2e.until('Alice no longer ringing', async () => (await e2e.user(ALICE.upn)).ringing.length === 0);
  });

  it("[B09] someone else's dial command is refused: Bob publishing a Dial as Alice places no call", async () => {
    const placedBefore = placed().length;
    e2e.stack.salesforce.bus.publishJson(
      'TeamsCallCommand__e',
      {
        CommandId__c: '5b1c2a8e-0000-4000-8000-00000000f0f0',
        Action__c: 'Dial',
        Argument__c: CALLER,
        RequestedBy__c: e2e.seededUserId(ALICE.upn),
        IssuedAt__c: new Date().toISOString()
      },
      e2e.seededUserId(BOB.upn)
    );
    await e2e.until('the relay refused the forged dial', () =>
      /command Dial refused: published by/.test(e2e.stack.relayLog())
    );
    assert.equal(placed().length, placedBefore);
    assert.equal((await e2e.user(ALICE.upn)).ringing.length, 0);
  });

  it('[B09] a number that is not E.164 is refused in Apex with the phone rule message; nothing is published', async () => {
    await assert.rejects(
      e2e.apex(e2e.seededUserId(ALICE.upn), 'TeamsSoftphoneController', 'dial', {
        phoneNumber: '555 0123',
        requestId: 'bad-number'
      }),
      /international format/
    );
  });
});
