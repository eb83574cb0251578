import { LightningElement, api } from 'lwc';
import { NavigationMixin } from 'lightning/navigation';
import {
  APPLICATION_SCOPE,
  createMessageContext,
  publish,
  releaseMessageContext,
  subscribe,
  unsubscribe
} from 'lightning/messageService';
import USER_ID from '@salesforce/user/Id';
import TEAMS_DIAL_INTENT from '@salesforce/messageChannel/TeamsDialIntent__c';
import TEAMS_CALL_ENDED from '@salesforce/messageChannel/TeamsCallEnded__c';
import getCalls from '@salesforce/apex/TeamsCallHistoryController.getCalls';
import { asInput, friendlyMessage, formatLabel, formatPhone, formatSeconds, reasonLabel } from 'c/teamsViewUtils';

import TITLE from '@salesforce/label/c.TeamsHistory_Title';
import FILTER_LABEL from '@salesforce/label/c.TeamsHistory_FilterLabel';
import FILTER_ALL from '@salesforce/label/c.TeamsHistory_FilterAll';
import FILTER_MISSED from '@salesforce/label/c.TeamsHistory_FilterMissed';
import FILTER_INBOUND from '@salesforce/label/c.TeamsHistory_FilterInbound';
import FILTER_OUTBOUND from '@salesforce/label/c.TeamsHistory_FilterOutbound';
import FROM_DATE from '@salesforce/label/c.TeamsHistory_FromDate';
import TO_DATE from '@salesforce/label/c.TeamsHistory_ToDate';
import DATE_RANGE_INVALID from '@salesforce/label/c.TeamsHistory_DateRangeInvalid';
import COL_DIRECTION from '@salesforce/label/c.TeamsHistory_ColDirection';
import COL_CALLER from '@salesforce/label/c.TeamsHistory_ColCaller';
import COL_RECORD from '@salesforce/label/c.TeamsHistory_ColRecord';
import COL_AGENT from '@salesforce/label/c.TeamsHistory_ColAgent';
import COL_START from '@salesforce/label/c.TeamsHistory_ColStart';
import COL_RING from '@salesforce/label/c.TeamsHistory_ColRing';
import COL_TALK from '@salesforce/label/c.TeamsHistory_ColTalk';
import COL_OUTCOME from '@salesforce/label/c.TeamsHistory_ColOutcome';
import COL_REASON from '@salesforce/label/c.TeamsHistory_ColReason';
import COL_ACTIONS from '@salesforce/label/c.TeamsHistory_ColActions';
import CALL_BACK from '@salesforce/label/c.TeamsHistory_CallBack';
import CALL_BACK_A11Y from '@salesforce/label/c.TeamsHistory_CallBackA11y';
import CALL_BACK_SENT from '@salesforce/label/c.TeamsHistory_CallBackSent';
import OPEN_CALL_A11Y from '@salesforce/label/c.TeamsHistory_OpenCallA11y';
import LOAD_MORE from '@salesforce/label/c.TeamsHistory_LoadMore';
import LOADING from '@salesforce/label/c.TeamsHistory_Loading';
import EMPTY from '@salesforce/label/c.TeamsHistory_Empty';
import LOAD_ERROR from '@salesforce/label/c.TeamsHistory_LoadError';
import RETRY from '@salesforce/label/c.TeamsHistory_Retry';
import REFRESH from '@salesforce/label/c.TeamsHistory_Refresh';
import UNKNOWN_CALLER from '@salesforce/label/c.TeamsHistory_UnknownCaller';
import INBOUND from '@salesforce/label/c.TeamsHistory_DirectionInbound';
import OUTBOUND from '@salesforce/label/c.TeamsHistory_DirectionOutbound';
import OUTCOME_ANSWERED from '@salesforce/label/c.TeamsHistory_OutcomeAnswered';
import OUTCOME_MISSED from '@salesforce/label/c.TeamsHistory_OutcomeMissed';
import OUTCOME_REJECTED from '@salesforce/label/c.TeamsHistory_OutcomeRejected';
import OUTCOME_ABANDONED from '@salesforce/label/c.TeamsHistory_OutcomeAbandoned';
import OUTCOME_REDIRECTED from '@salesforce/label/c.TeamsHistory_OutcomeRedirected';
import OUTCOME_TRANSFERRED from '@salesforce/label/c.TeamsHistory_OutcomeTransferred';
import OUTCOME_IN_PROGRESS from '@salesforce/label/c.TeamsHistory_OutcomeInProgress';

/** Page size per request; the server caps it too. */
const PAGE_SIZE = 25;
/** Pixels from the bottom of the scroll area at which the next page is fetched (infinite scroll). */
const SCROLL_THRESHOLD = 48;
/**
 * The platform event and the trigger that writes the call record are delivered independently; reloading a moment
 * after the last ended call (and once per burst of events) shows the finished row instead of the one before.
 */
export const REFRESH_DELAY_MS = 1500;

const DIRECTIONS = { Inbound: INBOUND, Outbound: OUTBOUND };
const OUTCOMES = {
  Answered: OUTCOME_ANSWERED,
  Missed: OUTCOME_MISSED,
  Rejected: OUTCOME_REJECTED,
  Abandoned: OUTCOME_ABANDONED,
  Redirected: OUTCOME_REDIRECTED,
  Transferred: OUTCOME_TRANSFERRED
};
/**
 * @typedef {Object} HistoryRow
 * @property {string} recordId
 * @property {string} teamsCallId
 * @property {string} direction
 * @property {string} callerNumber
 * @property {string} callerName
 * @property {string} matchedRecordId
 * @property {string} matchedRecordName
 * @property {string} agentName
 * @property {string} startedAt
 * @property {number} ringSeconds
 * @property {number} talkSeconds
 * @property {string} outcome
 * @property {string} reason
 * @property {string} state
 * @property {string} target
 */

/**
 * S11 call history: one row per call, filters, paging by server cursor, call back through the dial-intent
 * message channel. Works as a tab, in the utility bar and on Contact/Lead/Account record pages.
 */
export default class TeamsCallHistory extends NavigationMixin(LightningElement) {
  /** Set by record pages (Contact, Lead, Account): only calls matched to that record are listed. */
  @api recordId;
  /** Admins only: list this agent's calls (the server ignores it for non-admins). */
  @api agentUserId;

  /** Created (not wired) so the component also works where no wire context exists, e.g. utility bars. */
  messageContext;

  labels = {
    TITLE,
    FILTER_LABEL,
    FROM_DATE,
    TO_DATE,
    COL_DIRECTION,
    COL_CALLER,
    COL_RECORD,
    COL_AGENT,
    COL_START,
    COL_RING,
    COL_TALK,
    COL_OUTCOME,
    COL_REASON,
    COL_ACTIONS,
    CALL_BACK,
    LOAD_MORE,
    LOADING,
    EMPTY,
    RETRY,
    REFRESH
  };

  filter = 'all';
  fromDate = null;
  toDate = null;
  /** @type {HistoryRow[]} */
  calls = [];
  nextCursor = null;
  isAdmin = false;
  isLoading = false;
  hasLoaded = false;
  errorMessage = '';
  statusMessage = '';
  /** Guards against a slow response for an old filter overwriting a newer one. */
  requestToken = 0;

  get filterOptions() {
    return [
      { label: FILTER_ALL, value: 'all' },
      { label: FILTER_MISSED, value: 'missed' },
      { label: FILTER_INBOUND, value: 'inbound' },
      { label: FILTER_OUTBOUND, value: 'outbound' }
    ];
  }

  /** @type {any} */
  subscription = null;
  /** @type {any} */
  refreshTimer = null;

  connectedCallback() {
    this.messageContext = createMessageContext();
    this.load(true);
    this.listenForEndedCalls();
  }

  disconnectedCallback() {
    clearTimeout(this.refreshTimer);
    if (this.subscription) unsubscribe(this.subscription);
    this.subscription = null;
    releaseMessageContext(this.messageContext);
    this.messageContext = undefined;
  }

  /**
   * S11: the list follows the calls: when the softphone sees one of the agent's calls end (on its agent stream, B10),
   * the first page reloads. No platform-event subscription: agents need no access to TeamsCallEvent__e.
   */
  listenForEndedCalls() {
    this.subscription = subscribe(this.messageContext, TEAMS_CALL_ENDED, (message) => this.handleCallEnded(message), {
      scope: APPLICATION_SCOPE
    });
  }

  /** @param {{ agentUserId?: string }} message */
  handleCallEnded(message) {
    const listed = this.agentUserId || USER_ID;
    if (!message || (message.agentUserId !== listed && !(this.isAdmin && !this.agentUserId))) {
      return;
    }
    clearTimeout(this.refreshTimer);
    // eslint-disable-next-line @lwc/lwc/no-async-operation -- one reload per burst of ended calls (see REFRESH_DELAY_MS)
    this.refreshTimer = setTimeout(() => this.load(true), REFRESH_DELAY_MS);
  }

  get rows() {
    return this.calls.map((call) => {
      const number = formatPhone(call.callerNumber);
      const caller = call.callerName || number || UNKNOWN_CALLER;
      return {
        ...call,
        callerNumber: number,
        key: call.recordId,
        callerLabel: caller,
        showNumber: Boolean(call.callerName && call.callerNumber),
        directionLabel: DIRECTIONS[call.direction] ?? call.direction ?? '',
        directionIcon: call.direction === 'Outbound' ? 'utility:outgoing_call' : 'utility:incoming_call',
        outcomeLabel: call.outcome ? (OUTCOMES[call.outcome] ?? call.outcome) : OUTCOME_IN_PROGRESS,
        isMissedOutcome: ['Missed', 'Abandoned', 'Rejected'].includes(call.outcome),
        reasonLabel: reasonLabel(call.reason),
        ringLabel: formatSeconds(call.ringSeconds),
        talkLabel: formatSeconds(call.talkSeconds),
        canCallBack: Boolean(call.callerNumber),
        callBackA11y: formatLabel(CALL_BACK_A11Y, caller),
        openCallA11y: formatLabel(OPEN_CALL_A11Y, caller)
      };
    });
  }

  get hasRows() {
    return this.calls.length > 0;
  }

  get isEmpty() {
    return this.hasLoaded && !this.errorMessage && this.calls.length === 0;
  }

  get hasError() {
    return Boolean(this.errorMessage);
  }

  get hasMore() {
    return Boolean(this.nextCursor) && !this.errorMessage;
  }

  get isInitialLoading() {
    return this.isLoading && this.calls.length === 0;
  }

  get isMoreLoading() {
    return this.isLoading && this.calls.length > 0;
  }

  /**
   * Fetches the first page (reset) or the page after the current cursor.
   * @param {boolean} reset
   */
  async load(reset) {
    const token = ++this.requestToken;
    this.isLoading = true;
    this.errorMessage = '';
    try {
      const page = await getCalls({
        filter: this.filter,
        fromDate: this.fromDate || null,
        toDate: this.toDate || null,
        agentUserId: this.agentUserId || null,
        relatedRecordId: this.recordId || null,
        cursor: reset ? null : this.nextCursor,
        pageSize: PAGE_SIZE
      });
      if (token !== this.requestToken) {
        return;
      }
      const rows = Array.isArray(page?.rows) ? page.rows : [];
      this.calls = reset ? rows : [...this.calls, ...rows];
      this.nextCursor = page?.nextCursor || null;
      this.isAdmin = page?.isAdmin === true;
    } catch (error) {
      if (token !== this.requestToken) {
        return;
      }
      if (reset) {
        this.calls = [];
      }
      this.errorMessage = friendlyMessage(error, LOAD_ERROR);
    } finally {
      if (token === this.requestToken) {
        this.isLoading = false;
        this.hasLoaded = true;
      }
    }
  }

  handleFilterChange(event) {
    this.filter = event.detail.value;
    this.load(true);
  }

  handleDateChange(event) {
    const name = event.target.dataset.name;
    this[name] = event.detail.value || null;
    const toInput = asInput(this.template.querySelector('lightning-input[data-name="toDate"]'));
    const isRangeValid = !this.fromDate || !this.toDate || this.fromDate <= this.toDate;
    if (toInput) {
      toInput.setCustomValidity(isRangeValid ? '' : DATE_RANGE_INVALID);
      toInput.reportValidity();
    }
    if (isRangeValid) {
      this.load(true);
    }
  }

  handleRefresh() {
    this.load(true);
  }

  handleLoadMore() {
    if (this.hasMore && !this.isLoading) {
      this.load(false);
    }
  }

  handleScroll(event) {
    const area = event.currentTarget;
    if (area.scrollTop + area.clientHeight >= area.scrollHeight - SCROLL_THRESHOLD) {
      this.handleLoadMore();
    }
  }

  handleCallBack(event) {
    const call = this.calls.find((row) => row.recordId === event.currentTarget.dataset.id);
    if (!call?.callerNumber) {
      return;
    }
    publish(this.messageContext, TEAMS_DIAL_INTENT, {
      phoneNumber: call.callerNumber,
      recordId: call.matchedRecordId || null
    });
    this.statusMessage = formatLabel(CALL_BACK_SENT, call.callerName || formatPhone(call.callerNumber));
  }

  handleOpenRecord(event) {
    event.preventDefault();
    this[NavigationMixin.Navigate]({
      type: 'standard__recordPage',
      attributes: { recordId: event.currentTarget.dataset.id, actionName: 'view' }
    });
  }
}
