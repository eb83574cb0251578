// Browser-test harness: Debian's Chromium through playwright-core, a fresh profile per test, the preview built on
// demand, screenshots into docs/screenshots. DEVELOPMENT ONLY.
import assert from 'node:assert/strict';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildPreview, DEFAULT_OUT_DIR, PREVIEW_DIR, REPO_ROOT } from '../preview/build.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const INSTALL_HINT =
  'Browser tests need Chromium at /usr/bin/chromium: run `sudo apt-get install -y chromium fonts-liberation` ' +
  '(Debian/Ubuntu) or set CHROMIUM_PATH to a Chromium binary.';
/**
 * Where screenshots go: `test-results/screenshots/` (ignored by git) on every run, so `npm test` leaves the tree
 * clean; `UPDATE_SCREENSHOTS=1` writes the documented ones in `docs/screenshots/` after a change a person has looked at.
 */
export const SCREENSHOT_DIR =
  process.env['UPDATE_SCREENSHOTS'] === '1'
    ? join(REPO_ROOT, 'docs', 'screenshots')
    : join(REPO_ROOT, 'test-results', 'screenshots');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
];

/**
 * Gate for every browser test. Without Chromium the test fails in CI (CI=true) and is reported as not run (skipped
 * with the install hint) on a developer machine; it never passes without a browser.
 * @returns true when the test may go on
 */
export function requireChromium(
  t: Pick<TestContext, 'name' | 'skip'>,
  where: { path?: string; env?: NodeJS.ProcessEnv } = {}
): boolean {
  const path = where.path ?? CHROMIUM_PATH;
  if (existsSync(path)) return true;
  if ((where.env ?? process.env).CI === 'true') assert.fail(`Chromium not found at ${path}. ${INSTALL_HINT}`);
  console.error(`NOT RUN: ${t.name} — Chromium not found at ${path}. ${INSTALL_HINT}`);
  t.skip(`not run: Chromium not found at ${path}. ${INSTALL_HINT}`);
  return false;
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'teams-preview-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 }
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`${error.message}\n${error.stack ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400)
      errors.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  };
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === '__tests__' || entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

let building: Promise<void> | null = null;
const BUILD_LOCK = join(tmpdir(), 'teams-softphone-preview-build.lock');
const STALE_LOCK_MS = 5 * 60_000;

function isFresh(): boolean {
  const bundle = join(DEFAULT_OUT_DIR, 'preview.js');
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  const sources = Math.max(
    newestMtime(join(REPO_ROOT, 'force-app', 'main')),
    newestMtime(join(PREVIEW_DIR, 'adapters')),
    newestMtime(join(PREVIEW_DIR, 'build.ts'))
  );
  return built > sources;
}

/** node --test runs test files in parallel processes; only one may rewrite dist/ at a time. */
async function withBuildLock(run: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      closeSync(openSync(BUILD_LOCK, 'wx'));
      break;
    } catch {
      if (existsSync(BUILD_LOCK) && Date.now() - statSync(BUILD_LOCK).mtimeMs > STALE_LOCK_MS)
        rmSync(BUILD_LOCK, { force: true });
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    }
  }
  try {
    await run();
  } finally {
    rmSync(BUILD_LOCK, { force: true });
  }
}

/** Builds the preview unless dist/ is newer than every component, label file and adapter (a build takes ~30 s). */
export function ensurePreviewBuilt(): Promise<void> {
  building ??= withBuildLock(async () => {
    if (isFresh()) return;
    const result = await buildPreview();
    for (const warning of result.warnings) console.error(`preview build warning: ${warning}`);
  });
  return building;
}

/** Saves a full-page screenshot as <SCREENSHOT_DIR>/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

let axeSource: string | undefined;

/**
 * WCAG AA text contrast (4.5:1, 3:1 for large text) of everything inside `selector`, checked by axe-core's
 * `color-contrast` rule in the page as rendered.
 * @returns one line per failing element (empty when all pass)
 */
export async function contrastViolations(page: Page, selector: string): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async (scope) => {
    const root = document.querySelector(scope);
    if (!root) throw new Error(`nothing matches ${scope}`);
    const axe = (globalThis as unknown as { axe: { run: (...args: unknown[]) => Promise<AxeResult> } }).axe;
    const result = await axe.run(root, { runOnly: { type: 'rule', values: ['color-contrast'] } });
    // A check that saw no text at all (e.g. shadow trees it cannot enter) would pass without proving anything.
    const seen = [...result.passes, ...result.violations, ...result.incomplete].reduce((n, r) => n + r.nodes.length, 0);
    if (seen === 0) throw new Error(`axe checked no text inside ${scope}`);
    return result.violations.flatMap((v) =>
      v.nodes.map((n) => `${n.target.join(' > ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`)
    );
  }, selector);
}

interface AxeRuleResult {
  nodes: { target: string[]; failureSummary: string }[];
}

interface AxeResult {
  passes: AxeRuleResult[];
  violations: AxeRuleResult[];
  incomplete: AxeRuleResult[];
}
