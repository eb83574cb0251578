import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  applyBatch,
  emptyCall,
  type CallEventRecord,
  type CallRecord,
  type LoggingSettings,
  type RecordKeepingState
} from '../src/salesforce-emulator/record-keeping.ts';

interface CallVector {
  id: string;
  title: string;
  settings: LoggingSettings;
  existing?: Partial<CallRecord> & { TeamsCallId__c: string };
  batches: CallEventRecord[][];
  expected: {
    call: Record<string, unknown>;
    timeline: Record<string, unknown>[];
    tasks: Record<string, unknown>[];
  };
}

const AGENT_USER_ID = '005000000000001AAA';
const vectorUrl = new URL(
  '../../force-app/tests/shared-vectors/staticresources/TeamsCallRecordVectors.json',
  import.meta.url
);
const withAgent = (text: string): string => text.replaceAll('{agentUserId}', AGENT_USER_ID);
const vectors = JSON.parse(withAgent(readFileSync(vectorUrl, 'utf8'))) as { cases: CallVector[] };

function run(vector: CallVector): { state: RecordKeepingState; call: CallRecord } {
  const state: RecordKeepingState = { calls: new Map(), timeline: [], tasks: [] };
  if (vector.existing) {
    state.calls.set(vector.existing.TeamsCallId__c, {
      ...emptyCall(vector.existing.TeamsCallId__c),
      ...vector.existing
    });
  }
  for (const batch of vector.batches) applyBatch(state, batch, vector.settings);
  const callId = vector.batches[0]?.[0]?.TeamsCallId__c ?? '';
  const call = state.calls.get(callId);
  assert.ok(call, `${vector.id}: no TeamsCall__c for ${callId}`);
  return { state, call };
}

/** Every field named in `expected` must match; returns one line per difference (empty = agreement). */
function differences(vector: CallVector, state: RecordKeepingState, call: CallRecord): string[] {
  const found: string[] = [];
  const record = call as unknown as Record<string, unknown>;
  for (const [field, want] of Object.entries(vector.expected.call)) {
    if (record[field] !== want) found.push(`call.${field}: expected ${String(want)}, got ${String(record[field])}`);
  }
  const rows = state.timeline.filter((row) => row.TeamsCallId__c === call.TeamsCallId__c);
  if (rows.length !== vector.expected.timeline.length) {
    found.push(`timeline: expected ${vector.expected.timeline.length} rows, got ${rows.length}`);
  }
  vector.expected.timeline.forEach((want, index) => {
    const row = rows[index] as unknown as Record<string, unknown> | undefined;
    for (const [field, value] of Object.entries(want)) {
      if (row?.[field] !== value)
        found.push(`timeline[${index}].${field}: expected ${String(value)}, got ${String(row?.[field])}`);
    }
  });
  if (state.tasks.length !== vector.expected.tasks.length) {
    found.push(`tasks: expected ${vector.expected.tasks.length}, got ${state.tasks.length}`);
  }
  vector.expected.tasks.forEach((want, index) => {
    const task = state.tasks[index] as unknown as Record<string, unknown> | undefined;
    for (const [field, value] of Object.entries(want)) {
      if (task?.[field] !== value)
        found.push(`tasks[${index}].${field}: expected ${String(value)}, got ${String(task?.[field])}`);
    }
  });
  return found;
}

describe('TeamsCallRecordVectors.json through record-keeping.ts', () => {
  it('has vectors for every required situation', () => {
    const ids = vectors.cases.map((vector) => vector.id);
    for (const required of [
      'duplicates',
      'out-of-order-in-batch',
      'stale-across-batches',
      'abandoned',
      'suppressed-by-presence',
      'transferred',
      'missed-no-answer-redirected'
    ]) {
      assert.ok(ids.includes(required), `missing vector ${required}`);
    }
  });

  for (const vector of vectors.cases) {
    it(`${vector.title} (${vector.id})`, () => {
      const { state, call } = run(vector);
      assert.deepEqual(differences(vector, state, call), []);
    });
  }

  it('[B01] reports a difference when any expected value of a vector is changed', () => {
    for (const vector of vectors.cases) {
      const { state, call } = run(vector);
      for (const field of Object.keys(vector.expected.call)) {
        const mutated = structuredClone(vector);
        const original = mutated.expected.call[field];
        mutated.expected.call[field] =
          typeof original === 'number'
            ? original + 1
            : typeof original === 'boolean'
              ? !original
              : `${String(original)}-changed`;
        assert.equal(
          differences(mutated, state, call).length,
          1,
          `${vector.id}: changing call.${field} went unnoticed`
        );
      }
      vector.expected.timeline.forEach((_row, index) => {
        const mutated = structuredClone(vector);
        const row = mutated.expected.timeline[index] as Record<string, unknown>;
        row.IsApplied__c = row.IsApplied__c !== true;
        assert.equal(
          differences(mutated, state, call).length,
          1,
          `${vector.id}: changing timeline[${index}] went unnoticed`
        );
      });
      vector.expected.tasks.forEach((task, index) => {
        for (const field of Object.keys(task)) {
          const mutated = structuredClone(vector);
          const target = mutated.expected.tasks[index] as Record<string, unknown>;
          const original = target[field];
          target[field] = typeof original === 'number' ? original + 1 : `${String(original)}-changed`;
          assert.equal(
            differences(mutated, state, call).length,
            1,
            `${vector.id}: changing tasks[${index}].${field} went unnoticed`
          );
        }
      });
      const withExtraTask = structuredClone(vector);
      withExtraTask.expected.tasks.push({ Subject: 'x' });
      assert.ok(differences(withExtraTask, state, call).length > 0, `${vector.id}: an extra task went unnoticed`);
    }
  });

  it('[B04] ignores Presence and Heartbeat events for call records', () => {
    const state: RecordKeepingState = { calls: new Map(), timeline: [], tasks: [] };
    applyBatch(
      state,
      [
        {
          EventId__c: 'p1',
          TeamsCallId__c: 'relay-1',
          Sequence__c: 1,
          Kind__c: 'Heartbeat',
          OccurredAt__c: '2026-11-24T10:00:00.000Z'
        },
        {
          EventId__c: 'p2',
          TeamsCallId__c: 'presence',
          Sequence__c: 2,
          Kind__c: 'Presence',
          Presence__c: 'Busy',
          OccurredAt__c: '2026-11-24T10:00:00.000Z'
        }
      ],
      { LogMissedCalls__c: true, LogAllCalls__c: true }
    );
    assert.equal(state.calls.size, 0);
    assert.equal(state.timeline.length, 0);
  });
});
