// DEVELOPMENT ONLY — twin of force-app/main/softphone/classes/TeamsStreamAccessController.cls (B10): the agent-stream
// URL and a JWT for the running user, signed RS256 with the org certificate named in the settings, as Auth.JWS does.
import { randomUUID, sign, type KeyObject } from 'node:crypto';
import { AuraError, currentSettings, isBlank, lineOf, type ApexMethod } from './context.ts';

export const STREAM_ACCESS = {
  audience: 'teams-softphone-relay',
  lifetimeSeconds: 300,
  path: '/api/agent-stream',
  notSetUp:
    'The live call stream is not set up. Ask your admin to set the relay stream URL and certificate (Teams Phone Setup).',
  noLine: 'You have no active Teams phone line. Ask your admin to add one.',
  signingFailed:
    'The live call stream could not be authorised. Ask your admin to check the stream certificate (Teams Phone Setup).'
} as const;

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** What `new Auth.JWS(jwt, certName).getCompactSerialization()` returns for an `Auth.JWT` with these claims. */
function jws(claims: Record<string, unknown>, key: KeyObject): string {
  const input = `${base64url(JSON.stringify({ alg: 'RS256' }))}.${base64url(JSON.stringify(claims))}`;
  return `${input}.${base64url(sign('sha256', Buffer.from(input), key))}`;
}

export const streamAccessMethods: Record<string, ApexMethod> = {
  getStreamAccess: (ctx) => {
    const settings = currentSettings(ctx.store);
    const url = settings.RelayStreamUrl__c;
    const certificate = settings.StreamCertificate__c;
    if (isBlank(url) || isBlank(certificate)) throw new AuraError(STREAM_ACCESS.notSetUp);
    const line = lineOf(ctx.store, ctx.userId);
    if (line?.IsActive__c !== true) throw new AuraError(STREAM_ACCESS.noLine);
    const key = ctx.certificates?.get(String(certificate));
    if (!key) throw new AuraError(STREAM_ACCESS.signingFailed);
    const now = Math.floor(Date.now() / 1000);
    const exp = now + STREAM_ACCESS.lifetimeSeconds;
    const token = jws(
      {
        iss: ctx.store.orgId,
        sub: ctx.userId,
        aud: STREAM_ACCESS.audience,
        nbf: now,
        iat: now,
        exp,
        jti: randomUUID()
      },
      key
    );
    return {
      url: `${String(url).replace(/\/+$/, '')}${STREAM_ACCESS.path}`,
      token,
      expiresAt: new Date(exp * 1000).toISOString()
    };
  }
};
