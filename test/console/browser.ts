import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildConsole } from '../../scripts/build-console.mjs';

/** Debian's chromium package: no browser download is reachable from here. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/**
 * Whether the browser tests can run: Debian's chromium installed (scripts/prepare.sh does).
 * Without it they are skipped with the reason printed, except under CI=true, where this
 * throws so the run fails instead of passing without them.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `the console's browser tests need ${CHROMIUM} (apt-get install chromium, or scripts/prepare.sh)`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: failing instead of skipping)`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}

/** Where each test leaves a screenshot of its page (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url));
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** The console bundled from its sources into a folder of this run, so the tests see the code as it is now (minified: as shipped, for the benchmark). */
export async function buildTestConsole(options: { minify?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'callguard-console-'));
  await buildConsole(dir, { minify: options.minify ?? false });
  return dir;
}

/** Chromium with a fresh profile of its own (playwright makes the --user-data-dir). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A context of its own (cookies, storage) for one test, in the browser's zone and locale as set. */
export async function newPage(browser: Browser, viewport = DESKTOP, locale = 'en-GB'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, timezoneId: 'Europe/Berlin', locale });
  const page = await context.newPage();
  // Under the test's own 30 s: a step that never comes fails naming itself, not as a bare test timeout.
  page.setDefaultTimeout(20_000);
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the page, as a person does. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
