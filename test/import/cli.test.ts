import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisUrl, testNamespace } from '../helpers/redis.js';
import { listKeys } from '../../src/lists/keys.js';
import { cliTestFiles, createList, exitOf, importText, numberLines, spawnCli, waitFor } from './helpers.js';

const files = cliTestFiles('callguard-import-cli-');
const redis: Redis = files.redis;

let namespace: string;
beforeEach(async () => {
  namespace = testNamespace();
  await createList(redis, namespace, 'dnc');
});

const run = (args: string[], stdin?: string) => {
  const child = spawnCli(args, redisUrl(), namespace);
  const exited = exitOf(child);
  child.stdin.end(stdin ?? '');
  return exited;
};

describe('callguard import (the real binary)', () => {
  it('reads stdin with -, exits 0 when nothing is rejected, and prints a JSON summary', async () => {
    const result = await run(['import', '-', '--list', 'dnc', '--region', 'DE', '--json'], '030 1234567\n+4930123456\n');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ source: 'stdin', rows: 2, imported: 2, rejected: 0, status: 'done' });
    expect(result.stderr).toBe('');
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(2);
  });

  it('exits 1 when rows were rejected, and writes them to --rejects with their lines', async () => {
    const rejects = join(files.dir, `rejects-${namespace}.csv`);
    const input = join(files.dir, `input-${namespace}.csv`);
    await writeFile(input, 'number;note\r\n+4930123456;ok\r\nanonymous;hidden\r\n=1+2;formula\r\n');
    const result = await run(['import', input, '--list', 'dnc', '--rejects', rejects]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/imported: +1 new/);
    expect(result.stdout).toMatch(/rejected: +2/);
    const lines = (await readFile(rejects, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('line,raw,reason');
    expect(lines[1]).toMatch(/^3,anonymous,.*hidden/);
    expect(lines[2]).toMatch(/^4,'=1\+2,/);
  });

  it('exits 2 for bad usage: an unknown list, a missing file, a column the header lacks', async () => {
    const input = join(files.dir, `header-${namespace}.csv`);
    await writeFile(input, 'number,date\n+4930123456,2026-01-01\n');
    const unknown = await run(['import', '-', '--list', 'nosuch'], '+4930123456\n');
    const missing = await run(['import', join(files.dir, 'missing.txt'), '--list', 'dnc']);
    const column = await run(['import', input, '--list', 'dnc', '--column', 'phone']);
    expect([unknown.code, missing.code, column.code]).toEqual([2, 2, 2]);
    expect(unknown.stderr).toMatch(/no such list: nosuch/);
    expect(missing.stderr).toMatch(/cannot read .*missing\.txt/);
    expect(column.stderr).toMatch(/--column phone: no such column/);
    expect(await redis.exists(listKeys(namespace, 'dnc').exact)).toBe(0);
  });

  it('Ctrl-C stops reading, keeps whole batches, exits 130; the same file again finishes the job', async () => {
    const child = spawnCli(['import', '-', '--list', 'dnc', '--json'], redisUrl(), namespace);
    const exited = exitOf(child);
    child.stdin.write(numberLines(7_000_000, 20_000));
    await waitFor(async () => (await redis.scard(listKeys(namespace, 'dnc').exact)) > 0, 'the first batch to land');
    child.kill('SIGINT');
    const result = await exited;
    expect(result.code).toBe(130);
    const summary = JSON.parse(result.stdout) as { status: string; imported: number; rows: number };
    expect(summary.status).toBe('interrupted');
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(summary.imported);
    expect(summary.rows).toBe(summary.imported);

    const again = await run(['import', '-', '--list', 'dnc', '--json'], numberLines(7_000_000, 20_000));
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 20_000 - summary.imported, duplicates: summary.imported });
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(20_000);
  });

  it('Ctrl-C during --changes stops the deletions, reads no additions, exits 130 (measured: killed by the signal, no summary)', async () => {
    await importText(redis, namespace, 'dnc', numberLines(7_000_000, 20_000));
    const [additions, deletions] = [join(files.dir, `adds-${namespace}.txt`), join(files.dir, `dels-${namespace}.txt`)];
    await writeFile(additions, numberLines(8_000_000, 10));
    // A pipe the test writes as it likes: the deletions are still being read when the signal comes.
    execFileSync('mkfifo', [deletions]);
    const child = spawnCli(['import', '--changes', additions, deletions, '--list', 'dnc', '--json'], redisUrl(), namespace);
    const exited = exitOf(child);
    child.stdin.end();
    const pipe = createWriteStream(deletions);
    pipe.write(numberLines(7_000_000, 10_000));
    await waitFor(async () => (await redis.scard(listKeys(namespace, 'dnc').exact)) < 20_000, 'the first deletions to land');
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.kill('SIGINT');
    // A read of a pipe holds the process until the pipe gives something: its end, once the summary is out.
    await waitFor(async () => printed.includes('"additions":null') || child.exitCode !== null || child.signalCode !== null, 'the summary of the interrupted change list');
    pipe.end();
    const result = await exited;
    expect(result.code).toBe(130);
    const summary = JSON.parse(result.stdout) as { deletions: { status: string; imported: number }; additions: unknown };
    expect(summary.deletions.status).toBe('interrupted');
    expect(summary.additions).toBeNull();
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(20_000 - summary.deletions.imported);
  });
});
