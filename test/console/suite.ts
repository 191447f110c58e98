import { rm } from 'node:fs/promises';
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestApi, type TestApi } from '../api/helpers.js';
import { redisUrl } from '../helpers/redis.js';
import { buildTestConsole, launchBrowser } from './browser.js';

export interface ConsoleSuite {
  /** the browser of the file's tests, once beforeAll has launched it */
  readonly browser: Browser;
  /** An API of its own for one test (its own namespace), serving the console just built. */
  api: () => Promise<TestApi>;
}

/**
 * For a describe of browser tests: the console built and chromium launched once for the
 * file (each costs seconds), an API per test, and all of them stopped after the file.
 */
export function consoleSuite(): ConsoleSuite {
  let browser: Browser | undefined;
  let consoleDir: string | undefined;
  const apis: TestApi[] = [];
  beforeAll(async () => {
    [consoleDir, browser] = await Promise.all([buildTestConsole(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    for (const api of apis) {
      await api.api.stop();
      await api.redis.quit();
    }
    if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
  });
  return {
    get browser(): Browser {
      if (browser === undefined) throw new Error('the browser is launched in beforeAll: use it inside a test');
      return browser;
    },
    api: async () => {
      const started = await startTestApi({ region: 'DE' }, redisUrl(), { consoleDir });
      apis.push(started);
      return started;
    },
  };
}
