import { reduceErrors, friendlyMessage, formatLabel, formatSeconds } from 'c/teamsViewUtils';

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
});
