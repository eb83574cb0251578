/**
 * Log hygiene (STYLE.md): tokens never, phone numbers never in full. Used by the pino logger options below and by
 * anything that builds log fields by hand.
 */

const SECRET_KEY = /(token|secret|authorization|assertion|private.?key|cookie|signature)/i;
const PHONE_KEY = /(phone|number|caller|dialled|callerNumber|target)/i;
const E164_ANYWHERE = /\+?\d[\d\s().-]{6,}\d/g;

/** `+442071234567` → `+44•••••••4567`: country code and last four digits are enough for support. */
export function maskPhone(value: string): string {
  const digits = value.replace(/[^\d]/g, '');
  if (digits.length < 7) return '•'.repeat(digits.length);
  const prefix = value.trim().startsWith('+') ? `+${digits.slice(0, 2)}` : digits.slice(0, 2);
  return `${prefix}${'•'.repeat(digits.length - 6)}${digits.slice(-4)}`;
}

/** A deep copy of `value` with secrets replaced and phone-like values masked (by key, and E.164 runs in strings). */
export function redact<T>(value: T, key = ''): T {
  if (SECRET_KEY.test(key) && value !== undefined && value !== null) return '[redacted]' as T;
  if (typeof value === 'string') {
    if (/^Bearer\s/i.test(value) || /^eyJ[\w-]+\.[\w-]+\./.test(value)) return '[redacted]' as T;
    if (PHONE_KEY.test(key)) return value.replace(E164_ANYWHERE, (m) => maskPhone(m)) as T;
    return value.replace(/\+\d{7,15}\b/g, (m) => maskPhone(m)) as T;
  }
  if (Array.isArray(value)) return (value as unknown[]).map((v) => redact(v, key)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Error)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)])) as T;
  }
  return value;
}

/** pino options: every logged object passes through `redact`; header paths are censored as a second net. */
export function pinoRedactionOptions() {
  return {
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.accessToken', '*.access_token'],
      censor: '[redacted]'
    },
    formatters: {
      log: (object: Record<string, unknown>) => redact(object)
    }
  };
}
