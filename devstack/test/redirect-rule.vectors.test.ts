import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  MESSAGES,
  to18CharId,
  validateNoAnswerSeconds,
  validateRule,
  type RuleContext,
  type RuleInput,
  type RuleVerdict
} from '../src/salesforce-emulator/redirect-rule-validator.ts';

type Expected = Record<string, unknown> & { valid: boolean };
interface RuleVector {
  id: string;
  title: string;
  org?: RuleContext['org'];
  rule: RuleInput;
  expected: Expected;
}
interface SettingsVector {
  id: string;
  title: string;
  noAnswerSeconds: number | null;
  expected: Expected;
}

const vectorUrl = new URL(
  '../../force-app/tests/shared-vectors/staticresources/TeamsRedirectRuleVectors.json',
  import.meta.url
);
const vectors = JSON.parse(readFileSync(vectorUrl, 'utf8')) as {
  context: RuleContext;
  cases: RuleVector[];
  settingsCases: SettingsVector[];
};

/** Every key of `expected` must match the verdict; returns one line per difference. */
function differences(expected: Expected, verdict: RuleVerdict): string[] {
  const actual = verdict as unknown as Record<string, unknown>;
  return Object.entries(expected)
    .filter(([key, value]) => actual[key] !== value)
    .map(([key, value]) => `${key}: expected ${String(value)}, got ${String(actual[key])}`);
}

const contextFor = (vector: RuleVector): RuleContext => ({
  ...vectors.context,
  org: vector.org ?? vectors.context.org
});

describe('TeamsRedirectRuleVectors.json through redirect-rule-validator.ts', () => {
  for (const vector of vectors.cases) {
    it(`${vector.title} (${vector.id})`, () => {
      assert.deepEqual(differences(vector.expected, validateRule(vector.rule, contextFor(vector))), []);
    });
  }
  for (const vector of vectors.settingsCases) {
    it(`${vector.title} (${vector.id})`, () => {
      assert.deepEqual(differences(vector.expected, validateNoAnswerSeconds(vector.noAnswerSeconds)), []);
    });
  }

  it('[S13] reports a difference when any expected value of a vector is changed', () => {
    for (const vector of vectors.cases) {
      const verdict = validateRule(vector.rule, contextFor(vector));
      for (const key of Object.keys(vector.expected)) {
        const mutated: Expected = { ...vector.expected };
        const value = mutated[key];
        mutated[key] = typeof value === 'boolean' ? !value : `${String(value)} (changed)`;
        assert.equal(differences(mutated, verdict).length, 1, `${vector.id}: changing ${key} went unnoticed`);
      }
    }
    for (const vector of vectors.settingsCases) {
      const mutated: Expected = { ...vector.expected, valid: !vector.expected.valid };
      assert.equal(differences(mutated, validateNoAnswerSeconds(vector.noAnswerSeconds)).length, 1, vector.id);
    }
  });

  it('[S13] uses, in TypeScript and in Apex, exactly the messages the vectors expect', () => {
    const apex = readFileSync(
      new URL('../../force-app/main/redirect-rules/classes/TeamsRedirectRuleValidator.cls', import.meta.url),
      'utf8'
    );
    const apexMessages = new Set([...apex.matchAll(/public static final String \w+ =\s*'([^']*)';/g)].map((m) => m[1]));
    const expected = [...vectors.cases, ...vectors.settingsCases]
      .map((vector) => vector.expected.message)
      .filter((message): message is string => typeof message === 'string');
    for (const message of expected) {
      assert.ok(apexMessages.has(message), `Apex TeamsRedirectRuleValidator lacks: ${message}`);
      assert.ok((Object.values(MESSAGES) as string[]).includes(message), `TypeScript MESSAGES lacks: ${message}`);
    }
  });

  it('[S13] turns a 15-character user id into its 18-character form', () => {
    assert.equal(to18CharId('005000000000002'), '005000000000002AAA');
    assert.equal(to18CharId('005Dn000001ABCD'), '005Dn000001ABCDIA4');
  });
});
