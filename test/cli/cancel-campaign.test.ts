import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { callguard, callguardJson } from './run-cli.js';

const redis = testRedis();
afterAll(() => redis.quit());

let ns: string;
beforeEach(async () => {
  ns = testNamespace();
  for (const list of ['dnc', 'national-dnc', 'other']) expect((await callguard(ns, 'list', 'create', list)).code).toBe(0);
  for (const list of ['dnc', 'national-dnc', 'other']) {
    expect((await callguard(ns, 'add', '+4930123456', '--list', list, '--reason', 'asked')).code).toBe(0);
  }
  const set = await callguard(
    ns, 'campaign', 'set', 'sales', '--block', 'dnc,national-dnc', '--endpoint', 'PJSIP/${NUMBER}@trunk', '--context', 'agents', '--region', 'DE',
  );
  expect(set.code).toBe(0);
});

interface CheckJson {
  verdict: string;
}

describe('cancel --campaign', () => {
  it("cancels the number on every block list of the campaign, with the reason kept, and on no other list", async () => {
    const run = await callguardJson(ns, 'cancel', '030 123456', '--campaign', 'sales', '--reason', 'customer asked to be called', '--by', 'alice');
    expect(run.code).toBe(0);
    expect(run.json).toEqual({
      campaign: 'sales',
      lists: [
        { list: 'dnc', cancelled: ['+4930123456'], notListed: [] },
        { list: 'national-dnc', cancelled: ['+4930123456'], notListed: [] },
      ],
      missingLists: [],
    });
    for (const list of ['dnc', 'national-dnc']) {
      expect((await callguardJson<CheckJson>(ns, 'check', '+4930123456', '--list', list)).json.verdict).toBe('clear');
    }
    expect((await callguardJson<CheckJson>(ns, 'check', '+4930123456', '--list', 'other')).json.verdict).toBe('blocked');
    const shown = await callguard(ns, 'show', '+4930123456');
    expect(shown.out).toContain('customer asked to be called');
  });

  it('exits 4 when the number is on none of the campaign lists', async () => {
    const run = await callguard(ns, 'cancel', '+4930999999', '--campaign', 'sales', '--reason', 'r');
    expect(run.code).toBe(4);
    expect(run.err).toContain('nothing cancelled');
  });

  it('a block list of the campaign that does not exist is reported and skipped', async () => {
    expect(
      (await callguard(ns, 'campaign', 'set', 'sales', '--block', 'dnc,gone-list', '--allow-missing-lists')).code,
    ).toBe(0);
    const run = await callguardJson(ns, 'cancel', '+4930123456', '--campaign', 'sales', '--reason', 'r');
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ missingLists: ['gone-list'], lists: [{ list: 'dnc', cancelled: ['+4930123456'] }] });
  });

  it('an unknown campaign is refused and nothing is cancelled', async () => {
    const run = await callguard(ns, 'cancel', '+4930123456', '--campaign', 'nope', '--reason', 'r');
    expect(run.code).toBe(1);
    expect(run.err).toContain('no campaign named nope');
    expect((await callguardJson<CheckJson>(ns, 'check', '+4930123456', '--list', 'dnc')).json.verdict).toBe('blocked');
  });

  it('--list and --campaign together are refused, and one of them is required', async () => {
    const both = await callguard(ns, 'cancel', '+4930123456', '--list', 'dnc', '--campaign', 'sales', '--reason', 'r');
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/cannot be used with/);
    const neither = await callguard(ns, 'cancel', '+4930123456', '--reason', 'r');
    expect(neither.code).toBe(2);
    expect(neither.err).toContain('--list');
    expect((await callguardJson<CheckJson>(ns, 'check', '+4930123456', '--list', 'dnc')).json.verdict).toBe('blocked');
  });
});
