import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLogLine } from '../src/log-format.ts';

describe('relay log lines in npm start (issue 19)', () => {
  it('shows a pino line as time, source, level, message and fields, without pid and hostname', () => {
    const time = Date.UTC(2026, 10, 30, 10, 42, 7);
    const line = JSON.stringify({
      level: 30,
      time,
      pid: 7,
      hostname: 'vm',
      callId: 'c-1',
      msg: 'call ringing in Teams'
    });
    const { text, level } = formatLogLine(line);
    assert.equal(level, 30);
    assert.equal(text, `${new Date(time).toTimeString().slice(0, 8)}  relay  INFO   call ringing in Teams  callId=c-1`);
  });

  it('does not repeat a field the message already says', () => {
    const line = JSON.stringify({ level: 30, time: 0, msg: 'Call c-7 is Ringing', callId: 'c-7', agent: 'a-1' });
    assert.match(formatLogLine(line).text, /INFO {3}Call c-7 is Ringing {2}agent=a-1$/);
  });

  it('masks phone numbers and drops secrets even when the relay forgot to', () => {
    const line = JSON.stringify({
      level: 40,
      time: 0,
      msg: 'redirect to +442071234567 failed',
      target: '+441632960961',
      accessToken: 'eyJhbGciOi.x.y',
      nested: { authorization: 'Bearer abc' }
    });
    const { text } = formatLogLine(line);
    assert.doesNotMatch(text, /2071234567|1632960961|eyJ|Bearer/);
    assert.match(text, /WARN +redirect to \+44•+4567 failed {2}target=\+44•+0961 accessToken=\[redacted\]/);
  });

  it('passes a line that is not pino JSON through as it came, numbers masked', () => {
    assert.deepEqual(formatLogLine('node: warning from +15555550123'), { text: 'node: warning from +15•••••0123' });
    assert.deepEqual(formatLogLine('{"not":"pino"}'), { text: '{"not":"pino"}' });
  });
});
