import { createElement } from 'lwc';
import TeamsSoftphone from 'c/teamsSoftphone';
import { openAgentStream } from 'c/teamsAgentStream';
import { EnclosingUtilityId } from 'lightning/platformUtilityBarApi';
import { createMessageContext, publish, resetMessageService } from 'lightning/messageService';
import DIAL_INTENT_CHANNEL from '@salesforce/messageChannel/TeamsDialIntent__c';
import getAgentContext from '@salesforce/apex/TeamsSoftphoneController.getAgentContext';
import getOpenCalls from '@salesforce/apex/TeamsSoftphoneController.getOpenCalls';
import findCallerMatches from '@salesforce/apex/TeamsSoftphoneController.findCallerMatches';
import sendCommand from '@salesforce/apex/TeamsSoftphoneController.sendCommand';
import dial from '@salesforce/apex/TeamsSoftphoneController.dial';
import { flushPromises, resetDom } from '../../../../../../jest-mocks/utils';

const fixtures = require('./fixtures.json');

jest.mock('../labels', () => {
  const en = require('./labels.en.json');
  const labels = {};
  for (const [name, value] of Object.entries(en)) labels[name.replace('TeamsSoftphone_', '')] = value;
  return { __esModule: true, default: labels };
});
for (const method of [
  'getAgentContext',
  'getOpenCalls',
  'findCallerMatches',
  'sendCommand',
  'linkRecord',
  'saveWrapUp',
  'dial'
])
  jest.mock(`@salesforce/apex/TeamsSoftphoneController.${method}`, () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TeamsStreamAccessController.getStreamAccess', () => ({ default: jest.fn() }), {
  virtual: true
});
jest.mock('c/teamsAgentStream', () => ({ openAgentStream: jest.fn() }));

const AGENT_ID = '005000000000000000';
const emit = (payload) => {
  for (const s of openAgentStream.mock.results.map((r) => r.value).filter((x) => !x.closed))
    s.options.onEvent(payload, 'call');
};
const callEvent = (fields) => {
  emit({
    Kind__c: 'Call',
    AgentUserId__c: AGENT_ID,
    TeamsCallId__c: 'out-1',
    CallerNumber__c: '+442079460000',
    Direction__c: 'Outbound',
    OccurredAt__c: '2026-11-24T10:00:00.000Z',
    ...fields
  });
  return flushPromises();
};
const $ = (el, selector) => el.shadowRoot.querySelector(selector);
const $$ = (el, selector) => Array.from(el.shadowRoot.querySelectorAll(selector));

async function render() {
  const element = createElement('c-teams-softphone', { is: TeamsSoftphone });
  document.body.appendChild(element);
  EnclosingUtilityId.emit('utility-1');
  await flushPromises();
  await flushPromises();
  return element;
}

async function typeNumber(el, value) {
  const input = $(el, 'lightning-input.dial-number');
  input.value = value;
  input.dispatchEvent(new CustomEvent('change', { detail: { value } }));
  await flushPromises();
}

beforeEach(() => {
  openAgentStream.mockImplementation((options) => {
    const stream = { options, closed: false };
    stream.close = jest.fn(() => (stream.closed = true));
    return stream;
  });
  getAgentContext.mockResolvedValue({ ...fixtures.agentContext });
  getOpenCalls.mockResolvedValue([]);
  findCallerMatches.mockResolvedValue([]);
  sendCommand.mockResolvedValue('cmd-1');
  dial.mockResolvedValue('dial-cmd-1');
});

afterEach(() => {
  window.sessionStorage.clear();
  resetDom();
  resetMessageService();
  jest.clearAllMocks();
});

describe('[B09] dialling from the softphone', () => {
  it('[B09] the dial pad sends the number with a request id and clears itself once Apex accepted it', async () => {
    const el = await render();
    await typeNumber(el, '+44 20 7946 0000');
    $(el, 'lightning-button.dial-call').click();
    await flushPromises();
    expect(dial).toHaveBeenCalledTimes(1);
    const [{ phoneNumber, requestId }] = dial.mock.calls[0];
    expect(phoneNumber).toBe('+44 20 7946 0000');
    expect(requestId).toMatch(/^[A-Za-z0-9-]{1,64}$/);
    expect($(el, 'lightning-input.dial-number').value).toBe('');
  });

  it('[B09] a double click while the request is in flight dials once', async () => {
    let accept;
    dial.mockImplementation(() => new Promise((resolve) => (accept = resolve)));
    const el = await render();
    await typeNumber(el, '+442079460000');
    $(el, 'lightning-button.dial-call').click();
    $(el, 'lightning-button.dial-call').click();
    await flushPromises();
    expect($(el, 'lightning-button.dial-call').disabled).toBe(true);
    accept('dial-cmd-1');
    await flushPromises();
    expect(dial).toHaveBeenCalledTimes(1);
    expect($(el, 'lightning-button.dial-call').disabled).toBe(false);
  });

  it('[B09] a refused number shows Apex’s message; retrying the same number reuses the request id', async () => {
    dial.mockRejectedValueOnce({ body: { message: 'Enter the phone number in international format.' } });
    const el = await render();
    await typeNumber(el, '020 7946 0000');
    $(el, 'lightning-button.dial-call').click();
    await flushPromises();
    expect($(el, '.dial-error').textContent).toBe('Enter the phone number in international format.');
    $(el, 'lightning-button.dial-call').click();
    await flushPromises();
    expect(dial.mock.calls[1][0].requestId).toBe(dial.mock.calls[0][0].requestId);
    await typeNumber(el, '+442079460000');
    expect($(el, '.dial-error')).toBeNull();
  });

  it('[B09] a Call button on a record page (dial intent) dials that number from the call-back card', async () => {
    const el = await render();
    publish(createMessageContext(), DIAL_INTENT_CHANNEL, {
      phoneNumber: '+442079460000',
      recordId: '003000000000001AAA'
    });
    await flushPromises();
    $(el, 'lightning-button.dial-intent-call').click();
    await flushPromises();
    expect(dial.mock.calls[0][0].phoneNumber).toBe('+442079460000');
    expect($(el, '.dial-intent')).toBeNull();
  });

  it('[B09] while Teams rings the agent for their dial: Outgoing call, answer in Teams, Cancel sends Reject', async () => {
    const el = await render();
    await callEvent({ Sequence__c: 1, State__c: 'Ringing' });
    const section = $(el, 'section[data-call-id="out-1"]');
    expect(section.querySelector('.call-heading').textContent).toBe('Outgoing call');
    expect(section.querySelector('.answer-in-teams').textContent).toContain('Answer in Microsoft Teams');
    const cancel = section.querySelector('lightning-button.reject');
    expect(cancel.title).toMatch(/^Cancel the call to \+44 ?20/);
    expect(cancel.label).toBe('Cancel call');
    cancel.click();
    await flushPromises();
    expect(sendCommand).toHaveBeenCalledWith({ teamsCallId: 'out-1', action: 'Reject' });
  });

  for (const [state, reason, message] of [
    ['Rejected', 'Declined', 'You declined the call in Teams; nothing was dialled.'],
    ['Missed', 'NoAnswer', 'No answer; the call was not connected.'],
    ['Ended', 'Busy', 'The number was busy.'],
    ['Missed', 'Failed', 'The call could not be placed. Try again.']
  ]) {
    it(`[B09] a dial that ends ${state} (${reason}) says so`, async () => {
      const el = await render();
      await callEvent({ Sequence__c: 1, State__c: 'Ringing' });
      await callEvent({ Sequence__c: 2, State__c: state, Reason__c: reason });
      expect($$(el, '.notice-message').map((n) => n.textContent)).toEqual([message]);
      expect($(el, 'section[data-call-id="out-1"]')).toBeNull();
    });
  }

  it('[B09] cancelling one’s own dial leaves no notice', async () => {
    const el = await render();
    await callEvent({ Sequence__c: 1, State__c: 'Ringing' });
    await callEvent({ Sequence__c: 2, State__c: 'Missed', Reason__c: 'AgentHungUp' });
    expect($$(el, '.notice-message')).toEqual([]);
  });

  it('[B09] "Call back" on a missed-call notice dials the caller', async () => {
    const el = await render();
    await callEvent({
      TeamsCallId__c: 'in-1',
      Direction__c: 'Inbound',
      Sequence__c: 1,
      State__c: 'Ringing',
      CallerNumber__c: '+4930123456789'
    });
    await callEvent({
      TeamsCallId__c: 'in-1',
      Direction__c: 'Inbound',
      Sequence__c: 2,
      State__c: 'Abandoned',
      Reason__c: 'CallerHungUp',
      CallerNumber__c: '+4930123456789'
    });
    $(el, 'lightning-button.notice-call-back').click();
    await flushPromises();
    expect(dial.mock.calls[0][0].phoneNumber).toBe('+4930123456789');
  });
});
