import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { metadata } from '../checks/metadata.ts';
import { schemaRefs } from '../checks/schema-refs.ts';
import type { CheckResult } from '../lib/check.ts';
import { CLASS, CLEAN, LWC, project } from './fixture.ts';

async function runOn(check: (root: string) => Promise<CheckResult>, changes: Record<string, string | null>) {
  const fixture = project(changes);
  try {
    return await check(fixture.root);
  } finally {
    fixture.dispose();
  }
}

const PERMSET = 'force-app/main/calls/permissionsets/Calls.permissionset-meta.xml';
const FIELD = 'force-app/main/calls/objects/Call__c/fields/Status__c.field-meta.xml';

void test('[verify] metadata: clean fixture converts with SDR and has no findings', async () => {
  const result = await runOn(metadata, {});
  assert.deepEqual(result.findings, []);
  assert.match(result.note, /1 package dirs converted/);
});

void test('[verify] schema-refs: LWC @salesforce/schema import of a missing field', async () => {
  const result = await runOn(schemaRefs, { [LWC]: CLEAN[LWC]!.replace('Call__c.Status__c', 'Call__c.Nope__c') });
  assert.deepEqual(
    result.findings.map((f) => `${f.file}:${f.line}`),
    [`${LWC}:3`]
  );
  assert.match(result.findings[0]!.message, /Call__c\.Nope__c does not exist/);
});

void test('[verify] schema-refs: LWC @salesforce/schema import of a standard field not in the standard list', async () => {
  const result = await runOn(schemaRefs, { [LWC]: CLEAN[LWC]!.replace('Contact.Phone', 'Contact.Phoney') });
  assert.equal(result.findings.length, 1);
  assert.match(result.findings[0]!.message, /Contact\.Phoney/);
});

void test('[verify] schema-refs: LWC @salesforce/apex import of a missing method', async () => {
  const result = await runOn(schemaRefs, {
    [LWC]: CLEAN[LWC]!.replace('CallController.getCalls', 'CallController.getAll')
  });
  assert.deepEqual(
    result.findings.map((f) => `${f.file}:${f.line}`),
    [`${LWC}:2`]
  );
  assert.match(result.findings[0]!.message, /method CallController\.getAll does not exist/);
});

void test('[verify] schema-refs: LWC @salesforce/apex import of a method that is not @AuraEnabled', async () => {
  const result = await runOn(schemaRefs, {
    [LWC]: CLEAN[LWC]!.replace('CallController.getCalls', 'CallController.describe')
  });
  assert.equal(result.findings.length, 1);
  assert.match(result.findings[0]!.message, /is not @AuraEnabled/);
});

void test('[verify] schema-refs: LWC @salesforce/apex import of a missing class', async () => {
  const result = await runOn(schemaRefs, {
    [LWC]: CLEAN[LWC]!.replace('CallController.getCalls', 'NoSuchController.getCalls')
  });
  assert.equal(result.findings.length, 1);
  assert.match(result.findings[0]!.message, /Apex class NoSuchController does not exist/);
});

void test('[verify] schema-refs: permission set granting a missing field and a missing object', async () => {
  const text = CLEAN[PERMSET]!.replace('Call__c.Status__c', 'Call__c.Nope__c').replace(
    '<object>Call__c</object>',
    '<object>Ghost__c</object>'
  );
  const result = await runOn(schemaRefs, { [PERMSET]: text });
  assert.deepEqual(
    result.findings.map((f) => f.file),
    [PERMSET, PERMSET]
  );
  assert.ok(result.findings.some((f) => /object Ghost__c does not exist/.test(f.message) && f.line === 9));
  assert.ok(result.findings.some((f) => /Call__c\.Nope__c does not exist/.test(f.message) && f.line === 4));
});

void test('[verify] metadata: malformed field-meta.xml names the file and line', async () => {
  const broken = CLEAN[FIELD]!.replace('<label>Status</label>', '<label>Status');
  const result = await runOn(metadata, { [FIELD]: broken });
  assert.ok(result.findings.length >= 1);
  assert.equal(result.findings[0]!.file, FIELD);
  assert.match(result.findings[0]!.message, /malformed XML/);
});

void test('[verify] metadata: a class without its -meta.xml', async () => {
  const result = await runOn(metadata, { [`${CLASS}-meta.xml`]: null });
  assert.deepEqual(
    result.findings.map((f) => [f.file, f.message]),
    [[CLASS, 'missing CallController.cls-meta.xml']]
  );
});

void test('[verify] metadata: a -meta.xml without its class', async () => {
  const result = await runOn(metadata, { [CLASS]: null });
  assert.ok(
    result.findings.some((f) => f.file === `${CLASS}-meta.xml` && /missing CallController\.cls$/.test(f.message))
  );
});

void test('[verify] metadata: an LWC folder without its js-meta.xml', async () => {
  const result = await runOn(metadata, { [`${LWC}-meta.xml`]: null });
  assert.deepEqual(
    result.findings.map((f) => f.message),
    ['LWC bundle lacks callList.js-meta.xml']
  );
});

const TRANSLATION = 'force-app/main/calls/translations/de.translation-meta.xml';
const TRANSLATION_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Translations xmlns="http://soap.sforce.com/2006/04/metadata">
    <customTabs><label>Anrufe</label><name>Call__c</name></customTabs>
</Translations>
`;
const packaged = (definitionFile?: string): string =>
  JSON.stringify({
    packageDirectories: [{ path: 'force-app/main', package: 'Calls', default: true, definitionFile }],
    sourceApiVersion: '62.0'
  });
const definition = (languageSettings: object | undefined): string =>
  JSON.stringify({ edition: 'Developer', settings: languageSettings ? { languageSettings } : {} });

void test('[verify] metadata: packaged translations without a definitionFile enabling Translation Workbench', async () => {
  const withoutFile = await runOn(metadata, { 'sfdx-project.json': packaged(), [TRANSLATION]: TRANSLATION_XML });
  assert.deepEqual(
    withoutFile.findings.map((f) => f.file),
    [TRANSLATION]
  );
  assert.match(withoutFile.findings[0]!.message, /has no definitionFile/);

  const disabled = await runOn(metadata, {
    'sfdx-project.json': packaged('config/def.json'),
    'config/def.json': definition(undefined),
    [TRANSLATION]: TRANSLATION_XML
  });
  assert.deepEqual(
    disabled.findings.map((f) => `${f.file}: ${f.message}`),
    ['config/def.json: translations in force-app/main need settings.languageSettings.enableTranslationWorkbench: true']
  );

  const enabled = await runOn(metadata, {
    'sfdx-project.json': packaged('config/def.json'),
    'config/def.json': definition({ enableTranslationWorkbench: true }),
    [TRANSLATION]: TRANSLATION_XML
  });
  assert.deepEqual(enabled.findings, []);
});

void test('[verify] npm run verify exits non-zero and prints file:line for a broken fixture', () => {
  const fixture = project({ [LWC]: CLEAN[LWC]!.replace('Call__c.Status__c', 'Call__c.Nope__c') });
  try {
    const r = spawnSync(
      process.execPath,
      [join(import.meta.dirname, '..', 'verify.mjs'), '--root', fixture.root, '--only', 'schema-refs,metadata'],
      { encoding: 'utf8' }
    );
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^FAIL schema-refs/m);
    assert.match(r.stdout, /^PASS metadata/m);
    assert.ok(r.stdout.includes(`${LWC}:3: @salesforce/schema/Call__c.Nope__c`));
  } finally {
    fixture.dispose();
  }
});

void test('[verify] npm run verify exits 0 on the clean fixture', () => {
  const fixture = project();
  try {
    const r = spawnSync(
      process.execPath,
      [
        join(import.meta.dirname, '..', 'verify.mjs'),
        '--root',
        fixture.root,
        '--only',
        'apex-syntax,schema-refs,metadata,layers'
      ],
      { encoding: 'utf8' }
    );
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /verify: 4 checks passed, 0 failed/);
  } finally {
    fixture.dispose();
  }
});

void test('[verify] npm run verify rejects an unknown check name', () => {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'verify.mjs'), '--only', 'nope'], {
    encoding: 'utf8'
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown check\(s\): nope/);
});
