import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apexSyntax } from '../checks/apex-syntax.ts';
import { schemaRefs } from '../checks/schema-refs.ts';
import type { CheckResult } from '../lib/check.ts';
import { CLASS, CLEAN, project } from './fixture.ts';

async function runOn(check: (root: string) => Promise<CheckResult>, changes: Record<string, string | null>) {
  const fixture = project(changes);
  try {
    return await check(fixture.root);
  } finally {
    fixture.dispose();
  }
}

const withClass = (body: string): Record<string, string> => ({ [CLASS]: body });

void test('[verify] clean fixture: Apex syntax and schema references report nothing', async () => {
  for (const check of [apexSyntax, schemaRefs]) {
    const result = await runOn(check, {});
    assert.deepEqual(result.findings, [], `${result.name} should pass the clean fixture`);
  }
});

void test('[verify] apex-syntax names the file and line of a syntax error', async () => {
  const broken = CLEAN[CLASS]!.replace('return label', 'return label +;');
  const result = await runOn(apexSyntax, withClass(broken));
  assert.ok(result.findings.length > 0);
  assert.equal(result.findings[0]!.file, CLASS);
  assert.equal(result.findings[0]!.line, 16);
});

void test('[verify] schema-refs: SOQL selecting a field that does not exist', async () => {
  const result = await runOn(
    schemaRefs,
    withClass(CLEAN[CLASS]!.replace('SELECT Id, Status__c', 'SELECT Id, Nope__c'))
  );
  assert.deepEqual(
    result.findings.map((f) => `${f.file}:${f.line}`),
    [`${CLASS}:5`]
  );
  assert.match(result.findings[0]!.message, /Call__c\.Nope__c does not exist/);
});

void test('[verify] schema-refs: SOQL WHERE on a missing field, binds ignored', async () => {
  const result = await runOn(
    schemaRefs,
    withClass(CLEAN[CLASS]!.replace('WHERE Status__c = :status', 'WHERE Gone__c = :status'))
  );
  assert.equal(result.findings.length, 1);
  assert.match(result.findings[0]!.message, /Call__c\.Gone__c/);
  assert.equal(result.findings[0]!.line, 7);
});

void test('[verify] schema-refs: relationship path to a missing field on the parent', async () => {
  const result = await runOn(
    schemaRefs,
    withClass(CLEAN[CLASS]!.replace('Caller__r.TeamsId__c', 'Caller__r.Missing__c'))
  );
  assert.equal(result.findings.length, 1);
  assert.match(result.findings[0]!.message, /Contact\.Missing__c does not exist/);
});

void test('[verify] schema-refs: SOQL FROM a custom object that does not exist', async () => {
  const result = await runOn(schemaRefs, withClass(CLEAN[CLASS]!.replace('FROM Call__c', 'FROM Ghost__c')));
  assert.ok(result.findings.some((f) => f.file === CLASS && /object Ghost__c does not exist/.test(f.message)));
});

void test('[verify] schema-refs: field access on a typed parameter', async () => {
  const result = await runOn(
    schemaRefs,
    withClass(CLEAN[CLASS]!.replace("': ' + call.Status__c", "': ' + call.Nope__c"))
  );
  assert.equal(result.findings.length, 1);
  assert.equal(result.findings[0]!.line, 16);
  assert.match(result.findings[0]!.message, /call\.Nope__c/);
});

void test('[verify] schema-refs: Schema.SObjectType.X.fields.Y token', async () => {
  const result = await runOn(schemaRefs, withClass(CLEAN[CLASS]!.replace('fields.Status__c', 'fields.Nope__c')));
  assert.equal(result.findings.length, 1);
  assert.equal(result.findings[0]!.line, 15);
});

void test('[verify] schema-refs: new X__c(Field__c = ...) with a missing field', async () => {
  const result = await runOn(
    schemaRefs,
    withClass(CLEAN[CLASS]!.replace("new Call__c(Status__c = 'Ringing')", "new Call__c(Nope__c = 'Ringing')"))
  );
  assert.equal(result.findings.length, 1);
  assert.equal(result.findings[0]!.line, 20);
});

void test('[verify] schema-refs: fields in comments and strings are ignored', async () => {
  const body = CLEAN[CLASS]!.replace(
    'public static Call__c make()',
    "// call.Nope__c\n    public static String s = 'Call__c.Nope__c';\n    public static Call__c make()"
  );
  const result = await runOn(schemaRefs, withClass(body));
  assert.deepEqual(result.findings, []);
});

void test('[verify] schema-refs: semi-join subquery FROM a missing object', async () => {
  const body = CLEAN[CLASS]!.replace(
    'WHERE Status__c = :status',
    'WHERE Status__c = :status AND Caller__c IN (SELECT Contact__c FROM Ghost__c)'
  );
  const result = await runOn(schemaRefs, withClass(body));
  assert.deepEqual(
    result.findings.map((f) => `${f.line}: ${f.message}`),
    ['7: object Ghost__c does not exist']
  );
});
