import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { testNamespace } from '../helpers/redis.js';
import { listKeys } from '../../src/lists/keys.js';
import { EXIT_FILE_BROKEN, EXIT_REPLACE_REFUSED } from '../../src/cli/commands/import.js';
import { callguard, callguardJson } from '../cli/run-cli.js';
import { cliTestFiles, createList, importText, numberLines } from './helpers.js';

const files = cliTestFiles('callguard-import-exit-');
const redis = files.redis;

let namespace: string;
beforeEach(async () => {
  namespace = testNamespace();
  await createList(redis, namespace, 'dnc');
  await importText(redis, namespace, 'dnc', numberLines(1_000_000, 1_000));
});

async function fileWith(name: string, content: string | Buffer): Promise<string> {
  const path = join(files.dir, `${namespace}-${name}`);
  await writeFile(path, content);
  return path;
}

const size = () => redis.scard(listKeys(namespace, 'dnc').exact);

describe('callguard import exit codes', () => {
  it('a broken file exits 20 (not 1, as for rejected rows) with one line naming the file and the line', async () => {
    const csv = `number,note\n+4930111,a\n"+4930112,b\n${'+4930113,c\n'.repeat(10_000)}`;
    const replace = await callguard(namespace, 'import', await fileWith('w2.csv', csv), '--list', 'dnc', '--replace');
    expect(replace.code).toBe(EXIT_FILE_BROKEN);
    expect(replace.err).toMatch(/^callguard: .*w2\.csv is broken at line 3: .*quote.*; the replace was not done, list dnc is as it was; .*\n$/);
    expect(replace.out).toMatch(/STOPPED, THE FILE IS BROKEN/);
    expect(await size()).toBe(1_000);

    const plain = await callguard(namespace, 'import', await fileWith('w3.csv', csv), '--list', 'dnc');
    expect(plain.code).toBe(EXIT_FILE_BROKEN);
    expect(plain.err).toMatch(/the rows before line 3 were written \(1 new\), none after it/);
  });

  it('a gzip header followed by garbage (measured: a Node stack trace) is one line, exit 20', async () => {
    const garbage = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), Buffer.from('garbage garbage garbage')]);
    const run = await callguard(namespace, 'import', await fileWith('x.gz', garbage), '--list', 'dnc');
    expect(run.code).toBe(EXIT_FILE_BROKEN);
    expect(run.err.trimEnd().split('\n')).toEqual([expect.stringMatching(/^callguard: .*x\.gz is broken at line 1: the gzip data is corrupt/)]);
  });

  it('a truncated gzip (measured: "unexpected error: unexpected end of file", exit 1) says so, exit 20', async () => {
    const gzip = gzipSync(numberLines(2_000_000, 50_000));
    const run = await callguardJson(namespace, 'import', await fileWith('t.gz', gzip.subarray(0, gzip.length >> 1)), '--list', 'dnc');
    expect(run.code).toBe(EXIT_FILE_BROKEN);
    expect(run.json).toMatchObject({ status: 'broken', broken: { problem: 'the gzip data ends early: the file is truncated' } });
    expect(run.err).not.toMatch(/unexpected error/);
  });

  it('a replace past --max-shrink exits 21 saying old and new sizes; --max-shrink or --force lets it through', async () => {
    const file = await fileWith('small.txt', numberLines(1_000_000, 10));
    const refused = await callguard(namespace, 'import', file, '--list', 'dnc', '--replace');
    expect(refused.code).toBe(EXIT_REPLACE_REFUSED);
    expect(refused.err).toMatch(/^callguard: replace refused: list dnc would shrink from 1000 to 10 entries \(-99%\), more than --max-shrink 10%; .*--force\n$/);
    expect(await size()).toBe(1_000);

    expect((await callguard(namespace, 'import', file, '--list', 'dnc', '--replace', '--max-shrink', '99%')).code).toBe(0);
    expect(await size()).toBe(10);
    const back = await fileWith('back.txt', numberLines(1_000_000, 1));
    expect((await callguard(namespace, 'import', back, '--list', 'dnc', '--replace', '--force')).code).toBe(0);
    expect(await size()).toBe(1);
  });

  it('a replace past --max-rejects exits 21', async () => {
    const file = await fileWith('rejects.txt', `${numberLines(1_000_000, 1_000)}${'bogus\n'.repeat(20)}`);
    const run = await callguard(namespace, 'import', file, '--list', 'dnc', '--replace', '--max-rejects', '10');
    expect(run.code).toBe(EXIT_REPLACE_REFUSED);
    expect(run.err).toMatch(/20 of 1020 rows were rejected \(1\.96%\), more than --max-rejects 10 rows/);
  });

  it('a replace from a file without one valid number exits 21 too', async () => {
    const run = await callguard(namespace, 'import', await fileWith('empty.csv', 'number\nbogus\n'), '--list', 'dnc', '--replace', '--force');
    expect(run.code).toBe(EXIT_REPLACE_REFUSED);
    expect(run.err).toMatch(/would empty list dnc; nothing was changed/);
    expect(await size()).toBe(1_000);
  });

  it('refuses the replace limits without --replace, and bad limits, as usage errors', async () => {
    const file = await fileWith('ok.txt', numberLines(1_000_000, 5));
    const without = await callguard(namespace, 'import', file, '--list', 'dnc', '--max-shrink', '5%');
    const bad = await callguard(namespace, 'import', file, '--list', 'dnc', '--replace', '--max-rejects', 'many');
    expect([without.code, bad.code]).toEqual([2, 2]);
    expect(without.err).toMatch(/--max-shrink limits a replace; add --replace/);
  });
});
