/**
 * Loads the engine's configuration snapshot (agents' lines, their redirect rules, org settings) with SOQL through
 * jsforce (docs/data-model.md). Implements the ConfigSource port; a failed load rejects, so the caller keeps the
 * last good snapshot and reports the failure (`lastError`) in /readyz and the logs.
 */
import type { Connection } from 'jsforce';
import type { Agent, ConfigSnapshot, OrgSettings, RedirectRule, RuleTrigger, TargetType } from '../../domain/config.ts';
import type { ConfigSource } from '../../ports/config-source.port.ts';

const TRIGGERS: readonly RuleTrigger[] = [
  'DoNotDisturb',
  'InACall',
  'Presenting',
  'OutOfOffice',
  'Declined',
  'NoAnswer'
];
const TARGET_TYPES: readonly TargetType[] = [
  'TeamsUser',
  'SoftphoneUser',
  'PhoneNumber',
  'SharedVoicemail',
  'TeamsClientSettings',
  'CallQueue'
];

/** Used when the org has no `TeamsPhoneSetting__mdt` record (the package ships `Default` with these values). */
export const DEFAULT_ORG_SETTINGS: OrgSettings = { noAnswerSeconds: 20, dndExpiryMinutes: 60 };

interface PhoneUserRow {
  Id: string;
  User__c: string;
  TeamsUserId__c: string | null;
  PhoneNumber__c: string | null;
  ReturnToPreviousPresence__c: boolean | null;
  NoAnswerSeconds__c: number | null;
  AfterCallWorkSeconds__c?: number | null;
  User__r?: { Name?: string | null } | null;
}
interface RuleRow {
  PhoneUser__c: string;
  Trigger__c: string | null;
  TargetType__c: string | null;
  TargetValue__c: string | null;
}
interface SettingRow {
  DeveloperName: string;
  NoAnswerSeconds__c: number | null;
  DndExpiryMinutes__c: number | null;
  AfterCallWorkSeconds__c?: number | null;
  SharedVoicemailTarget__c: string | null;
  CallQueueTarget__c: string | null;
}

export interface SoqlConfigSourceOptions {
  connection: () => Promise<Connection>;
  now?: () => Date;
  /** Rows that cannot be used (no line number, unknown trigger…) are skipped and reported here. */
  warn?: (message: string, fields: Record<string, unknown>) => void;
}

export class SoqlConfigSource implements ConfigSource {
  lastError: string | undefined;

  constructor(private readonly options: SoqlConfigSourceOptions) {}

  async load(): Promise<ConfigSnapshot> {
    try {
      const conn = await this.options.connection();
      const [users, rules, settings] = await Promise.all([
        queryAll<PhoneUserRow>(
          conn,
          'SELECT Id, User__c, User__r.Name, TeamsUserId__c, PhoneNumber__c, ReturnToPreviousPresence__c, NoAnswerSeconds__c, ' +
            'AfterCallWorkSeconds__c ' +
            'FROM TeamsPhoneUser__c WHERE IsActive__c = true'
        ),
        queryAll<RuleRow>(
          conn,
          'SELECT PhoneUser__c, Trigger__c, TargetType__c, TargetValue__c FROM TeamsRedirectRule__c WHERE IsActive__c = true'
        ),
        queryAll<SettingRow>(
          conn,
          'SELECT DeveloperName, NoAnswerSeconds__c, DndExpiryMinutes__c, SharedVoicemailTarget__c, CallQueueTarget__c, ' +
            'AfterCallWorkSeconds__c ' +
            "FROM TeamsPhoneSetting__mdt WHERE DeveloperName IN ('Default', 'OrgOverride')"
        )
      ]);
      const snapshot: ConfigSnapshot = {
        agents: this.agents(users, rules),
        settings: orgSettings(settings),
        loadedAt: (this.options.now?.() ?? new Date()).toISOString()
      };
      this.lastError = undefined;
      return snapshot;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  private agents(users: PhoneUserRow[], rules: RuleRow[]): Agent[] {
    const rulesByUser = new Map<string, RedirectRule[]>();
    for (const row of rules) {
      const trigger = row.Trigger__c as RuleTrigger | null;
      const targetType = row.TargetType__c as TargetType | null;
      if (!trigger || !TRIGGERS.includes(trigger) || !targetType || !TARGET_TYPES.includes(targetType)) {
        this.options.warn?.('redirect rule skipped: unknown trigger or target type', {
          phoneUser: row.PhoneUser__c,
          trigger: row.Trigger__c,
          targetType: row.TargetType__c
        });
        continue;
      }
      const list = rulesByUser.get(row.PhoneUser__c) ?? [];
      list.push({ trigger, targetType, ...(row.TargetValue__c && { targetValue: row.TargetValue__c }) });
      rulesByUser.set(row.PhoneUser__c, list);
    }
    const agents: Agent[] = [];
    for (const row of users) {
      if (!row.TeamsUserId__c || !row.PhoneNumber__c) {
        this.options.warn?.('phone user skipped: missing Teams user id or phone number', { phoneUser: row.Id });
        continue;
      }
      agents.push({
        salesforceUserId: row.User__c,
        teamsUserId: row.TeamsUserId__c,
        phoneNumber: row.PhoneNumber__c,
        returnToPreviousPresence: row.ReturnToPreviousPresence__c === true,
        rules: rulesByUser.get(row.Id) ?? [],
        ...(row.User__r?.Name && { displayName: row.User__r.Name }),
        ...(typeof row.NoAnswerSeconds__c === 'number' && { noAnswerSeconds: row.NoAnswerSeconds__c }),
        ...(typeof row.AfterCallWorkSeconds__c === 'number' && { afterCallWorkSeconds: row.AfterCallWorkSeconds__c })
      });
    }
    return agents;
  }
}

function orgSettings(rows: SettingRow[]): OrgSettings {
  const row = rows.find((r) => r.DeveloperName === 'OrgOverride') ?? rows.find((r) => r.DeveloperName === 'Default');
  if (!row) return DEFAULT_ORG_SETTINGS;
  return {
    noAnswerSeconds: row.NoAnswerSeconds__c ?? DEFAULT_ORG_SETTINGS.noAnswerSeconds,
    dndExpiryMinutes: row.DndExpiryMinutes__c ?? DEFAULT_ORG_SETTINGS.dndExpiryMinutes,
    ...(row.SharedVoicemailTarget__c && { sharedVoicemailTarget: row.SharedVoicemailTarget__c }),
    ...(row.CallQueueTarget__c && { callQueueTarget: row.CallQueueTarget__c }),
    ...(typeof row.AfterCallWorkSeconds__c === 'number' && { afterCallWorkSeconds: row.AfterCallWorkSeconds__c })
  };
}

async function queryAll<T>(conn: Connection, soql: string): Promise<T[]> {
  let result = await conn.query<Record<string, unknown>>(soql);
  const records = [...result.records];
  while (!result.done && result.nextRecordsUrl) {
    result = await conn.queryMore<Record<string, unknown>>(result.nextRecordsUrl);
    records.push(...result.records);
  }
  return records as unknown as T[];
}
