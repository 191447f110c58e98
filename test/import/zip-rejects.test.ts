import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { importList } from '../../src/lists/import/run.js';
import { openSource } from '../../src/lists/import/source.js';
import { ListStore } from '../../src/lists/store.js';
import { callguard, callguardJson } from '../cli/run-cli.js';
import { testNamespace } from '../helpers/redis.js';
import { writeZip } from '../helpers/zip.js';
import { cliTestFiles } from './helpers.js';

const files = cliTestFiles('callguard-zip-rejects-');

/**
 * A zip of area code files, as the FTC ships them: 201.txt (its last line without a
 * line break), 415.txt with a reject on its line 2, 650.txt with rejects on its lines 1
 * and 3 — lines 5, 6 and 8 of the members joined.
 */
async function registryZip(name: string): Promise<string> {
  const members: Record<string, string> = {
    '201.txt': '2015550100\n2015550101\n2015550102',
    '415.txt': '4155550100\n41555501\n4155550102\n',
    '650.txt': '650555010x\n6505550101\n65055501000\n',
  };
  return writeZip(join(files.dir, name), members, new Date('2026-11-30T00:00:00Z'));
}

const REJECTED = [
  { line: 2, member: '415.txt', raw: '41555501' },
  { line: 1, member: '650.txt', raw: '650555010x' },
  { line: 3, member: '650.txt', raw: '65055501000' },
];

describe("a zip's rejected rows", () => {
  let namespace: string;
  beforeEach(async () => {
    namespace = testNamespace();
    await new ListStore(files.redis, namespace).createList('us', { by: 'ops' }, { dense: 'nanp' });
  });

  it('name the member and the line it counts itself, in the summary (measured: lines 5, 6 and 8 of the members joined)', async () => {
    const summary = await importList(files.redis, namespace, {
      list: 'us', source: await openSource(await registryZip(`summary-${namespace}.zip`)), onDuplicate: 'skip', replace: false, dryRun: false, actor: { by: 'ops' }, country: 'US',
    });
    expect(summary).toMatchObject({ status: 'done', rows: 9, imported: 6, rejected: 3 });
    expect(summary.firstRejects).toMatchObject(REJECTED);
  });

  it('and a member that breaks after them is still named by its own line', async () => {
    const path = await writeZip(join(files.dir, `broken-${namespace}.zip`), { '201.txt': '2015550100\n20155501\n', '415.txt': '4155550100\n4155550101\n\u0000\n' });
    const summary = await importList(files.redis, namespace, {
      list: 'us', source: await openSource(path), onDuplicate: 'skip', replace: false, dryRun: false, actor: { by: 'ops' }, country: 'US',
    });
    expect(summary).toMatchObject({ status: 'broken', rejected: 1, firstRejects: [{ line: 2, member: '201.txt' }], broken: { line: 3, member: '415.txt' } });
  });

  it('name the member and its own line in the --rejects file, the text and --json', async () => {
    const zip = await registryZip(`cli-${namespace}.zip`);
    const rejectsPath = join(files.dir, `rejects-${namespace}.csv`);
    const text = await callguard(namespace, 'import', zip, '--list', 'us', '--country', 'US', '--rejects', rejectsPath);
    expect(text.code).toBe(1);
    expect(text.out).toContain('line 2 of 415.txt: "41555501": ');
    expect(text.out).toContain('line 3 of 650.txt: "65055501000": ');
    const rows = (await readFile(rejectsPath, 'utf8')).trim().split('\n');
    expect(rows[0]).toBe('line,raw,reason,member');
    expect(rows.slice(1).map((row) => [row.split(',')[0], row.split(',')[1], row.split(',').at(-1)])).toEqual(REJECTED.map((r) => [String(r.line), r.raw, r.member]));

    const json = await callguardJson<{ firstRejects: unknown[] }>(namespace, 'import', zip, '--list', 'us', '--country', 'US');
    expect(json.json.firstRejects).toMatchObject(REJECTED);
  });
});
