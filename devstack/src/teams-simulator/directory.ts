// The simulated tenant's directory: Teams users (agents) and the resource accounts (lines) that route to the bot.
// The Salesforce emulator's seed uses the same ids so a seeded org and a default simulator agree.

export interface DirectoryUser {
  /** Entra object id (GUID), as Graph reports it. */
  id: string;
  upn: string;
  displayName: string;
}

export interface DirectoryLine {
  /** Object id of the application instance (resource account) that owns the number. */
  appInstanceId: string;
  phoneNumber: string;
  displayName: string;
}

export const DEMO_TENANT_ID = '632899f8-2ea1-4604-8413-27bd2892079f';
export const DEMO_BOT_APP_ID = '0efc74f7-41c3-47a4-8775-7259bfef4241';

export const DEMO_AGENTS: DirectoryUser[] = [
  { id: '6e2a4b1c-0f41-4c5a-9d3e-1a2b3c4d5e01', upn: 'alice@contoso.example', displayName: 'Alice Agent' },
  { id: '6e2a4b1c-0f41-4c5a-9d3e-1a2b3c4d5e02', upn: 'bob@contoso.example', displayName: 'Bob Agent' },
  { id: '6e2a4b1c-0f41-4c5a-9d3e-1a2b3c4d5e03', upn: 'carol@contoso.example', displayName: 'Carol Agent' }
];

export const DEMO_LINES: DirectoryLine[] = [
  { appInstanceId: '7629bdce-046c-4903-86b4-a8f718277e01', phoneNumber: '+15555550101', displayName: 'Alice line' },
  { appInstanceId: '7629bdce-046c-4903-86b4-a8f718277e02', phoneNumber: '+15555550102', displayName: 'Bob line' },
  { appInstanceId: '7629bdce-046c-4903-86b4-a8f718277e03', phoneNumber: '+15555550103', displayName: 'Carol line' }
];
