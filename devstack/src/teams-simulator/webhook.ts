// Signs and delivers calling webhooks the way the Teams calling platform does (graph-calls.md §2.1, §4).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKey } from '../keys/index.ts';

export const CALLING_ISSUER = 'https://api.botframework.com';

export interface Delivery {
  at: string;
  url: string;
  body: unknown;
  status: number | null;
  error?: string;
  forged?: boolean;
}

/** Claims as in payloads' calling-notification-jwt-claims.json: iss, aud = bot app id, tid, iat/nbf/exp (~65 min). */
export async function signCallingToken(key: SigningKey, botAppId: string, tenantId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tid: tenantId })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(CALLING_ISSUER)
    .setAudience(botAppId)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 65 * 60)
    .sign(key.privateKey);
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  ca?: string
): Promise<number> {
  const u = new URL(url);
  const payload = Buffer.from(JSON.stringify(body));
  const req = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = req(
      u,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers },
        ...(ca ? { ca } : {}),
        timeout: 10_000
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }
    );
    r.on('timeout', () => r.destroy(new Error('webhook timed out')));
    r.on('error', reject);
    r.end(payload);
  });
}

export function callingHeaders(token: string, chainId: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'user-agent': 'Microsoft-Skype/3.0,(Calling/1.0)',
    'x-microsoft-skype-chain-id': chainId,
    'x-microsoft-skype-message-id': randomUUID()
  };
}
