import { validateRule, validateNoAnswerSeconds, normalizePhone, isPhoneNumber } from 'c/teamsRedirectValidation';

import { loadLabels } from '../../../../../../jest-mocks/labels';

// sfdx-lwc-jest resolves a label import to "c.<name>"; the label file gives each name its text, so a client
// message equals a vector's message exactly when it is "c.<the label whose text is that message>".
const LABELS = loadLabels('force-app/main/redirect-rules/labels/CustomLabels.labels-meta.xml');
const asLabelRef = (expected) => {
  if (expected.valid) {
    return expected;
  }
  const name = Object.keys(LABELS).find((key) => LABELS[key] === expected.message);
  return { ...expected, message: name ? `c.${name}` : `no label has the text: ${expected.message}` };
};

const VECTORS = require('../../../../../tests/shared-vectors/staticresources/TeamsRedirectRuleVectors.json');

/**
 * Well-formed targets only the server can refuse: it alone knows the agent's own line and Teams id (loops) and
 * the softphone user directory (unknown or inactive users).
 */
const SERVER_ONLY_IDS = [
  'phone-own-line',
  'teams-user-self',
  'softphone-user-self',
  'softphone-user-inactive',
  'softphone-user-unknown'
];

const orgFor = (testCase) => testCase.org ?? VECTORS.context.org;

describe('c/teamsRedirectValidation against the shared vectors', () => {
  const isServerOnly = (c) => SERVER_ONLY_IDS.includes(c.id);

  it.each(VECTORS.cases.filter((c) => !isServerOnly(c)).map((c) => [c.id, c]))(
    "[S13] vector %s: the client pre-check gives the server's verdict",
    (id, testCase) => {
      expect(validateRule(testCase.rule, orgFor(testCase))).toEqual(asLabelRef(testCase.expected));
    }
  );

  it.each(VECTORS.cases.filter(isServerOnly).map((c) => [c.id, c]))(
    '[S13] vector %s: well-formed, so the client leaves it to the server',
    (id, testCase) => {
      expect(validateRule(testCase.rule, orgFor(testCase)).valid).toBe(true);
    }
  );

  it.each(VECTORS.settingsCases.map((c) => [c.id, c]))(
    '[S13] settings vector %s: the no-answer time pre-check matches',
    (id, testCase) => {
      expect(validateNoAnswerSeconds(testCase.noAnswerSeconds)).toEqual(asLabelRef(testCase.expected));
    }
  );

  it('[S13] only the loop and directory vectors are left to the server', () => {
    const deferred = VECTORS.cases.filter((c) => !c.expected.valid && validateRule(c.rule, orgFor(c)).valid);
    expect(deferred.map((c) => c.id).sort()).toEqual([...SERVER_ONLY_IDS].sort());
  });
});

describe('c/teamsRedirectValidation helpers', () => {
  it.each([
    ['+49 (89) 111-22.2', '+4989111222'],
    ['0044 20 7946 0000', '+442079460000'],
    ['', ''],
    [null, '']
  ])('[S13] normalizePhone(%p) is %p', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    ['+14155550100', true],
    ['+0123456789', false],
    ['+12345', false],
    ['4155550100', false],
    ['+1415555010x', false]
  ])('[S13] isPhoneNumber(%p) is %p', (input, expected) => {
    expect(isPhoneNumber(input)).toBe(expected);
  });

  it('[S13] a SoftphoneUser target must look like a user id', () => {
    const rule = {
      trigger: 'NoAnswer',
      targetType: 'SoftphoneUser',
      targetValue: '003000000000001AAA',
      isActive: true
    };
    expect(validateRule(rule, {})).toEqual({
      valid: false,
      field: 'targetValue',
      message: 'c.TeamsRules_ErrorSoftphoneUser'
    });
  });

  it('[S13] a missing rule object is refused, not thrown', () => {
    expect(validateRule(undefined, {}).valid).toBe(false);
  });
});
