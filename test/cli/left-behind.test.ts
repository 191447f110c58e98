import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { denseGensKey, listKeys } from '../../src/lists/keys.js';
import { testRedis } from '../helpers/redis.js';
import { callguard, callguardJson, callguardOnTerminal, namespaceWithLists } from './run-cli.js';

const redis = testRedis();
afterAll(() => redis.quit());

let ns: string;
/** A dense list us that held two numbers, its info lost outside callguard (a DEL). */
beforeEach(async () => {
  ns = await namespaceWithLists(redis);
  await callguard(ns, 'list', 'create', 'us', '--dense', 'nanp');
  await callguard(ns, 'add', '+14155550100', '+4930123456', '--list', 'us');
  await redis.del(listKeys(ns, 'us').info);
});

describe('list create and list rm over what a lost list left behind', () => {
  it('list create of an ordinary list over bitmaps left behind is refused, exit 1, naming what is left and both ways out', async () => {
    const run = await callguard(ns, 'list', 'create', 'us');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^callguard: list us was not created: its lost info left behind 1 number in its SET, bitmaps of plan nanp \(generation \w+, 1 block\), .*nothing was written\. Create it as it was \(callguard list create us --dense nanp\), or remove what is left knowingly with callguard list rm us --left-behind\n$/);
    expect(await redis.exists(listKeys(ns, 'us').info)).toBe(0);
  });

  it('list create of an ordinary list is refused the same way when the audit stream and the record of generations were lost with the info', async () => {
    const keys = listKeys(ns, 'us');
    await redis.del(keys.audit, denseGensKey(keys.dense));
    const run = await callguard(ns, 'list', 'create', 'us');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^callguard: list us was not created: its lost info left behind 1 number in its SET, bitmaps of plan nanp \(generation \w+, 1 block\), .*nothing was written\. Create it as it was \(callguard list create us --dense nanp\), or remove what is left knowingly with callguard list rm us --left-behind\n$/);
    expect(await redis.exists(keys.info)).toBe(0);
  });

  it('list create --dense keeps what is left and says so', async () => {
    const run = await callguardJson(ns, 'list', 'create', 'us', '--dense', 'nanp');
    const [gen] = await redis.smembers(denseGensKey(listKeys(ns, 'us').dense));
    expect(run.json).toEqual({ list: 'us', action: 'created', leftBehind: 2, adopted: gen });
    expect((await callguard(ns, 'check', '+14155550100', '--list', 'us')).code).toBe(10);
    await redis.del(listKeys(ns, 'us').info);
    expect((await callguard(ns, 'list', 'create', 'us', '--dense', 'nanp')).out).toBe(
      `list us created, keeping the 2 entries its lost info left behind (bitmaps of generation ${gen})\n`,
    );
  });

  it('list create --generation needs --dense', async () => {
    const run = await callguard(ns, 'list', 'create', 'us', '--generation', 'abc');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--generation names bitmaps a dense list reads: give --dense <plan> with it; nothing was created/);
  });

  it('list rm of a list whose info is lost names what is left and --left-behind', async () => {
    const run = await callguard(ns, 'list', 'rm', 'us', '--yes');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^callguard: no such list: us, but its lost info left behind 1 number in its SET, bitmaps of plan nanp .*: remove them with callguard list rm us --left-behind, or keep them with callguard list create us --dense nanp; nothing was removed\n$/);
  });

  it('list rm --left-behind asks on a terminal, naming what is left, and removes it when told yes', async () => {
    const declined = await callguardOnTerminal(ns, ['n'], 'list', 'rm', 'us', '--left-behind');
    expect(declined.questions).toEqual([
      expect.stringMatching(/^remove what list us's lost info left behind, 1 number in its SET, bitmaps of plan nanp \(generation \w+, 1 block\)\? Its cancellations go too; its audit stays\. \[y\/N\] $/),
    ]);
    expect(declined.code).toBe(1);
    expect(await redis.scard(listKeys(ns, 'us').exact)).toBe(1);
    const run = await callguardOnTerminal(ns, ['y'], 'list', 'rm', 'us', '--left-behind', '--reason', 'info evicted');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^removed what list us left behind: 1 number in its SET, bitmaps of plan nanp/);
    expect(await redis.keys(`${listKeys(ns, 'us').dense}*`)).toEqual([]);
    expect(await redis.exists(listKeys(ns, 'us').exact)).toBe(0);
    expect((await callguard(ns, 'list', 'create', 'us')).out).toBe('list us created\n');
  });

  it('list rm --left-behind needs --yes off a terminal, and refuses a list that exists or left nothing', async () => {
    const run = await callguard(ns, 'list', 'rm', 'us', '--left-behind');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^callguard: list rm --left-behind removes what list us's lost info left behind, .*: confirm with --yes/);
    expect((await callguardJson(ns, 'list', 'rm', 'us', '--left-behind', '--yes')).json).toEqual({ list: 'us', action: 'removed-left-behind' });
    const nothing = await callguard(ns, 'list', 'rm', 'us', '--left-behind', '--yes');
    expect(nothing.code).toBe(1);
    expect(nothing.err).toBe('callguard: list us left nothing behind: no such list and none of its entries or bitmaps; nothing was removed\n');
    await callguard(ns, 'list', 'create', 'us');
    const exists = await callguard(ns, 'list', 'rm', 'us', '--left-behind', '--yes');
    expect(exists.code).toBe(1);
    expect(exists.err).toMatch(/list us exists: --left-behind removes only what a list whose info was lost left behind; remove the list with callguard list rm us/);
    expect(await redis.exists(listKeys(ns, 'us').info)).toBe(1);
  });

  it('the help of list create and list rm says what a create over what is left does, and the way out', async () => {
    expect((await callguard(ns, 'list', 'create', '--help')).out).toMatch(/is refused,\s+nothing written[\s\S]*list rm <name> --left-behind/);
    expect((await callguard(ns, 'list', 'rm', '--help')).out).toMatch(/--left-behind is for a list whose info Redis lost/);
  });
});
