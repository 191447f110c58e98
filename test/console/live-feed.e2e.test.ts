import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { RunningService } from '../../src/service/service.js';
import { startTestApi, type TestApi } from '../api/helpers.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { redisUrl } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { placeCall } from '../helpers/sipp.js';
import { browserAvailable, buildTestConsole, launchBrowser, newPage, screenshot, signIn } from './browser.js';

const availability = await e2eAvailability();
const HARASSER = '+4930555123456';

describe.skipIf(!availability.run || !browserAvailable())('the console live feed, fed by a real SIP call', () => {
  let asterisk: E2eAsterisk;
  let api: TestApi;
  let service: RunningService;
  let browser: Browser;
  let consoleDir: string | undefined;
  const logs = capturedLogger();

  beforeAll(async () => {
    [asterisk, consoleDir, browser] = await Promise.all([useAsterisk(), buildTestConsole(), launchBrowser()]);
    api = await startTestApi({ region: 'DE' }, redisUrl(), { consoleDir });
    const { request, tokens } = api;
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'harassment' } });
    await request('POST', '/v1/lists/harassment/entries', { token: tokens.operator, json: { numbers: [HARASSER], reason: 'threatening calls' } });
    await request('PUT', '/v1/routes/support', { token: tokens.supervisor, json: { block: ['harassment'] } });
    service = await startServeFor(asterisk, redisUrl(), api.namespace, logs.log);
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await api?.api.stop();
    await api?.redis.quit();
    await asterisk?.stop();
    if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
  });

  it('shows a blocked SIP call in the live feed as it is screened', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, api.api.url, api.tokens.viewer);
    await page.getByRole('link', { name: 'Blocked calls' }).click();
    await page.getByRole('heading', { name: /Live/ }).locator('.dot.live').waitFor();
    const call = await placeCall({ from: HARASSER, route: 'support', to: '+4930100200', target: asterisk.sipTarget });
    expect(call.status).toBe(403);
    const called = Date.now();
    const row = page.getByRole('table', { name: 'Live calls' }).getByRole('row').filter({ hasText: HARASSER });
    await row.waitFor();
    const seen = Date.now();
    const screenedAt = Date.parse((await row.locator('time').getAttribute('datetime')) as string);
    // The issue asks for "within a second": speed is reported here, not asserted (the house keeps timings in benchmarks).
    console.info(`live feed: the blocked call was on the page ${seen - screenedAt} ms after serve logged it, ${seen - called} ms after sipp saw its 403`);
    expect(await row.innerText()).toMatch(/blocked[\s\S]*harassment[\s\S]*support[\s\S]*hangup/);
    // The counts and the chart follow the feed.
    await page.locator('[data-verdict-count=blocked]').filter({ hasText: '1' }).waitFor();
    await screenshot(page, 'live-feed');
    await context.close();
  });
});
