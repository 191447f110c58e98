import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Page, Route } from 'playwright-core';
import { JOB_POLL_MS } from '../../console/src/upload.js';
import { until } from '../helpers/until.js';
import { browserAvailable, newPage, screenshot, signIn } from './browser.js';
import { consoleSuite } from './suite.js';

/** Holds the requests to `path` until the test lets them go, so what the page shows meanwhile can be read; the API still answers each. */
async function hold(page: Page, matches: (path: string) => boolean): Promise<{ seen: string[]; release: () => void }> {
  const seen: string[] = [];
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => matches(url.pathname),
    async (route: Route) => {
      seen.push(`${route.request().method()} ${new URL(route.request().url()).pathname}`);
      await released;
      await route.continue();
    },
  );
  return { seen, release };
}

/** Every request the page sends to a path `matches` takes, from now on. */
function count(page: Page, matches: (path: string) => boolean): string[] {
  const sent: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (matches(path)) sent.push(`${request.method()} ${path}`);
  });
  return sent;
}

const isJob = (path: string) => path.startsWith('/v1/jobs/') || path.startsWith('/v1/scrubs/');

describe.skipIf(!browserAvailable())('the console’s import and scrub jobs in a real browser', () => {
  const suite = consoleSuite();
  const { api } = suite;

  it('starts one import for a double click: Start import is disabled and says what it waits for from the click until the job ends', async () => {
    const { api: running, tokens, request } = await api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc' } })).status).toBe(201);
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.supervisor);
    await page.goto(`${running.url}/#/import?list=dnc`);
    await page.getByLabel(/Drop a file here/).setInputFiles({ name: 'dnc.csv', mimeType: 'text/csv', buffer: Buffer.from('+4930111001\n+4930111002\n') });
    await page.getByRole('table', { name: 'First rows' }).waitFor();
    const upload = await hold(page, (path) => path === '/v1/lists/dnc/import');
    const jobAnswers = await hold(page, isJob);

    await page.getByRole('button', { name: 'Start import' }).dblclick();
    const uploading = page.getByRole('button', { name: 'Uploading the file…' });
    await uploading.waitFor();
    expect(await uploading.isDisabled()).toBe(true);
    await screenshot(page, 'import-uploading');
    upload.release();
    const importing = page.getByRole('button', { name: 'Import running…' });
    await importing.waitFor();
    expect(await importing.isDisabled()).toBe(true);
    // Enter in a field submits the form as a click does: no second job either.
    await page.getByLabel('Reason').press('Enter');
    await screenshot(page, 'import-running');
    jobAnswers.release();
    await page.getByRole('heading', { name: 'Import done' }).waitFor();
    expect(await page.getByRole('button', { name: 'Start import' }).isEnabled()).toBe(true);
    expect(upload.seen).toEqual(['POST /v1/lists/dnc/import']);
    const audit = await request('GET', '/v1/audit?list=dnc', { token: tokens.viewer });
    expect(audit.json.events.filter((event: { action: string }) => event.action === 'import')).toHaveLength(1);
    await context.close();
  });

  it('starts one scrub for a double click, its button disabled and saying so while the file goes up', async () => {
    const { api: running, tokens, request } = await api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc' } })).status).toBe(201);
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.operator);
    await page.goto(`${running.url}/#/scrub`);
    await page.getByLabel(/^dnc/).check();
    await page.getByLabel(/Drop a lead file here/).setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from('+4930111001\n+4930111002\n') });
    const upload = await hold(page, (path) => path === '/v1/scrub');

    await page.getByRole('button', { name: 'Start scrub' }).dblclick();
    const uploading = page.getByRole('button', { name: 'Uploading the file…' });
    await uploading.waitFor();
    expect(await uploading.isDisabled()).toBe(true);
    await screenshot(page, 'scrub-uploading');
    upload.release();
    await page.getByRole('heading', { name: 'Scrub done' }).waitFor();
    expect(await page.getByRole('button', { name: 'Start scrub' }).isEnabled()).toBe(true);
    expect(upload.seen).toEqual(['POST /v1/scrub']);
    await context.close();
  });

  it('stops asking for a running import job once the page is left, while the job goes on at the API', async () => {
    const { api: running, tokens, request } = await api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc' } })).status).toBe(201);
    // National numbers, each parsed: long enough a job for the page to have asked for it several times after it was left.
    const rows = 1_500_000;
    const lines: string[] = [];
    for (let i = 0; i < rows; i += 1) lines.push(`030 ${String(1_000_000 + i)}`);
    const file = gzipSync(`${lines.join('\n')}\n`);
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.supervisor);
    await page.goto(`${running.url}/#/import?list=dnc`);
    await page.getByLabel(/Drop a file here/).setInputFiles({ name: 'national.csv.gz', mimeType: 'application/gzip', buffer: file });
    await page.getByLabel('Region of national numbers').fill('DE');
    const started = page.waitForResponse((response) => new URL(response.url()).pathname === '/v1/lists/dnc/import' && response.request().method() === 'POST');
    await page.getByRole('button', { name: 'Start import' }).click();
    const job = ((await (await started).json()) as { job: { id: string } }).job;
    await page.getByRole('heading', { name: 'Importing' }).waitFor();
    await screenshot(page, 'import-left-running');

    await page.getByRole('link', { name: 'Lists', exact: true }).click();
    await page.getByRole('heading', { name: 'Lists', exact: true }).waitFor();
    const asked = count(page, isJob);
    const leftAt = Date.now();
    const ended = await until(
      async () => {
        const { json } = await request('GET', `/v1/jobs/${job.id}`, { token: tokens.viewer });
        return json.job.status === 'running' ? undefined : json.job;
      },
      'the import job to end at the API',
      { timeoutMs: 60_000, pollMs: 100 },
    );
    const ranOn = Date.now() - leftAt;
    expect(ended).toMatchObject({ status: 'done', summary: { rows } });
    expect(ranOn, 'the job must run on long enough for the page to have asked for it again').toBeGreaterThan(3 * JOB_POLL_MS);
    expect(asked).toEqual([]);
    await screenshot(page, 'import-left-lists');
    await context.close();
  }, 90_000);
});
