import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testNamespace } from '../helpers/redis.js';
import { listKeys } from '../../src/lists/keys.js';
import { NeedsRegionError, REGION_SAMPLE_ROWS } from '../../src/lists/import/needs-region.js';
import { importChanges } from '../../src/lists/import/changes.js';
import { importList } from '../../src/lists/import/run.js';
import { openSource } from '../../src/lists/import/source.js';
import { ListStore } from '../../src/lists/store.js';
import { callguard } from '../cli/run-cli.js';
import { cliTestFiles, createList, entriesOf, importText, sourceOf } from './helpers.js';

const files = cliTestFiles('callguard-needs-region-');
const redis: Redis = files.redis;

let namespace: string;
beforeEach(async () => {
  namespace = testNamespace();
  await createList(redis, namespace, 'dnc');
});

function nationalLines(count: number): string {
  return Array.from({ length: count }, (_, i) => `030 ${1_000_000 + i}\n`).join('');
}

describe('an import of national numbers without a region', () => {
  it('stops before writing anything, with a hint naming --region and CALLGUARD_REGION', async () => {
    const importing = importText(redis, namespace, 'dnc', `+4930999999\n${nationalLines(5_000)}`);
    await expect(importing).rejects.toThrow(NeedsRegionError);
    await expect(importing).rejects.toThrow(/national numbers \(line 2: "030 1000000"\).*--region.*CALLGUARD_REGION; nothing was imported/);
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual({ exact: [], timed: {} });
    expect(await new ListStore(redis, namespace).audit('dnc')).toHaveLength(1);
  });

  it('stops at once, after the first rows, without reading the file to its end', async () => {
    const input = new PassThrough();
    input.write(nationalLines(REGION_SAMPLE_ROWS));
    // The input is never ended: only a decision on the first rows lets the import return.
    const importing = importList(redis, namespace, {
      list: 'dnc',
      source: await openSource('-', input),
      onDuplicate: 'skip',
      replace: false,
      dryRun: false,
      actor: { by: 'test' },
    });
    await expect(importing).rejects.toThrow(NeedsRegionError);
    input.destroy();
  });

  it('stops a file shorter than the sample, and a replace, too', async () => {
    await expect(importText(redis, namespace, 'dnc', nationalLines(3))).rejects.toThrow(NeedsRegionError);
    await expect(importText(redis, namespace, 'dnc', nationalLines(3), { replace: true })).rejects.toThrow(NeedsRegionError);
  });

  it('imports a mostly international file, rejecting its few national rows as before', async () => {
    const file = `${Array.from({ length: 150 }, (_, i) => `+4930${2_000_000 + i}\n`).join('')}${nationalLines(10)}`;
    expect(await importText(redis, namespace, 'dnc', file)).toMatchObject({ status: 'done', imported: 150, rejected: 10 });
  });

  it('imports the same national file with a region', async () => {
    expect(await importText(redis, namespace, 'dnc', nationalLines(200), { region: 'DE' })).toMatchObject({ imported: 200 });
  });

  it('callguard import exits 2 with the hint as one line', async () => {
    const file = join(files.dir, `national-${namespace}.txt`);
    await writeFile(file, nationalLines(500));
    const { code, out, err } = await callguard(namespace, 'import', file, '--list', 'dnc');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^callguard: 500 of the first 500 rows of .* --region .* CALLGUARD_REGION; nothing was imported\n$/);
    expect(await redis.exists(listKeys(namespace, 'dnc').exact)).toBe(0);
  });
});

describe('import --changes whose additions need a region', () => {
  const LISTED = ['+4930999991', '+4930999992'];

  it('refuses whole before anything is written: the E.164 deletions are not applied, and no changes event', async () => {
    const store = new ListStore(redis, namespace);
    await store.add('dnc', LISTED.map((member) => ({ member })), { by: 'test' });
    const auditBefore = await store.audit('dnc');
    const changing = importChanges(redis, namespace, { list: 'dnc', onDuplicate: 'skip', dryRun: false, actor: { by: 'test' } }, {
      additions: await sourceOf(nationalLines(500)),
      deletions: await sourceOf(`${LISTED.join('\n')}\n`),
    });
    await expect(changing).rejects.toThrow(NeedsRegionError);
    await expect(changing).rejects.toThrow(/500 of the first 500 rows of .*--region.*; nothing was changed/);
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual({ exact: [...LISTED].sort(), timed: {} });
    expect(await store.audit('dnc')).toEqual(auditBefore);
  });

  it('callguard import --changes exits 2 with the hint, the list as it was', async () => {
    await new ListStore(redis, namespace).add('dnc', LISTED.map((member) => ({ member })), { by: 'test' });
    const additions = join(files.dir, `adds-${namespace}.txt`);
    const deletions = join(files.dir, `dels-${namespace}.txt`);
    await writeFile(additions, nationalLines(200));
    await writeFile(deletions, `${LISTED.join('\n')}\n`);
    const { code, err } = await callguard(namespace, 'import', '--changes', additions, deletions, '--list', 'dnc');
    expect(code).toBe(2);
    expect(err).toMatch(/^callguard: 200 of the first 200 rows of .*adds-.* --region .*; nothing was changed\n$/);
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual({ exact: [...LISTED].sort(), timed: {} });
  });
});
