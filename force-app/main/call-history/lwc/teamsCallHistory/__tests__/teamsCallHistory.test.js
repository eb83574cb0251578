import { createElement } from 'lwc';
import TeamsCallHistory from 'c/teamsCallHistory';
import getCalls from '@salesforce/apex/TeamsCallHistoryController.getCalls';
import { createMessageContext, publish, subscribe, resetMessageService } from 'lightning/messageService';
import { getNavigateCalledWith, resetNavigation } from 'lightning/navigation';
import TEAMS_DIAL_INTENT from '@salesforce/messageChannel/TeamsDialIntent__c';
import TEAMS_CALL_ENDED from '@salesforce/messageChannel/TeamsCallEnded__c';
import { flushPromises, resetDom } from '../../../../../../jest-mocks/utils';

jest.mock('@salesforce/apex/TeamsCallHistoryController.getCalls', () => ({ default: jest.fn() }), { virtual: true });

const PAGE = require('./historyPage.json');
const LAST_PAGE = {
  isAdmin: false,
  nextCursor: null,
  rows: [{ ...PAGE.rows[0], recordId: 'a01000000000003AAA', callerName: 'Alan Turing', callerNumber: '+442071234567' }]
};

function mount(props = {}) {
  const element = createElement('c-teams-call-history', { is: TeamsCallHistory });
  Object.assign(element, props);
  document.body.appendChild(element);
  return element;
}

const rowsOf = (element) => [...element.shadowRoot.querySelectorAll('tbody tr')];
const cell = (row, name) => row.querySelector(`[data-cell="${name}"]`).textContent.trim();
const lastArgs = () => getCalls.mock.calls[getCalls.mock.calls.length - 1][0];

describe('c-teams-call-history', () => {
  afterEach(() => {
    jest.useRealTimers();
    resetDom();
    resetMessageService();
    resetNavigation();
    jest.clearAllMocks();
  });

  it('[S11] shows one row per call with direction, caller, record, times, outcome and reason', async () => {
    getCalls.mockResolvedValue(PAGE);
    const element = mount();
    await flushPromises();

    const rows = rowsOf(element);
    expect(rows).toHaveLength(2);
    expect(cell(rows[0], 'direction')).toBe('c.TeamsHistory_DirectionInbound');
    expect(cell(rows[0], 'caller')).toContain('Ada Lovelace');
    expect(cell(rows[0], 'caller')).toContain('+1 (415) 555-0100');
    expect(cell(rows[0], 'record')).toBe('Ada Lovelace');
    expect(rows[0].querySelector('lightning-formatted-date-time').value).toBe('2026-11-24T10:00:00.000Z');
    expect(cell(rows[0], 'ring')).toBe('0:07');
    expect(cell(rows[0], 'talk')).toBe('2:05');
    expect(cell(rows[0], 'outcome')).toBe('c.TeamsHistory_OutcomeAnswered');
    expect(cell(rows[1], 'outcome')).toBe('c.TeamsHistory_OutcomeMissed');
    expect(cell(rows[1], 'reason')).toBe('c.TeamsHistory_ReasonNoAnswer');
    expect(cell(rows[1], 'caller')).toBe('+1 (415) 555-0199');
    await expect(element).toBeAccessible();
  });

  it("[S11] reloads the first page shortly after one of the agent's calls ends, once per burst", async () => {
    getCalls.mockResolvedValue(PAGE);
    mount();
    await flushPromises();
    expect(getCalls).toHaveBeenCalledTimes(1);
    jest.useFakeTimers();
    // What the softphone publishes when it sees one of the agent's calls end on its stream (B10).
    const ended = (agentUserId = '005000000000000000') =>
      publish(createMessageContext(), TEAMS_CALL_ENDED, { teamsCallId: 'c1', agentUserId });

    ended('005000000000009ZZZ');
    jest.advanceTimersByTime(5000);
    expect(getCalls).toHaveBeenCalledTimes(1);

    ended();
    ended();
    jest.advanceTimersByTime(5000);
    expect(getCalls).toHaveBeenCalledTimes(2);
    expect(lastArgs().cursor).toBeNull();
  });

  it('[S11] hides the agent column for agents and shows it for admins', async () => {
    getCalls.mockResolvedValue(PAGE);
    const agentView = mount();
    await flushPromises();
    expect(agentView.shadowRoot.querySelector('[data-id="agent-col"]')).toBeNull();
    resetDom();

    getCalls.mockResolvedValue({ ...PAGE, isAdmin: true });
    const adminView = mount();
    await flushPromises();
    expect(adminView.shadowRoot.querySelector('[data-id="agent-col"]')).not.toBeNull();
    expect(cell(rowsOf(adminView)[0], 'agent')).toBe('Grace Hopper');
    await expect(adminView).toBeAccessible();
  });

  it('[S11] asks for the first page of all calls, newest first, with no cursor', async () => {
    getCalls.mockResolvedValue(PAGE);
    mount();
    await flushPromises();
    expect(lastArgs()).toEqual({
      filter: 'all',
      fromDate: null,
      toDate: null,
      agentUserId: null,
      relatedRecordId: null,
      cursor: null,
      pageSize: 25
    });
  });

  it('[S11] on a Contact page lists only the calls of that record', async () => {
    getCalls.mockResolvedValue(PAGE);
    mount({ recordId: '003000000000001AAA' });
    await flushPromises();
    expect(lastArgs().relatedRecordId).toBe('003000000000001AAA');
  });

  it('[S17] missed, abandoned and presence-suppressed calls show as not answered, with the reason', async () => {
    const base = PAGE.rows[1];
    getCalls.mockResolvedValue({
      ...PAGE,
      rows: [
        { ...base, recordId: 'a01000000000011AAA', outcome: 'Abandoned', reason: 'CallerHungUp' },
        { ...base, recordId: 'a01000000000012AAA', outcome: 'Missed', reason: 'DoNotDisturb' },
        { ...base, recordId: 'a01000000000013AAA', outcome: 'Redirected', reason: 'OutOfOffice', state: 'Redirected' }
      ]
    });
    const element = mount();
    await flushPromises();
    const [abandoned, suppressed, redirected] = rowsOf(element);
    expect(cell(abandoned, 'outcome')).toBe('c.TeamsHistory_OutcomeAbandoned');
    expect(cell(abandoned, 'reason')).toBe('c.TeamsHistory_ReasonCallerHungUp');
    expect(abandoned.querySelector('[data-cell="outcome"] .slds-text-color_error')).not.toBeNull();
    expect(cell(suppressed, 'reason')).toBe('c.TeamsHistory_ReasonDoNotDisturb');
    expect(suppressed.querySelector('[data-cell="outcome"] .slds-text-color_error')).not.toBeNull();
    expect(cell(redirected, 'outcome')).toBe('c.TeamsHistory_OutcomeRedirected');
    expect(redirected.querySelector('[data-cell="outcome"] .slds-text-color_error')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('[S11] a slow answer for an old filter does not overwrite the newer list', async () => {
    let answerFirst;
    getCalls
      .mockImplementationOnce(() => new Promise((resolve) => (answerFirst = resolve)))
      .mockResolvedValueOnce(LAST_PAGE);
    const element = mount();
    element.shadowRoot
      .querySelector('[data-id="filter"]')
      .dispatchEvent(new CustomEvent('change', { detail: { value: 'missed' } }));
    await flushPromises();
    answerFirst(PAGE);
    await flushPromises();
    expect(rowsOf(element)).toHaveLength(1);
    expect(cell(rowsOf(element)[0], 'caller')).toContain('Alan Turing');
  });

  it('[S11] shows the empty state when there are no calls', async () => {
    getCalls.mockResolvedValue({ rows: [], nextCursor: null, isAdmin: false });
    const element = mount();
    await flushPromises();
    expect(element.shadowRoot.querySelector('[data-id="empty"]').textContent).toBe('c.TeamsHistory_Empty');
    expect(element.shadowRoot.querySelector('table')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('[S11] shows the server message, not a raw error, when loading fails, and retries', async () => {
    getCalls.mockRejectedValueOnce({ body: { message: 'You do not have access to call history.' } });
    const element = mount();
    await flushPromises();
    expect(element.shadowRoot.querySelector('[data-id="error"] [role="alert"]').textContent).toBe(
      'You do not have access to call history.'
    );
    await expect(element).toBeAccessible();

    getCalls.mockResolvedValueOnce(PAGE);
    element.shadowRoot.querySelector('[data-id="retry"]').click();
    await flushPromises();
    expect(element.shadowRoot.querySelector('[data-id="error"]')).toBeNull();
    expect(rowsOf(element)).toHaveLength(2);
  });

  it('[S11] replaces an unexpected script error with the friendly label', async () => {
    getCalls.mockRejectedValue(new TypeError('Cannot read properties of undefined'));
    const element = mount();
    await flushPromises();
    const alert = element.shadowRoot.querySelector('[role="alert"]').textContent;
    expect(alert).toBe('c.TeamsHistory_LoadError');
  });

  it.each([
    ['missed', 'missed'],
    ['inbound', 'inbound'],
    ['outbound', 'outbound']
  ])('[S11] filter "%s" reloads from the first page with that filter', async (value, expected) => {
    getCalls.mockResolvedValue(PAGE);
    const element = mount();
    await flushPromises();
    const combobox = element.shadowRoot.querySelector('[data-id="filter"]');
    combobox.dispatchEvent(new CustomEvent('change', { detail: { value } }));
    await flushPromises();
    expect(lastArgs()).toMatchObject({ filter: expected, cursor: null });
    expect(combobox.value).toBe(value);
  });

  it('[S11] a date range reloads with both dates', async () => {
    getCalls.mockResolvedValue(PAGE);
    const element = mount();
    await flushPromises();
    const from = element.shadowRoot.querySelector('[data-name="fromDate"]');
    from.dispatchEvent(new CustomEvent('change', { detail: { value: '2026-11-01' } }));
    const to = element.shadowRoot.querySelector('[data-name="toDate"]');
    to.dispatchEvent(new CustomEvent('change', { detail: { value: '2026-11-24' } }));
    await flushPromises();
    expect(lastArgs()).toMatchObject({ fromDate: '2026-11-01', toDate: '2026-11-24', cursor: null });
  });

  it('[S11] an end date before the start date is flagged on the end date and not queried', async () => {
    getCalls.mockResolvedValue(PAGE);
    const element = mount();
    await flushPromises();
    const to = element.shadowRoot.querySelector('[data-name="toDate"]');
    const messages = [];
    to.setCustomValidity = (message) => messages.push(message);
    element.shadowRoot
      .querySelector('[data-name="fromDate"]')
      .dispatchEvent(new CustomEvent('change', { detail: { value: '2026-11-24' } }));
    await flushPromises();
    const callsBefore = getCalls.mock.calls.length;
    to.dispatchEvent(new CustomEvent('change', { detail: { value: '2026-11-01' } }));
    await flushPromises();
    expect(messages[messages.length - 1]).toBe('c.TeamsHistory_DateRangeInvalid');
    expect(getCalls.mock.calls).toHaveLength(callsBefore);
  });

  it('[S11] "Load more" appends the next page using the cursor and disappears at the end', async () => {
    getCalls.mockResolvedValueOnce(PAGE).mockResolvedValueOnce(LAST_PAGE);
    const element = mount();
    await flushPromises();
    element.shadowRoot.querySelector('[data-id="load-more"]').click();
    await flushPromises();
    expect(lastArgs().cursor).toBe(PAGE.nextCursor);
    expect(rowsOf(element)).toHaveLength(3);
    expect(cell(rowsOf(element)[2], 'caller')).toContain('Alan Turing');
    expect(element.shadowRoot.querySelector('[data-id="load-more"]')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('[S11] scrolling to the bottom loads the next page (infinite scroll)', async () => {
    getCalls.mockResolvedValueOnce(PAGE).mockResolvedValueOnce(LAST_PAGE);
    const element = mount();
    await flushPromises();
    const area = element.shadowRoot.querySelector('[data-id="scroll"]');
    Object.defineProperty(area, 'scrollHeight', { value: 1000 });
    Object.defineProperty(area, 'clientHeight', { value: 400 });
    area.scrollTop = 600;
    area.dispatchEvent(new CustomEvent('scroll'));
    await flushPromises();
    expect(rowsOf(element)).toHaveLength(3);
  });

  it('[S11] call back publishes a dial intent with the number and the matched record', async () => {
    getCalls.mockResolvedValue(PAGE);
    const received = [];
    subscribe(null, TEAMS_DIAL_INTENT, (message) => received.push(message));
    const element = mount();
    await flushPromises();
    rowsOf(element)[0].querySelector('[data-action="callback"]').click();
    await flushPromises();
    expect(received).toEqual([{ phoneNumber: '+14155550100', recordId: '003000000000001AAA' }]);
    expect(element.shadowRoot.querySelector('[data-id="status"]').textContent).toBe('c.TeamsHistory_CallBackSent');
  });

  it('[S11] a call without a caller number offers no call back', async () => {
    getCalls.mockResolvedValue({ ...PAGE, rows: [{ ...PAGE.rows[0], callerNumber: null, callerName: null }] });
    const element = mount();
    await flushPromises();
    const row = rowsOf(element)[0];
    expect(row.querySelector('[data-action="callback"]')).toBeNull();
    expect(cell(row, 'caller')).toBe('c.TeamsHistory_UnknownCaller');
  });

  it('[S11] the caller link opens the call record and the record link the matched record', async () => {
    getCalls.mockResolvedValue(PAGE);
    const element = mount();
    await flushPromises();
    const row = rowsOf(element)[0];
    row.querySelector('[data-cell="caller"] a').click();
    expect(getNavigateCalledWith().pageReference).toEqual({
      type: 'standard__recordPage',
      attributes: { recordId: 'a01000000000001AAA', actionName: 'view' }
    });
    row.querySelector('[data-cell="record"] a').click();
    expect(getNavigateCalledWith().pageReference.attributes.recordId).toBe('003000000000001AAA');
  });

  it('[S11] refresh reloads the first page', async () => {
    getCalls.mockResolvedValueOnce(PAGE).mockResolvedValueOnce(LAST_PAGE);
    const element = mount();
    await flushPromises();
    element.shadowRoot.querySelector('[data-id="refresh"]').click();
    await flushPromises();
    expect(lastArgs().cursor).toBeNull();
    expect(rowsOf(element)).toHaveLength(1);
  });
});
