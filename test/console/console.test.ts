import { describe, expect, it } from 'vitest';
import { resultFields } from '../../src/dialer/result-fields.js';
import { dialKeys } from '../../src/lists/keys.js';
import { browserAvailable, newPage, PHONE, screenshot, signIn } from './browser.js';
import { consoleSuite } from './suite.js';

const IMPORT_ROWS = 20_000;

/** A semicolon CSV as a spreadsheet saves it: a BOM, a header, the number in the second column, national and E.164 numbers, duplicates and junk. */
function semicolonCsv(): { text: string; rejected: number; duplicates: number } {
  const lines = ['\uFEFFName;Telefon;Notiz'];
  let rejected = 0;
  let duplicates = 0;
  for (let i = 0; i < IMPORT_ROWS; i += 1) {
    if (i % 500 === 499) {
      lines.push(`Kunde ${i};keine Angabe;-`);
      rejected += 1;
    } else if (i % 100 === 99) {
      lines.push(`Kunde ${i};+4940${String(i - 1).padStart(7, '0')};doppelt`);
      duplicates += 1;
    } else {
      lines.push(i % 2 === 0 ? `Kunde ${i};+4940${String(i).padStart(7, '0')};x` : `Kunde ${i};040 ${String(i).padStart(7, '0')};x`);
    }
  }
  return { text: `${lines.join('\r\n')}\r\n`, rejected, duplicates };
}

describe.skipIf(!browserAvailable())('the web console in a real browser', () => {
  const suite = consoleSuite();
  const { api } = suite;

  it('signs in with a token, keeps no token in the page, and signs out', async () => {
    const { api: running, tokens } = await api();
    const { context, page } = await newPage(suite.browser);
    const requested: string[] = [];
    page.on('request', (sent) => requested.push(sent.url()));
    await page.goto(running.url);
    await screenshot(page, 'sign-in');
    // With the keyboard alone: Tab to the token field, type it, Enter.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('password');
    await page.keyboard.type(tokens.operator);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // The start page waits for a number: the search field has the focus.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    expect(await page.getByText('operator (operator)').isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Number search' }).isVisible()).toBe(true);
    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'callguard_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => document.cookie + JSON.stringify(localStorage) + JSON.stringify(sessionStorage))).not.toContain('cg_');
    await screenshot(page, 'start-page');
    // No CDN, no other host: PBX networks are often closed.
    expect(requested.filter((url) => !url.startsWith(`${running.url}/`))).toEqual([]);
    expect(requested.length).toBeGreaterThan(3);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    await page.reload();
    await page.getByLabel('API token').waitFor();
    await context.close();
  });

  it('finds a number typed in national form blocked by a prefix, with the entry and its reason', async () => {
    const { api: running, tokens, request } = await api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'premium' } });
    await request('POST', '/v1/lists/premium/entries', { token: tokens.operator, json: { numbers: ['+4990012*'], reason: 'premium-rate range' } });
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.viewer);
    await page.getByLabel('Number', { exact: true }).fill('0900 123 45 67');
    await page.getByRole('button', { name: 'Search' }).click();
    const holding = page.getByRole('table', { name: 'Lists holding it' });
    await holding.getByText('+4990012*').waitFor();
    expect(await page.getByRole('heading', { name: /\+499001234567/ }).isVisible()).toBe(true);
    expect(await holding.getByText('by prefix').isVisible()).toBe(true);
    expect(await holding.getByText('premium-rate range').isVisible()).toBe(true);
    await screenshot(page, 'search-prefix');
    await context.close();
  });

  it('at a phone width shows a number held by a prefix within the screen, and leads an operator to the prefix to cancel it', async () => {
    const { api: running, tokens, request } = await api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'premium' } });
    await request('POST', '/v1/lists/premium/entries', { token: tokens.operator, json: { numbers: ['+4990012*'], reason: 'premium-rate range, blocked after the complaints of November about the quiz line' } });
    await request('POST', '/v1/lists/premium/cancellations', { token: tokens.operator, json: { numbers: ['+4990012*'], reason: 'the range was sold' } });
    await request('POST', '/v1/lists/premium/entries', { token: tokens.operator, json: { numbers: ['+4990012*'], reason: 'premium-rate range again' } });
    const { context, page } = await newPage(suite.browser, PHONE);
    await signIn(page, running.url, tokens.operator);
    await page.goto(`${running.url}/#/search?number=${encodeURIComponent('+499001234567')}`);
    const holding = page.getByRole('table', { name: 'Lists holding it' });
    await holding.getByText('by prefix').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'phone-search-prefix');
    await holding.getByRole('link', { name: 'cancel the prefix +4990012*' }).click();
    await page.getByRole('button', { name: 'Cancel on premium' }).waitFor();
    expect(await page.getByRole('table', { name: 'Cancellations' }).getByText('the range was sold').isVisible()).toBe(true);
    expect(await page.getByRole('table', { name: 'History' }).getByText('the range was sold').isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'phone-search-the-prefix');
    await context.close();
  });

  it('adds a number for 30 days and shows it on the list; cancels it with a reason and shows the history', async () => {
    const { api: running, tokens, request } = await api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'harassment' } });
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.operator);
    await page.goto(`${running.url}/#/search?number=${encodeURIComponent('+49 30 9876543')}`);
    const add = page.getByRole('form', { name: 'Add to a list' });
    await add.getByLabel('Reason').fill('called 40 times at night');
    await add.getByLabel('Expires', { exact: true }).selectOption('for');
    await add.getByLabel('Expires after').fill('30d');
    await add.getByRole('button', { name: 'Add number' }).click();
    const holding = page.getByRole('table', { name: 'Lists holding it' });
    await holding.getByText('called 40 times at night').waitFor();
    const expiry = await holding.locator('time').first().getAttribute('datetime');
    const days = (Date.parse(expiry as string) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    expect(await holding.locator('time').first().getAttribute('title')).toMatch(/^UTC: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    await screenshot(page, 'search-added');

    await page.goto(`${running.url}/#/lists/harassment`);
    await page.getByRole('table', { name: 'Entries' }).getByText('+49309876543').waitFor();
    await screenshot(page, 'list-with-entry');

    await page.goto(`${running.url}/#/search?number=${encodeURIComponent('+49309876543')}`);
    await page.getByRole('button', { name: 'Cancel on harassment' }).click();
    const cancel = page.getByRole('form', { name: /Cancel \+49309876543 on harassment/ });
    expect(await cancel.getByRole('button', { name: 'Cancel number' }).isDisabled()).toBe(true);
    await cancel.getByLabel('Reason for the cancellation').fill('customer apologised');
    await cancel.getByRole('button', { name: 'Cancel number' }).click();
    await page.getByText('on no list').waitFor();
    const history = page.getByRole('table', { name: 'History' });
    await history.getByText('customer apologised').waitFor();
    expect(await history.locator('tbody tr').count()).toBe(2);
    expect(await history.locator('tbody tr').first().innerText()).toMatch(/cancel\s+operator\s+customer apologised/);
    await screenshot(page, 'search-cancelled');
    await context.close();
  });

  it('leaves nothing typed or done for one number on the next number’s page: no “added” notice, no reason, no open cancellation', async () => {
    const { api: running, tokens, request } = await api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'harassment' } });
    await request('POST', '/v1/lists/harassment/entries', { token: tokens.operator, json: { numbers: ['+4930222'] } });
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.operator);
    await page.goto(`${running.url}/#/search?number=${encodeURIComponent('+4930111')}`);
    const add = page.getByRole('form', { name: 'Add to a list' });
    await add.getByLabel('Reason').fill('called 40 times at night');
    await add.getByRole('button', { name: 'Add number' }).click();
    await add.getByRole('status').filter({ hasText: '+4930111 added to harassment' }).waitFor();
    await page.getByRole('button', { name: 'Cancel on harassment' }).click();
    await page.getByLabel('Reason for the cancellation').fill('half typed');

    await page.getByLabel('Number', { exact: true }).fill('+4930222');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { level: 2, name: /\+4930222/ }).waitFor();
    const holding = page.getByRole('table', { name: 'Lists holding it' });
    // Added by an operator without a reason: not taken for an import's entry.
    expect(await holding.locator('tbody td').nth(3).innerText()).toBe('—');
    expect(await add.getByLabel('Reason').inputValue()).toBe('');
    expect(await add.getByRole('status').count()).toBe(0);
    expect(await page.getByRole('form', { name: /^Cancel / }).count()).toBe(0);
    await screenshot(page, 'search-next-number');
    await context.close();
  });

  it('previews a 20k-row semicolon CSV with a BOM, imports it with a live progress bar to the end, with the right counts', async () => {
    const { api: running, tokens, request } = await api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc' } });
    const file = semicolonCsv();
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.supervisor);
    await page.getByRole('link', { name: 'Import' }).click();
    await page.getByLabel(/Drop a file here/).setInputFiles({ name: 'dnc-week-47.csv', mimeType: 'text/csv', buffer: Buffer.from(file.text, 'utf8') });
    const preview = page.getByRole('table', { name: 'First rows' });
    await preview.waitFor();
    expect(await page.locator('.facts').first().innerText()).toMatch(/Delimiter\s+semicolon[\s\S]*Header\s+Name \| Telefon \| Notiz[\s\S]*Number column\s+2 \(Telefon\)/);
    expect(await preview.locator('tbody tr').first().innerText()).toContain('+49400000000');
    await screenshot(page, 'import-preview');
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByRole('heading', { name: 'Import done' }).waitFor({ timeout: 60_000 });
    const counts = page.getByRole('definition');
    expect(await page.locator('[data-count=rows]').innerText()).toBe(IMPORT_ROWS.toLocaleString('en-GB'));
    expect(await page.locator('[data-count=imported]').innerText()).toBe((IMPORT_ROWS - file.rejected - file.duplicates).toLocaleString('en-GB'));
    expect(await page.locator('[data-count=duplicates]').innerText()).toBe(file.duplicates.toLocaleString('en-GB'));
    expect(await page.locator('[data-count=rejected]').innerText()).toBe(String(file.rejected));
    expect(await counts.count()).toBeGreaterThan(3);
    expect(await page.getByRole('progressbar', { name: 'Import progress' }).getAttribute('value')).toBe('100');
    const rejects = page.getByRole('link', { name: 'Download the rejected rows' });
    const download = await (await request('GET', (await rejects.getAttribute('href')) as string, { token: tokens.supervisor })).text;
    expect(download.split('\n').filter((line) => line.includes('keine Angabe'))).toHaveLength(file.rejected);
    await screenshot(page, 'import-done');
    await context.close();
  });

  it('shows a viewer no write controls, and the API refuses a write forged from the page', async () => {
    const { api: running, tokens, request } = await api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc' } });
    await request('POST', '/v1/lists/dnc/entries', { token: tokens.operator, json: { numbers: ['+4930111222'], reason: 'r' } });
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.viewer);
    await page.goto(`${running.url}/#/search?number=${encodeURIComponent('+4930111222')}`);
    await page.getByRole('table', { name: 'Lists holding it' }).waitFor();
    expect(await page.getByRole('form', { name: 'Add to a list' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Cancel on/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Import' }).count()).toBe(0);
    await screenshot(page, 'viewer-search');
    await page.getByRole('link', { name: 'Lists' }).click();
    await page.getByRole('table', { name: 'Lists' }).waitFor();
    expect(await page.getByRole('button', { name: 'Create list' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Disable/ }).count()).toBe(0);
    await screenshot(page, 'viewer-lists');
    const forged = await page.evaluate(async () => {
      const session = await (await fetch('/v1/session')).json();
      const write = (headers: Record<string, string>) =>
        fetch('/v1/lists/dnc/entries', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ numbers: ['+4930999888'] }) }).then((r) => r.status);
      return { withCsrf: await write({ 'x-csrf-token': session.csrfToken }), withoutCsrf: await write({}) };
    });
    expect(forged).toEqual({ withCsrf: 403, withoutCsrf: 403 });
    expect((await request('POST', '/v1/check', { token: tokens.viewer, json: { number: '+4930999888', lists: ['dnc'] } })).json.verdict).toBe('clear');
    await context.close();
  });

  it('edits a route in the CLI syntax, refusing a bad action with its words; shows campaign results with the BLACKLISTED attempts; filters the audit by person; exports', async () => {
    const { api: running, tokens, request, redis, namespace, token } = await api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc' } });
    await request('PUT', '/v1/routes/support', { token: tokens.supervisor, json: { block: ['dnc'] } });
    await request('PUT', '/v1/campaigns/winback', { token: tokens.supervisor, json: { block: ['dnc'], endpoint: 'PJSIP/${NUMBER}@trunk', context: 'agents,s,1' } });
    const at = Date.now();
    await redis.xadd(dialKeys(namespace).results, '*', ...resultFields({ request: 'r1', campaign: 'winback', number: '+4930111', attempt: 1, outcome: 'BLACKLISTED', list: 'dnc', member: '+4930111', reason: 'asked not to be called', at, final: true, attrs: {} }));
    await redis.xadd(dialKeys(namespace).results, '*', ...resultFields({ request: 'r2', campaign: 'winback', number: '+4930222', attempt: 1, outcome: 'ANSWERED', at, final: true, attrs: {} }));
    const alice = await token('alice', 'operator');
    await request('POST', '/v1/lists/dnc/entries', { token: alice, json: { numbers: ['+4930333444'], reason: 'by alice' } });
    await request('POST', '/v1/lists/dnc/entries', { token: tokens.operator, json: { numbers: ['+4930555666'], reason: 'by operator' } });

    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.supervisor);
    await page.getByRole('link', { name: 'Routes & campaigns' }).click();
    await page.getByRole('button', { name: 'Edit support' }).click();
    const form = page.getByRole('form', { name: 'Edit route support' });
    await form.getByLabel('On blocked').fill('hangup:sometimes');
    await form.getByRole('button', { name: 'Save route' }).click();
    await form.getByRole('alert').waitFor();
    expect(await form.getByRole('alert').innerText()).toContain('body/actions/blocked');
    await screenshot(page, 'route-refused');
    await form.getByLabel('On blocked').fill('announce:custom/blocked:busy');
    await form.getByRole('button', { name: 'Save route' }).click();
    await page.getByRole('table', { name: 'Routes' }).getByText('announce:custom/blocked:17').waitFor();
    expect((await request('GET', '/v1/routes/support', { token: tokens.viewer })).json.route.actions.blocked).toBe('announce:custom/blocked:17');
    await screenshot(page, 'routes');

    await page.getByRole('link', { name: 'winback' }).click();
    const attempts = page.getByRole('table', { name: 'Attempts' });
    await attempts.getByText('asked not to be called').waitFor();
    expect(await page.getByRole('list', { name: 'Attempts per outcome' }).innerText()).toMatch(/BLACKLISTED\s*1/);
    await page.getByLabel('Outcome', { exact: true }).selectOption('BLACKLISTED');
    await attempts.getByText('+4930222').waitFor({ state: 'detached' });
    await screenshot(page, 'campaign-results');

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Person').fill('alice');
    await page.getByRole('button', { name: 'Filter' }).click();
    const changes = page.getByRole('table', { name: 'Changes' });
    // The unfiltered page held both; the filtered one only alice's.
    await changes.getByText('by operator').waitFor({ state: 'detached' });
    expect(await changes.getByText('by alice').isVisible()).toBe(true);
    await screenshot(page, 'audit-by-person');

    await page.goto(`${running.url}/#/lists/dnc`);
    const exported = await page.evaluate(async (paths) => Promise.all(paths.map(async (path) => {
      if (path === null) return { status: 0, type: null, head: '' };
      const response = await fetch(path);
      return { status: response.status, type: response.headers.get('content-type'), head: new Uint8Array(await response.arrayBuffer()).slice(0, 6).join(',') };
    })), [await page.getByRole('link', { name: 'Export CSV', exact: true }).getAttribute('href'), await page.getByRole('link', { name: 'Export CSV (gzip)' }).getAttribute('href')]);
    expect(exported[0]).toMatchObject({ status: 200, head: [...Buffer.from('number')].join(',') });
    expect(exported[1]).toMatchObject({ status: 200, type: 'application/gzip' });
    expect(exported[1]?.head.startsWith('31,139')).toBe(true);
    await screenshot(page, 'list-page');
    await context.close();
  });

  it('keeps what is typed into the search and audit fields in the first frame after they appear', async () => {
    const { api: running, tokens } = await api();
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.supervisor);
    // Typed the moment the field is drawn, before the next frame: a hand as fast as playwright's
    // on a loaded machine (this lost the audit's person once, and the filter then never applied).
    const typedAtOnce = (hash: string, field: string) =>
      page.evaluate(
        async ({ hash, field }) => {
          const typed = new Promise<void>((resolve) => {
            const observer = new MutationObserver(() => {
              const input = document.querySelector<HTMLInputElement>(field);
              if (!input) return;
              observer.disconnect();
              input.value = 'typed';
              input.dispatchEvent(new Event('input', { bubbles: true }));
              resolve();
            });
            observer.observe(document.body, { childList: true, subtree: true });
          });
          location.hash = hash;
          await typed;
          await new Promise((resolve) => setTimeout(resolve, 300));
          return document.querySelector<HTMLInputElement>(field)?.value;
        },
        { hash, field },
      );
    expect(await typedAtOnce('#/audit', 'input[placeholder="anyone"]')).toBe('typed');
    await page.goto(`${running.url}/#/lists`);
    await page.getByRole('table', { name: 'Lists' }).waitFor();
    expect(await typedAtOnce('#/search', 'input[type="search"]')).toBe('typed');
    // And a new address still sets the field.
    await page.goto(`${running.url}/#/audit?by=alice`);
    await page.getByLabel('Person').waitFor();
    expect(await page.getByLabel('Person').inputValue()).toBe('alice');
    await context.close();
  });

  it('opens a list that does not exist with its refusal alone: no import, export, removal or entries of it', async () => {
    const { api: running, tokens } = await api();
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.url, tokens.supervisor);
    await page.goto(`${running.url}/#/lists/gone`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').allInnerTexts()).toEqual(['Not found: no such list: gone']);
    expect(await page.getByRole('main').getByRole('link').allInnerTexts()).toEqual(['← Lists']);
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Entries' }).count()).toBe(0);
    await screenshot(page, 'list-not-found');
    await context.close();
  });

  it('keeps Import and Audit at a phone width with a list of the longest name, and the Replace box big enough to tap', async () => {
    const { api: running, tokens, request } = await api();
    const long = `vip-${'x'.repeat(60)}`;
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: long } })).status).toBe(201);
    const { context, page } = await newPage(suite.browser, PHONE);
    await signIn(page, running.url, tokens.supervisor);
    await page.goto(`${running.url}/#/import?list=${long}`);
    await page.getByLabel(/Drop a file here/).setInputFiles({ name: 'week.csv', mimeType: 'text/csv', buffer: Buffer.from('+4930111\n') });
    const replace = page.getByLabel(/Replace the whole list with this file/);
    await replace.waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect((await replace.boundingBox())?.width).toBeGreaterThanOrEqual(16);
    await screenshot(page, 'phone-import');
    await page.goto(`${running.url}/#/audit`);
    await page.getByRole('table', { name: 'Changes' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'phone-audit');
    await context.close();
  });

  it('is readable at a phone width', async () => {
    const { api: running, tokens, request } = await api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc' } });
    const { context, page } = await newPage(suite.browser, PHONE);
    await signIn(page, running.url, tokens.supervisor);
    await page.getByRole('link', { name: 'Lists' }).click();
    await page.getByRole('table', { name: 'Lists' }).waitFor();
    await screenshot(page, 'phone-lists');
    // Wide tables scroll inside their own box; the page itself never scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await context.close();
  });
});
