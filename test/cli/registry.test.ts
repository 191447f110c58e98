import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testNamespace } from '../helpers/redis.js';
import { cliTestFiles } from '../import/helpers.js';
import { callguard, callguardJson } from './run-cli.js';

const files = cliTestFiles('callguard-registry-cli-');

describe('callguard with a national registry', () => {
  it('creates a dense list, loads it with --country and a source date, and lists and shows its age', async () => {
    const namespace = testNamespace();
    expect((await callguard(namespace, 'list', 'create', 'us-dnc', '--dense', 'nanp')).code).toBe(0);
    const file = join(files.dir, `${namespace}.txt`);
    await writeFile(file, '201,5550100\n2015550101\n');
    const imported = await callguard(namespace, 'import', file, '--list', 'us-dnc', '--country', 'US', '--source-date', '2026-11-01');
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/list now: +2 entries \(0 timed or prefixes, 2 in bitmaps\)/);
    expect(imported.out).toMatch(/data date: +2026-11-01T00:00:00.000Z/);
    const lists = await callguard(namespace, 'lists');
    expect(lists.out).toMatch(/us-dnc \(dense nanp\) +yes +2 .* 2026-11-01T00:00:00Z +\d+d/);
    const json = await callguardJson<{ lists: { dense: string; data: { dataDate: string; from: string; ageSeconds: number } }[] }>(namespace, 'lists');
    expect(json.json.lists[0]).toMatchObject({ dense: 'nanp', data: { dataDate: '2026-11-01T00:00:00Z', from: 'flag' } });
    const show = await callguard(namespace, 'show', '+12015550100');
    expect(show.out).toMatch(/us-dnc: data of 2026-11-01T00:00:00Z \(\d+d( \d+h)? old\), from /);
    expect((await callguard(namespace, 'check', '+12015550101', '--list', 'us-dnc')).code).toBe(10);
  });

  it("show names the date of the number's own area code, and the list's oldest beside it when that is older", async () => {
    const namespace = testNamespace();
    expect((await callguard(namespace, 'list', 'create', 'us-dnc', '--dense', 'nanp')).code).toBe(0);
    const registry = join(files.dir, `${namespace}-all.txt`);
    const areaCode = join(files.dir, `${namespace}-201.txt`);
    await writeFile(registry, '2015550100\n4155550100\n');
    await writeFile(areaCode, '2015550101\n');
    for (const [file, date] of [[registry, '2026-10-20'], [areaCode, '2026-11-30']]) {
      expect((await callguard(namespace, 'import', file as string, '--list', 'us-dnc', '--country', 'US', '--source-date', date as string)).code).toBe(0);
    }
    const fresh = await callguard(namespace, 'show', '+12015550100');
    expect(fresh.out).toMatch(/^ {2}us-dnc: data of 2026-11-30T00:00:00Z \(\d+d( \d+h)? old\), from .*-201\.txt, for \+12015550100 \(area code 201\)$/m);
    expect(fresh.out).toMatch(/^ {2}us-dnc: the list's date \(its oldest part's\): data of 2026-10-20T00:00:00Z \(area code 415, \d+d( \d+h)? old\), from .*-all\.txt$/m);
    const oldest = await callguard(namespace, 'show', '+14155550100');
    expect(oldest.out).toMatch(/^ {2}us-dnc: data of 2026-10-20T00:00:00Z \(\d+d( \d+h)? old\), from .*-all\.txt, for \+14155550100 \(area code 415\), the list's date too$/m);
    expect(oldest.out).not.toMatch(/oldest part's/);
    const { json } = await callguardJson<{ listed: { listData: { dataDate: string }; partData: { part: string; dataDate: string; file: string; from: string } }[] }>(namespace, 'show', '+12015550100');
    expect(json.listed[0]?.listData.dataDate).toBe('2026-10-20T00:00:00Z');
    expect(json.listed[0]?.partData).toMatchObject({ part: '201', dataDate: '2026-11-30T00:00:00Z', file: areaCode, from: 'flag' });
  });

  it('applies a change list with --changes, and refuses a third file', async () => {
    const namespace = testNamespace();
    await callguard(namespace, 'list', 'create', 'us-dnc', '--dense', 'nanp');
    const [base, adds, dels] = ['base', 'adds', 'dels'].map((name) => join(files.dir, `${namespace}-${name}.txt`)) as [string, string, string];
    await writeFile(base, '2015550100\n2015550101\n');
    await writeFile(adds, '2015550102\n');
    await writeFile(dels, '2015550100\n');
    await callguard(namespace, 'import', base, '--list', 'us-dnc', '--country', 'US');
    const changed = await callguard(namespace, 'import', '--changes', adds, dels, '--list', 'us-dnc', '--country', 'US');
    expect(changed.code).toBe(0);
    expect(changed.out).toMatch(/deletion from list us-dnc[\s\S]*removed: +1[\s\S]*import into list us-dnc[\s\S]*imported: +1 new/);
    expect((await callguard(namespace, 'check', '+12015550100', '--list', 'us-dnc')).code).toBe(0);
    const three = await callguard(namespace, 'import', '--changes', adds, dels, base, '--list', 'us-dnc');
    expect(three).toMatchObject({ code: 2 });
    expect(three.err).toMatch(/--changes takes two files/);
  });

  it('--changes refuses --rejects (measured: ignored, no rejects file written) and reads the --column it is given (measured: ignored)', async () => {
    const namespace = testNamespace();
    await callguard(namespace, 'list', 'create', 'us-dnc', '--dense', 'nanp');
    const [adds, dels, rejects] = ['adds.csv', 'dels.csv', 'rejects.csv'].map((name) => join(files.dir, `${namespace}-${name}`)) as [string, string, string];
    await writeFile(adds, 'id,when,number\n1,2026-12-01,2015550102\n2,2026-12-01,bogus\n');
    await writeFile(dels, 'id,when,number\n');
    const refused = await callguard(namespace, 'import', '--changes', adds, dels, '--list', 'us-dnc', '--country', 'US', '--rejects', rejects);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/'--changes <additions-and-deletions\.\.\.>' cannot be used with option '--rejects <file>'/);
    expect((await callguard(namespace, 'check', '+12015550102', '--list', 'us-dnc')).code).toBe(0);
    const changed = await callguard(namespace, 'import', '--changes', adds, dels, '--list', 'us-dnc', '--region', 'US', '--column', '3');
    expect(changed.code).toBe(1);
    expect(changed.out).toMatch(/imported: +1 new\n  duplicates: +0 skipped\n  rejected: +1\n    line 3: "bogus"/);
    expect((await callguard(namespace, 'check', '+12015550102', '--list', 'us-dnc')).code).toBe(10);
  });

  it('--delete of a file broken halfway says what was taken out, not what was written (measured: "100 new", "count as duplicates")', async () => {
    const namespace = testNamespace();
    await callguard(namespace, 'list', 'create', 'us-dnc', '--dense', 'nanp');
    const [base, dels] = ['base', 'dels'].map((name) => join(files.dir, `${namespace}-${name}.txt`)) as [string, string];
    await writeFile(base, '2015550100\n2015550101\n2015550102\n');
    await writeFile(dels, '2015550100\n2015550101\nab\0cd\n2015550102\n');
    await callguard(namespace, 'import', base, '--list', 'us-dnc', '--country', 'US');
    const run = await callguard(namespace, 'import', dels, '--list', 'us-dnc', '--country', 'US', '--delete');
    expect(run.code).toBe(20);
    expect(run.err).toMatch(/the numbers before line 3 were taken out \(2 removed\), none after it; fix the file and run the same command again to finish \(numbers already out count as not listed\)\n$/);
    expect(run.out).not.toMatch(/new|duplicates/);
    expect((await callguard(namespace, 'check', '+12015550102', '--list', 'us-dnc')).code).toBe(10);
  });

  it('--country refuses --column (measured: ignored, each line read whole, every row of a CSV rejected)', async () => {
    const namespace = testNamespace();
    await callguard(namespace, 'list', 'create', 'us-dnc', '--dense', 'nanp');
    const file = join(files.dir, `${namespace}.csv`);
    await writeFile(file, 'id,number\n1,2015550100\n');
    const run = await callguard(namespace, 'import', file, '--list', 'us-dnc', '--country', 'US', '--column', 'number');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/'--country <region>' cannot be used with option '--column <n\|name>'/);
  });

  it('refuses a --source-date in the future (measured: taken, the list 0s old until that date) before reading the file', async () => {
    const namespace = testNamespace();
    await callguard(namespace, 'list', 'create', 'us-dnc', '--dense', 'nanp');
    const file = join(files.dir, `${namespace}.txt`);
    await writeFile(file, '2015550100\n');
    const next = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const run = await callguard(namespace, 'import', file, '--list', 'us-dnc', '--country', 'US', '--source-date', next);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(new RegExp(`--source-date: "${next}" is in the future`));
    expect((await callguard(namespace, 'check', '+12015550100', '--list', 'us-dnc')).code).toBe(0);
  });

  it('names the regions --country can read when given another', async () => {
    const namespace = testNamespace();
    await callguard(namespace, 'list', 'create', 'dnc');
    const result = await callguard(namespace, 'import', '-', '--list', 'dnc', '--country', 'DE');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--country DE: callguard reads plain national files of the NANP \(US, CA, \.\.\.\) and GB/);
  });
});
