// Demo org: three agents with lines, Teams ids and redirect rules; contacts with phone numbers; org settings.
// Teams ids and numbers match the Teams simulator's demo directory (teams-simulator/directory.ts).
import type { OrgStore } from './store.ts';
import { DEMO_AGENTS, DEMO_LINES } from '../teams-simulator/directory.ts';

export interface SeededOrg {
  integrationUserId: string;
  agents: { userId: string; phoneUserId: string; teamsUserId: string; phoneNumber: string; name: string }[];
  contacts: { id: string; name: string; phone: string }[];
}

const SHARED_VOICEMAIL = '+15555550190';
const CALL_QUEUE = '+15555550191';

export function seedDemoOrg(store: OrgStore, integrationUsername = 'relay@teams-softphone.dev'): SeededOrg {
  const integration = store.insert('User', {
    Username: integrationUsername,
    Name: 'Teams Relay Integration',
    IsActive: true
  });
  const agents = DEMO_AGENTS.map((a, i) => {
    const user = store.insert('User', {
      Username: a.upn.replace('@contoso.example', '@teams-softphone.dev'),
      Name: a.displayName,
      Email: a.upn,
      IsActive: true
    });
    const line = DEMO_LINES[i]!;
    const phoneUser = store.insert('TeamsPhoneUser__c', {
      Name: a.displayName,
      OwnerId: user.Id,
      User__c: user.Id,
      UniqueUserKey__c: user.Id,
      TeamsUserId__c: a.id,
      TeamsUpn__c: a.upn,
      PhoneNumber__c: line.phoneNumber,
      Extension__c: String(101 + i),
      IsActive__c: true,
      ReturnToPreviousPresence__c: i !== 2,
      NoAnswerSeconds__c: null,
      Presence__c: 'Available'
    });
    return {
      userId: user.Id,
      phoneUserId: phoneUser.Id,
      teamsUserId: a.id,
      phoneNumber: line.phoneNumber,
      name: a.displayName
    };
  });
  const rule = (agentIdx: number, trigger: string, targetType: string, targetValue: string): void => {
    const a = agents[agentIdx]!;
    store.insert('TeamsRedirectRule__c', {
      OwnerId: a.userId,
      PhoneUser__c: a.phoneUserId,
      Trigger__c: trigger,
      TargetType__c: targetType,
      TargetValue__c: targetValue,
      IsActive__c: true,
      UniqueKey__c: `${a.phoneUserId}:${trigger}`
    });
  };
  rule(0, 'DoNotDisturb', 'TeamsUser', agents[1]!.teamsUserId);
  // Saved rules hold the org's target for these two types (the validator normalizes them), never a placeholder.
  rule(0, 'NoAnswer', 'SharedVoicemail', SHARED_VOICEMAIL);
  rule(1, 'InACall', 'PhoneNumber', '+15555550199');
  rule(1, 'OutOfOffice', 'SoftphoneUser', agents[2]!.userId);
  rule(2, 'Presenting', 'CallQueue', CALL_QUEUE);
  rule(2, 'Declined', 'TeamsClientSettings', '');

  const account = store.insert('Account', { Name: 'Northwind Traders', Phone: '+15555550100' });
  const contacts = [
    { name: 'Ada Caller', phone: '+15555550123' },
    { name: 'Grace Caller', phone: '+15555550124' },
    { name: 'Linus Duplicate', phone: '+15555550125' },
    { name: 'Lina Duplicate', phone: '+15555550125' }
  ].map((c) => {
    const [first, last] = c.name.split(' ');
    const rec = store.insert('Contact', {
      FirstName: first,
      LastName: last,
      Name: c.name,
      Phone: c.phone,
      MobilePhone: null,
      AccountId: account.Id
    });
    return { id: rec.Id, name: c.name, phone: c.phone };
  });
  store.insert('TeamsPhoneSetting__mdt', {
    DeveloperName: 'Default',
    LogMissedCalls__c: true,
    LogAllCalls__c: false,
    NoAnswerSeconds__c: 20,
    ScreenPop__c: 'SingleMatch',
    RealtimeTransport__c: 'PlatformEvents',
    DndExpiryMinutes__c: 60,
    SharedVoicemailTarget__c: SHARED_VOICEMAIL,
    CallQueueTarget__c: CALL_QUEUE
  });
  return { integrationUserId: integration.Id, agents, contacts };
}
