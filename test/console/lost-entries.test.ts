import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BLOCK_BYTES, bitOf, blockOf, setBit } from '../../src/lists/dense.js';
import { denseGenerationKeys, denseGensKey, listKeys } from '../../src/lists/keys.js';
import type { TestApi } from '../api/helpers.js';
import { browserAvailable, newPage, PHONE, screenshot, signIn } from './browser.js';
import { consoleSuite } from './suite.js';

describe.skipIf(!browserAvailable())('the console on lists that lost entries, and on a create over what a lost list left behind', () => {
  const suite = consoleSuite();
  const { api } = suite;

  /** A dense list of plan nanp holding `numbers`, whose info hash is then lost as an eviction loses it. */
  async function lostDenseList({ request, tokens, redis, namespace }: TestApi, name: string, numbers: string[]): Promise<void> {
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name, dense: 'nanp' } })).status).toBe(201);
    expect((await request('POST', `/v1/lists/${name}/entries`, { token: tokens.operator, json: { numbers } })).status).toBe(200);
    await redis.del(listKeys(namespace, name).info);
  }

  /** Bitmaps of another generation beside the list's own, holding `number`: what a replace that died before its swap leaves. */
  async function diedGeneration({ redis, namespace }: TestApi, name: string, gen: string, number: string): Promise<void> {
    const root = listKeys(namespace, name).dense;
    const keys = denseGenerationKeys(root, gen);
    const bits = new Uint8Array(BLOCK_BYTES);
    setBit(bits, bitOf(number));
    const block = blockOf(number);
    await redis.multi().set(keys.block(block), Buffer.from(bits)).zadd(keys.index, block, String(block)).sadd(denseGensKey(root), gen).exec();
  }

  /** Signs a supervisor in and creates `name` on the lists page, as a person does; the create form. */
  async function createInPage(page: Page, { api: running, tokens }: TestApi, name: string) {
    await signIn(page, running.url, tokens.supervisor);
    await page.goto(`${running.url}/#/lists`);
    const create = page.getByRole('form', { name: 'Create a list' });
    await create.getByLabel('New list name').fill(name);
    await create.getByRole('button', { name: 'Create list' }).click();
    return create;
  }

  it('warns on a list whose keys lost entries and on a dense list that lost a block: what its checks answer and how to mend it', async () => {
    const running = await api();
    const { request, tokens, redis, namespace } = running;
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'harassment' } })).status).toBe(201);
    await request('POST', '/v1/lists/harassment/entries', { token: tokens.operator, json: { numbers: ['+4930111', '+4930222', '+4930333'] } });
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-dnc', dense: 'nanp' } })).status).toBe(201);
    await request('POST', '/v1/lists/us-dnc/entries', { token: tokens.operator, json: { numbers: ['+14155550100'] } });
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'whole' } })).status).toBe(201);
    // Behind callguard's back: an SREM of one entry, a DEL of the dense list's only block.
    expect(await redis.srem(listKeys(namespace, 'harassment').exact, '+4930222')).toBe(1);
    const root = listKeys(namespace, 'us-dnc').dense;
    const gen = (await redis.hget(listKeys(namespace, 'us-dnc').info, 'gen')) as string;
    const [block] = await redis.zrange(denseGenerationKeys(root, gen).index, '0', '0');
    expect(await redis.del(denseGenerationKeys(root, gen).block(block as string))).toBe(1);

    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.api.url, tokens.supervisor);
    await page.getByRole('link', { name: 'Lists' }).click();
    const table = page.getByRole('table', { name: 'Lists' });
    await table.waitFor();
    const harassment = page.getByRole('status').filter({ hasText: 'harassment lost entries outside callguard' });
    expect(await harassment.innerText()).toMatch(/Redis holds 2 of its 3 entries\. A check that finds no match on it answers “entries lost” .*not “not listed”\. Load it again/);
    expect(await harassment.innerText()).toContain('callguard list recount harassment --reason');
    expect(await harassment.getByRole('link', { name: 'with an import that replaces the whole list' }).getAttribute('href')).toBe('#/import?list=harassment&replace=1');
    const dense = page.getByRole('status').filter({ hasText: 'us-dnc lost entries outside callguard' });
    expect(await dense.innerText()).toMatch(/1 block of its bitmaps gone\. A check of a number in those blocks answers “entries lost”/);
    expect(await page.getByRole('status').filter({ hasText: 'whole lost' }).count()).toBe(0);
    expect(await table.getByRole('row', { name: /harassment/ }).getByText('lost entries').isVisible()).toBe(true);
    expect(await table.getByRole('row', { name: /whole/ }).getByText('lost entries').count()).toBe(0);
    await screenshot(page, 'lists-lost-entries');
    // The filter narrows the warnings to the lists it shows.
    await page.getByLabel('Filter by name').fill('us-');
    await harassment.waitFor({ state: 'detached' });
    expect(await dense.isVisible()).toBe(true);
    await page.getByLabel('Filter by name').fill('');

    await page.goto(`${running.api.url}/#/lists/us-dnc`);
    await page.getByRole('heading', { name: 'List us-dnc' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'us-dnc lost entries outside callguard' }).waitFor();
    await screenshot(page, 'list-lost-block');
    await context.close();

    // A viewer is told too, without the import it may not run, and at a phone's width.
    const viewer = await newPage(suite.browser, PHONE);
    await signIn(viewer.page, running.api.url, tokens.viewer);
    await viewer.page.goto(`${running.api.url}/#/lists/harassment`);
    const told = viewer.page.getByRole('status').filter({ hasText: 'harassment lost entries outside callguard' });
    await told.waitFor();
    expect(await told.getByRole('link').count()).toBe(0);
    expect(await told.innerText()).toContain('A supervisor can load it again with an import that replaces the whole list');
    expect(await viewer.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(viewer.page, 'phone-viewer-list-lost');
    await viewer.context.close();
  });

  it('opens Import from a lost-entries warning with Replace ticked for that list, and the import that replaces it mends the list', async () => {
    const running = await api();
    const { request, tokens, redis, namespace } = running;
    for (const name of ['harassment', 'other']) expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name } })).status).toBe(201);
    await request('POST', '/v1/lists/harassment/entries', { token: tokens.operator, json: { numbers: ['+4930111', '+4930222'] } });
    expect(await redis.srem(listKeys(namespace, 'harassment').exact, '+4930222')).toBe(1);

    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.api.url, tokens.supervisor);
    await page.goto(`${running.api.url}/#/lists/harassment`);
    const warning = page.getByRole('status').filter({ hasText: 'harassment lost entries outside callguard' });
    await warning.getByRole('link', { name: 'with an import that replaces the whole list' }).click();
    await page.getByRole('heading', { name: 'Import' }).waitFor();
    // The lists arrive after the page: the choice is read once they are there.
    await page.getByLabel('Into list').locator('option', { hasText: 'other' }).waitFor({ state: 'attached' });
    expect(await page.getByLabel('Into list').inputValue()).toBe('harassment');
    await page.getByLabel(/Drop a file here/).setInputFiles({ name: 'harassment.csv', mimeType: 'text/csv', buffer: Buffer.from('+4930111\n+4930222\n+4930333\n') });
    const replace = page.getByLabel(/Replace the whole list with this file/);
    expect(await replace.isChecked()).toBe(true);
    await screenshot(page, 'import-replace-from-lost-warning');
    // Ticked for harassment, not for a list chosen after.
    await page.getByLabel('Into list').selectOption('other');
    expect(await replace.isChecked()).toBe(false);
    await page.getByLabel('Into list').selectOption('harassment');
    await replace.check();
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByRole('heading', { name: 'Import done' }).waitFor();
    expect((await request('GET', '/v1/lists/harassment', { token: tokens.viewer })).json).toMatchObject({ size: 3, lost: 0, lostBlocks: 0 });
    expect((await request('GET', '/v1/lists/other', { token: tokens.viewer })).json).toMatchObject({ size: 0 });
    await page.goto(`${running.api.url}/#/lists/harassment`);
    await page.getByRole('heading', { name: 'List harassment' }).waitFor();
    await page.getByRole('definition').first().waitFor();
    expect(await warning.count()).toBe(0);
    await context.close();
  });

  it('searches a number while another list lost entries: that list is named as cannot tell, and an operator still cancels and adds', async () => {
    const running = await api();
    const { request, tokens, redis, namespace } = running;
    for (const name of ['dnc', 'harassment']) expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name } })).status).toBe(201);
    await request('POST', '/v1/lists/dnc/entries', { token: tokens.operator, json: { numbers: ['+4930123456'], reason: 'opted out' } });
    await request('POST', '/v1/lists/harassment/entries', { token: tokens.operator, json: { numbers: ['+4930111', '+4930222'] } });
    expect(await redis.srem(listKeys(namespace, 'harassment').exact, '+4930222')).toBe(1);

    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.api.url, tokens.operator);
    await page.goto(`${running.api.url}/#/search?number=${encodeURIComponent('+4930123456')}`);
    const holding = page.getByRole('table', { name: 'Lists holding it' });
    await holding.getByText('opted out').waitFor();
    const unknown = page.getByRole('status').filter({ hasText: 'Cannot tell on harassment' });
    expect(await unknown.innerText()).toBe(
      'Cannot tell on harassment: it lost entries outside callguard, so whether it holds +4930123456 is unknown (a check there answers “entries lost”, not “not listed”). Lists says how to mend it.',
    );
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'search-beside-lost-list');
    await holding.getByRole('button', { name: 'Cancel on dnc' }).click();
    await page.getByLabel('Reason for the cancellation').fill('consent again');
    await page.getByRole('button', { name: 'Cancel number' }).click();
    await page.getByRole('table', { name: 'Cancellations' }).getByText('consent again').waitFor();
    expect(await page.getByText('on no list that can tell').isVisible()).toBe(true);

    const add = page.getByRole('form', { name: 'Add to a list' });
    await add.getByLabel('List').selectOption('dnc');
    await add.getByLabel('Reason').fill('asked again not to be called');
    await add.getByRole('button', { name: 'Add number' }).click();
    await holding.getByText('asked again not to be called').waitFor();
    expect((await request('POST', '/v1/check', { token: tokens.viewer, json: { number: '+4930123456', lists: ['dnc'] } })).json).toMatchObject({ verdict: 'blocked' });
    await context.close();
  });

  it('warns of five lost lists in full and counts the rest, so the table stays in sight after an eviction', async () => {
    const running = await api();
    const { request, tokens, redis, namespace } = running;
    const names = Array.from({ length: 7 }, (_, i) => `evicted-${i}`);
    for (const name of names) {
      await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name } });
      await request('POST', `/v1/lists/${name}/entries`, { token: tokens.operator, json: { numbers: ['+4930111'] } });
      await redis.del(listKeys(namespace, name).exact);
    }
    const { context, page } = await newPage(suite.browser);
    await signIn(page, running.api.url, tokens.viewer);
    await page.goto(`${running.api.url}/#/lists`);
    await page.getByRole('status').filter({ hasText: 'And 2 more lists lost entries outside callguard' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'evicted-0 lost' }).innerText()).toContain('Redis holds 0 of its 1 entry.');
    expect(await page.getByRole('status').filter({ hasText: /^evicted-\d lost entries outside callguard/ }).count()).toBe(5);
    expect(await page.getByRole('table', { name: 'Lists' }).getByText('lost entries').count()).toBe(7);
    await screenshot(page, 'lists-many-lost');
    await context.close();
  });

  it('shows the API’s refusal of a create over what a lost list left behind, and creating it as it was keeps the entries', async () => {
    const running = await api();
    await lostDenseList(running, 'us-lost', ['+14155550100', '+14155550101']);
    const { context, page } = await newPage(suite.browser);
    await createInPage(page, running, 'us-lost');
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/^Conflict: list us-lost was not created: its lost info left behind bitmaps of plan nanp .* nothing was written\./);
    const ways = page.getByRole('group', { name: 'Ways out' });
    expect(await ways.getByRole('button').allInnerTexts()).toEqual(['Create us-lost as it was (dense nanp)', 'Remove what us-lost left behind…']);
    await screenshot(page, 'create-left-behind-refused');

    await ways.getByRole('button', { name: 'Create us-lost as it was (dense nanp)' }).click();
    const kept = page.getByRole('status').filter({ hasText: 'Created us-lost' });
    await kept.waitFor();
    expect(await kept.innerText()).toMatch(/^Created us-lost: it kept 2 entries a list of that name left behind when its info was lost \(it reads generation \S+ of the bitmaps left\)/);
    expect(await page.getByRole('alert').count()).toBe(0);
    const row = page.getByRole('table', { name: 'Lists' }).getByRole('row', { name: /us-lost/ });
    await row.waitFor();
    expect(await row.locator('td.num').innerText()).toBe('2');
    await screenshot(page, 'create-left-behind-kept');
    expect((await running.request('POST', '/v1/check', { token: running.tokens.viewer, json: { number: '+14155550101', lists: ['us-lost'] } })).json).toMatchObject({ verdict: 'blocked' });
    await context.close();
  });

  it('offers one create a generation when a lost list left several, and the create adopts the generation chosen', async () => {
    const running = await api();
    const { request, tokens, redis, namespace } = running;
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-lost', dense: 'nanp' } })).status).toBe(201);
    expect((await request('POST', '/v1/lists/us-lost/entries', { token: tokens.operator, json: { numbers: ['+14155550100'] } })).status).toBe(200);
    const live = (await redis.hget(listKeys(namespace, 'us-lost').info, 'gen')) as string;
    await diedGeneration(running, 'us-lost', 'zz-died', '+12125550100');
    await redis.del(listKeys(namespace, 'us-lost').info);

    const { context, page } = await newPage(suite.browser);
    await createInPage(page, running, 'us-lost');
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain(`(generation ${live}, 1 block), bitmaps of plan nanp (generation zz-died, 1 block), and an ordinary list reads no bitmaps`);
    const ways = page.getByRole('group', { name: 'Ways out' });
    expect((await ways.getByRole('button').allInnerTexts()).sort()).toEqual(
      [`Create us-lost as it was (dense nanp, generation ${live})`, 'Create us-lost as it was (dense nanp, generation zz-died)', 'Remove what us-lost left behind…'].sort(),
    );
    await screenshot(page, 'create-left-behind-generations');
    // At a phone's width each way out stays within the screen, its words wrapped.
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'phone-create-left-behind-generations');
    // Not the generation the list read before: the one the person picked.
    await ways.getByRole('button', { name: 'Create us-lost as it was (dense nanp, generation zz-died)' }).click();
    await page.getByRole('status').filter({ hasText: 'Created us-lost: it kept 1 entry a list of that name left behind when its info was lost (it reads generation zz-died of the bitmaps left)' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    const check = async (number: string) => (await request('POST', '/v1/check', { token: tokens.viewer, json: { number, lists: ['us-lost'] } })).json.verdict;
    expect(await check('+12125550100')).toBe('blocked');
    expect(await check('+14155550100')).toBe('clear');
    expect((await request('GET', '/v1/lists/us-lost', { token: tokens.viewer })).json).toMatchObject({ size: 1, lost: 0, dense: 'nanp' });
    await context.close();
  });

  it('removes what a lost list left behind only once asked and confirmed, then creates the list empty', async () => {
    const running = await api();
    await lostDenseList(running, 'gone', ['+14155550100']);
    const { context, page } = await newPage(suite.browser);
    const create = await createInPage(page, running, 'gone');
    await page.getByRole('button', { name: 'Remove what gone left behind…' }).click();
    const confirm = page.getByRole('form', { name: 'Remove what gone left behind' });
    await confirm.getByLabel('Reason').fill('reloading from the FTC file');
    await screenshot(page, 'remove-left-behind-confirm');
    // Asked, not yet done: the bitmaps are still there.
    expect(await running.redis.keys(`${listKeys(running.namespace, 'gone').dense}*`)).not.toEqual([]);
    await confirm.getByRole('button', { name: 'Remove what is left' }).click();
    await page.getByRole('status').filter({ hasText: 'Removed what gone left behind' }).waitFor();
    expect(await running.redis.keys(`${listKeys(running.namespace, 'gone').dense}*`)).toEqual([]);
    const audit = await running.request('GET', '/v1/audit?list=gone', { token: running.tokens.viewer });
    expect(audit.text).toContain('reloading from the FTC file');

    await create.getByRole('button', { name: 'Create list' }).click();
    const row = page.getByRole('table', { name: 'Lists' }).getByRole('row', { name: /gone/ });
    await row.waitFor();
    expect(await row.locator('td.num').innerText()).toBe('0');
    expect(await page.getByRole('status').filter({ hasText: 'Created gone' }).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'remove-left-behind-created');
    await context.close();
  });
});
