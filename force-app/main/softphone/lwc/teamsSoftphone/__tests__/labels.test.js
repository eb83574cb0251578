const fs = require('fs');
const path = require('path');

// A label imported but not defined fails the deployment; one not translated shows English to German agents.
const softphoneDir = path.join(__dirname, '..', '..', '..');
const read = (...parts) => fs.readFileSync(path.join(softphoneDir, ...parts), 'utf8');
const names = (xml, pattern) => new Set(Array.from(xml.matchAll(pattern), (m) => m[1]));

const imported = names(read('lwc', 'teamsSoftphone', 'labels.js'), /@salesforce\/label\/c\.(\w+)'/g);
const defined = names(read('labels', 'CustomLabels.labels-meta.xml'), /<fullName>(\w+)<\/fullName>/g);
const translated = names(read('translations', 'de.translation-meta.xml'), /<name>(\w+)<\/name>/g);
const jestValues = Object.keys(require('./labels.en.json'));

describe('softphone labels', () => {
  it('imports only labels that are defined, all prefixed TeamsSoftphone_', () => {
    expect(imported.size).toBeGreaterThan(50);
    expect([...imported].filter((n) => !defined.has(n))).toEqual([]);
    expect([...defined].filter((n) => !n.startsWith('TeamsSoftphone_'))).toEqual([]);
  });

  it('translates every label to German', () => {
    expect([...defined].filter((n) => !translated.has(n))).toEqual([]);
  });

  it('gives the Jest label values for exactly the imported labels', () => {
    expect(new Set(jestValues)).toEqual(imported);
  });
});
