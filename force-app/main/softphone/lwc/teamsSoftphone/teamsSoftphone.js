import { LightningElement, wire } from 'lwc';
import { NavigationMixin } from 'lightning/navigation';
import { EnclosingUtilityId, open as openUtility, updateUtility } from 'lightning/platformUtilityBarApi';
import { IsConsoleNavigation, openTab, getFocusedTabInfo } from 'lightning/platformWorkspaceApi';
import {
  APPLICATION_SCOPE,
  createMessageContext,
  publish as publishMessage,
  releaseMessageContext,
  subscribe as subscribeMessage,
  unsubscribe as unsubscribeMessage
} from 'lightning/messageService';
import { encodeDefaultFieldValues } from 'lightning/pageReferenceUtils';
import DIAL_INTENT_CHANNEL from '@salesforce/messageChannel/TeamsDialIntent__c';
import CALL_ENDED_CHANNEL from '@salesforce/messageChannel/TeamsCallEnded__c';
import USER_ID from '@salesforce/user/Id';
import getAgentContext from '@salesforce/apex/TeamsSoftphoneController.getAgentContext';
import getOpenCalls from '@salesforce/apex/TeamsSoftphoneController.getOpenCalls';
import findCallerMatches from '@salesforce/apex/TeamsSoftphoneController.findCallerMatches';
import sendCommand from '@salesforce/apex/TeamsSoftphoneController.sendCommand';
import dial from '@salesforce/apex/TeamsSoftphoneController.dial';
import afterCallWork from '@salesforce/apex/TeamsSoftphoneController.afterCallWork';
import linkRecord from '@salesforce/apex/TeamsSoftphoneController.linkRecord';
import saveWrapUp from '@salesforce/apex/TeamsSoftphoneController.saveWrapUp';
import getStreamAccess from '@salesforce/apex/TeamsStreamAccessController.getStreamAccess';
import { openAgentStream } from 'c/teamsAgentStream';
import { describeTarget, formatPhone } from 'c/teamsViewUtils';
import LABELS from './labels';
import { formatDuration, initialState, reduce } from './softphoneState';

// Teams confirms a command only through the next call event; without one the buttons must not stay locked.
export const COMMAND_TIMEOUT_MS = 15000;
const DISPOSITIONS = ['Resolved', 'FollowUpNeeded', 'LeftVoicemail', 'WrongNumber', 'NotInterested'];
/** @type {Object<string, string>} */
const ACTION_LABELS = { Hold: 'Hold', Resume: 'Resume', Hangup: 'HangUp', Reject: 'Reject' };

// Graph availability values that read the same to an agent as a plainer one.
/** @type {Object<string, string>} */
const PRESENCE_ALIASES = { AvailableIdle: 'Available', BusyIdle: 'Busy', InAConferenceCall: 'InACall' };

/** Words for a redirect target in a notice ("sent to …"); user and queue ids are never shown. */
const TARGET_LABELS = {
  TeamsClientSettings: LABELS.TeamsSettings,
  TeamsUser: LABELS.Target_TeamsUser,
  SoftphoneUser: LABELS.Target_SoftphoneUser,
  SharedVoicemail: LABELS.Target_SharedVoicemail,
  CallQueue: LABELS.Target_CallQueue
};

/** B09: why a dialled call did not connect, as the softphone says it. */
const DIAL_FAILURES = {
  Declined: LABELS.DialFailed_Declined,
  NoAnswer: LABELS.DialFailed_NoAnswer,
  Busy: LABELS.DialFailed_Busy
};

/** B09: one id per dial request (a click); Apex turns it into the command id, so a repeat dials once. */
let dialCounter = 0;
export function newDialRequestId() {
  dialCounter += 1;
  return `d-${Date.now().toString(36)}-${dialCounter}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Notices and unfinished wrap-ups survive a reload of the console (sessionStorage: this browser tab only, per
 * user, gone when the tab closes). Open calls need no copy: the controller's snapshot restores them (B02).
 */
export const STORAGE_KEY_PREFIX = 'teamsSoftphone.v1.';
const storageKey = () => `${STORAGE_KEY_PREFIX}${USER_ID}`;

/** @returns {{notices: any[], wrapUps: any[], sequences: Object<string, number>, drafts: Object<string, any>}|null} */
function readStored() {
  try {
    const raw = window.sessionStorage.getItem(storageKey());
    const stored = raw ? JSON.parse(raw) : null;
    return stored && typeof stored === 'object' ? stored : null;
  } catch {
    return null;
  }
}

/**
 * B13: the end of the agent's after-call work (epoch ms) survives a reload like the wrap-up (sessionStorage, this
 * tab, per user). The relay holds the real period; the softphone counts down to the same end.
 */
export const AFTER_CALL_WORK_KEY_SUFFIX = '.afterCallWork';
/** B13: after-call work never lasts longer than this from now (the relay's limit too). */
export const AFTER_CALL_WORK_MAX_SECONDS = 999;

/** @returns {number|null} the stored end, if it is still ahead */
function readAfterCallWork() {
  try {
    const until = Number(window.sessionStorage.getItem(`${storageKey()}${AFTER_CALL_WORK_KEY_SUFFIX}`));
    // Never outlives its limit, even with a stored value that was tampered with.
    const max = Date.now() + AFTER_CALL_WORK_MAX_SECONDS * 1000;
    return Number.isFinite(until) && until > Date.now() ? Math.min(until, max) : null;
  } catch {
    return null;
  }
}

/**
 * Replaces {0}, {1}, … in a label.
 * @param {string} template
 * @param {...(string|null|undefined)} values
 * @returns {string}
 */
function format(template, ...values) {
  return String(template ?? '').replace(/\{(\d+)\}/g, (whole, index) => values[Number(index)] ?? '');
}

/**
 * @param {string|null} presence
 * @returns {string}
 */
function presenceLabel(presence) {
  const name = PRESENCE_ALIASES[presence ?? ''] ?? presence;
  if (!name || name === 'PresenceUnknown') return LABELS.PresenceUnknown;
  return LABELS[`Presence_${name}`] ?? name;
}

/**
 * The Teams softphone in the console utility bar: shows ringing, active and waiting calls, notices and wrap-up,
 * driven by TeamsCallEvent__e through the pure reducer in softphoneState.js. Answering happens in Teams (S02).
 */
export default class TeamsSoftphone extends NavigationMixin(LightningElement) {
  labels = LABELS;

  /** @type {import('./softphoneState').SoftphoneState} */
  state = initialState();
  /** @type {Object<string, any>|null} */
  context = null;
  isLoading = true;
  loadFailed = false;
  /** B10: the agent stream is down and being retried ('reconnecting') or has failed several times ('unavailable'). */
  streamStatus = '';
  /** Why the stream is unavailable, as the stream client or Apex said it. */
  streamDetail = '';
  now = Date.now();
  /** @type {Object<string, {notes: string, disposition: string, doNotLog: boolean, recordId: string, error: string|null, isSaving: boolean}>} */
  drafts = {};
  /** B13: when the agent's after-call work ends (epoch ms), or null when there is none. */
  afterCallWorkUntil = null;
  afterCallWorkBusy = false;
  afterCallWorkError = '';
  /** @type {Object<string, string|null>} */
  linkErrors = {};
  /** B09: the dial pad. */
  dialNumber = '';
  /** @type {string|null} */
  dialError = null;
  isDialling = false;
  /** @type {string|null} the request id of the dial not yet accepted (reused on a retry of the same number) */
  dialRequestId = null;

  /** @type {string|undefined} */
  @wire(EnclosingUtilityId) utilityId;
  /** @type {boolean|undefined} */
  @wire(IsConsoleNavigation) isConsole;

  /** @type {{ close: () => void }|null} */
  stream = null;
  /** @type {Set<string>} */
  announced = new Set();
  /** @type {any} */
  messageContext = null;
  /** @type {any} */
  dialSubscription = null;
  /** @type {any} */
  timer = null;
  /** @type {Set<any>} */
  commandTimeouts = new Set();
  isDisconnected = false;

  connectedCallback() {
    this.isDisconnected = false;
    this.messageContext = createMessageContext();
    this.dialSubscription = subscribeMessage(
      this.messageContext,
      DIAL_INTENT_CHANNEL,
      (/** @type {any} */ message) =>
        this.dispatch({ type: 'dialIntent', phoneNumber: message?.phoneNumber, recordId: message?.recordId ?? null }),
      { scope: APPLICATION_SCOPE }
    );
    this.restore();
    this.setAfterCallWork(readAfterCallWork());
    this.load();
  }

  restore() {
    const stored = readStored();
    if (!stored) return;
    this.dispatch({
      type: 'restore',
      notices: stored.notices,
      wrapUps: stored.wrapUps,
      sequences: stored.sequences
    });
    const drafts = stored.drafts && typeof stored.drafts === 'object' ? stored.drafts : {};
    for (const [teamsCallId, draft] of Object.entries(drafts)) {
      if (!this.state.wrapUps.some((w) => w.teamsCallId === teamsCallId) || !draft || typeof draft !== 'object') {
        continue;
      }
      this.drafts = {
        ...this.drafts,
        [teamsCallId]: {
          ...this.draftFor(teamsCallId),
          notes: String(draft.notes ?? ''),
          disposition: String(draft.disposition ?? ''),
          doNotLog: draft.doNotLog === true,
          recordId: String(draft.recordId ?? '')
        }
      };
    }
  }

  persist() {
    const keep = new Set([...this.state.notices, ...this.state.wrapUps].map((x) => x.teamsCallId));
    /** @type {Object<string, number>} */
    const sequences = {};
    for (const id of keep) if (this.state.sequences[id] !== undefined) sequences[id] = this.state.sequences[id];
    /** @type {Object<string, any>} */
    const drafts = {};
    for (const w of this.state.wrapUps) {
      const d = this.drafts[w.teamsCallId];
      if (d)
        drafts[w.teamsCallId] = {
          notes: d.notes,
          disposition: d.disposition,
          doNotLog: d.doNotLog,
          recordId: d.recordId
        };
    }
    try {
      if (keep.size === 0) window.sessionStorage.removeItem(storageKey());
      else {
        window.sessionStorage.setItem(
          storageKey(),
          JSON.stringify({ notices: this.state.notices, wrapUps: this.state.wrapUps, sequences, drafts })
        );
      }
    } catch {
      // Storage full or blocked: the softphone works on, only a reload forgets notices and wrap-ups.
    }
  }

  disconnectedCallback() {
    this.isDisconnected = true;
    this.stopTimer();
    for (const timeout of this.commandTimeouts) clearTimeout(timeout);
    this.commandTimeouts.clear();
    this.stream?.close();
    this.stream = null;
    if (this.dialSubscription) unsubscribeMessage(this.dialSubscription);
    if (this.messageContext) releaseMessageContext(this.messageContext);
  }

  async load() {
    try {
      this.context = await getAgentContext();
      this.dispatch({ type: 'agentContext', presence: this.context?.presence ?? null });
      // Missed calls kept over a reload still need the agent's eye: the utility stays highlighted.
      if (this.state.notices.length > 0) this.signalUtility(true, false);
      if (this.context?.isConfigured) {
        // B10: live events come from the relay's agent stream; the snapshot restores what is open now (B02). Each
        // time the stream is live again the snapshot is read again, so nothing that happened meanwhile is missed;
        // the reducer merges both by sequence.
        this.openStream();
        await this.reconcile();
      }
    } catch {
      this.loadFailed = true;
    } finally {
      this.isLoading = false;
    }
  }

  openStream() {
    this.stream = openAgentStream({
      getAccess: () => getStreamAccess(),
      onEvent: (payload) => this.dispatch({ type: 'platformEvent', userId: USER_ID, payload }),
      onReset: () => this.reconcileQuietly(),
      onStatus: (status, detail) => this.handleStreamStatus(status, detail)
    });
  }

  /**
   * @param {string} status connecting | live | reconnecting | unavailable
   * @param {string} [detail]
   */
  handleStreamStatus(status, detail) {
    const wasLive = this.streamStatus === 'live';
    this.streamStatus = status;
    this.streamDetail = detail ?? '';
    if (status === 'live' && !wasLive) this.reconcileQuietly();
  }

  reconcileQuietly() {
    this.reconcile().catch(() => {
      // The next status change or reload tries again; the stream keeps the calls current meanwhile.
    });
  }

  async reconcile() {
    const calls = await getOpenCalls();
    this.dispatch({ type: 'openCalls', calls: calls ?? [] });
  }

  /** @param {import('./softphoneState').SoftphoneEvent} event */
  dispatch(event) {
    const before = this.state;
    const next = reduce(before, event);
    if (next === before) return;
    this.state = next;
    if (next.notices !== before.notices || next.wrapUps !== before.wrapUps) this.persist();
    this.afterChange(before, next, event.type === 'platformEvent');
  }

  /**
   * Side effects of a state change: lookups and screen pop for new calls, utility highlight, the duration clock.
   * @param {import('./softphoneState').SoftphoneState} before
   * @param {import('./softphoneState').SoftphoneState} next
   * @param {boolean} isLive a live event (pops the record) rather than a restored snapshot (does not)
   */
  afterChange(before, next, isLive) {
    // The call history reloads when one of the agent's calls ends (S11), without subscribing to anything itself.
    for (const call of before.calls) {
      if (next.calls.some((c) => c.teamsCallId === call.teamsCallId) || !this.messageContext) continue;
      publishMessage(this.messageContext, CALL_ENDED_CHANNEL, { teamsCallId: call.teamsCallId, agentUserId: USER_ID });
    }
    for (const call of next.calls) {
      if (this.announced.has(call.teamsCallId)) continue;
      this.announced.add(call.teamsCallId);
      // A waiting call (S09) must not pull the agent away from the tab of the call they are on.
      const isWaiting = next.calls.some((c) => c.teamsCallId !== call.teamsCallId && c.state !== 'Ringing');
      this.lookUpCaller(call.teamsCallId, call.callerNumber, isLive && call.state === 'Ringing', !isWaiting);
    }
    // Attention: a ringing call or a missed one (a notice) opens and highlights the utility until dealt with.
    const needed = (/** @type {typeof next} */ s) => s.calls.some((c) => c.state === 'Ringing') || s.notices.length > 0;
    const newRinging = next.calls.some(
      (c) => c.state === 'Ringing' && !before.calls.some((b) => b.teamsCallId === c.teamsCallId)
    );
    const newNotice = next.notices.some((n) => !before.notices.some((b) => b.id === n.id));
    if (newRinging || (newNotice && isLive)) this.signalUtility(true);
    else if (needed(before) && !needed(next)) this.signalUtility(false);
    if (isLive) this.noticeAfterCallWork(before, next);
    this.syncTimer();
  }

  /** The one-second tick runs while a call is answered (duration, S03) or after-call work counts down (B13). */
  syncTimer() {
    if (this.state.calls.some((c) => c.answeredAt) || this.afterCallWorkUntil !== null) this.startTimer();
    else this.stopTimer();
  }

  /**
   * B13: a call the agent talked on ended and no other is connected: the relay starts after-call work (when the
   * agent has a period), so the countdown starts; presence leaving Do Not Disturb means the relay ended it.
   * @param {import('./softphoneState').SoftphoneState} before
   * @param {import('./softphoneState').SoftphoneState} next
   */
  noticeAfterCallWork(before, next) {
    const seconds = Number(this.context?.afterCallWorkSeconds ?? 0);
    const talkedAndEnded = before.calls.some(
      (b) => b.answeredAt && b.state !== 'Ringing' && !next.calls.some((c) => c.teamsCallId === b.teamsCallId)
    );
    const stillTalking = next.calls.some((c) => c.state === 'Connected' || c.state === 'OnHold');
    if (talkedAndEnded && !stillTalking && seconds > 0) {
      this.setAfterCallWork(Date.now() + Math.min(seconds, AFTER_CALL_WORK_MAX_SECONDS) * 1000);
    } else if (
      this.afterCallWorkUntil !== null &&
      before.presence === 'DoNotDisturb' &&
      next.presence !== before.presence
    ) {
      this.setAfterCallWork(null);
    }
  }

  /** @param {number|null} until */
  setAfterCallWork(until) {
    this.afterCallWorkUntil = until;
    this.afterCallWorkError = '';
    try {
      const key = `${storageKey()}${AFTER_CALL_WORK_KEY_SUFFIX}`;
      if (until === null) window.sessionStorage.removeItem(key);
      else window.sessionStorage.setItem(key, String(until));
    } catch {
      // Storage blocked: the countdown works on, only a reload forgets it (the relay still ends the period).
    }
    this.syncTimer();
  }

  get hasAfterCallWork() {
    return this.isReady && this.afterCallWorkUntil !== null && this.afterCallWorkUntil > this.now;
  }

  get afterCallWorkText() {
    const left = formatDuration(new Date(this.now).toISOString(), this.afterCallWorkUntil ?? this.now);
    return format(LABELS.AfterCallWork, left);
  }

  /** @param {'Ready'|'Extend'} action */
  async sendAfterCallWork(action) {
    if (this.afterCallWorkBusy) return;
    this.afterCallWorkBusy = true;
    this.afterCallWorkError = '';
    try {
      await afterCallWork({ action });
      if (action === 'Ready') {
        this.setAfterCallWork(null);
      } else {
        // As the relay extends: the period again from its end, never more than 999 s from now.
        const now = Date.now();
        const seconds = Math.max(1, Number(this.context?.afterCallWorkSeconds ?? 0));
        const from = Math.max(this.afterCallWorkUntil ?? now, now);
        this.setAfterCallWork(Math.min(from + seconds * 1000, now + AFTER_CALL_WORK_MAX_SECONDS * 1000));
      }
    } catch (error) {
      this.afterCallWorkError = error?.body?.message ?? LABELS.AfterCallWorkFailed;
    } finally {
      this.afterCallWorkBusy = false;
    }
  }

  handleAfterCallWorkReady() {
    this.sendAfterCallWork('Ready');
  }

  handleAfterCallWorkExtend() {
    this.sendAfterCallWork('Extend');
  }

  /**
   * @param {boolean} attention a call rings or was missed: highlight, and open without taking focus
   * @param {boolean} [open] false to only highlight (missed calls restored after a reload were signalled before)
   */
  async signalUtility(attention, open = attention) {
    if (!this.utilityId) return;
    try {
      if (open) await openUtility(this.utilityId, { autoFocus: false });
      await updateUtility(this.utilityId, { highlighted: attention, iconVariant: attention ? 'warning' : undefined });
    } catch {
      // Outside a utility bar (or a locked one) the softphone still works; highlighting is a nicety.
    }
  }

  /**
   * @param {string} teamsCallId
   * @param {string|null} callerNumber
   * @param {boolean} mayPop
   * @param {boolean} focus whether the popped record takes focus (not while the agent is on another call)
   */
  async lookUpCaller(teamsCallId, callerNumber, mayPop, focus) {
    let matches = [];
    if (callerNumber) {
      try {
        matches = (await findCallerMatches({ phoneNumber: callerNumber })) ?? [];
      } catch {
        matches = [];
      }
    }
    this.dispatch({ type: 'matchesLoaded', teamsCallId, matches });
    if (mayPop && matches.length === 1 && this.context?.screenPop === 'SingleMatch') {
      this.openRecord(matches[0].recordId, focus);
    }
  }

  /**
   * @param {string} recordId
   * @param {boolean} [focus]
   */
  openRecord(recordId, focus = true) {
    if (this.isConsole) {
      openTab({ recordId, focus }).catch(() => {});
    } else if (focus) {
      this[NavigationMixin.Navigate]({ type: 'standard__recordPage', attributes: { recordId, actionName: 'view' } });
    }
  }

  startTimer() {
    if (this.timer) return;
    this.now = Date.now();
    // A one-second tick drives the running duration (S03); it runs only while a call is answered.
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.timer = setInterval(() => {
      this.now = Date.now();
      // B13: the countdown never outlives its end.
      if (this.afterCallWorkUntil !== null && this.now >= this.afterCallWorkUntil) this.setAfterCallWork(null);
    }, 1000);
  }

  stopTimer() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  // ---- view model -------------------------------------------------------------------------------------------

  /** B10: a drop being retried; the calls shown may be behind until the stream is back. */
  get connectionLost() {
    return this.streamStatus === 'reconnecting';
  }

  /** B10: several attempts failed: say why and what to check, never show calls as if they were current. */
  get streamUnavailable() {
    return this.streamStatus === 'unavailable';
  }

  get streamUnavailableText() {
    return this.labels.StreamUnavailable.replace('{0}', this.streamDetail || '—');
  }

  get isNotConfigured() {
    return !this.isLoading && !this.loadFailed && this.context !== null && !this.context.isConfigured;
  }

  get isReady() {
    return !this.isLoading && !this.loadFailed && Boolean(this.context?.isConfigured);
  }

  get presenceText() {
    return presenceLabel(this.state.presence);
  }

  get presenceClass() {
    const p = this.state.presence ?? '';
    let tone = 'offline';
    if (['Available', 'AvailableIdle'].includes(p)) tone = 'available';
    else if (['Busy', 'BusyIdle', 'InACall', 'InAMeeting', 'InAConferenceCall'].includes(p)) tone = 'busy';
    else if (['DoNotDisturb', 'Presenting', 'Focusing', 'UrgentInterruptionsOnly'].includes(p)) tone = 'dnd';
    else if (['Away', 'BeRightBack', 'OutOfOffice'].includes(p)) tone = 'away';
    return `presence-dot presence-dot_${tone}`;
  }

  get hasCalls() {
    return this.state.calls.length > 0;
  }

  get isIdle() {
    return !this.hasCalls && this.state.wrapUps.length === 0;
  }

  get calls() {
    const hasAnswered = this.state.calls.some((c) => c.state !== 'Ringing');
    /** @type {Object<string, number>} */
    const order = { Ringing: 0, Connected: 1, OnHold: 2 };
    return [...this.state.calls]
      .sort((a, b) => order[a.state] - order[b.state])
      .map((call) => this.toCallView(call, hasAnswered));
  }

  /**
   * @param {import('./softphoneState').Call} call
   * @param {boolean} hasAnswered
   */
  toCallView(call, hasAnswered) {
    const caller = formatPhone(call.callerNumber) || LABELS.UnknownCaller;
    const isRinging = call.state === 'Ringing';
    const isOnHold = call.state === 'OnHold';
    const isOutbound = call.direction === 'Outbound';
    const pendingAction = this.state.pending[call.teamsCallId];
    const failure = this.state.failures[call.teamsCallId];
    const matches = call.matches ?? [];
    let heading = LABELS.ActiveCall;
    if (isRinging && isOutbound) heading = LABELS.OutgoingCall;
    else if (isRinging) heading = hasAnswered ? LABELS.CallWaiting : LABELS.IncomingCall;
    else if (isOnHold) heading = LABELS.OnHold;
    return {
      key: call.teamsCallId,
      teamsCallId: call.teamsCallId,
      heading,
      caller,
      callerNumber: call.callerNumber ?? '',
      callerName: call.callerName,
      isRinging,
      isOutboundRinging: isRinging && isOutbound,
      isActive: call.state === 'Connected',
      isOnHold,
      isAnswered: !isRinging,
      cardClass: `call slds-box slds-m-bottom_small ${isRinging ? 'call_ringing' : ''} ${isOnHold ? 'call_on-hold' : ''}`,
      sectionLabel: `${heading}: ${caller}`,
      duration: formatDuration(call.answeredAt, this.now),
      isBusy: Boolean(pendingAction),
      failureText: failure
        ? format(
            failure.isTimeout ? LABELS.CommandTimedOut : LABELS.CommandFailed,
            LABELS[ACTION_LABELS[failure.action]]
          )
        : null,
      rejectLabel: format(isOutbound ? LABELS.CancelDial : LABELS.RejectCallOf, call.callerName ?? caller),
      rejectButton: isOutbound ? LABELS.CancelCall : LABELS.Reject,
      isLookingUp: call.matches === null,
      hasOneMatch: matches.length === 1,
      hasSeveralMatches: matches.length > 1,
      hasNoMatch: call.matches !== null && matches.length === 0,
      matches: matches.map((m) => ({
        ...m,
        key: `${call.teamsCallId}:${m.recordId}`,
        openLabel: format(LABELS.OpenRecord, m.name)
      })),
      linkedRecordName: call.linkedRecordName,
      linkError: this.linkErrors[call.teamsCallId] ?? null
    };
  }

  get notices() {
    return this.state.notices.map((n) => {
      const target = describeTarget(n.target, TARGET_LABELS) || LABELS.TeamsSettings;
      let message = LABELS.CallerHungUp;
      if (n.kind === 'MissedPresence') message = format(LABELS.MissedPresence, presenceLabel(n.reason), target);
      else if (n.kind === 'NotAnswered') message = format(LABELS.NotAnswered, target);
      else if (n.kind === 'DialFailed') message = DIAL_FAILURES[n.reason] ?? LABELS.DialFailed_Failed;
      const caller = [n.callerName, formatPhone(n.callerNumber)].filter(Boolean).join(' · ') || LABELS.UnknownCaller;
      return {
        ...n,
        message,
        caller,
        dismissLabel: format(LABELS.DismissNotice, caller),
        canCallBack: Boolean(n.callerNumber),
        callBackLabel: `${LABELS.CallBackNow}: ${caller}`
      };
    });
  }

  get hasNotices() {
    return this.state.notices.length > 0;
  }

  get missedBadge() {
    return format(LABELS.MissedBadge, String(this.state.notices.length));
  }

  get wrapUp() {
    const w = this.state.wrapUps[0];
    if (!w) return null;
    const draft = this.draftFor(w.teamsCallId);
    const caller = w.callerName ?? (formatPhone(w.callerNumber) || LABELS.UnknownCaller);
    const options = [{ label: LABELS.NoRecord, value: '' }];
    for (const m of w.matches) options.push({ label: m.name, value: m.recordId });
    if (w.linkedRecordId && !options.some((o) => o.value === w.linkedRecordId)) {
      options.push({ label: w.linkedRecordName ?? w.linkedRecordId, value: w.linkedRecordId });
    }
    return {
      ...w,
      heading: format(LABELS.WrapUp, caller),
      draft,
      recordOptions: options,
      linkError: this.linkErrors[w.teamsCallId] ?? null
    };
  }

  get dispositionOptions() {
    return [
      { label: LABELS.DispositionNone, value: '' },
      ...DISPOSITIONS.map((d) => ({ label: LABELS[`Disposition_${d}`], value: d }))
    ];
  }

  get dialIntent() {
    const intent = this.state.dialIntent;
    return intent ? { ...intent, heading: format(LABELS.CallBack, formatPhone(intent.phoneNumber)) } : null;
  }

  /**
   * The wrap-up form of a call; a fresh one until the agent first changes it (pure: getters call it while rendering).
   * @param {string} teamsCallId
   */
  draftFor(teamsCallId) {
    const existing = this.drafts[teamsCallId];
    if (existing) return existing;
    const w = this.state.wrapUps.find((x) => x.teamsCallId === teamsCallId);
    const recordId = w?.linkedRecordId ?? (w?.matches.length === 1 ? w.matches[0].recordId : '');
    return { notes: '', disposition: '', doNotLog: false, recordId, error: null, isSaving: false };
  }

  /**
   * @param {string} teamsCallId
   * @param {Object<string, any>} changes
   */
  updateDraft(teamsCallId, changes) {
    this.drafts = { ...this.drafts, [teamsCallId]: { ...this.draftFor(teamsCallId), ...changes } };
    this.persist();
  }

  // ---- handlers ---------------------------------------------------------------------------------------------

  /** @param {Event} event */
  async handleCommand(event) {
    const { callId, action } = /** @type {HTMLElement} */ (event.currentTarget).dataset;
    if (!callId || !action || this.state.pending[callId]) return;
    this.dispatch({ type: 'commandSent', teamsCallId: callId, action });
    try {
      await sendCommand({ teamsCallId: callId, action });
    } catch {
      this.dispatch({ type: 'commandFailed', teamsCallId: callId, action });
      return;
    }
    if (this.isDisconnected) return;
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    const timeout = setTimeout(() => {
      this.commandTimeouts.delete(timeout);
      this.dispatch({ type: 'commandFailed', teamsCallId: callId, action, isTimeout: true });
    }, COMMAND_TIMEOUT_MS);
    this.commandTimeouts.add(timeout);
  }

  /** @param {Event} event */
  handleOpenMatch(event) {
    const { recordId } = /** @type {HTMLElement} */ (event.currentTarget).dataset;
    if (recordId) this.openRecord(recordId);
  }

  /** @param {Event} event */
  handleNewRecord(event) {
    const { objectApiName, phone } = /** @type {HTMLElement} */ (event.currentTarget).dataset;
    const pageReference = {
      type: 'standard__objectPage',
      attributes: { objectApiName, actionName: 'new' },
      state: { defaultFieldValues: encodeDefaultFieldValues({ Phone: phone }) }
    };
    if (this.isConsole) openTab({ pageReference, focus: true }).catch(() => {});
    else this[NavigationMixin.Navigate](pageReference);
  }

  /**
   * B03: link the call to whatever record the agent has on screen.
   * @param {Event} event
   */
  async handleLinkOnScreen(event) {
    const { callId } = /** @type {HTMLElement} */ (event.currentTarget).dataset;
    if (!callId) return;
    this.linkErrors = { ...this.linkErrors, [callId]: null };
    let recordId;
    try {
      recordId = (await getFocusedTabInfo())?.recordId;
    } catch {
      recordId = undefined;
    }
    if (!recordId) {
      this.linkErrors = { ...this.linkErrors, [callId]: LABELS.NoRecordOnScreen };
      return;
    }
    try {
      const view = await linkRecord({ teamsCallId: callId, recordId });
      this.dispatch({
        type: 'recordLinked',
        teamsCallId: callId,
        recordId: view?.linkedRecordId ?? recordId,
        recordName: view?.linkedRecordName ?? null
      });
      if (this.state.wrapUps.some((w) => w.teamsCallId === callId)) {
        this.updateDraft(callId, { recordId: view?.linkedRecordId ?? recordId });
      }
    } catch {
      this.linkErrors = { ...this.linkErrors, [callId]: LABELS.LinkFailed };
    }
  }

  /** @param {Event} event */
  handleDismissNotice(event) {
    const { noticeId } = /** @type {HTMLElement} */ (event.currentTarget).dataset;
    if (noticeId) this.dispatch({ type: 'dismissNotice', noticeId });
  }

  /** B09: the dial pad's number as typed. @param {CustomEvent} event */
  handleDialNumberChange(event) {
    this.dialNumber = event.detail?.value ?? /** @type {HTMLInputElement} */ (event.target).value ?? '';
    this.dialError = null;
    this.dialRequestId = null; // a new number is a new request
  }

  /** B09: Call from the dial pad. */
  handleDialPad() {
    this.startDial(this.dialNumber);
  }

  /** B09: Call from the call-back card (a record page's Call button or the call history). */
  handleDialIntentCall() {
    const intent = this.state.dialIntent;
    if (intent) this.startDial(intent.phoneNumber);
  }

  /** B09: "Call back" on a missed-call notice. @param {Event} event */
  handleCallBack(event) {
    const { number } = /** @type {HTMLElement} */ (event.currentTarget).dataset;
    if (number) this.startDial(number);
  }

  /**
   * Asks Apex to dial. One request id per number until it succeeds or the number changes, and no second request
   * while one is in flight: a double click dials once (Apex and the relay drop a repeated id as well).
   * @param {string} phoneNumber
   */
  async startDial(phoneNumber) {
    if (this.isDialling || !phoneNumber) return;
    this.isDialling = true;
    this.dialError = null;
    const requestId = this.dialRequestId ?? newDialRequestId();
    this.dialRequestId = requestId;
    try {
      await dial({ phoneNumber, requestId });
      this.dialRequestId = null;
      this.dialNumber = '';
      if (this.state.dialIntent) this.dispatch({ type: 'dismissDialIntent' });
    } catch (error) {
      this.dialError = error?.body?.message ?? LABELS.DialFailed_Failed;
    } finally {
      this.isDialling = false;
    }
  }

  handleDismissDialIntent() {
    this.dispatch({ type: 'dismissDialIntent' });
  }

  /** @param {any} event */
  handleNotesChange(event) {
    this.updateDraft(event.target.dataset.callId, { notes: event.detail.value ?? '' });
  }

  /** @param {any} event */
  handleDispositionChange(event) {
    this.updateDraft(event.target.dataset.callId, { disposition: event.detail.value ?? '' });
  }

  /** @param {any} event */
  handleRecordChange(event) {
    this.updateDraft(event.target.dataset.callId, { recordId: event.detail.value ?? '' });
  }

  /** @param {any} event */
  handleDoNotLogChange(event) {
    this.updateDraft(event.target.dataset.callId, { doNotLog: Boolean(event.detail.checked) });
  }

  /** @param {Event} event */
  async handleSaveWrapUp(event) {
    const { callId } = /** @type {HTMLElement} */ (event.currentTarget).dataset;
    if (!callId) return;
    const draft = this.draftFor(callId);
    if (draft.isSaving) return;
    this.updateDraft(callId, { isSaving: true, error: null });
    try {
      await saveWrapUp({
        teamsCallId: callId,
        notes: draft.notes,
        disposition: draft.disposition || null,
        doNotLog: draft.doNotLog,
        recordId: draft.recordId || null
      });
      this.dispatch({ type: 'wrapUpClosed', teamsCallId: callId });
    } catch {
      this.updateDraft(callId, { isSaving: false, error: LABELS.SaveFailed });
    }
  }

  /** @param {Event} event */
  handleSkipWrapUp(event) {
    const { callId } = /** @type {HTMLElement} */ (event.currentTarget).dataset;
    if (callId) this.dispatch({ type: 'wrapUpClosed', teamsCallId: callId });
  }
}
