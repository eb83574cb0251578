// DEVELOPMENT ONLY: throwaway keys and certificates, generated in memory at start, never committed.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import selfsigned from 'selfsigned';

export interface TlsMaterial {
  /** PEM private key (PKCS#8). */
  key: string;
  /** PEM X.509 certificate, CN/SAN localhost + 127.0.0.1. */
  cert: string;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Public JWK with kid/alg/use set, ready for a JWKS document. */
  publicJwk: Record<string, unknown>;
}

export interface ClientCertificate {
  /** PEM private key the relay signs its Salesforce JWT bearer assertion with. */
  privateKeyPem: string;
  /** PEM certificate an admin would upload to the External Client App. */
  certPem: string;
}

export function generateSigningKey(kid: string = randomUUID()): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return { kid, privateKey, publicKey, publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } };
}

async function selfSignedCert(commonName: string, tls: boolean): Promise<{ private: string; cert: string }> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + 30 * 24 * 3600_000);
  const extensions = tls
    ? [
        { name: 'basicConstraints' as const, cA: false },
        { name: 'keyUsage' as const, digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage' as const, serverAuth: true },
        {
          name: 'subjectAltName' as const,
          altNames: [
            { type: 2 as const, value: 'localhost' },
            { type: 7 as const, ip: '127.0.0.1' }
          ]
        }
      ]
    : [{ name: 'basicConstraints' as const, cA: false }];
  return selfsigned.generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions
  });
}

export async function generateTlsMaterial(): Promise<TlsMaterial> {
  const pems = await selfSignedCert('localhost', true);
  return { key: pems.private, cert: pems.cert };
}

export async function generateClientCertificate(commonName = 'teams-relay-dev'): Promise<ClientCertificate> {
  const pems = await selfSignedCert(commonName, false);
  return { privateKeyPem: pems.private, certPem: pems.cert };
}
