import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apexCompile } from '../checks/apex-compile.ts';
import { codeAnalyzer } from '../checks/code-analyzer.ts';
import type { CheckResult } from '../lib/check.ts';
import { project } from './fixture.ts';

// Mistakes the grammar accepts and only a compiler or an analyzer catches: each planted class must fail verify and
// be named with its line. apex-ls and Code Analyzer each take 10-30 s on Java, so each runs once over all plants.

const META = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexClass>
`;

const classes = (bodies: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(bodies).flatMap(([name, body]) => [
      [`force-app/main/calls/classes/${name}.cls`, body],
      [`force-app/main/calls/classes/${name}.cls-meta.xml`, META]
    ])
  );

const file = (name: string): string => `force-app/main/calls/classes/${name}.cls`;

async function runOn(check: (root: string) => Promise<CheckResult>, changes: Record<string, string>) {
  const fixture = project(changes);
  try {
    return await check(fixture.root);
  } finally {
    fixture.dispose();
  }
}

/** The findings naming `name`, as "line: message". */
function at(result: CheckResult, name: string): string[] {
  return result.findings.filter((f) => f.file === file(name)).map((f) => `${f.line}: ${f.message}`);
}

const COMPILE_PLANTS = classes({
  ReservedName: `public with sharing class ReservedName {
    public static final String LOOP = 'routes back to the same agent';
}
`,
  UnknownEventBusMethod: `public with sharing class UnknownEventBusMethod {
    public static void send(List<SObject> events) {
        EventBus.publishAll(events);
    }
}
`,
  UnknownStandardField: `public with sharing class UnknownStandardField {
    public static Account make() {
        Account account = new Account(Name = 'Acme');
        account.Revenue = 10;
        return account;
    }
}
`,
  TypeMismatch: `public with sharing class TypeMismatch {
    public static Integer seconds() {
        Integer seconds = 'twenty';
        return seconds;
    }
}
`,
  WrongArgumentCount: `public with sharing class WrongArgumentCount {
    public static String head(String text) {
        return text.substring(0, 3, 5);
    }
}
`
});

void test('[verify] apex-compile: the clean fixture compiles with no error', async () => {
  const result = await runOn(apexCompile, {});
  assert.deepEqual(result.findings, []);
  assert.match(result.note, /apex-ls: 0 error\(s\)/);
});

void test('[verify] apex-compile: reserved identifier, unknown EventBus method, unknown Account field, type mismatch and argument count each fail with file and line', async () => {
  const result = await runOn(apexCompile, COMPILE_PLANTS);
  const expected: [string, number, RegExp][] = [
    ['ReservedName', 2, /'LOOP' is a reserved identifier/],
    ['UnknownEventBusMethod', 3, /No matching method found for 'publishAll' on 'System\.EventBus'/],
    ['UnknownStandardField', 4, /Unknown field 'Revenue' on SObject 'Schema\.Account'/],
    ['TypeMismatch', 3, /Incompatible types in assignment, from 'System\.String' to 'System\.Integer'/],
    ['WrongArgumentCount', 3, /No matching method found for 'substring' on 'System\.String'/]
  ];
  for (const [name, line, message] of expected) {
    const found = at(result, name);
    assert.equal(found.length, 1, `${name}: ${JSON.stringify(result.findings)}`);
    assert.ok(found[0]!.startsWith(`${line}: `), `${name} line: ${found[0]}`);
    assert.match(found[0]!, message);
  }
  assert.equal(result.findings.length, expected.length, 'nothing else is reported');
});

void test('[verify] apex-compile: a reserved method name is listed as a warning, not a failure', async () => {
  const result = await runOn(
    apexCompile,
    classes({
      Marker: `public with sharing class Marker {
    public void set(String value) {
        System.assert(value != null, 'value');
    }
}
`
    })
  );
  assert.deepEqual(result.findings, []);
  assert.deepEqual(
    (result.warnings ?? []).map((w) => `${w.file}:${w.line}`),
    [`${file('Marker')}:2`]
  );
  assert.match(result.warnings![0]!.message, /'set' is currently a legal method name but is a reserved identifier/);
});

const ANALYZER_PLANTS = classes({
  UnexplainedElevation: `/** Reads every call. */
public without sharing class UnexplainedElevation {
    public static Integer count() {
        return [SELECT COUNT() FROM Call__c WITH SYSTEM_MODE];
    }
}
`,
  ExplainedElevation: `/** Reads every call for the nightly total. */
// without sharing because the total counts every agent's private calls; it returns a number, never a record.
@SuppressWarnings('PMD.ApexDoc')
public without sharing class ExplainedElevation {
    public static Integer count() {
        return [SELECT COUNT() FROM Call__c WITH SYSTEM_MODE];
    }
}
`,
  ImplicitMode: `public with sharing class ImplicitMode {
    public static List<Call__c> calls() {
        return [SELECT Id FROM Call__c LIMIT 10];
    }
}
`,
  QueryInLoop: `public with sharing class QueryInLoop {
    public static Integer count(List<String> states) {
        Integer n = 0;
        for (String s : states) {
            n += [SELECT COUNT() FROM Call__c WHERE Status__c = :s WITH USER_MODE];
        }
        return n;
    }
}
`
});

void test('[verify] code-analyzer: the clean fixture has no finding of severity 1-2', async () => {
  const result = await runOn(codeAnalyzer, {});
  assert.deepEqual(result.findings, []);
  assert.match(result.note, /0 finding\(s\) of severity 1-2/);
});

void test('[verify] code-analyzer: unexplained without sharing, a query without access mode and a query in a loop each fail with file and line', async () => {
  const result = await runOn(codeAnalyzer, ANALYZER_PLANTS);
  assert.deepEqual(at(result, 'UnexplainedElevation'), [
    '2: regex:WithoutSharingNeedsReason (severity 2): This class runs without sharing with no comment right above it saying why ("without sharing because ...").'
  ]);
  assert.deepEqual(at(result, 'ExplainedElevation'), [], 'a reason right above the class is enough');
  const implicit = at(result, 'ImplicitMode');
  assert.ok(
    implicit.some((f) => /^3: regex:SoqlAccessModeExplicit/.test(f)),
    `query without access mode: ${JSON.stringify(implicit)}`
  );
  assert.ok(
    implicit.some((f) => /^3: pmd:ApexCRUDViolation/.test(f)),
    `PMD's CRUD rule agrees: ${JSON.stringify(implicit)}`
  );
  assert.deepEqual(
    at(result, 'QueryInLoop').filter((f) => /OperationWithLimitsInLoop/.test(f)),
    ['5: pmd:OperationWithLimitsInLoop (severity 2): Avoid operations in loops that may hit governor limits']
  );
});
