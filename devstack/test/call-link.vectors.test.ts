import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  decideLink,
  linkEventId,
  type LinkCandidate,
  type LinkableCall
} from '../src/salesforce-emulator/record-keeping.ts';

interface LinkVector {
  id: string;
  title: string;
  call: LinkableCall;
  records: (Omit<LinkCandidate, 'Id' | 'AccountId'> & { key: string; account?: string })[];
  expected: Record<string, unknown>;
}

const vectorUrl = new URL(
  '../../force-app/tests/shared-vectors/staticresources/TeamsCallLinkVectors.json',
  import.meta.url
);
const vectors = JSON.parse(readFileSync(vectorUrl, 'utf8')) as { cases: LinkVector[] };

/** The vector's records as the search returns them: record keys stand for ids, as in the Apex test. */
function run(vector: LinkVector): Record<string, unknown> {
  const found: LinkCandidate[] = vector.records.map(({ key, account, ...fields }) => ({
    ...fields,
    Id: key,
    AccountId: account ?? null
  }));
  return decideLink(vector.call, found) as unknown as Record<string, unknown>;
}

function differences(vector: LinkVector, decision: Record<string, unknown>): string[] {
  return Object.entries(vector.expected)
    .filter(([field, want]) => decision[field] !== want)
    .map(([field, want]) => `${field}: expected ${String(want)}, got ${String(decision[field])}`);
}

describe('TeamsCallLinkVectors.json through record-keeping.ts decideLink', () => {
  it('has vectors for every outcome and for the agent not seeing a match', () => {
    const reasons = new Set(vectors.cases.map((vector) => vector.expected.Reason__c));
    for (const reason of ['SingleMatch', 'SeveralMatches', 'NoMatch', 'AlreadyLinked']) {
      assert.ok(reasons.has(reason), `no vector decides ${reason}`);
    }
    assert.ok(
      vectors.cases.some((vector) => vector.records.some((record) => !record.visibleToAgent)),
      'no vector has a record the agent cannot see'
    );
  });

  for (const vector of vectors.cases) {
    it(`${vector.title} (${vector.id})`, () => {
      assert.deepEqual(differences(vector, run(vector)), []);
    });
  }

  it('[S17] reports a difference when any expected value of a vector is changed', () => {
    for (const vector of vectors.cases) {
      const decision = run(vector);
      for (const field of Object.keys(vector.expected)) {
        const mutated = structuredClone(vector);
        const original = mutated.expected[field];
        mutated.expected[field] = typeof original === 'boolean' ? !original : `${String(original)}-changed`;
        assert.equal(differences(mutated, decision).length, 1, `${vector.id}: changing ${field} went unnoticed`);
      }
    }
  });

  it('[B08] gives each call one synthetic EventId that fits TeamsCallTimelineEntry__c.EventId__c (Text(36))', () => {
    const ids = vectors.cases.map((vector) => linkEventId(vector.call.TeamsCallId__c));
    assert.equal(new Set(ids).size, ids.length, 'two calls share a link EventId');
    for (const id of ids) assert.match(id, /^link-[0-9a-f]{31}$/);
    assert.equal(linkEventId('call-1'), linkEventId('call-1'), 'the same call must get the same EventId');
  });

  it('[S17] links nothing the agent cannot see, even when it is the only exact match', () => {
    const decision = decideLink({ TeamsCallId__c: 'c', CallerNumber__c: '+4930123456' }, [
      { Id: 'hidden', type: 'Contact', Phone: '+4930123456', visibleToAgent: false }
    ]);
    assert.equal(decision.Reason__c, 'NoMatch');
    assert.equal(decision.Contact__c, null);
    assert.equal(decision.Target__c, null, 'the timeline must not name a record the agent cannot see');
  });
});
