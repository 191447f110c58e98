import { writeFile } from 'node:fs/promises';
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
