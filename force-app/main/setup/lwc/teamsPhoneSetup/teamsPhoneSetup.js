import { LightningElement } from 'lwc';
import runChecks from '@salesforce/apex/TeamsSetupController.runChecks';
import getPhoneUsers from '@salesforce/apex/TeamsSetupController.getPhoneUsers';
import savePhoneUser from '@salesforce/apex/TeamsSetupController.savePhoneUser';
import { asInput, friendlyMessage, formatLabel, formatPhone } from 'c/teamsViewUtils';
import { normalizePhone, isPhoneNumber } from 'c/teamsRedirectValidation';

import TITLE from '@salesforce/label/c.TeamsSetup_Title';
import INTRO from '@salesforce/label/c.TeamsSetup_Intro';
import CHECKS_TITLE from '@salesforce/label/c.TeamsSetup_ChecksTitle';
import RUN_CHECKS from '@salesforce/label/c.TeamsSetup_RunChecks';
import LOADING from '@salesforce/label/c.TeamsSetup_Loading';
import CHECKS_ERROR from '@salesforce/label/c.TeamsSetup_ChecksError';
import CHECKS_EMPTY from '@salesforce/label/c.TeamsSetup_ChecksEmpty';
import STATUS_PASS from '@salesforce/label/c.TeamsSetup_StatusPass';
import STATUS_FAIL from '@salesforce/label/c.TeamsSetup_StatusFail';
import STATUS_WARN from '@salesforce/label/c.TeamsSetup_StatusWarn';
import HOW_TO_FIX from '@salesforce/label/c.TeamsSetup_HowToFix';
import SUMMARY from '@salesforce/label/c.TeamsSetup_Summary';
import USERS_TITLE from '@salesforce/label/c.TeamsSetup_UsersTitle';
import USERS_ERROR from '@salesforce/label/c.TeamsSetup_UsersError';
import USERS_EMPTY from '@salesforce/label/c.TeamsSetup_UsersEmpty';
import ADD_USER from '@salesforce/label/c.TeamsSetup_AddUser';
import EDIT from '@salesforce/label/c.TeamsSetup_Edit';
import EDIT_A11Y from '@salesforce/label/c.TeamsSetup_EditA11y';
import COL_USER from '@salesforce/label/c.TeamsSetup_ColUser';
import COL_TEAMS_ID from '@salesforce/label/c.TeamsSetup_ColTeamsId';
import COL_UPN from '@salesforce/label/c.TeamsSetup_ColUpn';
import COL_PHONE from '@salesforce/label/c.TeamsSetup_ColPhone';
import COL_EXTENSION from '@salesforce/label/c.TeamsSetup_ColExtension';
import COL_ACTIVE from '@salesforce/label/c.TeamsSetup_ColActive';
import COL_ACTIONS from '@salesforce/label/c.TeamsSetup_ColActions';
import YES from '@salesforce/label/c.TeamsSetup_Yes';
import NO from '@salesforce/label/c.TeamsSetup_No';
import FORM_ADD_TITLE from '@salesforce/label/c.TeamsSetup_FormAddTitle';
import FORM_EDIT_TITLE from '@salesforce/label/c.TeamsSetup_FormEditTitle';
import FIELD_USER_ID from '@salesforce/label/c.TeamsSetup_FieldUserId';
import FIELD_USER_ID_HELP from '@salesforce/label/c.TeamsSetup_FieldUserIdHelp';
import SAVE from '@salesforce/label/c.TeamsSetup_Save';
import CANCEL from '@salesforce/label/c.TeamsSetup_Cancel';
import SAVED from '@salesforce/label/c.TeamsSetup_Saved';
import SAVE_ERROR from '@salesforce/label/c.TeamsSetup_SaveError';
import FIX_FIELDS from '@salesforce/label/c.TeamsSetup_FixFields';
import ERROR_USER_ID from '@salesforce/label/c.TeamsSetup_ErrorUserId';
import ERROR_TEAMS_ID from '@salesforce/label/c.TeamsSetup_ErrorTeamsId';
import ERROR_PHONE from '@salesforce/label/c.TeamsSetup_ErrorPhone';

const STATUS = {
  Pass: { label: STATUS_PASS, icon: 'utility:success', variant: 'success' },
  Fail: { label: STATUS_FAIL, icon: 'utility:error', variant: 'error' },
  Warn: { label: STATUS_WARN, icon: 'utility:warning', variant: 'warning' }
};
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USER_ID = /^005[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/;
const EMPTY_FORM = {
  recordId: null,
  userId: '',
  userName: '',
  teamsUserId: '',
  teamsUpn: '',
  phoneNumber: '',
  extension: '',
  isActive: true
};

/**
 * @typedef {Object} SetupCheck
 * @property {string} name
 * @property {string} label
 * @property {'Pass'|'Fail'|'Warn'} status
 * @property {string} detail
 * @property {string} fix
 *
 * @typedef {Object} PhoneUserRow
 * @property {string|null} recordId
 * @property {string} userId
 * @property {string} userName
 * @property {string} teamsUserId
 * @property {string} teamsUpn
 * @property {string} phoneNumber
 * @property {string} extension
 * @property {boolean} isActive
 */

/**
 * B07: the admin setup tab — installation checks with what to fix, and the phone-user mapping (Salesforce user ↔
 * Teams object id and line number).
 */
export default class TeamsPhoneSetup extends LightningElement {
  labels = {
    TITLE,
    INTRO,
    CHECKS_TITLE,
    RUN_CHECKS,
    LOADING,
    CHECKS_EMPTY,
    HOW_TO_FIX,
    USERS_TITLE,
    USERS_EMPTY,
    ADD_USER,
    EDIT,
    COL_USER,
    COL_TEAMS_ID,
    COL_UPN,
    COL_PHONE,
    COL_EXTENSION,
    COL_ACTIVE,
    COL_ACTIONS,
    FIELD_USER_ID,
    FIELD_USER_ID_HELP,
    SAVE,
    CANCEL
  };

  /** @type {SetupCheck[]} */
  checks = [];
  checksLoaded = false;
  checksLoading = false;
  checksError = '';
  /** @type {PhoneUserRow[]} */
  users = [];
  usersLoaded = false;
  usersLoading = false;
  usersError = '';
  /** @type {PhoneUserRow|null} the user being added or edited */
  form = null;
  formErrors = [];
  isSaving = false;
  statusMessage = '';

  connectedCallback() {
    this.loadChecks();
    this.loadUsers();
  }

  async loadChecks() {
    this.checksLoading = true;
    this.checksError = '';
    try {
      const result = await runChecks();
      this.checks = Array.isArray(result) ? result : [];
    } catch (error) {
      this.checks = [];
      this.checksError = friendlyMessage(error, CHECKS_ERROR);
    } finally {
      this.checksLoading = false;
      this.checksLoaded = true;
    }
  }

  async loadUsers() {
    this.usersLoading = true;
    this.usersError = '';
    try {
      const result = await getPhoneUsers();
      this.users = Array.isArray(result) ? result : [];
    } catch (error) {
      this.users = [];
      this.usersError = friendlyMessage(error, USERS_ERROR);
    } finally {
      this.usersLoading = false;
      this.usersLoaded = true;
    }
  }

  get checkRows() {
    return this.checks.map((check) => {
      const status = STATUS[check.status] ?? STATUS.Warn;
      return {
        ...check,
        statusLabel: status.label,
        icon: status.icon,
        iconVariant: status.variant,
        needsFix: check.status !== 'Pass' && Boolean(check.fix)
      };
    });
  }

  get summary() {
    const count = (status) => this.checks.filter((check) => check.status === status).length;
    return formatLabel(SUMMARY, count('Pass'), count('Fail'), count('Warn'));
  }

  get hasChecks() {
    return this.checks.length > 0;
  }

  get checksEmpty() {
    return this.checksLoaded && !this.checksLoading && !this.checksError && this.checks.length === 0;
  }

  get userRows() {
    return this.users.map((user) => ({
      ...user,
      activeLabel: user.isActive ? YES : NO,
      phoneLabel: formatPhone(user.phoneNumber),
      editA11y: formatLabel(EDIT_A11Y, user.userName || user.userId)
    }));
  }

  get hasUsers() {
    return this.users.length > 0;
  }

  get usersEmpty() {
    return this.usersLoaded && !this.usersLoading && !this.usersError && this.users.length === 0;
  }

  get isFormOpen() {
    return this.form !== null;
  }

  get isNewUser() {
    return this.form !== null && !this.form.recordId;
  }

  get formTitle() {
    return this.isNewUser ? FORM_ADD_TITLE : formatLabel(FORM_EDIT_TITLE, this.form?.userName ?? '');
  }

  get hasFormErrors() {
    return this.formErrors.length > 0;
  }

  handleRunChecks() {
    this.loadChecks();
  }

  handleAdd() {
    this.form = { ...EMPTY_FORM };
    this.formErrors = [];
  }

  handleEdit(event) {
    const user = this.users.find((row) => row.recordId === event.currentTarget.dataset.id);
    this.form = { ...EMPTY_FORM, ...user };
    this.formErrors = [];
  }

  handleCancel() {
    this.form = null;
    this.formErrors = [];
  }

  handleFieldChange(event) {
    const name = event.target.dataset.input;
    const value = event.target.type === 'checkbox' ? event.detail.checked : event.detail.value;
    this.form = { ...this.form, [name]: value };
    event.target.setCustomValidity('');
  }

  handlePhoneBlur(event) {
    if (this.form?.phoneNumber) {
      const phone = normalizePhone(this.form.phoneNumber);
      if (isPhoneNumber(phone)) {
        this.form = { ...this.form, phoneNumber: phone };
      }
    }
    event.target.reportValidity();
  }

  /** @returns {Array<{field: string, message: string}>} */
  precheck() {
    const errors = [];
    const form = this.form;
    if (this.isNewUser && !USER_ID.test(String(form.userId ?? '').trim())) {
      errors.push({ field: 'userId', message: ERROR_USER_ID });
    }
    if (!GUID.test(String(form.teamsUserId ?? '').trim())) {
      errors.push({ field: 'teamsUserId', message: ERROR_TEAMS_ID });
    }
    if (form.phoneNumber && !isPhoneNumber(form.phoneNumber)) {
      errors.push({ field: 'phoneNumber', message: ERROR_PHONE });
    }
    return errors;
  }

  /**
   * Puts each message on its input (the platform shows it right under the field); others go to the summary.
   * @param {Array<{field: string, message: string}>} errors
   */
  showErrors(errors) {
    const inputs = [...this.template.querySelectorAll('[data-input]')].map(asInput);
    inputs.forEach((input) => input.setCustomValidity(''));
    const unplaced = [];
    for (const error of errors) {
      const input = inputs.find((candidate) => candidate.dataset.input === error.field);
      if (input) {
        input.setCustomValidity(error.message);
      } else {
        unplaced.push(error.message);
      }
    }
    inputs.forEach((input) => input.reportValidity());
    this.formErrors = [...new Set(unplaced)].map((message, index) => ({ key: `e${index}`, message }));
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
    const form = this.form;
    const payload = {
      recordId: form.recordId,
      userId: String(form.userId ?? '').trim(),
      teamsUserId: String(form.teamsUserId).trim().toLowerCase(),
      teamsUpn: form.teamsUpn ? String(form.teamsUpn).trim() : null,
      phoneNumber: form.phoneNumber ? normalizePhone(form.phoneNumber) : null,
      extension: form.extension ? String(form.extension).trim() : null,
      isActive: form.isActive !== false
    };
    this.isSaving = true;
    try {
      const result = await savePhoneUser({ phoneUserJson: JSON.stringify(payload) });
      if (result?.isSuccess) {
        const saved = result.phoneUser ?? payload;
        const exists = this.users.some((user) => user.recordId === saved.recordId);
        this.users = exists
          ? this.users.map((user) => (user.recordId === saved.recordId ? saved : user))
          : [...this.users, saved];
        this.form = null;
        this.statusMessage = SAVED;
      } else {
        const errors = Array.isArray(result?.errors) ? result.errors : [];
        this.showErrors(errors.length > 0 ? errors : [{ field: null, message: SAVE_ERROR }]);
        this.statusMessage = FIX_FIELDS;
      }
    } catch (error) {
      this.formErrors = [{ key: 'e0', message: friendlyMessage(error, SAVE_ERROR) }];
    } finally {
      this.isSaving = false;
    }
  }
}
