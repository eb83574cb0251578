// The relay's dial number rule is the TypeScript twin of TeamsRedirectRuleValidator.normalizePhone (Apex): both run
// the phone cases of the shared redirect-rule vectors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { dialableNumber } from '../../src/domain/decide.ts';

interface RuleCase {
  id: string;
  rule: { targetType: string; targetValue: string; isActive: boolean };
  expected: { valid: boolean; normalizedValue?: string | null; message?: string };
}
const vectors = JSON.parse(
  readFileSync(
    new URL('../../../force-app/tests/shared-vectors/staticresources/TeamsRedirectRuleVectors.json', import.meta.url),
    'utf8'
  )
) as { cases: RuleCase[] };
const NOT_E164 = 'Enter the phone number in international format, starting with + and the country code.';
// Phone cases whose outcome is the number rule alone (not the rule's context: own line, blank, inactive).
const phoneCases = vectors.cases.filter(
  (c) =>
    c.rule.targetType === 'PhoneNumber' &&
    c.rule.isActive &&
    c.rule.targetValue.trim() !== '' &&
    (c.expected.valid || c.expected.message === NOT_E164)
);

describe('[B09] the dial number rule follows the shared phone vectors', () => {
  it('[B09] there are phone vectors to run', () => assert.ok(phoneCases.length >= 4));
  for (const c of phoneCases) {
    it(`[B09] ${c.id}: ${JSON.stringify(c.rule.targetValue)}`, () => {
      assert.equal(dialableNumber(c.rule.targetValue), c.expected.valid ? c.expected.normalizedValue : undefined);
    });
  }
});
