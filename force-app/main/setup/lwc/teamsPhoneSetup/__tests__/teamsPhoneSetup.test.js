import { createElement } from 'lwc';
import TeamsPhoneSetup from 'c/teamsPhoneSetup';
import runChecks from '@salesforce/apex/TeamsSetupController.runChecks';
import getPhoneUsers from '@salesforce/apex/TeamsSetupController.getPhoneUsers';
import savePhoneUser from '@salesforce/apex/TeamsSetupController.savePhoneUser';
import { flushPromises, resetDom } from '../../../../../../jest-mocks/utils';

jest.mock('@salesforce/apex/TeamsSetupController.runChecks', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TeamsSetupController.getPhoneUsers', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TeamsSetupController.savePhoneUser', () => ({ default: jest.fn() }), { virtual: true });

const DATA = require('./setup.json');
const clone = (value) => JSON.parse(JSON.stringify(value));

async function mount() {
  const element = createElement('c-teams-phone-setup', { is: TeamsPhoneSetup });
  document.body.appendChild(element);
  await flushPromises();
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const input = (element, name) => $(element, `[data-input="${name}"]`);
const fire = (target, type, detail) => target.dispatchEvent(new CustomEvent(type, { detail }));
const check = (element, name, field) => $(element, `[data-check="${name}"] [data-field="${field}"]`);
const rows = (element) => [...element.shadowRoot.querySelectorAll('tbody tr')];
const cell = (row, name) => row.querySelector(`[data-cell="${name}"]`).textContent.trim();
const savedPayload = () => JSON.parse(savePhoneUser.mock.calls[savePhoneUser.mock.calls.length - 1][0].phoneUserJson);

function trackValidity(element) {
  const messages = {};
  element.shadowRoot.querySelectorAll('[data-input]').forEach((el) => {
    el.setCustomValidity = (message) => {
      messages[el.dataset.input] = message;
    };
  });
  return messages;
}

async function fillNewUser(element, values) {
  $(element, '[data-id="add"]').click();
  await flushPromises();
  for (const [name, value] of Object.entries(values)) {
    fire(input(element, name), 'change', { value });
  }
  await flushPromises();
}

describe('c-teams-phone-setup', () => {
  beforeEach(() => {
    runChecks.mockResolvedValue(clone(DATA.checks));
    getPhoneUsers.mockResolvedValue(clone(DATA.users));
  });

  afterEach(() => {
    resetDom();
    jest.clearAllMocks();
  });

  it('[B07] shows every check with pass/fail/warning, its detail and what to fix', async () => {
    const element = await mount();
    expect(check(element, 'PermissionSets', 'status').textContent).toBe('c.TeamsSetup_StatusPass');
    expect(check(element, 'PermissionSets', 'fix')).toBeNull();
    expect(check(element, 'RelayHeartbeat', 'status').textContent).toBe('c.TeamsSetup_StatusFail');
    expect(check(element, 'RelayHeartbeat', 'detail').textContent).toBe('Last heartbeat 42 minutes ago.');
    expect(check(element, 'RelayHeartbeat', 'fix').textContent).toContain(
      'Start the Teams relay and check its Salesforce connection.'
    );
    expect(check(element, 'PhoneUsers', 'status').textContent).toBe('c.TeamsSetup_StatusWarn');
    expect(check(element, 'PhoneUsers', 'fix').textContent).toContain('Add the phone number of Alan Turing below.');
    expect($(element, '[data-check="RelayHeartbeat"] lightning-icon').variant).toBe('error');
    await expect(element).toBeAccessible();
  });

  it('[B07] "Run checks again" shows the new results', async () => {
    const element = await mount();
    runChecks.mockResolvedValue(DATA.checks.map((c) => ({ ...c, status: 'Pass', fix: null })));
    $(element, '[data-id="run-checks"]').click();
    await flushPromises();
    expect(check(element, 'RelayHeartbeat', 'status').textContent).toBe('c.TeamsSetup_StatusPass');
    expect(check(element, 'RelayHeartbeat', 'fix')).toBeNull();
  });

  it('[B07] says so when no checks come back', async () => {
    runChecks.mockResolvedValue([]);
    const element = await mount();
    expect($(element, '[data-id="checks-empty"]').textContent).toBe('c.TeamsSetup_ChecksEmpty');
    await expect(element).toBeAccessible();
  });

  it('[B07] a failing check run shows a friendly error, not the raw exception', async () => {
    runChecks.mockRejectedValue(new Error('System.NullPointerException at line 12'));
    const element = await mount();
    expect($(element, '[data-id="checks-error"]').textContent).toBe('c.TeamsSetup_ChecksError');
    expect(rows(element)).toHaveLength(2);
    await expect(element).toBeAccessible();
  });

  it('[B07] lists the phone users with Teams id, sign-in name, number, extension and active flag', async () => {
    const element = await mount();
    const [grace, alan] = rows(element);
    expect(cell(grace, 'user')).toBe('Grace Hopper');
    expect(cell(grace, 'teamsUserId')).toBe('6f1c2a8e-1b2c-4d3e-9f00-0a1b2c3d4e5f');
    expect(cell(grace, 'teamsUpn')).toBe('grace@example.com');
    expect(cell(grace, 'phoneNumber')).toBe('+49 40999000');
    expect(cell(grace, 'extension')).toBe('100');
    expect(cell(grace, 'active')).toBe('c.TeamsSetup_Yes');
    expect(cell(alan, 'active')).toBe('c.TeamsSetup_No');
  });

  it('[B07] shows the empty state when no phone user exists', async () => {
    getPhoneUsers.mockResolvedValue([]);
    const element = await mount();
    expect($(element, '[data-id="users-empty"]').textContent).toBe('c.TeamsSetup_UsersEmpty');
    expect($(element, '[data-id="users"]')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('[B07] a failed phone-user load shows the server message', async () => {
    getPhoneUsers.mockRejectedValue({ body: { message: 'Only Teams Phone admins can see phone users.' } });
    const element = await mount();
    expect($(element, '[data-id="users-error"]').textContent).toBe('Only Teams Phone admins can see phone users.');
  });

  it('[B07] adds a phone user with a normalized number and lower-cased Teams id', async () => {
    const created = {
      recordId: 'a03000000000003AAA',
      userId: '005000000000003AAA',
      userName: 'Ada Lovelace',
      teamsUserId: 'abcdef01-2222-4333-8444-555555555555',
      teamsUpn: 'ada@example.com',
      phoneNumber: '+4989111222',
      extension: null,
      isActive: true
    };
    savePhoneUser.mockResolvedValue({ isSuccess: true, errors: [], phoneUser: created });
    const element = await mount();
    await fillNewUser(element, {
      userId: '005000000000003AAA',
      teamsUserId: 'ABCDEF01-2222-4333-8444-555555555555',
      teamsUpn: 'ada@example.com',
      phoneNumber: '+49 (89) 111-222'
    });
    await expect(element).toBeAccessible();
    $(element, '[data-id="save"]').click();
    await flushPromises();
    expect(savedPayload()).toEqual({
      recordId: null,
      userId: '005000000000003AAA',
      teamsUserId: 'abcdef01-2222-4333-8444-555555555555',
      teamsUpn: 'ada@example.com',
      phoneNumber: '+4989111222',
      extension: null,
      isActive: true
    });
    expect($(element, '[data-id="form"]')).toBeNull();
    expect(rows(element)).toHaveLength(3);
    expect(cell(rows(element)[2], 'user')).toBe('Ada Lovelace');
    expect($(element, '[data-id="status"]').textContent).toBe('c.TeamsSetup_Saved');
  });

  it('[B07] edits an existing phone user in place', async () => {
    savePhoneUser.mockImplementation(({ phoneUserJson }) =>
      Promise.resolve({ isSuccess: true, errors: [], phoneUser: { ...DATA.users[1], ...JSON.parse(phoneUserJson) } })
    );
    const element = await mount();
    rows(element)[1].querySelector('[data-action="edit"]').click();
    await flushPromises();
    expect(input(element, 'userId')).toBeNull();
    expect(input(element, 'teamsUserId').value).toBe('11111111-2222-4333-8444-555555555555');
    fire(input(element, 'phoneNumber'), 'change', { value: '+4940999001' });
    fire(input(element, 'isActive'), 'change', { checked: true });
    await flushPromises();
    $(element, '[data-id="save"]').click();
    await flushPromises();
    expect(savedPayload()).toMatchObject({
      recordId: 'a03000000000002AAA',
      phoneNumber: '+4940999001',
      isActive: true
    });
    expect(rows(element)).toHaveLength(2);
    expect(cell(rows(element)[1], 'phoneNumber')).toBe('+49 40999001');
    expect(cell(rows(element)[1], 'active')).toBe('c.TeamsSetup_Yes');
  });

  it('[B07] an invalid user id, Teams id or number is flagged on its field and not sent', async () => {
    const element = await mount();
    await fillNewUser(element, { userId: 'grace', teamsUserId: 'grace@example.com', phoneNumber: '040 999' });
    const messages = trackValidity(element);
    $(element, '[data-id="save"]').click();
    await flushPromises();
    expect(savePhoneUser).not.toHaveBeenCalled();
    expect(messages).toMatchObject({
      userId: 'c.TeamsSetup_ErrorUserId',
      teamsUserId: 'c.TeamsSetup_ErrorTeamsId',
      phoneNumber: 'c.TeamsSetup_ErrorPhone',
      teamsUpn: ''
    });
    await expect(element).toBeAccessible();
  });

  it('[B07] server validation messages appear next to the right field', async () => {
    savePhoneUser.mockResolvedValue({
      isSuccess: false,
      errors: [
        { field: 'teamsUserId', message: 'Another phone user already has this Teams id.' },
        { field: 'somethingElse', message: 'This user already has a phone line.' }
      ]
    });
    const element = await mount();
    await fillNewUser(element, { userId: '005000000000003AAA', teamsUserId: '11111111-2222-4333-8444-555555555555' });
    const messages = trackValidity(element);
    $(element, '[data-id="save"]').click();
    await flushPromises();
    expect(messages.teamsUserId).toBe('Another phone user already has this Teams id.');
    expect(messages.userId).toBe('');
    expect($(element, '[data-id="form-errors"]').textContent).toBe('This user already has a phone line.');
    await expect(element).toBeAccessible();
  });

  it('[B07] a failed save keeps the form open with a friendly message', async () => {
    savePhoneUser.mockRejectedValue(new TypeError('x is undefined'));
    const element = await mount();
    await fillNewUser(element, { userId: '005000000000003AAA', teamsUserId: '11111111-2222-4333-8444-555555555555' });
    $(element, '[data-id="save"]').click();
    await flushPromises();
    expect($(element, '[data-id="form-errors"]').textContent).toBe('c.TeamsSetup_SaveError');
    expect(input(element, 'userId').value).toBe('005000000000003AAA');
  });

  it('[B07] cancel closes the form without saving', async () => {
    const element = await mount();
    await fillNewUser(element, { userId: '005000000000003AAA' });
    $(element, '[data-id="cancel"]').click();
    await flushPromises();
    expect($(element, '[data-id="form"]')).toBeNull();
    expect(savePhoneUser).not.toHaveBeenCalled();
    expect(rows(element)).toHaveLength(2);
  });
});
