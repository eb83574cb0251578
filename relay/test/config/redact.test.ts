import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskPhone, redact } from '../../src/config/redact.ts';

describe('redact', () => {
  it('[contract] masks a phone number down to country code and last four digits', () => {
    assert.equal(maskPhone('+442071234567'), '+44••••••4567');
  });

  it('[contract] masks phone numbers under phone-like keys and inside free text', () => {
    assert.deepEqual(redact({ callerNumber: '+12345678901', note: 'call from +12345678901 failed' }), {
      callerNumber: '+12•••••8901',
      note: 'call from +12•••••8901 failed'
    });
  });

  it('[contract] replaces tokens and secrets wherever they are', () => {
    assert.deepEqual(
      redact({ accessToken: 'abc', headers: { authorization: 'Bearer eyJ.x.y' }, nested: ['Bearer zzz'] }),
      {
        accessToken: '[redacted]',
        headers: { authorization: '[redacted]' },
        nested: ['[redacted]']
      }
    );
  });

  it('[contract] leaves ids and other values alone', () => {
    const fields = { callId: '491f0b00-ffff-4bc9-a43e-b226498ec22a', status: 202 };
    assert.deepEqual(redact(fields), fields);
  });
});
