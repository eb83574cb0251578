import { LightningElement, api, wire } from 'lwc';
import { getRecord, getFieldValue } from 'lightning/uiRecordApi';
import dial from '@salesforce/apex/TeamsSoftphoneController.dial';
import { formatLabel, formatPhone } from 'c/teamsViewUtils';
import CALL_NUMBER from '@salesforce/label/c.TeamsSoftphone_ClickToDial_CallNumber';
import NO_NUMBER from '@salesforce/label/c.TeamsSoftphone_ClickToDial_NoNumber';
import PLACED from '@salesforce/label/c.TeamsSoftphone_ClickToDial_Placed';
import FAILED from '@salesforce/label/c.TeamsSoftphone_DialFailed_Failed';
import TITLE from '@salesforce/label/c.TeamsSoftphone_Title';

/** B09: the phone fields a Call button is offered for, per record page. */
const PHONE_FIELDS = {
  Contact: ['Phone', 'MobilePhone'],
  Lead: ['Phone', 'MobilePhone'],
  Account: ['Phone'],
  Case: ['ContactPhone', 'ContactMobile']
};

let requestCounter = 0;
function newRequestId() {
  requestCounter += 1;
  return `r-${Date.now().toString(36)}-${requestCounter}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * B09: Call buttons on a Contact, Lead, Account (also person accounts) or Case page. A click asks Apex to dial from
 * the agent's own line; Teams rings the agent first and the softphone shows the call. One request id per click, and
 * no second request while one is in flight, so a double click dials once.
 */
export default class TeamsClickToDial extends LightningElement {
  @api recordId;
  @api objectApiName;

  labels = { TITLE, NO_NUMBER };
  /** @type {Object<string, any>|undefined} */
  record;
  isDialling = false;
  /** @type {string|null} */
  status = null;
  /** @type {string|null} */
  error = null;

  get fields() {
    return (PHONE_FIELDS[this.objectApiName] ?? []).map((f) => `${this.objectApiName}.${f}`);
  }

  @wire(getRecord, { recordId: '$recordId', optionalFields: '$fields' })
  wiredRecord({ data }) {
    this.record = data;
  }

  get numbers() {
    if (!this.record) return [];
    const seen = new Set();
    const out = [];
    for (const field of this.fields) {
      const value = getFieldValue(this.record, field);
      if (typeof value !== 'string' || value.trim() === '' || seen.has(value)) continue;
      seen.add(value);
      out.push({ key: field, number: value, label: formatLabel(CALL_NUMBER, formatPhone(value) || value) });
    }
    return out;
  }

  get hasNumbers() {
    return this.numbers.length > 0;
  }

  get showNoNumber() {
    return this.record !== undefined && !this.hasNumbers;
  }

  /** @param {Event} event */
  async handleCall(event) {
    const number = /** @type {HTMLElement} */ (event.currentTarget).dataset.number;
    if (this.isDialling || !number) return;
    this.isDialling = true;
    this.error = null;
    this.status = null;
    try {
      await dial({ phoneNumber: number, requestId: newRequestId() });
      this.status = formatLabel(PLACED, formatPhone(number) || number);
    } catch (failure) {
      this.error = failure?.body?.message ?? FAILED;
    } finally {
      this.isDialling = false;
    }
  }
}
