import { createElement } from 'lwc';
import TeamsSoftphone, { AFTER_CALL_WORK_KEY_SUFFIX, STORAGE_KEY_PREFIX } from 'c/teamsSoftphone';
import { openAgentStream } from 'c/teamsAgentStream';
import { EnclosingUtilityId } from 'lightning/platformUtilityBarApi';
import { resetMessageService } from 'lightning/messageService';
import getAgentContext from '@salesforce/apex/TeamsSoftphoneController.getAgentContext';
import getOpenCalls from '@salesforce/apex/TeamsSoftphoneController.getOpenCalls';
import findCallerMatches from '@salesforce/apex/TeamsSoftphoneController.findCallerMatches';
import afterCallWork from '@salesforce/apex/TeamsSoftphoneController.afterCallWork';
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
  'dial',
  'afterCallWork'
])
  jest.mock(`@salesforce/apex/TeamsSoftphoneController.${method}`, () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TeamsStreamAccessController.getStreamAccess', () => ({ default: jest.fn() }), {
  virtual: true
});
jest.mock('c/teamsAgentStream', () => ({ openAgentStream: jest.fn() }));

const AGENT_ID = '005000000000000000';
const STORAGE_KEY = `${STORAGE_KEY_PREFIX}${AGENT_ID}${AFTER_CALL_WORK_KEY_SUFFIX}`;
const START = Date.parse('2026-11-24T10:05:00.000Z');
/** The clock the component reads (Date.now); tests move it on by hand. */
let clock = START;

const emit = (payload) => {
  for (const s of openAgentStream.mock.results.map((r) => r.value).filter((x) => !x.closed))
    s.options.onEvent(payload, 'call');
  return flushPromises();
};
const callEvent = (fields) =>
  emit({
    Kind__c: 'Call',
    AgentUserId__c: AGENT_ID,
    TeamsCallId__c: 'call-1',
    CallerNumber__c: '+4930123456789',
    Direction__c: 'Inbound',
    OccurredAt__c: '2026-11-24T10:00:00.000Z',
    ...fields
  });
const presence = (value, sequence) =>
  emit({
    Kind__c: 'Presence',
    AgentUserId__c: AGENT_ID,
    TeamsCallId__c: `presence:${AGENT_ID}`,
    Sequence__c: sequence,
    Presence__c: value,
    OccurredAt__c: '2026-11-24T10:05:01.000Z'
  });
/** A call the agent talked on, then ended. */
async function talkedCallEnds(teamsCallId = 'call-1') {
  await callEvent({ TeamsCallId__c: teamsCallId, Sequence__c: 1, State__c: 'Ringing' });
  await callEvent({ TeamsCallId__c: teamsCallId, Sequence__c: 2, State__c: 'Connected' });
  await callEvent({ TeamsCallId__c: teamsCallId, Sequence__c: 3, State__c: 'Ended', Reason__c: 'CallerHungUp' });
}

const $ = (el, selector) => el.shadowRoot.querySelector(selector);
const countdown = (el) => $(el, '.after-call-work-countdown')?.textContent.trim();

async function render() {
  const element = createElement('c-teams-softphone', { is: TeamsSoftphone });
  document.body.appendChild(element);
  EnclosingUtilityId.emit('utility-1');
  await flushPromises();
  await flushPromises();
  return element;
}

/** Waits (real time, the component's one-second tick) until the condition holds. */
async function until(condition, tries = 100) {
  if (condition() || tries === 0) {
    expect(condition()).toBe(true);
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  await until(condition, tries - 1);
}

beforeEach(() => {
  clock = START;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
  openAgentStream.mockImplementation((options) => {
    const stream = { options, closed: false };
    stream.close = jest.fn(() => (stream.closed = true));
    return stream;
  });
  getAgentContext.mockResolvedValue({ ...fixtures.agentContext, afterCallWorkSeconds: 45 });
  getOpenCalls.mockResolvedValue([]);
  findCallerMatches.mockResolvedValue([]);
  afterCallWork.mockResolvedValue('cmd-acw');
});

afterEach(() => {
  window.sessionStorage.clear();
  resetDom();
  resetMessageService();
  jest.restoreAllMocks();
  jest.clearAllMocks();
});

describe('[B13] after-call work in the softphone', () => {
  it('[B13] a talked call ends: the countdown starts at the agent period with Extend and I’m ready', async () => {
    const el = await render();
    expect($(el, '.after-call-work')).toBeNull();
    await talkedCallEnds();
    expect(countdown(el)).toBe('After-call work — 0:45');
    expect($(el, 'lightning-button.after-call-work-extend').label).toBe('Extend');
    expect($(el, 'lightning-button.after-call-work-ready').label).toBe("I'm ready");
    await expect(el).toBeAccessible();
  });

  it('[B13] Extend asks the relay for the agent and adds the period again from its end', async () => {
    const el = await render();
    await talkedCallEnds();
    clock += 15_000;
    $(el, 'lightning-button.after-call-work-extend').click();
    await flushPromises();
    expect(afterCallWork).toHaveBeenCalledWith({ action: 'Extend' });
    await until(() => countdown(el) === 'After-call work — 1:15');
  });

  it('[B13] Extend never goes past 999 s from now', async () => {
    getAgentContext.mockResolvedValue({ ...fixtures.agentContext, afterCallWorkSeconds: 900 });
    const el = await render();
    await talkedCallEnds();
    $(el, 'lightning-button.after-call-work-extend').click();
    await flushPromises();
    await until(() => countdown(el) === 'After-call work — 16:39');
    expect(Number(window.sessionStorage.getItem(STORAGE_KEY))).toBe(START + 999_000);
  });

  it('[B13] I’m ready ends it at once and the countdown is gone, also after a reload', async () => {
    const el = await render();
    await talkedCallEnds();
    $(el, 'lightning-button.after-call-work-ready').click();
    await flushPromises();
    expect(afterCallWork).toHaveBeenCalledWith({ action: 'Ready' });
    expect($(el, '.after-call-work')).toBeNull();
    expect(window.sessionStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it('[B13] a refusal is shown as Apex says it and the countdown stays', async () => {
    afterCallWork.mockRejectedValue({
      body: { message: 'You have no active phone line. Ask your admin to set one up.' }
    });
    const el = await render();
    await talkedCallEnds();
    $(el, 'lightning-button.after-call-work-ready').click();
    await flushPromises();
    expect($(el, '.after-call-work-error').textContent.trim()).toBe(
      'You have no active phone line. Ask your admin to set one up.'
    );
    expect(countdown(el)).toBe('After-call work — 0:45');
    expect($(el, 'lightning-button.after-call-work-ready').disabled).toBe(false);
  });

  it('[B13] the countdown survives a reload and ends at its limit', async () => {
    const first = await render();
    await talkedCallEnds();
    resetDom();
    expect(first.isConnected).toBe(false);

    clock += 30_000;
    const el = await render();
    await until(() => countdown(el) === 'After-call work — 0:15');
    clock += 15_000;
    await until(() => $(el, '.after-call-work') === null);
    expect(window.sessionStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it('[B13] a stored end that is forged or past its limit never outlives 999 s', async () => {
    window.sessionStorage.setItem(STORAGE_KEY, String(START + 50_000_000));
    const el = await render();
    expect(countdown(el)).toBe('After-call work — 16:39');
    resetDom();
    window.sessionStorage.setItem(STORAGE_KEY, 'not a time');
    expect($(await render(), '.after-call-work')).toBeNull();
  });

  it('[B13] no countdown without a period, for a call never answered, or while another call is connected', async () => {
    getAgentContext.mockResolvedValue({ ...fixtures.agentContext, afterCallWorkSeconds: 0 });
    let el = await render();
    await talkedCallEnds();
    expect($(el, '.after-call-work')).toBeNull();
    resetDom();

    getAgentContext.mockResolvedValue({ ...fixtures.agentContext, afterCallWorkSeconds: 45 });
    el = await render();
    await callEvent({ TeamsCallId__c: 'missed-1', Sequence__c: 1, State__c: 'Ringing' });
    await callEvent({ TeamsCallId__c: 'missed-1', Sequence__c: 2, State__c: 'Missed', Reason__c: 'NoAnswer' });
    expect($(el, '.after-call-work')).toBeNull();

    await callEvent({ TeamsCallId__c: 'other', Sequence__c: 1, State__c: 'Ringing' });
    await callEvent({ TeamsCallId__c: 'other', Sequence__c: 2, State__c: 'Connected' });
    await talkedCallEnds('call-2');
    expect($(el, '.after-call-work')).toBeNull();
  });

  it('[B13] presence leaving Do Not Disturb means the relay ended it: the countdown goes', async () => {
    const el = await render();
    await talkedCallEnds();
    await presence('DoNotDisturb', 1);
    expect(countdown(el)).toBe('After-call work — 0:45');
    await presence('Available', 2);
    expect($(el, '.after-call-work')).toBeNull();
  });
});
