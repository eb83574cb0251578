/**
 * The configuration snapshot the engine decides from: agents' lines, their redirect rules and the org settings.
 * Loaded from Salesforce in the background (start, ReloadConfig, periodically) — never on the ring path.
 */

export type RuleTrigger = 'DoNotDisturb' | 'InACall' | 'Presenting' | 'OutOfOffice' | 'Declined' | 'NoAnswer';

export type TargetType =
  'TeamsUser' | 'SoftphoneUser' | 'PhoneNumber' | 'SharedVoicemail' | 'TeamsClientSettings' | 'CallQueue';

export interface RedirectRule {
  trigger: RuleTrigger;
  targetType: TargetType;
  /** Entra object id (TeamsUser), Salesforce user id (SoftphoneUser), E.164 (PhoneNumber); unused otherwise. */
  targetValue?: string;
}

/** An agent's line (`TeamsPhoneUser__c`). */
export interface Agent {
  salesforceUserId: string;
  teamsUserId: string;
  phoneNumber: string;
  displayName?: string;
  returnToPreviousPresence: boolean;
  noAnswerSeconds?: number;
  /** B13: this agent's after-call work in seconds (0–999), overriding the org default. */
  afterCallWorkSeconds?: number;
  rules: RedirectRule[];
}

/** Org settings (`TeamsPhoneSetting__mdt`). */
export interface OrgSettings {
  noAnswerSeconds: number;
  dndExpiryMinutes: number;
  /** B13: after-call work in seconds (0–999; absent or 0: none) — no new call is signalled meanwhile. */
  afterCallWorkSeconds?: number;
  /** Where SharedVoicemail routes: a CQ/AA resource account object id or its E.164 service number. */
  sharedVoicemailTarget?: string;
  /** Where CallQueue routes: a CQ resource account object id or its E.164 service number. */
  callQueueTarget?: string;
}

export interface ConfigSnapshot {
  agents: Agent[];
  settings: OrgSettings;
  loadedAt: string;
}
