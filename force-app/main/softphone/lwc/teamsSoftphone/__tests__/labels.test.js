const fs = require('fs');
const path = require('path');

// A label imported but not defined fails the deployment; one not translated shows English to German agents.
const softphoneDir = path.join(__dirname, '..', '..', '..');
const read = (...parts) => fs.readFileSync(path.join(softphoneDir, ...parts), 'utf8');
const names = (xml, pattern) => new Set(Array.from(xml.matchAll(pattern), (m) => m[1]));

const imported = names(read('lwc', 'teamsSoftphone', 'labels.js'), /@salesforce\/label\/c\.(\w+)'/g);
const defined = names(read('labels', 'CustomLabels.labels-meta.xml'), /<fullName>(\w+)<\/fullName>/g);
const jestValues = Object.keys(require('./labels.en.json'));

describe('softphone labels', () => {
  it('imports only labels that are defined, all prefixed TeamsSoftphone_', () => {
    expect(imported.size).toBeGreaterThan(50);
    expect([...imported].filter((n) => !defined.has(n))).toEqual([]);
    expect([...defined].filter((n) => !n.startsWith('TeamsSoftphone_'))).toEqual([]);
  });

  it('gives the Jest label values for exactly the imported labels', () => {
    expect(new Set(jestValues)).toEqual(imported);
  });
});

// The whole package, every feature: one German translation file (the Translations type allows one per language).
const featuresDir = path.join(softphoneDir, '..');
const featureFiles = (folder, suffix) =>
  fs
    .readdirSync(featuresDir)
    .map((feature) => path.join(featuresDir, feature, folder))
    .filter((dir) => fs.existsSync(dir))
    .flatMap((dir) =>
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(suffix))
        .map((f) => path.join(dir, f))
    );
const english = new Map(
  featureFiles('labels', '.labels-meta.xml').flatMap((file) =>
    Array.from(
      fs.readFileSync(file, 'utf8').matchAll(/<fullName>(\w+)<\/fullName>[\s\S]*?<value>([\s\S]*?)<\/value>/g),
      (m) => [m[1], m[2]]
    )
  )
);
const germanFiles = featureFiles('translations', 'de.translation-meta.xml');
const german = new Map(
  germanFiles.flatMap((file) =>
    Array.from(
      fs.readFileSync(file, 'utf8').matchAll(/<customLabels>\s*<label>([\s\S]*?)<\/label>\s*<name>(\w+)<\/name>/g),
      (m) => [m[2], m[1]]
    )
  )
);
const placeholders = (text) => [...new Set(text.match(/\{\d+\}/g) ?? [])].sort();

describe('German translation of the package', () => {
  it('is one file for the whole package', () => {
    expect(germanFiles).toHaveLength(1);
  });

  it('translates every custom label of every feature', () => {
    expect(english.size).toBeGreaterThan(200);
    expect([...english.keys()].filter((name) => !german.has(name))).toEqual([]);
  });

  it('translates only labels that exist, never blank, keeping every {n} placeholder', () => {
    expect([...german.keys()].filter((name) => !english.has(name))).toEqual([]);
    expect([...german].filter(([, text]) => text.trim() === '').map(([name]) => name)).toEqual([]);
    const broken = [...english]
      .filter(([name]) => german.has(name))
      .filter(([name, text]) => placeholders(text).join() !== placeholders(german.get(name)).join())
      .map(([name]) => name);
    expect(broken).toEqual([]);
  });
});
