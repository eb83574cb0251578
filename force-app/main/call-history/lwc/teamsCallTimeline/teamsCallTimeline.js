import { LightningElement, api } from 'lwc';
import getTimeline from '@salesforce/apex/TeamsCallHistoryController.getTimeline';
import { describeTarget, friendlyMessage, formatLabel, reasonLabel } from 'c/teamsViewUtils';

import TITLE from '@salesforce/label/c.TeamsHistory_TimelineTitle';
import EMPTY from '@salesforce/label/c.TeamsHistory_TimelineEmpty';
import LOAD_ERROR from '@salesforce/label/c.TeamsHistory_TimelineLoadError';
import LOADING from '@salesforce/label/c.TeamsHistory_Loading';
import REFRESH from '@salesforce/label/c.TeamsHistory_Refresh';
import SEQUENCE from '@salesforce/label/c.TeamsHistory_TimelineSequence';
import REASON from '@salesforce/label/c.TeamsHistory_TimelineReason';
import TARGET from '@salesforce/label/c.TeamsHistory_TimelineTarget';
import NOT_APPLIED from '@salesforce/label/c.TeamsHistory_TimelineNotApplied';
import NOT_APPLIED_HELP from '@salesforce/label/c.TeamsHistory_TimelineNotAppliedHelp';
import TARGET_TEAMS_CLIENT from '@salesforce/label/c.TeamsHistory_Target_TeamsClientSettings';
import TARGET_TEAMS_USER from '@salesforce/label/c.TeamsHistory_Target_TeamsUser';
import TARGET_SOFTPHONE_USER from '@salesforce/label/c.TeamsHistory_Target_SoftphoneUser';
import TARGET_VOICEMAIL from '@salesforce/label/c.TeamsHistory_Target_SharedVoicemail';
import TARGET_QUEUE from '@salesforce/label/c.TeamsHistory_Target_CallQueue';
import STATE_RINGING from '@salesforce/label/c.TeamsHistory_State_Ringing';
import STATE_CONNECTED from '@salesforce/label/c.TeamsHistory_State_Connected';
import STATE_ONHOLD from '@salesforce/label/c.TeamsHistory_State_OnHold';
import STATE_ENDED from '@salesforce/label/c.TeamsHistory_State_Ended';
import STATE_MISSED from '@salesforce/label/c.TeamsHistory_State_Missed';
import STATE_ABANDONED from '@salesforce/label/c.TeamsHistory_State_Abandoned';
import STATE_REJECTED from '@salesforce/label/c.TeamsHistory_State_Rejected';
import STATE_REDIRECTED from '@salesforce/label/c.TeamsHistory_State_Redirected';
import STATE_TRANSFERRED from '@salesforce/label/c.TeamsHistory_State_Transferred';
import STATE_SUPPRESSED from '@salesforce/label/c.TeamsHistory_State_Suppressed';
import STATE_RECORD_LINK from '@salesforce/label/c.TeamsHistory_State_RecordLink';

/** Call states (TeamsCall__c.State__c) in words. */
const STATES = {
  Ringing: STATE_RINGING,
  Connected: STATE_CONNECTED,
  OnHold: STATE_ONHOLD,
  Ended: STATE_ENDED,
  Missed: STATE_MISSED,
  Abandoned: STATE_ABANDONED,
  Rejected: STATE_REJECTED,
  Redirected: STATE_REDIRECTED,
  Transferred: STATE_TRANSFERRED,
  Suppressed: STATE_SUPPRESSED,
  // TeamsCallLinkService's decision on the ended call (S17): its reason says linked or why not.
  RecordLink: STATE_RECORD_LINK
};

const TARGET_LABELS = {
  TeamsClientSettings: TARGET_TEAMS_CLIENT,
  TeamsUser: TARGET_TEAMS_USER,
  SoftphoneUser: TARGET_SOFTPHONE_USER,
  SharedVoicemail: TARGET_VOICEMAIL,
  CallQueue: TARGET_QUEUE
};

/** A Salesforce record id (15 or 18 characters): never shown, its name is. */
const RECORD_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/**
 * The target of an entry in words: the name the server resolved (a user, the linked record), else the target's
 * type in words with its number (c/teamsViewUtils describeTarget); a record id without a name is left out.
 * @param {TimelineEntry} entry
 * @returns {string}
 */
function targetText(entry) {
  if (entry.targetName) return entry.targetName;
  if (entry.state === 'RecordLink' && RECORD_ID.test(String(entry.target ?? '').trim())) return '';
  return describeTarget(entry.target, TARGET_LABELS);
}

/**
 * @typedef {Object} TimelineEntry
 * @property {number} sequence
 * @property {string} state
 * @property {string} reason
 * @property {string} target
 * @property {string|null} [targetName] the name behind the target, resolved by the server
 * @property {string} occurredAt
 * @property {boolean} isApplied
 */

/**
 * B08: on a TeamsCall__c record page, every event the handler saw for the call in sequence order, including the
 * ones it did not apply (duplicates, out of order) so an admin can answer "why did it go to X".
 */
export default class TeamsCallTimeline extends LightningElement {
  /** The TeamsCall__c id, set by the record page. */
  @api recordId;

  labels = { TITLE, EMPTY, LOADING, REFRESH, REASON, TARGET, NOT_APPLIED, NOT_APPLIED_HELP };

  /** @type {TimelineEntry[]} */
  entries = [];
  isLoading = false;
  hasLoaded = false;
  errorMessage = '';

  connectedCallback() {
    this.load();
  }

  async load() {
    this.isLoading = true;
    this.errorMessage = '';
    try {
      const result = await getTimeline({ callRecordId: this.recordId });
      this.entries = Array.isArray(result) ? result : [];
    } catch (error) {
      this.entries = [];
      this.errorMessage = friendlyMessage(error, LOAD_ERROR);
    } finally {
      this.isLoading = false;
      this.hasLoaded = true;
    }
  }

  get items() {
    // The server sorts already; sorting again keeps the order right if a caller hands entries over unsorted,
    // with arrival time as tie-breaker for duplicates of one sequence.
    return [...this.entries]
      .sort((a, b) => a.sequence - b.sequence || String(a.occurredAt).localeCompare(String(b.occurredAt)))
      .map((entry, index) => ({
        ...entry,
        key: `${entry.sequence}-${index}`,
        stateLabel: STATES[entry.state] ?? entry.state,
        reason: reasonLabel(entry.reason),
        target: targetText(entry),
        sequenceLabel: formatLabel(SEQUENCE, entry.sequence),
        isNotApplied: entry.isApplied === false,
        itemClass: entry.isApplied === false ? 'slds-timeline__item not-applied' : 'slds-timeline__item'
      }));
  }

  get hasEntries() {
    return this.entries.length > 0;
  }

  get isEmpty() {
    return this.hasLoaded && !this.errorMessage && this.entries.length === 0;
  }

  get hasError() {
    return Boolean(this.errorMessage);
  }

  handleRefresh() {
    this.load();
  }
}
