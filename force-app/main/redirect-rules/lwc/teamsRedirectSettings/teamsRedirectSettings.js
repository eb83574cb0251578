import { LightningElement, api } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import getSettings from '@salesforce/apex/TeamsRedirectRuleController.getSettings';
import saveSettings from '@salesforce/apex/TeamsRedirectRuleController.saveSettings';
import searchUsers from '@salesforce/apex/TeamsRedirectRuleController.searchUsers';
import { asInput, friendlyMessage, formatLabel, formatPhone } from 'c/teamsViewUtils';
import {
  TRIGGERS,
  NO_ANSWER_MIN,
  NO_ANSWER_MAX,
  normalizePhone,
  validateRule,
  validateNoAnswerSeconds
} from 'c/teamsRedirectValidation';

import TITLE from '@salesforce/label/c.TeamsRules_Title';
import INTRO from '@salesforce/label/c.TeamsRules_Intro';
import AGENT from '@salesforce/label/c.TeamsRules_Agent';
import LOADING from '@salesforce/label/c.TeamsRules_Loading';
import LOAD_ERROR from '@salesforce/label/c.TeamsRules_LoadError';
import SAVE from '@salesforce/label/c.TeamsRules_Save';
import SAVED from '@salesforce/label/c.TeamsRules_Saved';
import SAVE_ERROR from '@salesforce/label/c.TeamsRules_SaveError';
import FIX_FIELDS from '@salesforce/label/c.TeamsRules_FixFields';
import RETRY from '@salesforce/label/c.TeamsRules_Retry';
import TARGET_TYPE from '@salesforce/label/c.TeamsRules_TargetType';
import TYPE_NONE from '@salesforce/label/c.TeamsRules_TypeNone';
import TYPE_TEAMS_CLIENT from '@salesforce/label/c.TeamsRules_TypeTeamsClientSettings';
import TYPE_TEAMS_USER from '@salesforce/label/c.TeamsRules_TypeTeamsUser';
import TYPE_SOFTPHONE_USER from '@salesforce/label/c.TeamsRules_TypeSoftphoneUser';
import TYPE_PHONE from '@salesforce/label/c.TeamsRules_TypePhoneNumber';
import TYPE_VOICEMAIL from '@salesforce/label/c.TeamsRules_TypeSharedVoicemail';
import TYPE_QUEUE from '@salesforce/label/c.TeamsRules_TypeCallQueue';
import TRIGGER_DND from '@salesforce/label/c.TeamsRules_TriggerDoNotDisturb';
import TRIGGER_IN_A_CALL from '@salesforce/label/c.TeamsRules_TriggerInACall';
import TRIGGER_PRESENTING from '@salesforce/label/c.TeamsRules_TriggerPresenting';
import TRIGGER_OOO from '@salesforce/label/c.TeamsRules_TriggerOutOfOffice';
import TRIGGER_DECLINED from '@salesforce/label/c.TeamsRules_TriggerDeclined';
import TRIGGER_NO_ANSWER from '@salesforce/label/c.TeamsRules_TriggerNoAnswer';
import PHONE_NUMBER from '@salesforce/label/c.TeamsRules_PhoneNumber';
import PHONE_HELP from '@salesforce/label/c.TeamsRules_PhoneHelp';
import FIND_USER from '@salesforce/label/c.TeamsRules_FindUser';
import SEARCH_RESULTS from '@salesforce/label/c.TeamsRules_SearchResults';
import NO_USERS_FOUND from '@salesforce/label/c.TeamsRules_NoUsersFound';
import SEARCH_ERROR from '@salesforce/label/c.TeamsRules_SearchError';
import SELECTED_USER from '@salesforce/label/c.TeamsRules_SelectedUser';
import CONFIGURED_TARGET from '@salesforce/label/c.TeamsRules_ConfiguredTarget';
import TEAMS_CLIENT_HELP from '@salesforce/label/c.TeamsRules_TeamsClientHelp';
import NONE_HELP from '@salesforce/label/c.TeamsRules_NoneHelp';
import RETURN_TO_PREVIOUS from '@salesforce/label/c.TeamsRules_ReturnToPrevious';
import RETURN_TO_PREVIOUS_HELP from '@salesforce/label/c.TeamsRules_ReturnToPreviousHelp';
import NO_ANSWER_SECONDS from '@salesforce/label/c.TeamsRules_NoAnswerSeconds';
import NO_ANSWER_HELP from '@salesforce/label/c.TeamsRules_NoAnswerHelp';

const TRIGGER_LABELS = {
  DoNotDisturb: TRIGGER_DND,
  InACall: TRIGGER_IN_A_CALL,
  Presenting: TRIGGER_PRESENTING,
  OutOfOffice: TRIGGER_OOO,
  Declined: TRIGGER_DECLINED,
  NoAnswer: TRIGGER_NO_ANSWER
};
/** Combobox value for "no rule for this trigger" (saved as an inactive rule). */
const NONE = 'None';
const USER_TYPES = ['TeamsUser', 'SoftphoneUser'];
/** Wait this long after the last keystroke before searching users, so typing does not flood the server. */
const SEARCH_DELAY_MS = 300;
const MIN_SEARCH_LENGTH = 2;

/**
 * @typedef {Object} RuleRow
 * @property {string} trigger
 * @property {string} targetType TeamsRedirectRule__c.TargetType__c, or NONE
 * @property {string|null} targetValue
 * @property {string|null} targetLabel
 * @property {string} searchTerm
 * @property {Array<{value: string, label: string, sublabel: string}>} results
 * @property {boolean} hasSearched
 * @property {string} searchError
 */

/**
 * S13/S15: the agent's redirect rules, one per trigger, the "return to previous presence" option and the
 * no-answer time. Admins pick an agent and edit theirs. Used as a tab and inside the softphone's settings view.
 * @fires settingssaved after a successful save, detail { agentUserId }
 */
export default class TeamsRedirectSettings extends LightningElement {
  /** The agent whose rules to edit; blank = the current user. Admins only for anyone else (server-enforced). */
  @api
  get agentUserId() {
    return this.selectedAgentId;
  }
  set agentUserId(value) {
    this.selectedAgentId = value || null;
    if (this.hasConnected) {
      this.load();
    }
  }

  labels = {
    TITLE,
    INTRO,
    AGENT,
    LOADING,
    SAVE,
    RETRY,
    TARGET_TYPE,
    PHONE_NUMBER,
    PHONE_HELP,
    FIND_USER,
    SEARCH_RESULTS,
    NO_USERS_FOUND,
    CONFIGURED_TARGET,
    TEAMS_CLIENT_HELP,
    NONE_HELP,
    RETURN_TO_PREVIOUS,
    RETURN_TO_PREVIOUS_HELP,
    NO_ANSWER_SECONDS
  };
  noAnswerMin = NO_ANSWER_MIN;
  noAnswerMax = NO_ANSWER_MAX;

  selectedAgentId = null;
  /** Set once connected, so a later agentUserId change reloads (the first load happens on connect). */
  hasConnected = false;
  settings = null;
  /** @type {RuleRow[]} */
  rules = [];
  returnToPreviousPresence = false;
  noAnswerSeconds = null;
  isLoading = false;
  isSaving = false;
  loadError = '';
  /** Messages that belong to no field (or a field not on screen). */
  formErrors = [];
  statusMessage = '';
  searchTimers = {};

  connectedCallback() {
    this.hasConnected = true;
    this.load();
  }

  disconnectedCallback() {
    this.hasConnected = false;
    Object.values(this.searchTimers).forEach((timer) => clearTimeout(timer));
  }

  async load() {
    this.isLoading = true;
    this.loadError = '';
    this.formErrors = [];
    try {
      this.applySettings(await getSettings({ agentUserId: this.selectedAgentId }));
    } catch (error) {
      this.settings = null;
      this.loadError = friendlyMessage(error, LOAD_ERROR);
    } finally {
      this.isLoading = false;
    }
  }

  applySettings(settings) {
    this.settings = settings;
    this.returnToPreviousPresence = settings?.returnToPreviousPresence === true;
    this.noAnswerSeconds = settings?.noAnswerSeconds ?? null;
    const byTrigger = new Map((settings?.rules ?? []).map((rule) => [rule.trigger, rule]));
    this.rules = TRIGGERS.map((trigger) => {
      const rule = byTrigger.get(trigger);
      const isActive = rule?.isActive === true && Boolean(rule.targetType);
      return {
        trigger,
        targetType: isActive ? rule.targetType : NONE,
        targetValue: isActive ? (rule.targetValue ?? null) : null,
        targetLabel: isActive ? (rule.targetLabel ?? null) : null,
        searchTerm: '',
        results: [],
        hasSearched: false,
        searchError: ''
      };
    });
  }

  get hasSettings() {
    return Boolean(this.settings) && !this.loadError;
  }

  get hasLoadError() {
    return Boolean(this.loadError);
  }

  get showAgentPicker() {
    return this.settings?.isAdmin === true && Array.isArray(this.settings.agents) && this.settings.agents.length > 0;
  }

  get agentOptions() {
    return (this.settings?.agents ?? []).map((agent) => ({ label: agent.label, value: agent.value }));
  }

  get agentValue() {
    return this.selectedAgentId || this.settings?.agentUserId || null;
  }

  get hasFormErrors() {
    return this.formErrors.length > 0;
  }

  get noAnswerPlaceholder() {
    return formatLabel(NO_ANSWER_HELP, this.settings?.orgNoAnswerSeconds ?? '');
  }

  get isSaveDisabled() {
    return this.isSaving || !this.hasSettings;
  }

  get typeOptions() {
    const options = [
      { label: TYPE_NONE, value: NONE },
      { label: TYPE_TEAMS_CLIENT, value: 'TeamsClientSettings' },
      { label: TYPE_TEAMS_USER, value: 'TeamsUser' },
      { label: TYPE_SOFTPHONE_USER, value: 'SoftphoneUser' },
      { label: TYPE_PHONE, value: 'PhoneNumber' }
    ];
    // Voicemail and call queue are offered only when the admin configured them (TeamsPhoneSetting__mdt).
    if (this.settings?.sharedVoicemailTarget) {
      options.push({ label: TYPE_VOICEMAIL, value: 'SharedVoicemail' });
    }
    if (this.settings?.callQueueTarget) {
      options.push({ label: TYPE_QUEUE, value: 'CallQueue' });
    }
    return options;
  }

  get ruleRows() {
    const options = this.typeOptions;
    return this.rules.map((rule) => {
      const isUser = USER_TYPES.includes(rule.targetType);
      return {
        ...rule,
        label: TRIGGER_LABELS[rule.trigger],
        options,
        typeKey: `${rule.trigger}:targetType`,
        valueKey: `${rule.trigger}:targetValue`,
        isNone: rule.targetType === NONE,
        isTeamsClient: rule.targetType === 'TeamsClientSettings',
        isUser,
        isPhone: rule.targetType === 'PhoneNumber',
        isConfigured: rule.targetType === 'SharedVoicemail' || rule.targetType === 'CallQueue',
        configuredValue: formatPhone(
          rule.targetType === 'SharedVoicemail' ? this.settings?.sharedVoicemailTarget : this.settings?.callQueueTarget
        ),
        hasSelection: isUser && Boolean(rule.targetValue),
        selectionLabel: rule.targetLabel || rule.targetValue,
        selectionA11y: formatLabel(SELECTED_USER, rule.targetLabel || rule.targetValue || ''),
        hasResults: rule.results.length > 0,
        showNoResults: rule.hasSearched && rule.results.length === 0 && !rule.searchError,
        resultsLabel: formatLabel(SEARCH_RESULTS, TRIGGER_LABELS[rule.trigger])
      };
    });
  }

  /**
   * @param {string} trigger
   * @param {Partial<RuleRow>} changes
   */
  updateRule(trigger, changes) {
    this.rules = this.rules.map((rule) => (rule.trigger === trigger ? { ...rule, ...changes } : rule));
  }

  clearFieldError(key) {
    const input = this.fieldFor(key);
    if (input) {
      input.setCustomValidity('');
      input.reportValidity();
    }
  }

  handleAgentChange(event) {
    this.selectedAgentId = event.detail.value;
    this.load();
  }

  handleTypeChange(event) {
    const trigger = event.target.dataset.trigger;
    this.updateRule(trigger, {
      targetType: event.detail.value,
      targetValue: null,
      targetLabel: null,
      searchTerm: '',
      results: [],
      hasSearched: false,
      searchError: ''
    });
    this.clearFieldError(`${trigger}:targetType`);
  }

  /**
   * A corrected number clears its error while the agent types, not on blur: a message vanishing on blur moves
   * the Save button away between mouse-down and mouse-up, and the first click on Save would do nothing (S13).
   * A new error is only shown on blur, so the agent is not scolded while still typing.
   */
  handlePhoneChange(event) {
    const trigger = event.target.dataset.trigger;
    this.updateRule(trigger, { targetValue: event.detail.value });
    const rule = this.rules.find((r) => r.trigger === trigger);
    if (validateRule({ ...rule, isActive: true }, this.settings).valid) {
      const input = asInput(event.target);
      input.setCustomValidity('');
      input.reportValidity();
    }
  }

  handlePhoneBlur(event) {
    const trigger = event.target.dataset.trigger;
    const rule = this.rules.find((r) => r.trigger === trigger);
    const verdict = validateRule({ ...rule, isActive: true }, this.settings);
    const input = asInput(event.target);
    if (verdict.valid) {
      this.updateRule(trigger, { targetValue: verdict.normalizedValue });
      input.setCustomValidity('');
    } else if (rule.targetValue) {
      this.updateRule(trigger, { targetValue: normalizePhone(rule.targetValue) || rule.targetValue });
      input.setCustomValidity(verdict.message);
    }
    input.reportValidity();
  }

  handleSearchChange(event) {
    const trigger = event.target.dataset.trigger;
    const term = (event.detail.value ?? '').trim();
    this.updateRule(trigger, { searchTerm: event.detail.value ?? '' });
    clearTimeout(this.searchTimers[trigger]);
    if (term.length < MIN_SEARCH_LENGTH) {
      this.updateRule(trigger, { results: [], hasSearched: false, searchError: '' });
      return;
    }
    // eslint-disable-next-line @lwc/lwc/no-async-operation -- debounce: search once the agent stops typing
    this.searchTimers[trigger] = setTimeout(() => this.search(trigger, term), SEARCH_DELAY_MS);
  }

  async search(trigger, term) {
    const rule = this.rules.find((r) => r.trigger === trigger);
    try {
      const results = await searchUsers({ term, targetType: rule.targetType });
      this.updateRule(trigger, { results: Array.isArray(results) ? results : [], hasSearched: true, searchError: '' });
    } catch (error) {
      this.updateRule(trigger, { results: [], hasSearched: true, searchError: friendlyMessage(error, SEARCH_ERROR) });
    }
  }

  handleSelectUser(event) {
    const { trigger, value } = event.currentTarget.dataset;
    const rule = this.rules.find((r) => r.trigger === trigger);
    const option = rule.results.find((result) => result.value === value);
    this.updateRule(trigger, {
      targetValue: option.value,
      targetLabel: option.label,
      searchTerm: '',
      results: [],
      hasSearched: false
    });
    this.clearFieldError(`${trigger}:targetValue`);
    this.statusMessage = formatLabel(SELECTED_USER, option.label);
  }

  handleRemoveUser(event) {
    this.updateRule(event.target.dataset.trigger, { targetValue: null, targetLabel: null });
  }

  handleReturnToPreviousChange(event) {
    this.returnToPreviousPresence = event.detail.checked;
  }

  handleNoAnswerChange(event) {
    const value = event.detail.value;
    this.noAnswerSeconds = value === '' || value === null || value === undefined ? null : Number(value);
    this.clearFieldError('settings:noAnswerSeconds');
  }

  /**
   * @param {string} key `${trigger}:${field}` or `settings:${field}`
   * @returns {import('c/teamsViewUtils').ValidatableInput|null}
   */
  fieldFor(key) {
    return asInput(this.template.querySelector(`[data-key="${key}"]`));
  }

  /**
   * Shows each error on its field (the platform renders a custom validity message right under the input);
   * an error whose field is not on screen falls back to the rule's type picker, then to the form summary.
   * @param {Array<{trigger: string|null, field: string, message: string}>} errors
   */
  showErrors(errors) {
    const inputs = [...this.template.querySelectorAll('[data-key]')].map(asInput);
    inputs.forEach((input) => input.setCustomValidity(''));
    const unplaced = [];
    const touched = new Set();
    for (const error of errors) {
      const scope = error.trigger || 'settings';
      const input = this.fieldFor(`${scope}:${error.field}`) || (error.trigger && this.fieldFor(`${scope}:targetType`));
      if (input) {
        input.setCustomValidity(error.message);
        touched.add(input);
      } else {
        unplaced.push(error.message);
      }
    }
    inputs.forEach((input) => input.reportValidity());
    this.formErrors = [...new Set(unplaced)].map((message, index) => ({ key: `e${index}`, message }));
    const first = [...touched][0];
    if (first && typeof first.focus === 'function') {
      first.focus();
    }
    return touched.size + unplaced.length;
  }

  /** @returns {Array<{trigger: string|null, field: string, message: string}>} */
  precheck() {
    const errors = [];
    for (const rule of this.rules) {
      if (rule.targetType === NONE) {
        continue;
      }
      const verdict = validateRule({ ...rule, isActive: true }, this.settings);
      if (!verdict.valid) {
        errors.push({ trigger: rule.trigger, field: verdict.field, message: verdict.message });
      }
    }
    const seconds = validateNoAnswerSeconds(this.noAnswerSeconds);
    if (!seconds.valid) {
      errors.push({ trigger: null, field: seconds.field, message: seconds.message });
    }
    return errors;
  }

  buildPayload() {
    return {
      agentUserId: this.settings.agentUserId,
      phoneUserId: this.settings.phoneUserId,
      returnToPreviousPresence: this.returnToPreviousPresence,
      noAnswerSeconds: this.noAnswerSeconds,
      rules: this.rules.map((rule) => {
        const isActive = rule.targetType !== NONE;
        const verdict = isActive ? validateRule({ ...rule, isActive }, this.settings) : null;
        return {
          trigger: rule.trigger,
          // An inactive rule still needs a valid type for the picklist; its value is cleared.
          targetType: isActive ? rule.targetType : 'TeamsClientSettings',
          targetValue: verdict?.valid ? verdict.normalizedValue : null,
          isActive
        };
      })
    };
  }

  async handleSave() {
    this.statusMessage = '';
    const clientErrors = this.precheck();
    if (clientErrors.length > 0) {
      this.showErrors(clientErrors);
      this.statusMessage = FIX_FIELDS;
      return;
    }
    this.showErrors([]);
    this.isSaving = true;
    try {
      const result = await saveSettings({ settingsJson: JSON.stringify(this.buildPayload()) });
      if (result?.isSuccess) {
        this.applySettings(result.settings ?? this.settings);
        this.statusMessage = SAVED;
        this.dispatchEvent(new ShowToastEvent({ title: SAVED, variant: 'success' }));
        this.dispatchEvent(new CustomEvent('settingssaved', { detail: { agentUserId: this.settings?.agentUserId } }));
      } else {
        const errors = Array.isArray(result?.errors) ? result.errors : [];
        if (errors.length === 0) {
          this.formErrors = [{ key: 'e0', message: SAVE_ERROR }];
        } else {
          // Wait for any re-render so every field is on screen before placing the messages.
          await Promise.resolve();
          this.showErrors(errors);
        }
        this.statusMessage = FIX_FIELDS;
      }
    } catch (error) {
      this.formErrors = [{ key: 'e0', message: friendlyMessage(error, SAVE_ERROR) }];
    } finally {
      this.isSaving = false;
    }
  }

  handleRetry() {
    this.load();
  }
}
