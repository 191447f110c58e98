import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { listKeys } from '../../src/lists/keys.js';
import { zipOf } from '../helpers/zip.js';
import { browserAvailable, newPage, PHONE, screenshot, signIn } from './browser.js';
import { consoleSuite } from './suite.js';

const LEAD_ROWS = 200;
const HEADER = 'id,name,phone,city';
const e164Of = (i: number) => `+49301110${String(i).padStart(3, '0')}`;
/** Rows 1-20 are on dnc, 15-30 on robinson: 15-20 on both. */
const onDnc = (i: number) => i >= 1 && i <= 20;
const onRobinson = (i: number) => i >= 15 && i <= 30;
const rejectedRow = (i: number) => i % 50 === 0;

/** A lead file as a CRM exports it: a header, the number in the third column, national and E.164 numbers, some rows without one. */
function leadRows(): Map<number, string> {
  const rows = new Map<number, string>();
  for (let i = 1; i <= LEAD_ROWS; i += 1) {
    const phone = rejectedRow(i) ? 'unbekannt' : i % 2 === 1 ? `030 1110${String(i).padStart(3, '0')}` : e164Of(i);
    rows.set(i, `${i},Kunde ${i},${phone},Berlin`);
  }
  return rows;
}

const text = (lines: string[]) => `${lines.join('\n')}\n`;

/** Clicks a download link and reads what the browser saved. */
async function downloaded(page: Page, name: string): Promise<{ file: string; body: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
  return { file: download.suggestedFilename(), body: await readFile(await download.path(), 'utf8') };
}

describe.skipIf(!browserAvailable())('the console’s Scrub page in a real browser', () => {
  const suite = consoleSuite();
  const { api } = suite;

  it('scrubs a lead file with a header and other columns against two lists in the order set, with the right counts and the right clean and removed files to download', async () => {
    const { api: running, tokens, request } = await api();
    const rows = leadRows();
    const ids = [...rows.keys()];
    for (const [list, on] of [['dnc', onDnc], ['robinson', onRobinson]] as const) {
      expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: list } })).status).toBe(201);
      const numbers = ids.filter((i) => on(i) && !rejectedRow(i)).map(e164Of);
      expect((await request('POST', `/v1/lists/${list}/entries`, { token: tokens.operator, json: { numbers } })).status).toBe(200);
    }
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.operator);
    await page.getByRole('link', { name: 'Scrub' }).click();
    await page.getByLabel(/^dnc/).check();
    await page.getByLabel(/^robinson/).check();
    const order = page.getByRole('list', { name: 'Order of the check' });
    expect(await order.getByRole('listitem').allInnerTexts()).toEqual(['dnc', expect.stringMatching(/^robinson/)]);
    // Robinson first: the rows on both lists are then named with robinson.
    await page.getByRole('button', { name: 'Check robinson earlier' }).click();
    expect(await order.getByRole('listitem').allInnerTexts()).toEqual(['robinson', expect.stringMatching(/^dnc/)]);
    await page.getByLabel(/Drop a lead file here/).setInputFiles({ name: 'leads-week-49.csv', mimeType: 'text/csv', buffer: Buffer.from(text([HEADER, ...rows.values()])) });
    await page.getByLabel('Number column').fill('phone');
    // The empty region names what it stands for before the start, not only in the result.
    expect(await page.getByLabel('Region of national numbers').getAttribute('placeholder')).toBe("the API's default, DE");
    await screenshot(page, 'scrub-options');
    await page.getByRole('button', { name: 'Start scrub' }).click();
    await page.getByRole('heading', { name: 'Scrub done' }).waitFor();
    // None typed: the API's own (DE), which read the national numbers.
    expect(await page.getByText('National numbers are read as numbers of DE.').isVisible()).toBe(true);

    const removedBy = (i: number) => (onRobinson(i) ? 'robinson' : onDnc(i) ? 'dnc' : null);
    const removedIds = ids.filter((i) => !rejectedRow(i) && removedBy(i) !== null);
    const cleanIds = ids.filter((i) => !rejectedRow(i) && removedBy(i) === null);
    const count = (name: string) => page.locator(`[data-count=${name}]`).innerText();
    expect([await count('rows'), await count('clean'), await count('removed'), await count('rejected')]).toEqual([LEAD_ROWS, cleanIds.length, removedIds.length, LEAD_ROWS / 50].map(String));
    const byList = page.getByRole('table', { name: 'Removed by list' });
    expect(await byList.locator('tbody tr').allInnerTexts()).toEqual([`robinson\t${ids.filter(onRobinson).length}`, `dnc\t${ids.filter((i) => onDnc(i) && !onRobinson(i)).length}`]);
    expect(await page.getByText('kept for a day by the API instance that ran the scrub').isVisible()).toBe(true);
    await screenshot(page, 'scrub-done');

    const clean = await downloaded(page, 'Download the clean rows');
    expect(clean.file).toMatch(/-clean\.csv$/);
    expect(clean.body).toBe(text([HEADER, ...cleanIds.map((i) => rows.get(i) as string)]));
    const removed = await downloaded(page, 'Download the removed rows');
    expect(removed.body).toBe(text([`${HEADER},callguard_list,callguard_entry`, ...removedIds.map((i) => `${rows.get(i)},${removedBy(i)},${e164Of(i)}`)]));
    const rejects = await downloaded(page, 'Download the rejected rows');
    expect(rejects.body.split('\n').filter((line) => line.includes('unbekannt'))).toHaveLength(LEAD_ROWS / 50);
    await context.close();
  });

  it('offers a scoped operator only the lists of its token, and shows a viewer no Scrub page, which the API refuses anyway', async () => {
    const { api: running, tokens, request, token } = await api();
    for (const name of ['dnc', 'robinson']) expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name } })).status).toBe(201);
    const scoped = await token('campaigns', 'operator', ['robinson']);
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, scoped);
    await page.getByRole('link', { name: 'Scrub' }).click();
    const offered = page.getByRole('group', { name: 'Lists to check' }).getByRole('checkbox');
    await offered.first().waitFor();
    expect(await page.getByRole('group', { name: 'Lists to check' }).locator('label').allInnerTexts()).toEqual([expect.stringMatching(/^robinson /)]);
    await context.close();

    const viewer = await newPage(suite.browser);
    await signIn(viewer.page, running.url, tokens.viewer);
    expect(await viewer.page.getByRole('link', { name: 'Scrub' }).count()).toBe(0);
    await viewer.page.goto(`${running.url}/#/scrub`);
    await viewer.page.getByRole('heading', { name: 'Number search' }).waitFor();
    expect(await viewer.page.getByRole('heading', { name: 'Scrub a lead file' }).count()).toBe(0);
    await screenshot(viewer.page, 'scrub-viewer');
    const forged = await viewer.page.evaluate(async () => {
      const session = await (await fetch('/v1/session')).json();
      const response = await fetch('/v1/scrub?lists=dnc', { method: 'POST', headers: { 'content-type': 'text/plain', 'x-csrf-token': session.csrfToken }, body: '+4930111000\n' });
      return response.status;
    });
    expect(forged).toBe(403);
    await viewer.context.close();
  });

  it('shows a scrub of a gzip cut short as failed, with the reason in words and no file to download', async () => {
    const { api: running, tokens, request } = await api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc' } })).status).toBe(201);
    const whole = gzipSync(text(Array.from({ length: 50_000 }, (_, i) => `+4930${String(i).padStart(7, '0')}`)));
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.operator);
    await page.goto(`${running.url}/#/scrub`);
    await page.getByLabel(/^dnc/).check();
    await page.getByLabel(/Drop a lead file here/).setInputFiles({ name: 'leads.csv.gz', mimeType: 'application/gzip', buffer: whole.subarray(0, whole.length / 2) });
    await page.getByRole('button', { name: 'Start scrub' }).click();
    await page.getByRole('heading', { name: 'Scrub failed' }).waitFor();
    const reason = await page.getByRole('alert').innerText();
    expect(reason).toMatch(/^Scrub failed: .*line \d+/);
    expect(reason).not.toMatch(/[{}"]/);
    expect(await page.getByText('no file is offered').isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: /^Download/ }).count()).toBe(0);
    await screenshot(page, 'scrub-failed');
    await context.close();
  });

  it('refuses in words a list removed after it was ticked, and fails in words a scrub of a list that lost entries, with no file to download', async () => {
    const { api: running, tokens, request, redis, namespace } = await api();
    for (const name of ['dnc', 'robinson']) {
      expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name } })).status).toBe(201);
      expect((await request('POST', `/v1/lists/${name}/entries`, { token: tokens.operator, json: { numbers: ['+4930111001', '+4930111002'] } })).status).toBe(200);
    }
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.operator);
    await page.goto(`${running.url}/#/scrub`);
    await page.getByLabel(/^dnc/).check();
    await page.getByLabel(/^robinson/).check();
    await page.getByLabel(/Drop a lead file here/).setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(text(['+4930111001', '+4930111003'])) });
    expect((await request('DELETE', '/v1/lists/robinson', { token: tokens.supervisor, json: { reason: 'merged into dnc' } })).status).toBe(200);
    await page.getByRole('button', { name: 'Start scrub' }).click();
    await page.getByRole('alert').filter({ hasText: 'no such list: robinson' }).waitFor();
    await screenshot(page, 'scrub-list-gone');

    await page.getByLabel(/^robinson/).waitFor({ state: 'detached' });
    expect(await page.getByRole('list', { name: 'Order of the check' }).getByRole('listitem').allInnerTexts()).toEqual(['dnc']);
    // An entry gone from the list's key behind callguard's back, as an eviction takes it.
    expect(await redis.srem(listKeys(namespace, 'dnc').exact, '+4930111002')).toBe(1);
    await page.getByRole('button', { name: 'Start scrub' }).click();
    await page.getByRole('heading', { name: 'Scrub failed' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toMatch(/^Scrub failed: list dnc lost entries outside callguard/);
    expect(await page.getByRole('link', { name: /^Download/ }).count()).toBe(0);
    await page.getByLabel(/^dnc .*lost entries/).waitFor();
    await screenshot(page, 'scrub-list-damaged');
    await context.close();
  });

  it('fits a phone’s width with a list of the longest name, from the choice of lists to the files of a zipped file’s result', async () => {
    const { api: running, tokens, request } = await api();
    const long = `dnc-${'x'.repeat(60)}`;
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: long } })).status).toBe(201);
    expect((await request('POST', `/v1/lists/${long}/entries`, { token: tokens.operator, json: { numbers: ['+4930111001'] } })).status).toBe(200);
    const { context, page } = await newPage(suite.browser, PHONE);
    await signIn(page, running.url, tokens.operator);
    await page.goto(`${running.url}/#/scrub`);
    const tick = page.getByLabel(new RegExp(`^${long}`));
    await tick.check();
    expect((await tick.boundingBox())?.width).toBeGreaterThanOrEqual(16);
    await page.getByLabel(/Drop a lead file here/).setInputFiles({ name: 'leads.zip', mimeType: 'application/zip', buffer: await zipOf({ 'leads.csv': text(['name;phone', 'A;030 111001', 'B;030 111002']) }) });
    await page.getByRole('button', { name: 'Start scrub' }).click();
    await page.getByRole('heading', { name: 'Scrub done' }).waitFor();
    expect([await page.locator('[data-count=removed]').innerText(), await page.locator('[data-count=clean]').innerText()]).toEqual(['1', '1']);
    await screenshot(page, 'phone-scrub-done');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await context.close();
  });
});
