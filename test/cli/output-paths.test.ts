import { link, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { listKeys } from '../../src/lists/keys.js';
import { freePort } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';
import { cliTestFiles } from '../import/helpers.js';
import { callguard, namespaceWithLists } from './run-cli.js';

const files = cliTestFiles('callguard-output-paths-');
const UNWRITABLE = '/nonexistent/dir/x.csv';

/** The CLI in-process against a Redis nobody listens on: only a check made before any work can answer. */
async function withoutRedis(...args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const port = await freePort();
  const code = await runCli(['node', 'callguard', '--redis', `redis://127.0.0.1:${port}`, ...args], {
    out: () => undefined,
    err: (text) => (err += text),
  });
  return { code, err };
}

describe('an output path that cannot be written', () => {
  it('import --rejects (measured: "Unhandled \'error\' event ... ENOENT", exit 1) is one line naming it, exit 2, nothing written', async () => {
    const namespace = await namespaceWithLists(files.redis, 'dnc');
    const input = join(files.dir, `input-${namespace}.txt`);
    await writeFile(input, '+4930123456\nbogus\n');
    const run = await callguard(namespace, 'import', input, '--list', 'dnc', '--rejects', UNWRITABLE);
    expect(run.code).toBe(2);
    expect(run.err).toBe(`callguard: cannot write --rejects ${UNWRITABLE}: there is no directory /nonexistent/dir\n`);
    expect(await files.redis.exists(listKeys(namespace, 'dnc').exact)).toBe(0);
  });

  it('export -o (measured: the same crash) is one line naming it, exit 2', async () => {
    const namespace = await namespaceWithLists(files.redis, 'dnc');
    const run = await callguard(namespace, 'export', '--list', 'dnc', '-o', UNWRITABLE);
    expect(run.code).toBe(2);
    expect(run.err).toBe(`callguard: cannot write -o ${UNWRITABLE}: there is no directory /nonexistent/dir\n`);
  });

  it('is refused before Redis is asked or the input opened', async () => {
    const missingInput = join(files.dir, 'missing.txt');
    const rejects = await withoutRedis('--namespace', testNamespace(), 'import', missingInput, '--list', 'dnc', '--rejects', UNWRITABLE);
    const output = await withoutRedis('export', '--list', 'dnc', '-o', UNWRITABLE);
    const directory = await withoutRedis('export', '--list', 'dnc', '-o', files.dir);
    expect([rejects.code, output.code, directory.code]).toEqual([2, 2, 2]);
    expect(rejects.err).toMatch(/--rejects \/nonexistent\/dir\/x\.csv/);
    expect(directory.err).toMatch(/it is a directory/);
  });
});

describe('an output that is the input, or another output', () => {
  it('scrub -o naming the lead file (measured: the clean rows renamed over the leads, the removed ones gone from it) is exit 2, the leads kept', async () => {
    const namespace = await namespaceWithLists(files.redis, 'dnc');
    const leads = join(files.dir, `leads-${namespace}.csv`);
    await writeFile(leads, 'phone\n+4930123456\n');
    const run = await callguard(namespace, 'scrub', leads, '--list', 'dnc', '-o', leads, '--removed', join(files.dir, `removed-${namespace}.csv`));
    expect(run.code).toBe(2);
    expect(run.err).toBe(`callguard: -o ${leads} is the same file as the input; name another file\n`);
    expect(await readFile(leads, 'utf8')).toBe('phone\n+4930123456\n');
  });

  it('scrub -o and --removed naming one file (measured: "unexpected error: EEXIST" and a .partial file left) is exit 2, no file left', async () => {
    const namespace = await namespaceWithLists(files.redis, 'dnc');
    const leads = join(files.dir, `leads-${namespace}.csv`);
    await writeFile(leads, '+4930123456\n');
    const both = join(files.dir, `both-${namespace}.csv`);
    const run = await callguard(namespace, 'scrub', leads, '--list', 'dnc', '-o', both, '--removed', both);
    expect(run.code).toBe(2);
    expect(run.err).toBe(`callguard: --removed ${both} is the same file as -o; name another file\n`);
    expect((await readdir(files.dir)).filter((name) => name.startsWith(`both-${namespace}`))).toEqual([]);
  });

  it('scrub leaves no partial file when an output after the first cannot be opened', async () => {
    const namespace = await namespaceWithLists(files.redis, 'dnc');
    const leads = join(files.dir, `leads-${namespace}.csv`);
    await writeFile(leads, '+4930123456\n');
    const [clean, removed] = [join(files.dir, `clean-${namespace}.csv`), join(files.dir, `removed-${namespace}.csv`)];
    // The in-process CLI's partial name for --removed, taken: its open fails after -o's partial was made.
    await writeFile(`${removed}.partial-${process.pid}`, '');
    const run = await callguard(namespace, 'scrub', leads, '--list', 'dnc', '-o', clean, '--removed', removed);
    expect(run.code).not.toBe(0);
    expect((await readdir(files.dir)).filter((name) => name.startsWith(`clean-${namespace}`))).toEqual([]);
  });

  it('import --rejects naming the file imported (measured: the file overwritten by its rejects while read) is exit 2, the file kept', async () => {
    const namespace = await namespaceWithLists(files.redis, 'dnc');
    const input = join(files.dir, `input-${namespace}.txt`);
    await writeFile(input, '+4930123456\nbogus\n');
    const run = await callguard(namespace, 'import', input, '--list', 'dnc', '--rejects', input);
    expect(run.code).toBe(2);
    expect(run.err).toBe(`callguard: --rejects ${input} is the same file as the input; name another file\n`);
    expect(await readFile(input, 'utf8')).toBe('+4930123456\nbogus\n');
    expect(await files.redis.exists(listKeys(namespace, 'dnc').exact)).toBe(0);
  });

  it('is one file by inode, not by name: a second path to the lead file is refused too', async () => {
    const namespace = await namespaceWithLists(files.redis, 'dnc');
    const leads = join(files.dir, `leads-${namespace}.csv`);
    await writeFile(leads, '+4930123456\n');
    const other = join(files.dir, `link-${namespace}.csv`);
    await link(leads, other);
    const run = await callguard(namespace, 'scrub', leads, '--list', 'dnc', '-o', join(files.dir, `clean-${namespace}.csv`), '--removed', other);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--removed .* is the same file as the input/);
  });
});
