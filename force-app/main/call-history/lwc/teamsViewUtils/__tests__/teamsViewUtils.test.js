import {
  reduceErrors,
  friendlyMessage,
  formatLabel,
  formatSeconds,
  formatPhone,
  parseTarget,
  describeTarget,
  reasonLabel
} from 'c/teamsViewUtils';

const fs = require('fs');
const path = require('path');

describe('c/teamsViewUtils', () => {
  it.each([
    ['an Apex error', { body: { message: 'No access.' } }, ['No access.']],
    ['a list of LDS errors', { body: [{ message: 'A' }, { message: 'B' }, { message: 'A' }] }, ['A', 'B']],
    ['page errors', { body: { pageErrors: [{ message: 'Locked.' }] } }, ['Locked.']],
    ['several errors', [{ body: { message: 'One' } }, { body: { message: 'Two' } }], ['One', 'Two']],
    ['a script error', new TypeError('x is undefined'), []],
    ['nothing', undefined, []],
    ['a blank message', { body: { message: '   ' } }, []],
    ['a string', 'boom', []]
  ])('[S11] reduceErrors keeps only user-safe server messages: %s', (name, input, expected) => {
    expect(reduceErrors(input)).toEqual(expected);
  });

  it('[S11] friendlyMessage falls back to the label when no server message exists', () => {
    expect(friendlyMessage(new Error('stack trace'), 'Try again.')).toBe('Try again.');
    expect(friendlyMessage({ body: { message: 'No access.' } }, 'Try again.')).toBe('No access.');
  });

  it.each([
    ['Call back {0}', ['Ada'], 'Call back Ada'],
    ['{0} passed, {1} failed', [3, 0], '3 passed, 0 failed'],
    ['Missing {1}', ['a'], 'Missing '],
    [undefined, [], '']
  ])('[S11] formatLabel(%p) fills placeholders', (label, args, expected) => {
    expect(formatLabel(label, ...args)).toBe(expected);
  });

  it.each([
    [0, '0:00'],
    [7, '0:07'],
    [125, '2:05'],
    [3725, '1:02:05'],
    [-3, '0:00'],
    [null, ''],
    [undefined, ''],
    ['abc', '']
  ])('[S11] formatSeconds(%p) is %p', (seconds, expected) => {
    expect(formatSeconds(seconds)).toBe(expected);
  });

  it.each([
    ['+4930123456789', '+49 30123456789'],
    ['+4915112345678', '+49 15112345678'],
    ['+442071234567', '+44 2071234567'],
    ['+14155550100', '+1 (415) 555-0100'],
    ['+15555550190', '+1 (555) 555-0190'],
    ['+353861234567', '+353 861234567'],
    ['+74951234567', '+7 4951234567'],
    ['+12345', '+12345'],
    ['0301234', '0301234'],
    ['not a number', 'not a number'],
    [null, ''],
    [undefined, '']
  ])('[S01][S11] formatPhone shows %p as %p: NANP grouped, elsewhere only the country code set apart', (input, out) => {
    expect(formatPhone(input)).toBe(out);
  });

  it.each([
    ['SharedVoicemail:+15555550190', { type: 'SharedVoicemail', value: '+15555550190' }],
    [
      'TeamsUser:6e2a4b1c-0f41-4c5a-9d3e-1a2b3c4d5e02',
      { type: 'TeamsUser', value: '6e2a4b1c-0f41-4c5a-9d3e-1a2b3c4d5e02' }
    ],
    ['TeamsClientSettings', { type: 'TeamsClientSettings', value: '' }],
    ['Teams voicemail', { type: '', value: 'Teams voicemail' }],
    ['  ', null],
    [null, null]
  ])('[S13] parseTarget reads %p', (input, out) => {
    expect(parseTarget(input)).toEqual(out);
  });

  it('[S13] describeTarget names the target and never shows a raw id', () => {
    const labels = {
      SharedVoicemail: 'Shared voicemail {0}',
      TeamsUser: 'a Teams user',
      SoftphoneUser: 'another softphone user',
      CallQueue: 'the call queue',
      TeamsClientSettings: 'your Teams settings'
    };
    expect(describeTarget('SharedVoicemail:+15555550190', labels)).toBe('Shared voicemail +1 (555) 555-0190');
    expect(describeTarget('TeamsUser:6e2a4b1c-0f41-4c5a-9d3e-1a2b3c4d5e02', labels)).toBe('a Teams user');
    expect(describeTarget('SoftphoneUser:005000000000001AAA', labels)).toBe('another softphone user');
    expect(describeTarget('CallQueue:9f1c2a8e-1b2c-4d3e-9f00-0a1b2c3d4e5f', labels)).toBe('the call queue');
    expect(describeTarget('PhoneNumber:+4930123456789', labels)).toBe('+49 30123456789');
    expect(describeTarget('TeamsClientSettings', labels)).toBe('your Teams settings');
    expect(describeTarget('+15555550199', labels)).toBe('+1 (555) 555-0199');
    expect(describeTarget('Teams voicemail', labels)).toBe('Teams voicemail');
    expect(describeTarget(null, labels)).toBe('');
  });

  // The relay's CallReason union and TeamsCallLinkService's decisions: every reason Salesforce can store.
  const relayReasons = () => {
    const source = fs.readFileSync(path.join(__dirname, '../../../../../../relay/src/domain/call-event.ts'), 'utf8');
    const union = /export type CallReason =([^;]+);/.exec(source)[1];
    return [...union.matchAll(/'(\w+)'/g)].map((m) => m[1]);
  };

  it('[S11][B08] every reason the relay sends, Reconciled included, and every link decision has a label', () => {
    const reasons = [...relayReasons(), 'SingleMatch', 'SeveralMatches', 'NoMatch', 'AlreadyLinked', 'LookupFailed'];
    expect(reasons).toContain('Reconciled');
    for (const reason of reasons) {
      // sfdx-lwc-jest resolves a label import to its name: the reason maps to its own custom label.
      expect(reasonLabel(reason)).toBe(`c.TeamsHistory_Reason${reason}`);
    }
  });

  it('[S11] reasonLabel: blank is empty, a reason this version does not know is shown as stored', () => {
    expect(reasonLabel(null)).toBe('');
    expect(reasonLabel('')).toBe('');
    expect(reasonLabel('SomethingNew')).toBe('SomethingNew');
    expect(reasonLabel('toString')).toBe('toString');
  });
});
