// [B10] The agent stream's configuration: the org certificate bundle and the Lightning origins, both or neither,
// each problem named.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/env.ts';

const KEY = '-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n';
const CERT_A = '-----BEGIN CERTIFICATE-----\nMIIA\n-----END CERTIFICATE-----';
const CERT_B = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
const base = {
  RELAY_PUBLIC_BASE_URL: 'https://relay.example.com',
  GRAPH_APP_ID: '0efc74f7-41c3-47a4-8775-7259bfef4241',
  GRAPH_APP_SECRET: 'graph-app-credential-value',
  GRAPH_ALLOWED_TENANT_IDS: '1fdd12d0-4620-44ed-baec-459b611f84b2',
  CALLBACK_TOKEN_SECRET: 'x'.repeat(48),
  SF_LOGIN_URL: 'https://login.salesforce.com',
  SF_CLIENT_ID: 'eca-consumer-key',
  SF_USERNAME: 'relay@example.com',
  SF_PRIVATE_KEY_FILE: '/run/secrets/sf.pem',
  SF_ORG_ID: '00D000000000001EAA'
};
const files: Record<string, string> = {
  '/run/secrets/sf.pem': KEY,
  '/run/secrets/stream.pem': `${CERT_A}\n${CERT_B}\n`,
  '/run/secrets/empty.pem': 'nothing here'
};
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw new Error('ENOENT');
  return text;
};
const load = (extra: Record<string, string>) => loadConfig({ ...base, ...extra }, readFile);
const errors = (extra: Record<string, string>): string[] => {
  const result = load(extra);
  return result.ok ? [] : result.errors;
};

describe('[B10] stream configuration', () => {
  it('is off when neither variable is set', () => {
    const result = load({});
    assert.ok(result.ok);
    assert.equal(result.config.stream, undefined);
  });

  it('reads every certificate of the bundle (rotation) and the allowed origins', () => {
    const result = load({
      RELAY_STREAM_CERTIFICATES_FILE: '/run/secrets/stream.pem',
      RELAY_STREAM_ORIGINS: 'https://acme.lightning.force.com, https://acme.my.salesforce.com'
    });
    assert.ok(result.ok);
    assert.deepEqual(result.config.stream, {
      certificatesPem: [CERT_A, CERT_B],
      allowedOrigins: ['https://acme.lightning.force.com', 'https://acme.my.salesforce.com']
    });
  });

  it('names each problem: one without the other, an unreadable or empty bundle, an origin that is not one', () => {
    assert.deepEqual(errors({ RELAY_STREAM_ORIGINS: 'https://acme.lightning.force.com' }), [
      'RELAY_STREAM_CERTIFICATES_FILE is required with RELAY_STREAM_ORIGINS (the org certificate, PEM)'
    ]);
    assert.deepEqual(errors({ RELAY_STREAM_CERTIFICATES_FILE: '/run/secrets/stream.pem' }), [
      'RELAY_STREAM_ORIGINS is required with RELAY_STREAM_CERTIFICATES_FILE (e.g. https://acme.lightning.force.com)'
    ]);
    assert.deepEqual(
      errors({ RELAY_STREAM_CERTIFICATES_FILE: '/nope.pem', RELAY_STREAM_ORIGINS: 'https://a.example' }),
      ['RELAY_STREAM_CERTIFICATES_FILE names "/nope.pem", which cannot be read']
    );
    assert.deepEqual(
      errors({ RELAY_STREAM_CERTIFICATES_FILE: '/run/secrets/empty.pem', RELAY_STREAM_ORIGINS: 'https://a.example' }),
      ['RELAY_STREAM_CERTIFICATES_FILE must hold PEM certificates ("BEGIN CERTIFICATE") or public keys']
    );
    for (const origin of ['http://acme.example', 'https://acme.example/path', 'acme.example']) {
      assert.deepEqual(
        errors({ RELAY_STREAM_CERTIFICATES_FILE: '/run/secrets/stream.pem', RELAY_STREAM_ORIGINS: origin }),
        [`RELAY_STREAM_ORIGINS entry "${origin}" must be an https origin (scheme://host[:port], no path)`]
      );
    }
  });

  it('allows a loopback http origin only for the local stack', () => {
    const extra = {
      RELAY_STREAM_CERTIFICATES_FILE: '/run/secrets/stream.pem',
      RELAY_STREAM_ORIGINS: 'http://127.0.0.1:5173'
    };
    assert.equal(errors(extra).length, 1);
    assert.deepEqual(errors({ ...extra, RELAY_ALLOW_INSECURE_LOOPBACK: 'true' }), []);
  });
});
