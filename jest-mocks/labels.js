/**
 * Reads a CustomLabels.labels-meta.xml so a test can mock `@salesforce/label/c.X` with the label's real text
 * (sfdx-lwc-jest otherwise resolves a label to "c.X"). Used where a message must equal a shared vector's text.
 */
const fs = require('fs');
const path = require('path');

const decode = (text) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/**
 * @param {string} file path relative to the repository root
 * @returns {Record<string, string>} label name → value
 */
function loadLabels(file) {
  const xml = fs.readFileSync(path.join(__dirname, '..', file), 'utf8');
  const labels = {};
  for (const match of xml.matchAll(/<labels>([\s\S]*?)<\/labels>/g)) {
    const name = /<fullName>([^<]+)<\/fullName>/.exec(match[1])?.[1];
    const value = /<value>([\s\S]*?)<\/value>/.exec(match[1])?.[1];
    if (name && value !== undefined) {
      labels[name] = decode(value);
    }
  }
  return labels;
}

module.exports = { loadLabels };
