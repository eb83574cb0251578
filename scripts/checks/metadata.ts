import { ComponentSet, MetadataConverter } from '@salesforce/source-deploy-retrieve';
import { XMLValidator } from 'fast-xml-parser';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { CheckResult, Finding } from '../lib/check.ts';
import { rel, walk } from '../lib/files.ts';

interface SfdxProject {
  packageDirectories?: { path: string; package?: string; definitionFile?: string }[];
  sourceApiVersion?: string;
}

/**
 * XML well-formedness, Apex/LWC bundle completeness, then an SDR source-to-metadata conversion.
 * SDR alone is not a validator (it silently drops a .cls without -meta.xml), hence the explicit checks.
 */
export async function metadata(root: string): Promise<CheckResult> {
  const findings: Finding[] = [];
  const forceApp = join(root, 'force-app');
  const all = walk(forceApp);

  const metaFiles = all.filter((p) => p.endsWith('-meta.xml'));
  for (const file of metaFiles) {
    const verdict = XMLValidator.validate(readFileSync(file, 'utf8'));
    if (verdict !== true) {
      findings.push({ file: rel(root, file), line: verdict.err.line, message: `malformed XML: ${verdict.err.msg}` });
    }
  }

  const present = new Set(all);
  for (const file of all) {
    if (file.endsWith('.cls') || file.endsWith('.trigger')) {
      if (!present.has(`${file}-meta.xml`)) {
        findings.push({ file: rel(root, file), line: 0, message: `missing ${basename(file)}-meta.xml` });
      }
    } else if (file.endsWith('.cls-meta.xml') || file.endsWith('.trigger-meta.xml')) {
      const source = file.slice(0, -'-meta.xml'.length);
      if (!present.has(source))
        findings.push({ file: rel(root, file), line: 0, message: `missing ${basename(source)}` });
    }
  }

  const lwcBundles = new Set(
    all.filter((p) => basename(dirname(dirname(p))) === 'lwc' && !p.includes('__tests__')).map((p) => dirname(p))
  );
  for (const bundle of lwcBundles) {
    const name = basename(bundle);
    for (const needed of [`${name}.js`, `${name}.js-meta.xml`]) {
      if (!present.has(join(bundle, needed))) {
        findings.push({ file: rel(root, bundle), line: 0, message: `LWC bundle lacks ${needed}` });
      }
    }
  }

  findings.push(...translationWorkbench(root));
  const converted = await convertAll(root, findings);
  return { name: 'metadata', findings, note: `${metaFiles.length} meta files, ${converted} package dirs converted` };
}

async function convertAll(root: string, findings: Finding[]): Promise<number> {
  const projectFile = join(root, 'sfdx-project.json');
  if (!existsSync(projectFile)) return 0;
  const project = JSON.parse(readFileSync(projectFile, 'utf8')) as SfdxProject;
  let count = 0;
  for (const pkg of project.packageDirectories ?? []) {
    const dir = join(root, pkg.path);
    if (!existsSync(dir) || walk(dir, (p) => !p.endsWith('README.md')).length === 0) continue;
    const out = mkdtempSync(join(tmpdir(), 'verify-sdr-'));
    try {
      const cs = ComponentSet.fromSource({ fsPaths: [dir] });
      if (project.sourceApiVersion) cs.sourceApiVersion = project.sourceApiVersion;
      await new MetadataConverter().convert(cs, 'metadata', { type: 'directory', outputDirectory: out });
      count++;
    } catch (err) {
      findings.push({ file: pkg.path, line: 0, message: `SDR conversion failed: ${(err as Error).message}` });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  return count;
}

/**
 * Translations deploy only where Translation Workbench is on: a package directory holding `*.translation-meta.xml`
 * needs a `definitionFile` whose scratch definition enables it, or `sf package version create` fails in its build
 * org ("Not available for deploy for this organization").
 */
function translationWorkbench(root: string): Finding[] {
  const projectFile = join(root, 'sfdx-project.json');
  if (!existsSync(projectFile)) return [];
  const project = JSON.parse(readFileSync(projectFile, 'utf8')) as SfdxProject;
  const findings: Finding[] = [];
  for (const pkg of project.packageDirectories ?? []) {
    if (!pkg.package) continue;
    const translations = walk(join(root, pkg.path), (p) => p.endsWith('.translation-meta.xml'));
    if (translations.length === 0) continue;
    const where = `sfdx-project.json packageDirectories[${pkg.path}]`;
    if (!pkg.definitionFile) {
      findings.push({
        file: rel(root, translations[0]!),
        line: 0,
        message: `translations need Translation Workbench in the package build org: ${where} has no definitionFile`
      });
      continue;
    }
    const definitionPath = join(root, pkg.definitionFile);
    const definition = existsSync(definitionPath)
      ? (JSON.parse(readFileSync(definitionPath, 'utf8')) as {
          settings?: { languageSettings?: { enableTranslationWorkbench?: boolean } };
        })
      : undefined;
    if (definition?.settings?.languageSettings?.enableTranslationWorkbench !== true) {
      findings.push({
        file: pkg.definitionFile,
        line: 0,
        message: `translations in ${pkg.path} need settings.languageSettings.enableTranslationWorkbench: true`
      });
    }
  }
  return findings;
}
