// DEVELOPMENT ONLY — compiles the real LWC bundles in force-app/ for the console preview (never shipped).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { rollup, type Plugin, type RollupLog } from 'rollup';
import lwcModule from '@lwc/rollup-plugin';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replaceModule from '@rollup/plugin-replace';

const require = createRequire(import.meta.url);

/**
 * These plugins ship CommonJS typings with `export default`, which TypeScript (NodeNext) reads as a namespace holding
 * `default`, while Node's ESM loader hands over the function itself; accept both.
 */
function defaultExport<T extends { default: unknown }>(mod: T): T['default'] {
  if (typeof mod === 'function') return mod;
  return mod.default;
}
const lwc = defaultExport(lwcModule);
const replace = defaultExport(replaceModule);

export const PREVIEW_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(PREVIEW_DIR, '..', '..');
export const DEFAULT_OUT_DIR = join(PREVIEW_DIR, 'dist');
const ADAPTERS = join(PREVIEW_DIR, 'adapters');

/** Platform modules the components import, served by the preview's own adapters instead of the platform. */
const PLATFORM_ADAPTERS: Record<string, string> = {
  'lightning/platformUtilityBarApi': 'lightning/platformUtilityBarApi.js',
  'lightning/platformWorkspaceApi': 'lightning/platformWorkspaceApi.js',
  'lightning/navigation': 'lightning/navigation.js',
  'lightning/messageService': 'lightning/messageService.js',
  'lightning/platformShowToastEvent': 'lightning/platformShowToastEvent.js',
  'lightning/pageReferenceUtils': 'lightning/pageReferenceUtils.js',
  // B09: the Call buttons (teamsClickToDial) read the record's phone fields.
  'lightning/uiRecordApi': 'lightning/uiRecordApi.js',
  // Gated on, LBC's combobox calls attachInternals(), which synthetic shadow refuses; the console renders
  // comboboxes without it, so the preview does too.
  '@salesforce/gate/bc.260.enableComboboxElementInternals': 'gateOff.js'
};

export interface LwcBundle {
  /** Bundle (folder) name, e.g. teamsSoftphone; the module is c/<name>. */
  name: string;
  /** Feature folder under force-app/main, e.g. softphone. */
  feature: string;
  dir: string;
  /** A bundle with a template is a component the frame can mount; the others are service modules. */
  isComponent: boolean;
}

/** Every LWC bundle under force-app/main/<feature>/lwc/<bundle>, whatever features exist at build time. */
export function findBundles(root = REPO_ROOT): LwcBundle[] {
  const main = join(root, 'force-app', 'main');
  const bundles: LwcBundle[] = [];
  for (const feature of existsSync(main) ? readdirSync(main).sort() : []) {
    const lwcDir = join(main, feature, 'lwc');
    if (!existsSync(lwcDir)) continue;
    for (const name of readdirSync(lwcDir).sort()) {
      const dir = join(lwcDir, name);
      if (!existsSync(join(dir, `${name}.js`))) continue;
      bundles.push({ name, feature, dir, isComponent: existsSync(join(dir, `${name}.html`)) });
    }
  }
  return bundles;
}

const decodeXml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

function walk(dir: string, accept: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, accept));
    else if (accept(full)) out.push(full);
  }
  return out;
}

/** Custom label name → its English value, from every CustomLabels.labels-meta.xml in force-app. */
export function readLabels(root = REPO_ROOT): Map<string, string> {
  const labels = new Map<string, string>();
  for (const file of walk(join(root, 'force-app'), (f) => f.endsWith('.labels-meta.xml'))) {
    const xml = readFileSync(file, 'utf8');
    for (const match of xml.matchAll(/<labels>([\s\S]*?)<\/labels>/g)) {
      const name = /<fullName>([^<]+)<\/fullName>/.exec(match[1] ?? '')?.[1];
      const value = /<value>([\s\S]*?)<\/value>/.exec(match[1] ?? '')?.[1];
      if (name && value !== undefined) labels.set(name, decodeXml(value));
    }
  }
  return labels;
}

/**
 * Custom label name → its translation in one language, from every `<language>.translation-meta.xml` in force-app
 * (the preview shows that language with `?lang=<language>`, as for a user whose language it is).
 */
export function readTranslations(language: string, root = REPO_ROOT): Map<string, string> {
  const labels = new Map<string, string>();
  for (const file of walk(join(root, 'force-app'), (f) => f.endsWith(`/${language}.translation-meta.xml`))) {
    const xml = readFileSync(file, 'utf8');
    for (const match of xml.matchAll(/<customLabels>([\s\S]*?)<\/customLabels>/g)) {
      const label = /<label>([\s\S]*?)<\/label>/.exec(match[1] ?? '')?.[1];
      const name = /<name>([^<]+)<\/name>/.exec(match[1] ?? '')?.[1];
      if (name && label !== undefined) labels.set(name, decodeXml(label));
    }
  }
  return labels;
}

/** Languages the package is translated into, besides English. */
export const PREVIEW_LANGUAGES = ['de'];

const VIRTUAL = '\0sf:';
const LBC_DIR = dirname(require.resolve('lightning-base-components/package.json'));

/**
 * Generates the `@salesforce/*` scoped modules of the project's components (LBC keeps its own stubs): Apex calls go to
 * the backend over HTTP, labels carry their English value, schema imports are plain {objectApiName, fieldApiName}.
 */
export function salesforceModules(
  labels: Map<string, string>,
  warn: (message: string) => void,
  translations: Map<string, Map<string, string>> = new Map()
): Plugin {
  const apexClient = JSON.stringify(join(ADAPTERS, 'apexClient.js'));
  const bridge = JSON.stringify(join(ADAPTERS, 'frameBridge.js'));
  return {
    name: 'teams-preview-salesforce-modules',
    resolveId(source, importer) {
      if (!source.startsWith('@salesforce/')) return null;
      if (importer && importer.startsWith(LBC_DIR)) return null;
      if (/^@salesforce\/(apex|label|schema|messageChannel)\/./.test(source) || source === '@salesforce/user/Id') {
        return VIRTUAL + source;
      }
      return null;
    },
    load(id) {
      if (!id.startsWith(VIRTUAL)) return null;
      const source = id.slice(VIRTUAL.length);
      const [, kind, rest = ''] = /^@salesforce\/([^/]+)\/(.*)$/.exec(source) ?? [];
      if (kind === 'apex') {
        const [className, method] = rest.split('.');
        if (!className || !method) throw new Error(`Unsupported Apex import ${source}: expected Class.method`);
        return `import { callApex } from ${apexClient};
export default function ${method}(params) { return callApex(${JSON.stringify(className)}, ${JSON.stringify(method)}, params); }`;
      }
      if (kind === 'label') {
        const name = rest.replace(/^c\./, '');
        const value = labels.get(name);
        if (value === undefined) warn(`label ${rest} is not defined in any CustomLabels.labels-meta.xml`);
        const translated = Object.fromEntries(
          [...translations].filter(([, map]) => map.has(name)).map(([language, map]) => [language, map.get(name)])
        );
        if (Object.keys(translated).length === 0) return `export default ${JSON.stringify(value ?? rest)};`;
        // The frame's language (the signed-in user's, ?lang=) picks the translation; English is the master.
        return `import { frame } from ${bridge};
const translated = ${JSON.stringify(translated)};
export default translated[frame().language] ?? ${JSON.stringify(value ?? rest)};`;
      }
      if (kind === 'schema') {
        const [objectApiName, ...fields] = rest.split('.');
        const value = fields.length ? { objectApiName, fieldApiName: fields.join('.') } : { objectApiName };
        return `export default ${JSON.stringify(value)};`;
      }
      if (kind === 'messageChannel') {
        return `export default Object.freeze({ messageChannel: ${JSON.stringify(rest)} });`;
      }
      // @salesforce/user/Id: the demo agent the frame signed in before loading the bundle.
      return `import { frame } from ${bridge};
export default frame().userId ?? null;`;
    }
  };
}

export interface BuildResult {
  outDir: string;
  bundles: LwcBundle[];
  /** Rollup warnings other than the known-harmless ones from LBC. */
  warnings: string[];
}

/**
 * Builds dist/preview.js (ES module exposing `createElement` and `components`) and copies the SLDS stylesheet.
 * `c/<bundle>` resolves through symlinks in dist/.modules so the LWC compiler sees namespace c, as on the platform.
 */
export async function buildPreview(options: { outDir?: string; root?: string } = {}): Promise<BuildResult> {
  const root = options.root ?? REPO_ROOT;
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const bundles = findBundles(root);
  const modulesDir = join(outDir, '.modules');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(modulesDir, 'c'), { recursive: true });
  for (const bundle of bundles) symlinkSync(bundle.dir, join(modulesDir, 'c', bundle.name), 'dir');

  const components = bundles.filter((b) => b.isComponent);
  const entry = join(modulesDir, 'entry.js');
  writeFileSync(
    entry,
    [
      `import '@lwc/synthetic-shadow';`,
      `import { createElement } from 'lwc';`,
      ...components.map((b, i) => `import C${i} from 'c/${b.name}';`),
      `export { createElement };`,
      `export const components = { ${components.map((b, i) => `${JSON.stringify(b.name)}: C${i}`).join(', ')} };`,
      ''
    ].join('\n')
  );

  const warnings: string[] = [];
  const onLog = (_level: string, log: RollupLog) => {
    // LBC's lightning/card declares a slot twice; the platform tolerates it (tooling.md §7).
    if (/LWC1137|duplicate slot/i.test(log.message)) return;
    // LBC's own templates and module graph are not ours to fix (an invalid attribute, circular imports).
    if (log.message.includes('lightning-base-components') || log.id?.includes('lightning-base-components')) return;
    warnings.push(log.message);
  };
  const bundle = await rollup({
    input: entry,
    preserveSymlinks: true,
    onLog,
    plugins: [
      salesforceModules(
        readLabels(root),
        (m) => warnings.push(m),
        new Map(PREVIEW_LANGUAGES.map((language) => [language, readTranslations(language, root)]))
      ),
      lwc({
        rootDir: modulesDir,
        modules: [
          ...Object.entries(PLATFORM_ADAPTERS).map(([name, file]) => ({ name, path: join(ADAPTERS, file) })),
          { dir: modulesDir },
          { npm: 'lightning-base-components' }
        ]
      }),
      replace({
        preventAssignment: true,
        values: { 'process.env.NODE_ENV': JSON.stringify('development'), 'import.meta.env.SSR': 'false' }
      }),
      nodeResolve()
    ]
  });
  try {
    await bundle.write({ file: join(outDir, 'preview.js'), format: 'es', inlineDynamicImports: true });
  } finally {
    await bundle.close();
  }

  const slds = require.resolve('@salesforce-ux/design-system/assets/styles/salesforce-lightning-design-system.min.css');
  mkdirSync(join(outDir, 'assets', 'styles'), { recursive: true });
  copyFileSync(slds, join(outDir, 'assets', 'styles', 'salesforce-lightning-design-system.min.css'));
  writeFileSync(
    join(outDir, 'manifest.json'),
    JSON.stringify(
      bundles.map((b) => ({
        name: b.name,
        feature: b.feature,
        isComponent: b.isComponent,
        dir: relative(root, b.dir)
      })),
      null,
      2
    )
  );
  return { outDir, bundles, warnings };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const result = await buildPreview();
  for (const w of result.warnings) console.warn(`warning: ${w}`);
  console.log(
    `preview built in ${Date.now() - started} ms → ${relative(process.cwd(), result.outDir)} (${result.bundles
      .map((b) => b.name)
      .join(', ')})`
  );
}
