import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import type { RedisClient } from '../../src/redis/connect.js';
import { afterAll, beforeAll } from 'vitest';
import { listKeys, stagingPattern } from '../../src/lists/keys.js';
import { importList, type ImportRequest } from '../../src/lists/import/run.js';
import { openSource } from '../../src/lists/import/source.js';
import type { ImportSummary } from '../../src/lists/import/summary.js';
import { ListStore } from '../../src/lists/store.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

/**
 * For one test file that runs the CLI on files: a Redis client and a temporary directory
 * (`dir`, named `<prefix>…`, made before the file's tests), both gone after them.
 */
export function cliTestFiles(prefix: string): { redis: Redis; readonly dir: string } {
  const redis = testRedis();
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await redis.quit();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  return {
    redis,
    get dir(): string {
      if (dir === undefined) throw new Error('cliTestFiles: the directory is made in beforeAll; read dir inside a test');
      return dir;
    },
  };
}

/** An import source over bytes in memory, read like stdin. */
export function sourceOf(content: string | Buffer) {
  return openSource('-', Readable.from([Buffer.isBuffer(content) ? content : Buffer.from(content)]));
}

export async function importText(
  redis: RedisClient,
  namespace: string,
  list: string,
  content: string | Buffer,
  request: Partial<ImportRequest> = {},
): Promise<ImportSummary> {
  return importList(redis, namespace, {
    list,
    source: await sourceOf(content),
    onDuplicate: 'skip',
    replace: false,
    dryRun: false,
    actor: { by: 'test', reason: 'test import' },
    ...request,
  });
}

export async function createList(redis: Redis, namespace: string, list: string): Promise<void> {
  await new ListStore(redis, namespace).createList(list, { by: 'test' });
}

/** Where each import test starts: a namespace of its own holding a list `dnc`, loaded with `seed` when given. */
export async function freshDncList(redis: Redis, seed?: string): Promise<{ namespace: string; store: ListStore }> {
  const namespace = testNamespace();
  await createList(redis, namespace, 'dnc');
  if (seed !== undefined) await importText(redis, namespace, 'dnc', seed);
  return { namespace, store: new ListStore(redis, namespace) };
}

/** The list's entries as the store holds them: never-expiring numbers, and timed members with their scores. */
export async function entriesOf(redis: Redis, namespace: string, list: string) {
  const keys = listKeys(namespace, list);
  const exact = (await redis.smembers(keys.exact)).sort();
  const flat = await redis.zrange(keys.timed, '0', '-1', 'WITHSCORES');
  const timed: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) timed[flat[i] as string] = flat[i + 1] as string;
  return { exact, timed };
}

/** Polls until `probe` returns true (state, not time, decides), at every turn of the event loop. */
export async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  await until(probe, what, { timeoutMs, pollMs: 0 });
}

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The real CLI as a child process, with the test's Redis and namespace. */
export function spawnCli(args: string[], url: string, namespace: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, REDIS_URL: url, CALLGUARD_NAMESPACE: namespace },
  });
}

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function exitOf(child: ChildProcessWithoutNullStreams): Promise<Exited> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Numbers +4930<7 digits> from `from`, one a line. */
export function numberLines(from: number, count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += `+4930${from + i}\n`;
  return text;
}

/** Members the staging keys of `list`'s replaces hold together: how far a running replace built its new list. */
export async function stagedMembers(redis: Redis, namespace: string, list: string): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', stagingPattern(namespace, list), 'COUNT', 1000);
    for (const key of keys) total += key.endsWith(':exact') ? await redis.scard(key) : await redis.zcard(key);
    cursor = next;
  } while (cursor !== '0');
  return total;
}
