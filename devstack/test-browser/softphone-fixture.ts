// The softphone scenario shared by the browser tests: one agent, one caller matching one contact.
import { startFakeBackend, type FakeBackend, type PreviewUser } from './fake-backend.ts';

export const AGENT: PreviewUser = {
  userId: '005000000000001AAA',
  name: 'Alex Agent',
  isAdmin: false,
  teamsUserId: '8f1c2d3e-0000-4000-8000-000000000001',
  phoneNumber: '+14155550100'
};
export const CALLER_NUMBER = '+14155550123';
export const CONTACT = {
  recordId: '003000000000001AAA',
  objectApiName: 'Contact',
  name: 'Jane Doe',
  subtitle: 'Acme Corporation',
  phone: CALLER_NUMBER,
  isExactMatch: true
};

export function startSoftphoneBackend(openCalls: Record<string, unknown>[] = []): Promise<FakeBackend> {
  return startFakeBackend({
    users: [AGENT],
    records: {
      [CONTACT.recordId]: {
        objectApiName: 'Contact',
        name: CONTACT.name,
        fields: { Phone: CALLER_NUMBER, Account: 'Acme Corporation' }
      }
    },
    apex: {
      'TeamsSoftphoneController.getAgentContext': (_params, userId) => ({
        userId,
        phoneUserId: 'a01000000000001AAA',
        phoneNumber: AGENT.phoneNumber,
        teamsUserId: AGENT.teamsUserId,
        presence: 'Available',
        screenPop: 'SingleMatch',
        noAnswerSeconds: 20,
        isConfigured: true
      }),
      'TeamsSoftphoneController.getOpenCalls': () => openCalls,
      'TeamsCallHistoryController.getCalls': () => ({ rows: [], nextCursor: null, isAdmin: false }),
      'TeamsSoftphoneController.findCallerMatches': (params) => (params.phoneNumber === CALLER_NUMBER ? [CONTACT] : [])
    }
  });
}

export const ringingEvent = (userId: string) => ({
  EventId__c: 'e0000000-0000-4000-8000-000000000001',
  TeamsCallId__c: 'call-s01',
  Sequence__c: 1,
  Kind__c: 'Call',
  State__c: 'Ringing',
  Reason__c: null,
  Direction__c: 'Inbound',
  CallerNumber__c: CALLER_NUMBER,
  CallerName__c: null,
  DialledNumber__c: AGENT.phoneNumber,
  AgentUserId__c: userId,
  AgentTeamsId__c: AGENT.teamsUserId,
  OccurredAt__c: new Date().toISOString()
});
