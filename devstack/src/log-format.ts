/**
 * DEVELOPMENT ONLY — `npm start` shows the relay's pino JSON lines as one short human line each:
 * `10:42:07 relay  INFO  Alice: call ringing in Teams  callId=… caller=+44•••••1234`. The relay itself keeps
 * logging JSON (production log pipelines parse it); only the devstack reformats. Fields pass through the relay's
 * own redaction again, so a secret or a full number cannot reach the terminal even if a log call forgot it.
 */
import { redact } from '../../relay/src/config/redact.ts';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** pino's bookkeeping fields: shown as the time and level columns, or not at all. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'v']);

export interface FormattedLine {
  text: string;
  /** pino's numeric level; undefined for a line that was not pino JSON (printed as it came). */
  level?: number;
}

/** One output line for one line the relay printed. */
export function formatLogLine(line: string, source = 'relay'): FormattedLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { text: redact(line) };
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { level?: unknown }).level !== 'number') {
    return { text: redact(line) };
  }
  const record = redact(parsed as Record<string, unknown>);
  const level = record['level'] as number;
  const time = typeof record['time'] === 'number' ? new Date(record['time']).toTimeString().slice(0, 8) : '';
  const message = typeof record['msg'] === 'string' ? record['msg'] : '';
  const fields = Object.entries(record)
    // A value the message already says (the call id in "Call … is Ringing") is not repeated.
    .filter(
      ([key, value]) =>
        !HIDDEN.has(key) && value !== undefined && !(typeof value === 'string' && message.includes(value))
    )
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const label = (LEVELS[level] ?? String(level)).padEnd(5);
  return { text: [time, source.padEnd(5), label, message, fields.join(' ')].filter(Boolean).join('  '), level };
}
