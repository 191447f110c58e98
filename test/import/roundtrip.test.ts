import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisUrl, testNamespace } from '../helpers/redis.js';
import { ListStore } from '../../src/lists/store.js';
import { cliTestFiles, createList, entriesOf, exitOf, importText, numberLines, spawnCli } from './helpers.js';

const files = cliTestFiles('callguard-roundtrip-');
const redis: Redis = files.redis;

async function cli(namespace: string, args: string[]) {
  const child = spawnCli(args, redisUrl(), namespace);
  const exited = exitOf(child);
  child.stdin.end();
  return exited;
}

describe('export then import', () => {
  it('reproduces the list exactly: numbers, prefixes and expiries, through a gzip file', async () => {
    const namespace = testNamespace();
    const store = new ListStore(redis, namespace);
    await createList(redis, namespace, 'source');
    await createList(redis, namespace, 'copy');
    const inADay = Date.now() + 86_400_000 + 123;
    const inAYear = Date.now() + 365 * 86_400_000 + 7;
    await importText(redis, namespace, 'source', numberLines(1_000_000, 3_000));
    await store.add('source', [{ member: '+4915112345678', expiresAt: inADay }, { member: '+1900*' }, { member: '+49900*', expiresAt: inAYear }], {
      by: 'alice',
      reason: 'mixed, with "quotes", and commas',
    });

    const file = join(files.dir, 'source.csv.gz');
    const exported = await cli(namespace, ['export', '--list', 'source', '-o', file]);
    expect(exported.code).toBe(0);
    const bytes = await readFile(file);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(bytes).toString().split('\n')[0]).toBe('number,expires,reason,by,added');

    const imported = await cli(namespace, ['import', file, '--list', 'copy', '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ gzip: true, imported: 3_003, rejected: 0 });
    expect(await entriesOf(redis, namespace, 'copy')).toEqual(await entriesOf(redis, namespace, 'source'));
  });

  it('export --gzip to stdout writes gzip that import reads from stdin', async () => {
    const namespace = testNamespace();
    await createList(redis, namespace, 'source');
    await createList(redis, namespace, 'copy');
    await importText(redis, namespace, 'source', '+4930123456\n+1900*\n');
    const child = spawnCli(['export', '--list', 'source', '--gzip'], redisUrl(), namespace);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const exited = exitOf(child);
    child.stdin.end();
    expect((await exited).code).toBe(0);
    const gz = Buffer.concat(chunks);
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);

    const summary = await importText(redis, namespace, 'copy', gz);
    expect(summary).toMatchObject({ gzip: true, imported: 2 });
    expect(await entriesOf(redis, namespace, 'copy')).toEqual(await entriesOf(redis, namespace, 'source'));
  });
});
