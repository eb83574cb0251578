// Shared setup for Salesforce emulator tests: a JWT bearer client certificate and a signed assertion.
import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { generateClientCertificate, type ClientCertificate } from '../../src/keys/index.ts';

export const CLIENT_ID = '3MVG9-emulator-consumer-key';
export const USERNAME = 'relay@teams-softphone.dev';

let cached: Promise<ClientCertificate> | undefined;
export function clientCertificate(): Promise<ClientCertificate> {
  cached ??= generateClientCertificate();
  return cached;
}

export async function signAssertion(
  privateKeyPem: string,
  claims: { iss?: string; sub?: string; aud: string; expiresInS?: number }
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(claims.iss ?? CLIENT_ID)
    .setSubject(claims.sub ?? USERNAME)
    .setAudience(claims.aud)
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.expiresInS ?? 180))
    .sign(createPrivateKey(privateKeyPem));
}
