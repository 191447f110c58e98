import { userInfo } from 'node:os';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { callguard, callguardJson } from './run-cli.js';

const redis = testRedis();
afterAll(() => redis.quit());

let ns: string;
beforeEach(async () => {
  ns = testNamespace();
  expect((await callguard(ns, 'list', 'create', 'dnc')).code).toBe(0);
});

interface CheckJson {
  verdict: string;
  number: string | null;
  detail: string | null;
  match: { list: string; member: string; kind: string; expiresAt: string | null; reason: string | null; by: string | null } | null;
}

describe('add, check, cancel', () => {
  it('a number added is blocked with its list, entry and reason, and clear again once cancelled', async () => {
    const added = await callguard(ns, 'add', '+4930123456', '--list', 'dnc', '--reason', 'asked not to be called', '--by', 'alice');
    expect(added.code).toBe(0);
    expect(added.out).toContain('1 added');

    const blocked = await callguardJson<CheckJson>(ns, 'check', '030123456', '--region', 'DE', '--list', 'dnc');
    expect(blocked.code).toBe(10);
    expect(blocked.json).toMatchObject({
      verdict: 'blocked',
      number: '+4930123456',
      match: { list: 'dnc', member: '+4930123456', kind: 'exact', expiresAt: null, reason: 'asked not to be called', by: 'alice' },
    });

    const cancelled = await callguardJson(ns, 'cancel', '+4930123456', '--list', 'dnc', '--reason', 'consent given', '--by', 'bob');
    expect(cancelled.code).toBe(0);
    expect(cancelled.json).toEqual({ list: 'dnc', cancelled: ['+4930123456'], notListed: [] });

    const clear = await callguardJson<CheckJson>(ns, 'check', '+4930123456', '--list', 'dnc');
    expect(clear.code).toBe(0);
    expect(clear.json).toMatchObject({ verdict: 'clear', match: null });
  });

  it('one invalid number among good ones rejects the whole add, names it, and writes nothing', async () => {
    const run = await callguard(ns, 'add', '+4930123456', 'not-a-number', '+4930654321', '--list', 'dnc');
    expect(run.code).toBe(2);
    expect(run.err).toContain('"not-a-number"');
    expect(run.err).toContain('nothing was written');
    const keys = listKeys(ns, 'dnc');
    expect(await redis.exists(keys.exact, keys.timed, keys.meta)).toBe(0);
    expect((await callguard(ns, 'check', '+4930123456', '--list', 'dnc')).code).toBe(0);
  });

  it('a prefix added with * blocks every number that starts with it, and no other', async () => {
    expect((await callguard(ns, 'add', '0900*', '--list', 'dnc', '--region', 'DE')).code).toBe(0);
    const inside = await callguardJson<CheckJson>(ns, 'check', '+49900123456', '--list', 'dnc');
    expect(inside.code).toBe(10);
    expect(inside.json.match).toMatchObject({ member: '+49900*', kind: 'prefix' });
    expect((await callguard(ns, 'check', '+4930123456', '--list', 'dnc')).code).toBe(0);
  });

  it('--for sets an expiry that check shows, as a time that far ahead', async () => {
    const before = Date.now();
    expect((await callguard(ns, 'add', '+4930123456', '--list', 'dnc', '--for', '30d')).code).toBe(0);
    const { json } = await callguardJson<CheckJson>(ns, 'check', '+4930123456', '--list', 'dnc');
    const expiresAt = Date.parse(json.match?.expiresAt ?? '');
    const thirtyDays = 30 * 86_400_000;
    expect(expiresAt).toBeGreaterThanOrEqual(before + thirtyDays - 1_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + thirtyDays);

    const human = await callguard(ns, 'check', '+4930123456', '--list', 'dnc');
    expect(human.out).toMatch(/expires:\s+\d{4}-\d{2}-\d{2}T[\d:]+Z \(in (29d 23h|30d)\)/);
  });

  it('a disabled list lets every number through until it is enabled again', async () => {
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc');
    expect((await callguard(ns, 'list', 'disable', 'dnc')).code).toBe(0);
    expect((await callguardJson<CheckJson>(ns, 'check', '+4930123456', '--list', 'dnc')).json.verdict).toBe('clear');
    expect((await callguard(ns, 'list', 'enable', 'dnc')).code).toBe(0);
    expect((await callguard(ns, 'check', '+4930123456', '--list', 'dnc')).code).toBe(10);
  });

  it('check reports hidden and malformed numbers with their own exit codes', async () => {
    const hidden = await callguardJson<CheckJson>(ns, 'check', 'anonymous', '--list', 'dnc');
    expect(hidden.code).toBe(11);
    expect(hidden.json.verdict).toBe('hidden');
    const malformed = await callguardJson<CheckJson>(ns, 'check', '12ab', '--list', 'dnc');
    expect(malformed.code).toBe(12);
    expect(malformed.json).toMatchObject({ verdict: 'malformed', number: null });
    expect(malformed.json.detail).toEqual(expect.any(String));
  });

  it('check of a national number without a region names --region and CALLGUARD_REGION', async () => {
    const run = await callguard(ns, 'check', '030 1234567', '--list', 'dnc');
    expect(run.code).toBe(12);
    expect(run.out).toMatch(/^why: +national number without a region\nhint: +give the region of national numbers with --region or CALLGUARD_REGION$/m);
    const withRegion = await callguard(ns, 'check', '030 1234567', '--list', 'dnc', '--region', 'DE');
    expect(withRegion.code).toBe(0);
    expect(withRegion.out).not.toContain('hint:');
  });

  it('a number with an extension is listed and checked without it, and says so', async () => {
    const added = await callguardJson<{ entries: { member: string }[] }>(ns, 'add', '+49 30 1234567;ext=12', '--list', 'dnc');
    expect(added.code).toBe(0);
    expect(added.json.entries.map((entry) => entry.member)).toEqual(['+49301234567']);
    expect(added.err).toBe('callguard: note: "+49 30 1234567;ext=12" is read as +49301234567: its extension 12 is not part of the number that is dialled\n');
    const checked = await callguard(ns, 'check', '+49 30 1234567 ext 7', '--list', 'dnc');
    expect(checked.code).toBe(10);
    expect(checked.out).toMatch(/^note: +"\+49 30 1234567 ext 7" is read as \+49301234567: its extension 7 is not part/m);
  });

  it('a number with a line break inside is refused, not joined into another number', async () => {
    const run = await callguard(ns, 'add', '+49301\n23456', '--list', 'dnc');
    expect(run.code).toBe(2);
    expect(run.err).toBe('callguard: "+49301\\n23456" is not a valid number: contains a line break; nothing was written\n');
    expect((await callguardJson<CheckJson>(ns, 'check', '+4930123456', '--list', 'dnc')).code).toBe(0);
  });

  it('check names the first list that matches, in the order given', async () => {
    await callguard(ns, 'list', 'create', 'vip');
    await callguard(ns, 'add', '+4930123456', '--list', 'vip');
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc');
    const { json } = await callguardJson<CheckJson>(ns, 'check', '+4930123456', '--list', 'vip,dnc');
    expect(json.match?.list).toBe('vip');
  });

  it('cancel reports numbers that are not listed, and exits 4 when it cancelled nothing', async () => {
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc');
    const partly = await callguardJson(ns, 'cancel', '+4930123456', '+4930999999', '--list', 'dnc', '--reason', 'done');
    expect(partly.code).toBe(0);
    expect(partly.json).toEqual({ list: 'dnc', cancelled: ['+4930123456'], notListed: ['+4930999999'] });

    const none = await callguard(ns, 'cancel', '+4930999999', '--list', 'dnc', '--reason', 'done');
    expect(none.code).toBe(4);
    expect(none.err).toContain('nothing cancelled');
  });

  it('cancel without --reason is refused', async () => {
    const run = await callguard(ns, 'cancel', '+4930123456', '--list', 'dnc');
    expect(run.code).toBe(2);
    expect(run.err).toContain('--reason');
  });

  it('a number cancelled and added again is blocked again', async () => {
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc');
    await callguard(ns, 'cancel', '+4930123456', '--list', 'dnc', '--reason', 'mistake');
    expect((await callguard(ns, 'add', '+4930123456', '--list', 'dnc')).code).toBe(0);
    expect((await callguard(ns, 'check', '+4930123456', '--list', 'dnc')).code).toBe(10);
  });

  it('adding to a list that does not exist fails with exit 1 and names the list', async () => {
    const run = await callguard(ns, 'add', '+4930123456', '--list', 'nosuch');
    expect(run.code).toBe(1);
    expect(run.err).toContain('no such list: nosuch');
  });

  it('without --by the change is made in the name of the operating-system user', async () => {
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc');
    const { json } = await callguardJson<CheckJson>(ns, 'check', '+4930123456', '--list', 'dnc');
    expect(json.match?.by).toBe(userInfo().username);
  });
});
