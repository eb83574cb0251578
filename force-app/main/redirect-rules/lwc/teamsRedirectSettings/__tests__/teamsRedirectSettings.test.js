import { createElement } from 'lwc';
import TeamsRedirectSettings from 'c/teamsRedirectSettings';
import getSettings from '@salesforce/apex/TeamsRedirectRuleController.getSettings';
import saveSettings from '@salesforce/apex/TeamsRedirectRuleController.saveSettings';
import searchUsers from '@salesforce/apex/TeamsRedirectRuleController.searchUsers';
import { flushPromises, resetDom } from '../../../../../../jest-mocks/utils';

jest.mock('@salesforce/apex/TeamsRedirectRuleController.getSettings', () => ({ default: jest.fn() }), {
  virtual: true
});
jest.mock('@salesforce/apex/TeamsRedirectRuleController.saveSettings', () => ({ default: jest.fn() }), {
  virtual: true
});
jest.mock('@salesforce/apex/TeamsRedirectRuleController.searchUsers', () => ({ default: jest.fn() }), {
  virtual: true
});

const SETTINGS = require('./settings.json');
const VECTORS = require('../../../../../tests/shared-vectors/staticresources/TeamsRedirectRuleVectors.json');
const TRIGGERS = ['DoNotDisturb', 'InACall', 'Presenting', 'OutOfOffice', 'Declined', 'NoAnswer'];

const clone = (value) => JSON.parse(JSON.stringify(value));

async function mount(props = {}) {
  const element = createElement('c-teams-redirect-settings', { is: TeamsRedirectSettings });
  Object.assign(element, props);
  document.body.appendChild(element);
  await flushPromises();
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const field = (element, key) => $(element, `[data-key="${key}"]`);
const fire = (target, type, detail) => target.dispatchEvent(new CustomEvent(type, { detail }));

/** The platform shows a custom validity message under its input; record which input got which message. */
function trackValidity(element) {
  const messages = {};
  element.shadowRoot.querySelectorAll('[data-key]').forEach((input) => {
    input.setCustomValidity = (message) => {
      messages[input.dataset.key] = message;
    };
  });
  return messages;
}

const savedPayload = () => JSON.parse(saveSettings.mock.calls[saveSettings.mock.calls.length - 1][0].settingsJson);
const clickSave = async (element) => {
  $(element, '[data-id="save"]').click();
  await flushPromises();
};

async function searchFor(element, trigger, term) {
  jest.useFakeTimers();
  fire(field(element, `${trigger}:targetValue`), 'change', { value: term });
  jest.advanceTimersByTime(300);
  jest.useRealTimers();
  await flushPromises();
}

describe('c-teams-redirect-settings', () => {
  afterEach(() => {
    resetDom();
    jest.clearAllMocks();
    jest.useRealTimers();
  });

  it('[S13] shows one rule per trigger, in order, with the input that fits each target type', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    const element = await mount();
    const rules = [...element.shadowRoot.querySelectorAll('fieldset')].map((f) => f.dataset.rule);
    expect(rules).toEqual(TRIGGERS);
    expect(field(element, 'NoAnswer:targetValue').type).toBe('tel');
    expect(field(element, 'NoAnswer:targetValue').value).toBe('+4989111222');
    expect($(element, '[data-rule="Presenting"] lightning-pill').label).toBe('Ada Lovelace');
    expect(field(element, 'Presenting:targetValue').type).toBe('search');
    expect(field(element, 'DoNotDisturb:targetValue').readOnly).toBe(true);
    expect(field(element, 'DoNotDisturb:targetValue').value).toBe('+49 40999999');
    expect(field(element, 'Declined:targetValue')).toBeNull();
    expect(field(element, 'InACall:targetType').value).toBe('None');
    expect(field(element, 'Declined:targetType').value).toBe('TeamsClientSettings');
    await expect(element).toBeAccessible();
  });

  it('[S13] loads the current user when no agent is given', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    await mount();
    expect(getSettings.mock.calls[0][0]).toEqual({ agentUserId: null });
  });

  it('[S13] embedded in the softphone, loads the agent it is given', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    await mount({ agentUserId: '005000000000002AAA' });
    expect(getSettings.mock.calls[0][0]).toEqual({ agentUserId: '005000000000002AAA' });
  });

  it('[S13] reloads when the softphone switches to another agent', async () => {
    getSettings.mockResolvedValueOnce(clone(SETTINGS));
    getSettings.mockResolvedValueOnce({ ...clone(SETTINGS), agentUserId: '005000000000002AAA', rules: [] });
    const element = await mount();
    element.agentUserId = '005000000000002AAA';
    await flushPromises();
    expect(getSettings.mock.calls[1][0]).toEqual({ agentUserId: '005000000000002AAA' });
    expect(field(element, 'NoAnswer:targetType').value).toBe('None');
  });

  it('[S13] offers voicemail and call queue targets only when the org configured them', async () => {
    getSettings.mockResolvedValue({ ...clone(SETTINGS), sharedVoicemailTarget: null, callQueueTarget: '', rules: [] });
    const element = await mount();
    const values = field(element, 'NoAnswer:targetType').options.map((o) => o.value);
    expect(values).toEqual(['None', 'TeamsClientSettings', 'TeamsUser', 'SoftphoneUser', 'PhoneNumber']);
  });

  it('[S13] choosing "phone number" shows a phone field that formats the number on leaving it', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    const element = await mount();
    fire(field(element, 'InACall:targetType'), 'change', { value: 'PhoneNumber' });
    await flushPromises();
    const phone = field(element, 'InACall:targetValue');
    const messages = trackValidity(element);
    fire(phone, 'change', { value: ' 0044 20 7946 0000 ' });
    phone.dispatchEvent(new CustomEvent('blur'));
    await flushPromises();
    expect(field(element, 'InACall:targetValue').value).toBe('+442079460000');
    expect(messages['InACall:targetValue']).toBe('');
    await expect(element).toBeAccessible();
  });

  it('[S13] a phone number that is not international is flagged on its field when leaving it', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    const element = await mount();
    const phone = field(element, 'NoAnswer:targetValue');
    const messages = trackValidity(element);
    fire(phone, 'change', { value: '089 111222' });
    phone.dispatchEvent(new CustomEvent('blur'));
    await flushPromises();
    expect(messages['NoAnswer:targetValue']).toBe('c.TeamsRules_ErrorPhoneFormat');
  });

  it('[S13] correcting a refused number clears its error while typing, so leaving the field moves nothing', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    const element = await mount();
    const phone = field(element, 'NoAnswer:targetValue');
    const messages = trackValidity(element);
    fire(phone, 'change', { value: '089 111222' });
    phone.dispatchEvent(new CustomEvent('blur'));
    await flushPromises();
    expect(messages['NoAnswer:targetValue']).toBe('c.TeamsRules_ErrorPhoneFormat');

    fire(phone, 'change', { value: '+4989' });
    expect(messages['NoAnswer:targetValue']).toBe('c.TeamsRules_ErrorPhoneFormat');
    fire(phone, 'change', { value: '+4989111222' });
    expect(messages['NoAnswer:targetValue']).toBe('');
    phone.dispatchEvent(new CustomEvent('blur'));
    await flushPromises();
    expect(messages['NoAnswer:targetValue']).toBe('');
  });

  it('[S13] finds a Teams user by name and selects them as the target', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    searchUsers.mockResolvedValue([
      { value: 'abcdef01-2222-4333-8444-555555555555', label: 'Alan Turing', sublabel: 'alan@example.com' }
    ]);
    saveSettings.mockImplementation(({ settingsJson }) =>
      Promise.resolve({ isSuccess: true, errors: [], settings: { ...clone(SETTINGS), ...JSON.parse(settingsJson) } })
    );
    const element = await mount();
    await searchFor(element, 'Presenting', 'ala');
    expect(searchUsers.mock.calls[0][0]).toEqual({ term: 'ala', targetType: 'TeamsUser' });
    const option = $(element, '[data-rule="Presenting"] [data-value="abcdef01-2222-4333-8444-555555555555"]');
    expect(option.textContent).toContain('Alan Turing');
    expect(option.textContent).toContain('alan@example.com');
    await expect(element).toBeAccessible();

    option.click();
    await flushPromises();
    expect($(element, '[data-rule="Presenting"] lightning-pill').label).toBe('Alan Turing');
    expect($(element, '[data-rule="Presenting"] [data-id="results"]')).toBeNull();
    await clickSave(element);
    expect(savedPayload().rules.find((r) => r.trigger === 'Presenting')).toEqual({
      trigger: 'Presenting',
      targetType: 'TeamsUser',
      targetValue: 'abcdef01-2222-4333-8444-555555555555',
      isActive: true
    });
  });

  it('[S13] searches softphone users for a softphone-user target, and ignores one-letter terms', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    searchUsers.mockResolvedValue([]);
    const element = await mount();
    fire(field(element, 'OutOfOffice:targetType'), 'change', { value: 'SoftphoneUser' });
    await flushPromises();
    await searchFor(element, 'OutOfOffice', 'g');
    expect(searchUsers).not.toHaveBeenCalled();
    await searchFor(element, 'OutOfOffice', 'gr');
    expect(searchUsers.mock.calls[0][0]).toEqual({ term: 'gr', targetType: 'SoftphoneUser' });
    expect($(element, '[data-rule="OutOfOffice"] [data-id="no-results"]').textContent).toBe(
      'c.TeamsRules_NoUsersFound'
    );
    await expect(element).toBeAccessible();
  });

  it('[S13] a failed user search shows a friendly message, not the raw error', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    searchUsers.mockRejectedValue(new Error('FATAL_ERROR Internal Salesforce Error'));
    const element = await mount();
    await searchFor(element, 'Presenting', 'ada');
    expect($(element, '[data-rule="Presenting"] [data-id="search-error"]').textContent.trim()).toBe(
      'c.TeamsRules_SearchError'
    );
  });

  it('[S13] removing the selected user clears the target, and saving then asks for one', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    const element = await mount();
    fire($(element, '[data-rule="Presenting"] lightning-pill'), 'remove');
    await flushPromises();
    expect($(element, '[data-rule="Presenting"] lightning-pill')).toBeNull();
    const messages = trackValidity(element);
    await clickSave(element);
    expect(messages['Presenting:targetValue']).toBe('c.TeamsRules_ErrorTargetRequired');
    expect(saveSettings).not.toHaveBeenCalled();
  });

  it('[S13] saves every trigger with normalized targets; rules set to "No rule" are saved inactive', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    saveSettings.mockResolvedValue({ isSuccess: true, errors: [], settings: clone(SETTINGS) });
    const element = await mount();
    const saved = [];
    element.addEventListener('settingssaved', (event) => saved.push(event.detail));
    fire(field(element, 'NoAnswer:targetValue'), 'change', { value: '+49 (89) 111-22.2' });
    await clickSave(element);
    const payload = savedPayload();
    expect(payload.agentUserId).toBe('005000000000001AAA');
    expect(payload.rules).toHaveLength(6);
    expect(payload.rules.find((r) => r.trigger === 'NoAnswer').targetValue).toBe('+4989111222');
    expect(payload.rules.find((r) => r.trigger === 'DoNotDisturb')).toMatchObject({
      targetType: 'SharedVoicemail',
      targetValue: '+4940999999',
      isActive: true
    });
    expect(payload.rules.find((r) => r.trigger === 'InACall')).toEqual({
      trigger: 'InACall',
      targetType: 'TeamsClientSettings',
      targetValue: null,
      isActive: false
    });
    expect($(element, '[data-id="status"]').textContent).toBe('c.TeamsRules_Saved');
    expect(saved).toEqual([{ agentUserId: '005000000000001AAA' }]);
    await expect(element).toBeAccessible();
  });

  it('[S15] saves the "return to previous presence after a reject" option', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    saveSettings.mockResolvedValue({ isSuccess: true, errors: [], settings: clone(SETTINGS) });
    const element = await mount();
    const checkbox = field(element, 'settings:returnToPreviousPresence');
    expect(checkbox.checked).toBe(false);
    fire(checkbox, 'change', { checked: true });
    await clickSave(element);
    expect(savedPayload().returnToPreviousPresence).toBe(true);
  });

  it('[S04] saves the no-answer time, and blank means the org default', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    saveSettings.mockResolvedValue({ isSuccess: true, errors: [], settings: clone(SETTINGS) });
    const element = await mount();
    const seconds = field(element, 'settings:noAnswerSeconds');
    expect(seconds.placeholder).toBe('c.TeamsRules_NoAnswerHelp');
    fire(seconds, 'change', { value: '30' });
    await clickSave(element);
    expect(savedPayload().noAnswerSeconds).toBe(30);
    fire(field(element, 'settings:noAnswerSeconds'), 'change', { value: '' });
    await clickSave(element);
    expect(savedPayload().noAnswerSeconds).toBeNull();
  });

  it('[S13] cannot save an invalid target: the client check stops the save and marks the field', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    const element = await mount();
    fire(field(element, 'NoAnswer:targetValue'), 'change', { value: 'call me' });
    fire(field(element, 'settings:noAnswerSeconds'), 'change', { value: '200' });
    const messages = trackValidity(element);
    await clickSave(element);
    expect(saveSettings).not.toHaveBeenCalled();
    expect(messages['NoAnswer:targetValue']).toBe('c.TeamsRules_ErrorPhoneFormat');
    expect(messages['settings:noAnswerSeconds']).toBe('c.TeamsRules_ErrorNoAnswerSeconds');
    expect(messages['Presenting:targetValue']).toBe('');
    expect($(element, '[data-id="status"]').textContent).toBe('c.TeamsRules_FixFields');
    await expect(element).toBeAccessible();
  });

  // Every trigger holds a client-valid rule so the save reaches the (mocked) server, which answers with the
  // vector's FieldError; the message must land on that rule's field, or the form summary for an unknown trigger.
  const allPhoneRules = () => ({
    ...clone(SETTINGS),
    rules: TRIGGERS.map((trigger) => ({
      trigger,
      targetType: 'PhoneNumber',
      targetValue: '+4989111222',
      isActive: true
    }))
  });
  it.each(VECTORS.cases.filter((c) => !c.expected.valid).map((c) => [c.id, c]))(
    '[S13] server vector %s: the message appears next to the right field',
    async (id, vector) => {
      getSettings.mockResolvedValue(allPhoneRules());
      const error = { trigger: vector.rule.trigger, field: vector.expected.field, message: vector.expected.message };
      saveSettings.mockResolvedValue({ isSuccess: false, errors: [error], settings: null });
      const element = await mount();
      const messages = trackValidity(element);
      await clickSave(element);
      const where = TRIGGERS.includes(error.trigger) ? `${error.trigger}:${error.field}` : 'form summary';
      const shown = Object.fromEntries(Object.entries(messages).filter(([, message]) => message !== ''));
      const summary = $(element, '[data-id="form-errors"]');
      if (summary) {
        shown['form summary'] = summary.textContent;
      }
      expect(shown).toEqual({ [where]: vector.expected.message });
      await expect(element).toBeAccessible();
    }
  );

  it.each(VECTORS.settingsCases.filter((c) => !c.expected.valid).map((c) => [c.id, c]))(
    '[S13] server settings vector %s: the message appears on the no-answer time',
    async (id, vector) => {
      getSettings.mockResolvedValue(clone(SETTINGS));
      saveSettings.mockResolvedValue({
        isSuccess: false,
        errors: [{ trigger: null, field: vector.expected.field, message: vector.expected.message }]
      });
      const element = await mount();
      const messages = trackValidity(element);
      await clickSave(element);
      expect(messages['settings:noAnswerSeconds']).toBe(vector.expected.message);
    }
  );

  it("[S13] a server error for a field not on screen falls back to the rule's target type", async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    saveSettings.mockResolvedValue({
      isSuccess: false,
      errors: [
        { trigger: 'Declined', field: 'targetValue', message: 'This target routes the call back to the same agent.' }
      ]
    });
    const element = await mount();
    const messages = trackValidity(element);
    await clickSave(element);
    expect(messages['Declined:targetType']).toBe('This target routes the call back to the same agent.');
  });

  it('[S13] a failed save shows a friendly message and keeps the edits', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    saveSettings.mockRejectedValue(new TypeError('undefined is not a function'));
    const element = await mount();
    fire(field(element, 'NoAnswer:targetValue'), 'change', { value: '+14155550100' });
    await clickSave(element);
    expect($(element, '[data-id="form-errors"]').textContent).toBe('c.TeamsRules_SaveError');
    expect(field(element, 'NoAnswer:targetValue').value).toBe('+14155550100');
    expect($(element, '[data-id="save"]').disabled).toBe(false);
    await expect(element).toBeAccessible();
  });

  it("[S13] admins pick an agent and edit that agent's rules", async () => {
    const admin = {
      ...clone(SETTINGS),
      isAdmin: true,
      agents: [
        { value: '005000000000001AAA', label: 'Grace Hopper', sublabel: '' },
        { value: '005000000000002AAA', label: 'Alan Turing', sublabel: '' }
      ]
    };
    const alan = { ...admin, agentUserId: '005000000000002AAA', agentName: 'Alan Turing', rules: [] };
    getSettings.mockResolvedValueOnce(admin).mockResolvedValueOnce(alan);
    saveSettings.mockResolvedValue({ isSuccess: true, errors: [], settings: alan });
    const element = await mount();
    const picker = $(element, '[data-id="agent"]');
    expect(picker.options.map((o) => o.label)).toEqual(['Grace Hopper', 'Alan Turing']);
    expect(picker.value).toBe('005000000000001AAA');
    fire(picker, 'change', { value: '005000000000002AAA' });
    await flushPromises();
    expect(getSettings.mock.calls[1][0]).toEqual({ agentUserId: '005000000000002AAA' });
    expect(field(element, 'NoAnswer:targetType').value).toBe('None');
    await clickSave(element);
    expect(savedPayload().agentUserId).toBe('005000000000002AAA');
    await expect(element).toBeAccessible();
  });

  it('[S13] agents get no agent picker', async () => {
    getSettings.mockResolvedValue(clone(SETTINGS));
    const element = await mount();
    expect($(element, '[data-id="agent"]')).toBeNull();
  });

  it('[S13] a load failure shows the server message and retries', async () => {
    getSettings.mockRejectedValueOnce({ body: { message: 'You do not have a Teams phone line yet.' } });
    getSettings.mockResolvedValueOnce(clone(SETTINGS));
    const element = await mount();
    expect($(element, '[data-id="load-error"]').textContent).toBe('You do not have a Teams phone line yet.');
    expect($(element, '[data-id="save"]')).toBeNull();
    await expect(element).toBeAccessible();
    $(element, '[data-id="retry"]').click();
    await flushPromises();
    expect($(element, '[data-id="load-error"]')).toBeNull();
    expect(element.shadowRoot.querySelectorAll('fieldset')).toHaveLength(6);
  });
});
