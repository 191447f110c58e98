import { readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCRUB_HELD_BLOCK_BYTES, SCRUB_HELD_MEMBERS, SCRUB_HELD_TIMED } from '../../src/lists/held-lists.js';
import { ListStore } from '../../src/lists/store.js';
import { DEFAULT_SCRUB_BATCH, SCRUB_WINDOW_ROWS } from '../../src/screening/scrub.js';
import { testNamespace } from '../helpers/redis.js';
import { writeZip } from '../helpers/zip.js';
import { cliTestFiles, importText } from '../import/helpers.js';
import { callguard, callguardJson } from './run-cli.js';

const files = cliTestFiles('callguard-scrub-');

async function registry(): Promise<string> {
  const namespace = testNamespace();
  const store = new ListStore(files.redis, namespace);
  await store.createList('us-dnc', { by: 'ops' }, { dense: 'nanp' });
  await store.createList('dnc', { by: 'ops' });
  await importText(files.redis, namespace, 'us-dnc', '2015550100\n2015550101\n', { country: 'US' });
  await store.add('dnc', [{ member: '+14155550100' }, { member: '+1900*' }], { by: 'alice', reason: 'asked' });
  return namespace;
}

describe('callguard scrub', () => {
  it('--help names the window, the batch and the held budgets the code uses (measured: 2M members where the code holds 2,000,000)', async () => {
    const help = (await callguard(testNamespace(), 'scrub', '--help')).out.replace(/\s+/g, ' ');
    const count = (n: number) => n.toLocaleString('en-US');
    expect(help).toContain(`a window of up to ${count(SCRUB_WINDOW_ROWS)} (--window)`);
    expect(help).toContain(`(up to ${SCRUB_HELD_BLOCK_BYTES / 2 ** 20} MiB of blocks, ${count(SCRUB_HELD_MEMBERS)} members and ${count(SCRUB_HELD_TIMED)} timed entries a process;`);
    expect(help).toContain(`in batches of ${count(DEFAULT_SCRUB_BATCH)}.`);
    expect(help).toContain('With a --region of a national plan (US and the other +1 regions, GB)');
    expect(help).toContain('of stdin, whose size is not known, no ETA');
  });

  it('splits a lead file into clean and removed rows, columns kept, and rejects what is no number', async () => {
    const namespace = await registry();
    const leads = join(files.dir, `${namespace}.csv`);
    await writeFile(leads, [
      'id,name,Phone,notes', '1,Ann,(201) 555-0100,"likes ""tea"", coffee"', '2,Bob,+14155550100,', '3,Cy,2125550100,x',
      '4,Di,anonymous,', '5,Ed,9005550100,premium', '6,Fy,12015550101,', '7,Gu,not a number,',
    ].join('\r\n'));
    const [clean, removed, rejects] = ['clean.csv', 'removed.csv', 'rejects.csv'].map((name) => join(files.dir, `${namespace}-${name}`)) as [string, string, string];
    const run = await callguardJson<Record<string, unknown>>(
      namespace, 'scrub', leads, '--lists', 'dnc,us-dnc', '--region', 'US', '-o', clean, '--removed', removed, '--rejects', rejects,
    );
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ rows: 7, clean: 1, removed: 4, rejected: 2, byList: { dnc: 2, 'us-dnc': 2 }, header: 'id,name,Phone,notes' });
    expect(await readFile(clean, 'utf8')).toBe('id,name,Phone,notes\n3,Cy,2125550100,x\n');
    expect(await readFile(removed, 'utf8')).toBe([
      'id,name,Phone,notes,callguard_list,callguard_entry',
      '1,Ann,(201) 555-0100,"likes ""tea"", coffee",us-dnc,+12015550100',
      '2,Bob,+14155550100,,dnc,+14155550100',
      '5,Ed,9005550100,premium,dnc,+1900*',
      '6,Fy,12015550101,,us-dnc,+12015550101',
      '',
    ].join('\n'));
    expect(await readFile(rejects, 'utf8')).toMatch(/^line,raw,reason\n5,anonymous,a hidden or empty number\n8,not a number,/);
  });

  it("names a zip's rejected rows by their member and the line it counts itself, as an import does (measured: lines 5 and 7 of the members joined)", async () => {
    const namespace = await registry();
    const leads = await writeZip(join(files.dir, `${namespace}.zip`), {
      'east.csv': 'id,phone\n1,2015550100\n2,2125550100\n', 'west.csv': '3,4155550100\n4,anonymous\n5,6505550100\n6,not a number\n',
    });
    const [clean, removed, rejects] = ['clean.csv', 'removed.csv', 'rejects.csv'].map((name) => join(files.dir, `${namespace}-zip-${name}`)) as [string, string, string];
    const run = await callguardJson<Record<string, unknown>>(namespace, 'scrub', leads, '--lists', 'dnc,us-dnc', '--region', 'US', '-o', clean, '--removed', removed, '--rejects', rejects);
    expect(run.json).toMatchObject({ rows: 6, clean: 2, removed: 2, rejected: 2 });
    expect((await readFile(rejects, 'utf8')).trim().split('\n').map((row) => [row.split(',')[0], row.split(',')[1], row.split(',').at(-1)])).toEqual([
      ['line', 'raw', 'member'], ['2', 'anonymous', 'west.csv'], ['4', 'not a number', 'west.csv'],
    ]);
  });

  it('reads gzip, and batches: the answers hold across many batches', async () => {
    const namespace = await registry();
    const rows = Array.from({ length: 12_000 }, (_, i) => `201555${String(i % 10_000).padStart(4, '0')}`);
    const leads = join(files.dir, `${namespace}.txt.gz`);
    await writeFile(leads, gzipSync(rows.join('\n')));
    const [clean, removed] = [join(files.dir, `${namespace}-c.txt`), join(files.dir, `${namespace}-r.txt`)];
    const run = await callguard(namespace, 'scrub', leads, '--list', 'us-dnc,dnc', '--region', 'US', '-o', clean, '--removed', removed);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/removed: +4 ->/);
    expect((await readFile(clean, 'utf8')).split('\n').length - 1).toBe(11_996);
    expect(await readFile(removed, 'utf8')).toBe('2015550100,us-dnc,+12015550100\n2015550101,us-dnc,+12015550101\n'.repeat(2));
  });

  it('writes no file and exits 1 when a list does not exist', async () => {
    const namespace = await registry();
    const leads = join(files.dir, `${namespace}-x.csv`);
    await writeFile(leads, '2015550100\n');
    const clean = join(files.dir, `${namespace}-none.csv`);
    const run = await callguard(namespace, 'scrub', leads, '--list', 'nope', '-o', clean, '--removed', `${clean}.r`, '--region', 'US');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/no such list: nope/);
    await expect(readFile(clean)).rejects.toThrow(/ENOENT/);
  });

  it('stops at once, exit 2 and no file written, when a lead file of national numbers has no region (measured: exit 1, every lead rejected and in neither output)', async () => {
    const namespace = await registry();
    const leads = join(files.dir, `${namespace}-national.csv`);
    await writeFile(leads, ['id,phone', ...Array.from({ length: 150 }, (_, i) => `${i},(201) 555-${String(i).padStart(4, '0')}`)].join('\n'));
    const [clean, removed] = [join(files.dir, `${namespace}-nc.csv`), join(files.dir, `${namespace}-nr.csv`)];
    const run = await callguard(namespace, 'scrub', leads, '--list', 'us-dnc', '-o', clean, '--removed', removed);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/100 of the first 100 rows of .* are national numbers \(line 2: "\(201\) 555-0000"\) and no region is set: give the country they are in with --region .*; no file was written\n$/);
    await expect(readFile(clean)).rejects.toThrow(/ENOENT/);
    await expect(readFile(removed)).rejects.toThrow(/ENOENT/);
  });

  it('scrubs a short file of international numbers without a region, a few national ones rejected', async () => {
    const namespace = await registry();
    const leads = join(files.dir, `${namespace}-intl.txt`);
    await writeFile(leads, '+12015550100\n+12125550100\n2015550101\n');
    const [clean, removed] = [join(files.dir, `${namespace}-ic.csv`), join(files.dir, `${namespace}-ir.csv`)];
    const run = await callguardJson<Record<string, unknown>>(namespace, 'scrub', leads, '--list', 'us-dnc', '-o', clean, '--removed', removed);
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ rows: 3, clean: 1, removed: 1, rejected: 1 });
  });

  it('writes no file and exits 20 when a gzip lead file is cut short, naming the line', async () => {
    const namespace = await registry();
    const whole = gzipSync(Array.from({ length: 50_000 }, (_, i) => `212555${String(i % 10_000).padStart(4, '0')}`).join('\n'));
    const leads = join(files.dir, `${namespace}-cut.txt.gz`);
    await writeFile(leads, whole.subarray(0, Math.floor(whole.length / 2)));
    const clean = join(files.dir, `${namespace}-cut-clean.txt`);
    const run = await callguard(namespace, 'scrub', leads, '--list', 'us-dnc', '-o', clean, '--removed', `${clean}.r`, '--region', 'US');
    expect(run.code).toBe(20);
    expect(run.err).toMatch(/^callguard: .*-cut\.txt\.gz is broken at line \d+: .*; no file written\n$/);
    await expect(readFile(clean)).rejects.toThrow(/ENOENT/);
    await expect(readFile(`${clean}.r`)).rejects.toThrow(/ENOENT/);
  });

  it('takes a smaller window and gives the same files; refuses a window that is no whole number, in one line', async () => {
    const namespace = await registry();
    const leads = join(files.dir, `${namespace}-window.csv`);
    await writeFile(leads, ['4155550100', '2125550100', '2015550101', '2015550102', '2015550100', ''].join('\n'));
    const [clean, removed] = ['clean.csv', 'removed.csv'].map((name) => join(files.dir, `${namespace}-window-${name}`)) as [string, string];
    const run = await callguardJson<Record<string, unknown>>(namespace, 'scrub', leads, '--lists', 'dnc,us-dnc', '--region', 'US', '-o', clean, '--removed', removed, '--window', '2');
    expect(run.json).toMatchObject({ rows: 5, clean: 2, removed: 3 });
    expect(await readFile(clean, 'utf8')).toBe('2125550100\n2015550102\n');
    expect(await readFile(removed, 'utf8')).toBe('4155550100,dnc,+14155550100\n2015550101,us-dnc,+12015550101\n2015550100,us-dnc,+12015550100\n');
    const refused = await callguard(namespace, 'scrub', leads, '--lists', 'dnc', '-o', `${clean}.2`, '--removed', `${removed}.2`, '--window', '0');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^callguard: --window: "0" is not a whole number from 1 to 1048576/);
    expect(refused.err.trim().split('\n')).toHaveLength(1);
  });
});
