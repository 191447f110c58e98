import { describe, expect, it } from 'vitest';
import { globalKeys } from '../../src/lists/keys.js';
import { callLogFields, HOUR_MS } from '../../src/screening/call-log.js';
import { browserAvailable, DESKTOP, newPage, screenshot, signIn } from './browser.js';
import { consoleSuite } from './suite.js';

describe.skipIf(!browserAvailable())('the calls chart in a real browser', () => {
  const suite = consoleSuite();
  const { api } = suite;

  it('names the hour under the pointer in the browser’s own form, as the call table beside it does, in English and in German', async () => {
    const { api: running, tokens, redis, namespace } = await api();
    const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    for (let i = 20; i >= 0; i -= 1) {
      const at = hour - i * HOUR_MS + 60_000;
      await redis.xadd(globalKeys(namespace).callLog, `${at}-*`, ...callLogFields({ time: at, channel: `c${at}`, direction: 'inbound', raw: '+4930123', route: 'support', verdict: i % 3 === 0 ? 'clear' : 'blocked', action: 'hangup:21', decisionMs: 1 }));
    }
    for (const locale of ['en-GB', 'de-DE']) {
      const { context, page } = await newPage(suite.browser, DESKTOP, locale);
      await signIn(page, running.url, tokens.viewer);
      await page.getByRole('link', { name: 'Blocked calls' }).click();
      const chart = page.getByRole('img', { name: /calls per verdict per hour/ });
      await chart.locator('canvas').waitFor();
      const box = await chart.boundingBox();
      if (!box) throw new Error('the chart has no box');
      await page.mouse.move(box.x + box.width / 2, box.y + 100);
      const shown = await chart.locator('.u-legend .u-series').first().locator('.u-value').innerText();
      // Every hour of the window as the browser writes a time, the table's form with the seconds left out.
      const hours = await page.evaluate((last) => {
        const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
        return Array.from({ length: 26 }, (_, i) => format.format(new Date(last - i * 3_600_000)));
      }, hour + 3_600_000);
      expect(hours).toContain(shown);
      expect(shown).not.toMatch(/am|pm/);
      // The call table's times carry the same date in the same form (its own formatter, seconds added).
      const tableTime = await page.getByRole('table', { name: 'Calls', exact: true }).locator('time').first().innerText();
      const dateOf = (text: string) => text.replace(/\d\d?:\d\d(:\d\d)?/, '');
      expect(hours.map(dateOf)).toContain(dateOf(tableTime));
      await screenshot(page, `calls-chart-${locale}`);
      await page.getByLabel('Window').selectOption('7d');
      await page.getByRole('img', { name: 'calls per verdict per hour, last 7 days' }).locator('canvas').waitFor();
      await screenshot(page, `calls-chart-7d-${locale}`);
      await context.close();
    }
  });
});
