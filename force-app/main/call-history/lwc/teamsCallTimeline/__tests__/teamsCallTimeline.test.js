import { createElement } from 'lwc';
import TeamsCallTimeline from 'c/teamsCallTimeline';
import getTimeline from '@salesforce/apex/TeamsCallHistoryController.getTimeline';
import { flushPromises, resetDom } from '../../../../../../jest-mocks/utils';

jest.mock('@salesforce/apex/TeamsCallHistoryController.getTimeline', () => ({ default: jest.fn() }), {
  virtual: true
});

const TIMELINE = require('./timeline.json');
const CALL_ID = 'a01000000000001AAA';

function mount() {
  const element = createElement('c-teams-call-timeline', { is: TeamsCallTimeline });
  element.recordId = CALL_ID;
  document.body.appendChild(element);
  return element;
}

const items = (element) => [...element.shadowRoot.querySelectorAll('li')];
const field = (item, name) => item.querySelector(`[data-field="${name}"]`);

describe('c-teams-call-timeline', () => {
  afterEach(() => {
    resetDom();
    jest.clearAllMocks();
  });

  it('[B08] loads the timeline of the record page call', async () => {
    getTimeline.mockResolvedValue(TIMELINE);
    mount();
    await flushPromises();
    expect(getTimeline.mock.calls[0][0]).toEqual({ callRecordId: CALL_ID });
  });

  it('[B08] lists the events in sequence order with time, state, reason and target', async () => {
    getTimeline.mockResolvedValue(TIMELINE);
    const element = mount();
    await flushPromises();
    const list = items(element);
    expect(list.map((li) => li.dataset.sequence)).toEqual(['1', '2', '2', '3']);
    const last = list[3];
    expect(field(last, 'state').textContent).toContain('c.TeamsHistory_State_Missed');
    expect(field(last, 'sequence').textContent).toBe('c.TeamsHistory_TimelineSequence');
    expect(field(last, 'reason').textContent).toBe('c.TeamsHistory_ReasonNoAnswer');
    expect(field(last, 'target').textContent).toBe('+1 (415) 555-0111');
    expect(field(last, 'occurredAt').value).toBe('2026-11-24T10:00:20.000Z');
    expect(field(list[0], 'reason')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('[B08][S17] names user targets and the linked record; never shows a Teams id or a record id', async () => {
    const at = '2026-11-24T10:01:00.000Z';
    const entry = (sequence, state, reason, target, targetName) => ({
      sequence,
      state,
      reason,
      target,
      targetName,
      occurredAt: at,
      isApplied: true
    });
    getTimeline.mockResolvedValue([
      entry(1, 'Redirected', 'DoNotDisturb', 'TeamsUser:6e2a4b1c-0f41-4c5a-9d3e-1a2b3c4d5e02', 'Bob Example'),
      entry(2, 'Redirected', 'NoAnswer', 'TeamsUser:99999999-0f41-4c5a-9d3e-1a2b3c4d5e02', null),
      entry(3, 'RecordLink', 'SingleMatch', '003000000000001AAA', 'Ada Caller'),
      entry(4, 'RecordLink', 'SingleMatch', '003000000000002AAA', null),
      entry(5, 'RecordLink', 'SeveralMatches', '2 exact matches', null),
      entry(6, 'Ended', 'Reconciled', null, null)
    ]);
    const element = mount();
    await flushPromises();
    const list = items(element);
    const targets = list.map((li) => field(li, 'target')?.textContent ?? null);
    expect(targets).toEqual([
      'Bob Example',
      'c.TeamsHistory_Target_TeamsUser',
      'Ada Caller',
      null,
      '2 exact matches',
      null
    ]);
    expect(field(list[2], 'state').textContent).toContain('c.TeamsHistory_State_RecordLink');
    expect(field(list[2], 'reason').textContent).toBe('c.TeamsHistory_ReasonSingleMatch');
    expect(field(list[4], 'reason').textContent).toBe('c.TeamsHistory_ReasonSeveralMatches');
    expect(field(list[5], 'reason').textContent).toBe('c.TeamsHistory_ReasonReconciled');
  });

  it('[B08] marks an event that was not applied (duplicate or out of order) and only that one', async () => {
    getTimeline.mockResolvedValue(TIMELINE);
    const element = mount();
    await flushPromises();
    const marked = items(element).filter((li) => field(li, 'not-applied'));
    expect(marked).toHaveLength(1);
    expect(field(marked[0], 'occurredAt').value).toBe('2026-11-24T10:00:05.000Z');
    expect(marked[0].querySelector('lightning-badge').label).toBe('c.TeamsHistory_TimelineNotApplied');
  });

  it('[B08] says so when the call has no events', async () => {
    getTimeline.mockResolvedValue([]);
    const element = mount();
    await flushPromises();
    expect(element.shadowRoot.querySelector('[data-id="empty"]').textContent).toBe('c.TeamsHistory_TimelineEmpty');
    expect(element.shadowRoot.querySelector('ol')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('[B08] shows a friendly error instead of a raw exception', async () => {
    getTimeline.mockRejectedValue(new Error('System.QueryException: sObject type not supported'));
    const element = mount();
    await flushPromises();
    expect(element.shadowRoot.querySelector('[data-id="error"]').textContent).toBe('c.TeamsHistory_TimelineLoadError');
    await expect(element).toBeAccessible();
  });

  it('[B08] refresh loads the timeline again and shows new events', async () => {
    getTimeline.mockResolvedValueOnce(TIMELINE.slice(1, 2)).mockResolvedValueOnce(TIMELINE);
    const element = mount();
    await flushPromises();
    expect(items(element)).toHaveLength(1);
    element.shadowRoot.querySelector('[data-id="refresh"]').click();
    await flushPromises();
    expect(items(element)).toHaveLength(4);
  });
});
