import { createElement } from 'lwc';
import TeamsSoftphone, { COMMAND_TIMEOUT_MS } from 'c/teamsSoftphone';
import { openAgentStream } from 'c/teamsAgentStream';
import { getNavigateCalledWith, resetNavigation } from 'lightning/navigation';
import { EnclosingUtilityId, open as openUtility, updateUtility } from 'lightning/platformUtilityBarApi';
import { IsConsoleNavigation, getFocusedTabInfo, openTab } from 'lightning/platformWorkspaceApi';
import { createMessageContext, publish, resetMessageService } from 'lightning/messageService';
import { encodeDefaultFieldValues } from 'lightning/pageReferenceUtils';
import DIAL_INTENT_CHANNEL from '@salesforce/messageChannel/TeamsDialIntent__c';
import CALL_ENDED_CHANNEL from '@salesforce/messageChannel/TeamsCallEnded__c';
import getAgentContext from '@salesforce/apex/TeamsSoftphoneController.getAgentContext';
import getOpenCalls from '@salesforce/apex/TeamsSoftphoneController.getOpenCalls';
import findCallerMatches from '@salesforce/apex/TeamsSoftphoneController.findCallerMatches';
import sendCommand from '@salesforce/apex/TeamsSoftphoneController.sendCommand';
import linkRecord from '@salesforce/apex/TeamsSoftphoneController.linkRecord';
import saveWrapUp from '@salesforce/apex/TeamsSoftphoneController.saveWrapUp';
import { flushPromises, resetDom } from '../../../../../../jest-mocks/utils';

const fixtures = require('./fixtures.json');

// Real English label values instead of the transformer's "c.Label" placeholders, so assertions read like the UI.
jest.mock('../labels', () => {
  const en = require('./labels.en.json');
  const labels = {};
  for (const [name, value] of Object.entries(en)) labels[name.replace('TeamsSoftphone_', '')] = value;
  return { __esModule: true, default: labels };
});
jest.mock('@salesforce/apex/TeamsSoftphoneController.getAgentContext', () => ({ default: jest.fn() }), {
  virtual: true
});
jest.mock('@salesforce/apex/TeamsSoftphoneController.getOpenCalls', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TeamsSoftphoneController.findCallerMatches', () => ({ default: jest.fn() }), {
  virtual: true
});
jest.mock('@salesforce/apex/TeamsSoftphoneController.sendCommand', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TeamsSoftphoneController.linkRecord', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TeamsSoftphoneController.saveWrapUp', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TeamsStreamAccessController.getStreamAccess', () => ({ default: jest.fn() }), {
  virtual: true
});
// B10: the agent stream client, driven by the tests: they deliver events and status changes as the relay would.
jest.mock('c/teamsAgentStream', () => ({ openAgentStream: jest.fn() }));

/** The softphone's open stream (the last one opened and not closed). */
let stream = null;
const openStreams = () => openAgentStream.mock.results.map((r) => r.value).filter((s) => !s.closed);
/** Deliver an event on the agent's stream, as the relay sends it. */
const emit = (payload) => {
  for (const s of openStreams()) s.options.onEvent(payload, payload.Kind__c === 'Presence' ? 'presence' : 'call');
};

// What @salesforce/user/Id resolves to under sfdx-lwc-jest.
const AGENT_ID = '005000000000000000';
const OTHER_AGENT_ID = '005000000000009ZZZ';

/** Deliver a call event for the agent on the stream (fields override the defaults). */
const callEvent = (fields) => {
  emit({
    Kind__c: 'Call',
    AgentUserId__c: AGENT_ID,
    TeamsCallId__c: 'call-1',
    CallerNumber__c: '+4930123456789',
    CallerName__c: 'Erika Mustermann',
    Direction__c: 'Inbound',
    OccurredAt__c: '2026-11-24T10:00:00.000Z',
    ...fields
  });
  return flushPromises();
};

const $ = (el, selector) => el.shadowRoot.querySelector(selector);
const $$ = (el, selector) => Array.from(el.shadowRoot.querySelectorAll(selector));
const text = (el, selector) => $(el, selector)?.textContent.trim();
const buttonLabels = (el) => $$(el, 'lightning-button').map((b) => b.label);
/** Everything an agent can perceive: text, buttons and their state, section styling. */
const view = (el) =>
  JSON.stringify({
    text: el.shadowRoot.textContent,
    buttons: $$(el, 'lightning-button').map((b) => [b.label, b.disabled]),
    sections: $$(el, 'section').map((s) => s.className)
  });
const callSection = (el, teamsCallId) => $(el, `section[data-call-id="${teamsCallId}"]`);

/** S02: nothing anywhere in the softphone lets the agent answer. */
const expectNoAnswerButton = (el) => {
  for (const label of buttonLabels(el)) expect(label).not.toMatch(/^answer$/i);
  for (const b of $$(el, 'lightning-button, lightning-button-icon')) {
    expect(b.dataset.action ?? '').not.toMatch(/answer/i);
  }
};

async function render() {
  const element = createElement('c-teams-softphone', { is: TeamsSoftphone });
  document.body.appendChild(element);
  EnclosingUtilityId.emit('utility-1');
  await flushPromises();
  await flushPromises();
  return element;
}

const ringing = () => callEvent({ Sequence__c: 1, State__c: 'Ringing' });
const connected = () => callEvent({ Sequence__c: 2, State__c: 'Connected', OccurredAt__c: '2026-11-24T10:00:05.000Z' });

beforeEach(() => {
  openAgentStream.mockImplementation((options) => {
    stream = { options, closed: false };
    stream.close = jest.fn(() => (stream.closed = true));
    return stream;
  });
  getAgentContext.mockResolvedValue({ ...fixtures.agentContext });
  getOpenCalls.mockResolvedValue([]);
  findCallerMatches.mockResolvedValue(fixtures.oneMatch);
  sendCommand.mockResolvedValue('cmd-1');
  encodeDefaultFieldValues.mockImplementation((values) =>
    Object.entries(values)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join(',')
  );
});

afterEach(() => {
  window.sessionStorage.clear();
  resetDom();
  stream = null;
  resetNavigation();
  resetMessageService();
  jest.clearAllMocks();
  jest.restoreAllMocks();
});

describe('ringing', () => {
  it('[S01] shows the formatted caller number, the Teams display name and the matched record', async () => {
    const el = await render();
    await ringing();

    expect(text(el, '.call-heading')).toBe('Incoming call');
    expect(text(el, '.caller-number')).toBe('+49 30123456789');
    expect(text(el, '.caller-name')).toBe('Erika Mustermann');
    expect(findCallerMatches).toHaveBeenCalledWith({ phoneNumber: '+4930123456789' });
    expect($$(el, 'lightning-button.match').map((b) => b.label)).toEqual(['Erika Mustermann']);
    await expect(el).toBeAccessible();
  });

  it('[S01] opens and highlights the utility when a call starts ringing', async () => {
    await render();
    await ringing();

    expect(openUtility).toHaveBeenCalledWith('utility-1', { autoFocus: false });
    expect(updateUtility).toHaveBeenCalledWith('utility-1', expect.objectContaining({ highlighted: true }));
  });

  it('[S02] says "Answer in Microsoft Teams", offers Reject, and has no Answer button', async () => {
    const el = await render();
    await ringing();

    expect(text(el, '.answer-in-teams')).toBe('Answer in Microsoft Teams');
    expect(buttonLabels(el)).toContain('Reject');
    expectNoAnswerButton(el);
  });

  it('[S14] Reject sends the Reject command and disables the button while it is in flight', async () => {
    let resolve;
    sendCommand.mockReturnValue(new Promise((r) => (resolve = r)));
    const el = await render();
    await ringing();

    $(el, 'lightning-button.reject').click();
    await flushPromises();

    expect(sendCommand).toHaveBeenCalledWith({ teamsCallId: 'call-1', action: 'Reject' });
    expect($(el, 'lightning-button.reject').disabled).toBe(true);
    expect(text(el, '.command-pending')).toBe('Sending to Microsoft Teams…');
    await expect(el).toBeAccessible();

    resolve('cmd-1');
    await callEvent({ Sequence__c: 2, State__c: 'Rejected', Reason__c: 'Declined' });
    expect(callSection(el, 'call-1')).toBeNull();
    expect($(el, '.notice')).toBeNull();
  });
});

describe('screen pop', () => {
  it('[B03] one match opens the record in a console tab', async () => {
    await render();
    IsConsoleNavigation.emit(true);
    await ringing();
    await flushPromises();

    expect(openTab).toHaveBeenCalledWith({ recordId: '003000000000001AAA', focus: true });
  });

  it('[B03] one match navigates to the record outside the console', async () => {
    await render();
    IsConsoleNavigation.emit(false);
    await ringing();
    await flushPromises();

    expect(openTab).not.toHaveBeenCalled();
    expect(getNavigateCalledWith().pageReference).toEqual({
      type: 'standard__recordPage',
      attributes: { recordId: '003000000000001AAA', actionName: 'view' }
    });
  });

  it('[B03] does not pop when the org setting says Never', async () => {
    getAgentContext.mockResolvedValue({ ...fixtures.agentContext, screenPop: 'Never' });
    const el = await render();
    IsConsoleNavigation.emit(true);
    await ringing();
    await flushPromises();

    expect(openTab).not.toHaveBeenCalled();
    expect($$(el, 'lightning-button.match')).toHaveLength(1);
  });

  it('[B03] several matches are offered as a pick list, and the chosen one opens', async () => {
    findCallerMatches.mockResolvedValue(fixtures.severalMatches);
    const el = await render();
    IsConsoleNavigation.emit(true);
    await ringing();

    expect(openTab).not.toHaveBeenCalled();
    expect(text(el, '.pick-match')).toBe('Several records match. Choose one to open:');
    const choices = $$(el, '.match-list lightning-button.match');
    expect(choices.map((b) => b.label)).toEqual(['Erika Mustermann', 'Max Mustermann']);
    await expect(el).toBeAccessible();

    choices[1].click();
    await flushPromises();
    expect(openTab).toHaveBeenCalledWith({ recordId: '00Q000000000002AAA', focus: true });
  });

  it('[B03] no match offers New Contact and New Lead prefilled with the number', async () => {
    findCallerMatches.mockResolvedValue([]);
    const el = await render();
    IsConsoleNavigation.emit(false);
    await ringing();

    expect(text(el, '.no-match')).toBe('No record matches this number.');
    await expect(el).toBeAccessible();
    $(el, 'lightning-button.new-lead').click();
    await flushPromises();

    expect(getNavigateCalledWith().pageReference).toEqual({
      type: 'standard__objectPage',
      attributes: { objectApiName: 'Lead', actionName: 'new' },
      state: { defaultFieldValues: 'Phone=%2B4930123456789' }
    });
  });
});

describe('active call', () => {
  it('[S03] shows caller, matched record, a running duration, Hold and Hang up', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-11-24T10:01:10.000Z'));
    const el = await render();
    await ringing();
    await connected();

    expect(text(el, '.call-heading')).toBe('Active call');
    expect(text(el, '.caller-name')).toBe('Erika Mustermann');
    expect($$(el, 'lightning-button.match').map((b) => b.label)).toEqual(['Erika Mustermann']);
    expect(text(el, '.duration-label')).toBe('Duration');
    expect(text(el, '.duration-value')).toBe('1:05');
    expect(buttonLabels(el)).toEqual(expect.arrayContaining(['Hold', 'Hang up']));
    expectNoAnswerButton(el);
    await expect(el).toBeAccessible();

    now.mockReturnValue(Date.parse('2026-11-24T10:01:20.000Z'));
    await new Promise((r) => setTimeout(r, 1100));
    expect(text(el, '.duration-value')).toBe('1:15');
  });

  it('[S05] Hold sends the command with buttons disabled in flight; on hold is shown unmistakably with Resume', async () => {
    let resolve;
    sendCommand.mockReturnValue(new Promise((r) => (resolve = r)));
    const el = await render();
    await ringing();
    await connected();

    $(el, 'lightning-button.hold').click();
    await flushPromises();
    expect(sendCommand).toHaveBeenCalledWith({ teamsCallId: 'call-1', action: 'Hold' });
    expect($(el, 'lightning-button.hold').disabled).toBe(true);
    expect($(el, 'lightning-button.hang-up').disabled).toBe(true);

    resolve('cmd-1');
    await callEvent({ Sequence__c: 3, State__c: 'OnHold' });
    expect(text(el, '.call-heading')).toBe('On hold');
    expect(text(el, '.on-hold-banner')).toBe('On hold — the caller hears hold music');
    expect(callSection(el, 'call-1').classList.contains('call_on-hold')).toBe(true);
    expect($(el, 'lightning-button.resume').disabled).toBe(false);
    expect($(el, 'lightning-button.hold')).toBeNull();
    await expect(el).toBeAccessible();

    $(el, 'lightning-button.resume').click();
    await flushPromises();
    expect(sendCommand).toHaveBeenLastCalledWith({ teamsCallId: 'call-1', action: 'Resume' });
  });

  it('[S05] a refused command shows a clear message, never the raw error, and re-enables the buttons', async () => {
    sendCommand.mockRejectedValue({ body: { message: 'System.NullPointerException: boom' } });
    const el = await render();
    await ringing();
    await connected();

    $(el, 'lightning-button.hold').click();
    await flushPromises();

    expect(text(el, '.command-failed')).toBe(
      'Microsoft Teams did not accept “Hold”. Try again, or use the Teams client.'
    );
    expect(el.shadowRoot.textContent).not.toContain('NullPointerException');
    expect($(el, 'lightning-button.hold').disabled).toBe(false);
    await expect(el).toBeAccessible();
  });

  it('[S05] a command Teams never confirms unlocks the buttons with a clear message', async () => {
    const el = await render();
    await ringing();
    await connected();
    jest.useFakeTimers();
    try {
      $(el, 'lightning-button.hold').click();
      await Promise.resolve();
      await Promise.resolve();
      expect($(el, 'lightning-button.hold').disabled).toBe(true);

      jest.advanceTimersByTime(COMMAND_TIMEOUT_MS);
      await Promise.resolve();
    } finally {
      jest.useRealTimers();
    }

    expect(text(el, '.command-failed')).toBe(
      'Microsoft Teams has not confirmed “Hold”. Check the call in Teams, then try again.'
    );
    expect($(el, 'lightning-button.hold').disabled).toBe(false);
  });

  it('[S05] the relay reporting a failed command shows the message and keeps the call as it was', async () => {
    const el = await render();
    await ringing();
    await connected();
    $(el, 'lightning-button.hold').click();
    await flushPromises();

    await callEvent({ Sequence__c: 3, State__c: 'Connected', Reason__c: 'Failed' });

    expect(text(el, '.call-heading')).toBe('Active call');
    expect(text(el, '.command-failed')).toBe(
      'Microsoft Teams did not accept “Hold”. Try again, or use the Teams client.'
    );
    expect($(el, 'lightning-button.hold').disabled).toBe(false);
  });

  it('[S06] Hang up sends the Hangup command and the ended call moves to wrap-up', async () => {
    const el = await render();
    await ringing();
    await connected();

    $(el, 'lightning-button.hang-up').click();
    await flushPromises();
    expect(sendCommand).toHaveBeenCalledWith({ teamsCallId: 'call-1', action: 'Hangup' });

    await callEvent({ Sequence__c: 3, State__c: 'Ended', Reason__c: 'AgentHungUp' });
    expect(callSection(el, 'call-1')).toBeNull();
    expect(text(el, '.wrap-up-heading')).toBe('Wrap up the call with Erika Mustermann');
  });
});

describe('wrap-up', () => {
  const endCall = async () => {
    await ringing();
    await connected();
    await callEvent({ Sequence__c: 3, State__c: 'Ended', Reason__c: 'CallerHungUp' });
  };

  it('[B04] saves notes, disposition, do-not-log and the record linked from the screen', async () => {
    getFocusedTabInfo.mockResolvedValue({ tabId: 'tab-7', recordId: '001000000000004AAA' });
    linkRecord.mockResolvedValue({
      teamsCallId: 'call-1',
      linkedRecordId: '001000000000004AAA',
      linkedRecordName: 'Contoso GmbH'
    });
    saveWrapUp.mockResolvedValue({ teamsCallId: 'call-1' });
    const el = await render();
    await endCall();
    await expect(el).toBeAccessible();

    const notes = $(el, 'lightning-textarea.wrap-up-notes');
    notes.dispatchEvent(new CustomEvent('change', { detail: { value: 'Wants a quote' } }));
    $(el, 'lightning-combobox.wrap-up-disposition').dispatchEvent(
      new CustomEvent('change', { detail: { value: 'FollowUpNeeded' } })
    );
    $(el, 'lightning-input.wrap-up-do-not-log').dispatchEvent(new CustomEvent('change', { detail: { checked: true } }));
    $(el, 'lightning-button.wrap-up-link').click();
    await flushPromises();
    await flushPromises();

    expect(linkRecord).toHaveBeenCalledWith({ teamsCallId: 'call-1', recordId: '001000000000004AAA' });
    const record = $(el, 'lightning-combobox.wrap-up-record');
    expect(record.value).toBe('001000000000004AAA');
    expect(record.options.map((o) => o.label)).toContain('Contoso GmbH');

    $(el, 'lightning-button.wrap-up-save').click();
    await flushPromises();

    expect(saveWrapUp).toHaveBeenCalledWith({
      teamsCallId: 'call-1',
      notes: 'Wants a quote',
      disposition: 'FollowUpNeeded',
      doNotLog: true,
      recordId: '001000000000004AAA'
    });
    expect($(el, '.wrap-up')).toBeNull();
    expect(text(el, '.idle')).toBe('No calls right now.');
  });

  it('[B04] preselects the single matched record and keeps the form when saving fails', async () => {
    saveWrapUp.mockRejectedValue(new Error('FIELD_CUSTOM_VALIDATION_EXCEPTION'));
    const el = await render();
    await endCall();

    expect($(el, 'lightning-combobox.wrap-up-record').value).toBe('003000000000001AAA');
    $(el, 'lightning-button.wrap-up-save').click();
    await flushPromises();

    expect(text(el, '.wrap-up-error')).toBe('The wrap-up could not be saved. Try again.');
    expect(el.shadowRoot.textContent).not.toContain('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    expect($(el, 'lightning-button.wrap-up-save').disabled).toBe(false);
    await expect(el).toBeAccessible();
  });

  it('[B03] linking with no record on screen says what to do and calls nothing', async () => {
    getFocusedTabInfo.mockResolvedValue({ tabId: 'tab-0' });
    const el = await render();
    await ringing();
    await connected();

    $(el, 'lightning-button.link-on-screen').click();
    await flushPromises();

    expect(linkRecord).not.toHaveBeenCalled();
    expect(text(el, '.link-error')).toBe('Open a Contact, Lead or Account tab first, then link it.');
  });
});

describe('two calls', () => {
  it('[S09] a second call while on a call shows both: the active one and the waiting one', async () => {
    const el = await render();
    await ringing();
    await connected();
    await callEvent({
      TeamsCallId__c: 'call-2',
      Sequence__c: 1,
      State__c: 'Ringing',
      CallerNumber__c: '+441632960002',
      CallerName__c: 'John Smith',
      RelatedCallId__c: 'call-1'
    });

    const waiting = callSection(el, 'call-2');
    const active = callSection(el, 'call-1');
    expect(waiting.querySelector('.call-heading').textContent).toBe('Call waiting');
    expect(waiting.querySelector('.caller-name').textContent).toBe('John Smith');
    expect(active.querySelector('.call-heading').textContent).toBe('Active call');
    expect(waiting.querySelector('lightning-button.reject')).not.toBeNull();
    expectNoAnswerButton(el);
    await expect(el).toBeAccessible();
  });

  it('[B03][S09] the waiting call pops its record in a tab that does not take focus from the call in progress', async () => {
    await render();
    IsConsoleNavigation.emit(true);
    await ringing();
    expect(openTab).toHaveBeenLastCalledWith({ recordId: '003000000000001AAA', focus: true });
    await connected();
    findCallerMatches.mockResolvedValue([{ ...fixtures.oneMatch[0], recordId: '003000000000002AAA' }]);
    await callEvent({
      TeamsCallId__c: 'call-2',
      Sequence__c: 1,
      State__c: 'Ringing',
      CallerNumber__c: '+441632960002'
    });

    expect(openTab).toHaveBeenLastCalledWith({ recordId: '003000000000002AAA', focus: false });
  });

  it('[S16] answering the second call in Teams holds the first; when the first ends the second is active', async () => {
    const el = await render();
    await ringing();
    await connected();
    await callEvent({
      TeamsCallId__c: 'call-2',
      Sequence__c: 1,
      State__c: 'Ringing',
      CallerNumber__c: '+441632960002'
    });
    await callEvent({ Sequence__c: 3, State__c: 'OnHold' });
    await callEvent({
      TeamsCallId__c: 'call-2',
      Sequence__c: 2,
      State__c: 'Connected',
      CallerNumber__c: '+441632960002'
    });

    expect(callSection(el, 'call-2').querySelector('.call-heading').textContent).toBe('Active call');
    expect(callSection(el, 'call-1').querySelector('.call-heading').textContent).toBe('On hold');
    expect(callSection(el, 'call-1').querySelector('.on-hold-banner')).not.toBeNull();
    await expect(el).toBeAccessible();

    await callEvent({ Sequence__c: 4, State__c: 'Ended', Reason__c: 'CallerHungUp' });
    expect(callSection(el, 'call-1')).toBeNull();
    expect(callSection(el, 'call-2').querySelector('.call-heading').textContent).toBe('Active call');
    expect($$(el, 'section[data-call-id]')).toHaveLength(1);
  });
});

describe('notices', () => {
  it('[S04] a call not answered in time shows where it went, counts in the badge, and can be dismissed', async () => {
    const el = await render();
    await ringing();
    await callEvent({ Sequence__c: 2, State__c: 'Redirected', Reason__c: 'NoAnswer', Target__c: 'Anna Schmidt' });

    expect(text(el, '.notice-message')).toBe('Not answered; forwarded to Anna Schmidt');
    expect($(el, 'lightning-badge.missed-badge').label).toBe('1 missed');
    await expect(el).toBeAccessible();

    const dismiss = $(el, 'lightning-button-icon.notice-dismiss');
    expect(dismiss.alternativeText).toBe('Dismiss the notice about Erika Mustermann · +49 30123456789');
    dismiss.click();
    await flushPromises();
    expect($(el, '.notice')).toBeNull();
    expect($(el, 'lightning-badge.missed-badge')).toBeNull();
  });

  it('[S08] a call suppressed by Do Not Disturb is signalled as a missed notice with its destination', async () => {
    const el = await render();
    await callEvent({
      Sequence__c: 1,
      State__c: 'Suppressed',
      Reason__c: 'DoNotDisturb',
      Target__c: 'Teams voicemail'
    });

    expect(text(el, '.notice-message')).toBe('Missed — your status was Do not disturb; sent to Teams voicemail');
    expect($(el, 'section[data-call-id]')).toBeNull();
    // Teams did not ring, so the softphone is what tells the agent: it opens and stays highlighted (S08).
    expect(openUtility).toHaveBeenCalledWith('utility-1', { autoFocus: false });
    expect(updateUtility).toHaveBeenLastCalledWith('utility-1', expect.objectContaining({ highlighted: true }));
    await expect(el).toBeAccessible();
  });

  it.each([
    [
      'SharedVoicemail:+15555550190',
      'Missed — your status was Do not disturb; sent to shared voicemail +1 (555) 555-0190'
    ],
    ['TeamsUser:6e2a4b1c-0f41-4c5a-9d3e-1a2b3c4d5e02', 'Missed — your status was Do not disturb; sent to a Teams user'],
    ['SoftphoneUser:005000000000001AAA', 'Missed — your status was Do not disturb; sent to another softphone user'],
    ['PhoneNumber:+15555550199', 'Missed — your status was Do not disturb; sent to +1 (555) 555-0199'],
    ['TeamsClientSettings', 'Missed — your status was Do not disturb; sent to your Teams settings']
  ])('[S08][S13] a notice names the target %p in words, never as a raw id', async (target, message) => {
    const el = await render();
    await callEvent({ Sequence__c: 1, State__c: 'Suppressed', Reason__c: 'DoNotDisturb', Target__c: target });
    expect(text(el, '.notice-message')).toBe(message);
  });

  it('[S12] the caller hanging up while ringing shows "Caller hung up" and clears the highlight', async () => {
    const el = await render();
    await ringing();
    await callEvent({ Sequence__c: 2, State__c: 'Abandoned', Reason__c: 'CallerHungUp' });

    expect(text(el, '.notice-message')).toBe('Caller hung up');
    expect(callSection(el, 'call-1')).toBeNull();
    // A missed call keeps the utility highlighted until the agent has seen it (dismissed the notice).
    expect(updateUtility).toHaveBeenLastCalledWith('utility-1', expect.objectContaining({ highlighted: true }));
    await expect(el).toBeAccessible();

    $(el, 'lightning-button-icon.notice-dismiss').click();
    await flushPromises();
    expect(updateUtility).toHaveBeenLastCalledWith('utility-1', expect.objectContaining({ highlighted: false }));
  });
});

describe('continuity across a reload', () => {
  const reload = async (el) => {
    el.remove();
    return render();
  };

  it('[B02][S08] notices survive a reload of the console and stay dismissible', async () => {
    let el = await render();
    await callEvent({
      Sequence__c: 1,
      State__c: 'Suppressed',
      Reason__c: 'DoNotDisturb',
      Target__c: 'TeamsClientSettings'
    });
    jest.clearAllMocks();
    el = await reload(el);

    expect(text(el, '.notice-message')).toBe('Missed — your status was Do not disturb; sent to your Teams settings');
    expect($(el, 'lightning-badge.missed-badge').label).toBe('1 missed');
    // Still unseen: the utility is highlighted again, without popping open on every reload.
    expect(updateUtility).toHaveBeenLastCalledWith('utility-1', expect.objectContaining({ highlighted: true }));
    expect(openUtility).not.toHaveBeenCalled();
    $(el, 'lightning-button-icon.notice-dismiss').click();
    await flushPromises();
    el = await reload(el);
    expect($(el, '.notice')).toBeNull();
  });

  it('[B02][B04] an unfinished wrap-up survives a reload with the notes typed so far', async () => {
    let el = await render();
    await ringing();
    await connected();
    await callEvent({ Sequence__c: 3, State__c: 'Ended', Reason__c: 'CallerHungUp' });
    const notes = $(el, 'lightning-textarea.wrap-up-notes');
    notes.dispatchEvent(new CustomEvent('change', { detail: { value: 'Wants a call back on Monday' } }));
    await flushPromises();
    el = await reload(el);

    expect(text(el, '.wrap-up-heading')).toBe('Wrap up the call with Erika Mustermann');
    expect($(el, 'lightning-textarea.wrap-up-notes').value).toBe('Wants a call back on Monday');
    expect($(el, 'lightning-combobox.wrap-up-record').value).toBe('003000000000001AAA');
  });

  it('[B02] a late event for a restored call does not bring the call back', async () => {
    let el = await render();
    await callEvent({ Sequence__c: 2, State__c: 'Suppressed', Reason__c: 'DoNotDisturb' });
    el = await reload(el);
    await callEvent({ Sequence__c: 1, State__c: 'Ringing' });
    expect(callSection(el, 'call-1')).toBeNull();
    expect($$(el, '.notice')).toHaveLength(1);
  });

  it('[B02] storage from another user or in a broken shape is ignored', async () => {
    window.sessionStorage.setItem('teamsSoftphone.v1.005000000000009ZZZ', JSON.stringify({ notices: [{ id: 'x' }] }));
    window.sessionStorage.setItem('teamsSoftphone.v1.005000000000000000', '{not json');
    const el = await render();
    expect($(el, '.notice')).toBeNull();
    expect(text(el, '.idle')).toBe('No calls right now.');
  });
});

describe('presence', () => {
  it('[S10] shows the presence from the agent context, then live presence events', async () => {
    const el = await render();
    expect(text(el, '.presence-label')).toBe('Available');

    emit({ Kind__c: 'Presence', AgentUserId__c: AGENT_ID, Presence__c: 'InACall' });
    await flushPromises();
    expect(text(el, '.presence-label')).toBe('In a call');
    await expect(el).toBeAccessible();
  });

  it('[S10] shows idle variants of a Teams presence as the plain presence', async () => {
    const el = await render();

    emit({ Kind__c: 'Presence', AgentUserId__c: AGENT_ID, Presence__c: 'BusyIdle' });
    await flushPromises();
    expect(text(el, '.presence-label')).toBe('Busy');
  });
});

describe('isolation and idempotence', () => {
  it('[S01] events for another agent change nothing', async () => {
    const el = await render();
    const before = view(el);

    await callEvent({ Sequence__c: 1, State__c: 'Ringing', AgentUserId__c: OTHER_AGENT_ID });
    emit({ Kind__c: 'Presence', AgentUserId__c: OTHER_AGENT_ID, Presence__c: 'Away' });
    await flushPromises();

    expect(view(el)).toBe(before);
    expect(findCallerMatches).not.toHaveBeenCalled();
    expect(openUtility).not.toHaveBeenCalled();
  });

  it('[S03] stale and duplicate sequences change nothing', async () => {
    const el = await render();
    await ringing();
    await connected();
    await callEvent({ Sequence__c: 3, State__c: 'OnHold' });
    const before = view(el);

    await connected();
    await ringing();
    await callEvent({ Sequence__c: 3, State__c: 'OnHold' });

    expect(view(el)).toBe(before);
    expect(text(el, '.call-heading')).toBe('On hold');
  });
});

describe('refresh-proof', () => {
  it('[B02] shows the open calls from the controller on load, before any event', async () => {
    getOpenCalls.mockResolvedValue(fixtures.openCalls);
    findCallerMatches.mockResolvedValue([]);
    const el = await render();

    expect(openAgentStream).toHaveBeenCalledTimes(1);
    const call = callSection(el, 'call-restored');
    expect(call.querySelector('.call-heading').textContent).toBe('Active call');
    expect(call.querySelector('.caller-number').textContent).toBe('+44 1632960001');
    expect(call.querySelector('.linked-record').textContent).toBe('Linked record: Jane Doe');
    // A restored call is shown, not popped again.
    expect(openTab).not.toHaveBeenCalled();
    await expect(el).toBeAccessible();
  });

  it('[B10] says "Reconnecting…" while the stream is down, then catches up from Salesforce when it is live again', async () => {
    const el = await render();
    stream.options.onStatus('live');
    await ringing();

    stream.options.onStatus('reconnecting', 'connection lost');
    await flushPromises();
    expect(text(el, '.connection-lost')).toBe('Live call updates were interrupted. Reconnecting…');
    await expect(el).toBeAccessible();

    // Meanwhile the agent answered in Teams; the stream resumes, and the snapshot brings the softphone up to date.
    getOpenCalls.mockResolvedValue([
      {
        teamsCallId: 'call-1',
        state: 'Connected',
        lastSequence: 2,
        callerNumber: '+4930123456789',
        answeredAt: '2026-11-24T10:00:05.000Z'
      }
    ]);
    stream.options.onStatus('live');
    await flushPromises();
    await flushPromises();
    expect(text(el, '.call-heading')).toBe('Active call');
    expect($(el, '.connection-lost')).toBeNull();

    await callEvent({ Sequence__c: 3, State__c: 'OnHold' });
    expect(text(el, '.call-heading')).toBe('On hold');
  });

  it('[B10] when the relay cannot replay what was missed (reset), restores from Salesforce', async () => {
    const el = await render();
    stream.options.onStatus('live');
    await flushPromises();
    getOpenCalls.mockClear();
    getOpenCalls.mockResolvedValue(fixtures.openCalls);
    findCallerMatches.mockResolvedValue([]);
    stream.options.onReset();
    await flushPromises();
    await flushPromises();
    expect(getOpenCalls).toHaveBeenCalledTimes(1);
    expect(callSection(el, 'call-restored')).not.toBeNull();
  });

  it('[B10] says plainly when live updates are unavailable, with the reason and what to check', async () => {
    const el = await render();
    stream.options.onStatus('unavailable', 'unreachable');
    await flushPromises();
    expect(text(el, '.stream-unavailable')).toBe(
      'Live call updates are unavailable (unreachable). Calls still ring in Teams; this list may be out of date. Still retrying. If it persists, ask your admin to check the relay (Teams Phone Setup).'
    );
    expect($(el, '.connection-lost')).toBeNull();
    await expect(el).toBeAccessible();
  });

  it('[S11] tells the call history when one of its calls ended, so it reloads without a subscription of its own', async () => {
    await render();
    await ringing();
    expect(publish).not.toHaveBeenCalledWith(expect.anything(), CALL_ENDED_CHANNEL, expect.anything());
    await callEvent({ Sequence__c: 2, State__c: 'Abandoned', Reason__c: 'CallerHungUp' });
    expect(publish).toHaveBeenCalledWith(expect.anything(), CALL_ENDED_CHANNEL, {
      teamsCallId: 'call-1',
      agentUserId: AGENT_ID
    });
  });

  it('[B10] closes its stream when it leaves the page', async () => {
    const el = await render();
    const opened = stream;
    document.body.removeChild(el);
    expect(opened.close).toHaveBeenCalled();
  });
});

describe('setup and errors', () => {
  it('[B02] an agent without a Teams line sees what to do and no stream opens', async () => {
    getAgentContext.mockResolvedValue({ ...fixtures.agentContext, isConfigured: false });
    const el = await render();

    expect(text(el, '.not-configured')).toBe(
      'No Teams phone line is set up for you yet. Ask your admin to map your user to one.'
    );
    expect(openAgentStream).not.toHaveBeenCalled();
    await expect(el).toBeAccessible();
  });

  it('[B02] a failing controller shows a plain message, not the raw error', async () => {
    getAgentContext.mockRejectedValue({ body: { message: 'Script-thrown exception at line 42' } });
    const el = await render();

    expect(text(el, '.load-failed')).toBe('The softphone could not load your calls. Reload the page to try again.');
    expect(el.shadowRoot.textContent).not.toContain('line 42');
    await expect(el).toBeAccessible();
  });

  it('[S01] a call-back intent from the call history is shown until dismissed', async () => {
    const el = await render();
    publish(createMessageContext(), DIAL_INTENT_CHANNEL, {
      phoneNumber: '+4930123456789',
      recordId: '003000000000001AAA'
    });
    await flushPromises();

    expect(text(el, '.dial-intent-heading')).toBe('Call back +49 30123456789');
    await expect(el).toBeAccessible();
    $(el, 'lightning-button-icon.dial-intent-dismiss').click();
    await flushPromises();
    expect($(el, '.dial-intent')).toBeNull();
  });
});
