// System.Label for the emulated controllers: a custom label's value in the running user's language (a translation
// from force-app's <language>.translation-meta.xml), English (the labels files) otherwise — as the org answers it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo's force-app (as server.ts DEFAULT_METADATA_ROOT; not imported from there, which imports this). */
const FORCE_APP = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'force-app');

const decodeXml = (text: string): string =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

function filesEndingWith(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(suffix))
    .map((name) => join(dir, name));
}

const cache = new Map<string, Map<string, string>>();

/** Label name → value: English from the labels files, or one language's translations. */
function labelsOf(language: string): Map<string, string> {
  const known = cache.get(language);
  if (known) return known;
  const labels = new Map<string, string>();
  const english = language === 'en';
  const files = filesEndingWith(FORCE_APP, english ? '.labels-meta.xml' : `/${language}.translation-meta.xml`);
  for (const file of files) {
    const xml = readFileSync(file, 'utf8');
    const blocks = english ? /<labels>([\s\S]*?)<\/labels>/g : /<customLabels>([\s\S]*?)<\/customLabels>/g;
    for (const match of xml.matchAll(blocks)) {
      const body = match[1] ?? '';
      const name = (english ? /<fullName>([^<]+)<\/fullName>/ : /<name>([^<]+)<\/name>/).exec(body)?.[1];
      const value = (english ? /<value>([\s\S]*?)<\/value>/ : /<label>([\s\S]*?)<\/label>/).exec(body)?.[1];
      if (name && value !== undefined) labels.set(name, decodeXml(value));
    }
  }
  cache.set(language, labels);
  return labels;
}

/** System.Label.<name> for the running user, with {0}, {1}… filled in (TeamsSetupController.fill). */
export function systemLabel(ctx: { language?: string }, name: string, ...args: (string | number)[]): string {
  const language = (ctx.language ?? 'en').slice(0, 2).toLowerCase();
  const value = labelsOf(language).get(name) ?? labelsOf('en').get(name);
  if (value === undefined) throw new Error(`No custom label ${name}`);
  return args.reduce<string>((text, arg, index) => text.replaceAll(`{${index}}`, String(arg)), value);
}
