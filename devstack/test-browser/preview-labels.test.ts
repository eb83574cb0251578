// The preview's generated @salesforce/label modules: English master, the package's German picked by the frame's
// language (?lang=de). No browser needed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readLabels, readTranslations, salesforceModules } from '../preview/build.ts';

const VIRTUAL = '\0sf:';

function labelModule(name: string, translations: Map<string, Map<string, string>>, warnings: string[] = []): string {
  const plugin = salesforceModules(readLabels(), (m) => warnings.push(m), translations);
  const load = plugin.load as (id: string) => string | null;
  const code = load.call({}, `${VIRTUAL}@salesforce/label/c.${name}`);
  assert.equal(typeof code, 'string');
  return code!;
}

test('[S11] readTranslations reads the German of every feature from the one translation file', () => {
  const german = readTranslations('de');
  assert.equal(german.get('TeamsSoftphone_Title'), 'Teams-Telefon');
  assert.equal(german.get('TeamsHistory_Title'), 'Anrufliste');
  assert.equal(german.get('TeamsRules_TargetType'), 'Anrufe senden an');
  assert.equal(german.get('TeamsSetup_ChecksTitle'), 'Installationsprüfungen');
  assert.equal(readTranslations('xx').size, 0, 'a language the package does not have yields nothing');
});

test('[S11] a translated label module picks the frame language and falls back to English', () => {
  const code = labelModule('TeamsHistory_Title', new Map([['de', readTranslations('de')]]));
  assert.match(code, /"de":"Anrufliste"/);
  assert.match(code, /translated\[frame\(\)\.language\] \?\? "Call history"/);
});

test('[S11] without translations a label module is its English value; an unknown label warns', () => {
  assert.equal(labelModule('TeamsHistory_Title', new Map()), 'export default "Call history";');
  const warnings: string[] = [];
  assert.equal(labelModule('No_Such_Label', new Map(), warnings), 'export default "c.No_Such_Label";');
  assert.match(warnings.join('\n'), /No_Such_Label is not defined/);
});
