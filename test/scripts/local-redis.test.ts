import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { freePort, waitForPing } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';

const LOCAL_REDIS = fileURLToPath(new URL('../../scripts/local-redis.sh', import.meta.url));
/** Redis writes its append-only file on every event-loop turn; this only bounds a broken run. */
const AOF_WRITE_TIMEOUT_MS = 10_000;

interface LocalRedis {
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** what it printed on stdout and stderr */
  output: () => string;
}

/** scripts/local-redis.sh exactly as run-local.sh starts it. */
async function startLocalRedis(port: number, dataDir: string): Promise<LocalRedis> {
  const child = spawn(LOCAL_REDIS, [String(port), dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const redis = { url, child, exited, output: () => output };
  running.push(redis);
  await waitForPing(url);
  return redis;
}

async function aofText(dataDir: string): Promise<string> {
  const dir = join(dataDir, 'appendonlydir');
  const files = await readdir(dir).catch(() => []);
  const texts = await Promise.all(files.map((file) => readFile(join(dir, file), 'latin1')));
  return texts.join('');
}

async function listedAfterRestart(port: number, dataDir: string, namespace: string): Promise<{ exists: boolean; match: unknown }> {
  const redis = await startLocalRedis(port, dataDir);
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  try {
    const store = new ListStore(client, namespace);
    const [match] = await store.checkEach('+493012345678', ['dnc']);
    return { exists: await store.hasList('dnc'), match };
  } finally {
    client.disconnect();
  }
}

const running: LocalRedis[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const redis of running.splice(0)) {
    redis.child.kill('SIGTERM');
    await redis.exited;
  }
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function withList(): Promise<{ port: number; dataDir: string; namespace: string; redis: LocalRedis }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'callguard-local-redis-'));
  dirs.push(dataDir);
  const port = await freePort();
  const namespace = testNamespace();
  const redis = await startLocalRedis(port, dataDir);
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const store = new ListStore(client, namespace);
  await store.createList('dnc', { by: 'test' });
  await store.add('dnc', [{ member: '+493012345678' }], { by: 'alice', reason: 'asked not to be called' });
  client.disconnect();
  return { port, dataDir, namespace, redis };
}

describe("run-local's Redis (scripts/local-redis.sh)", () => {
  it('keeps lists across a stop (SIGTERM) and a start on the same data dir', async () => {
    const { port, dataDir, namespace, redis } = await withList();
    redis.child.kill('SIGTERM');
    await redis.exited;

    const after = await listedAfterRestart(port, dataDir, namespace);
    expect(after.exists).toBe(true);
    expect(after.match).toMatchObject({ list: 'dnc', member: '+493012345678', reason: 'asked not to be called' });
  });

  it('keeps what reached its append-only file across a crash (SIGKILL)', async () => {
    const { port, dataDir, namespace, redis } = await withList();
    const deadline = Date.now() + AOF_WRITE_TIMEOUT_MS;
    while (!(await aofText(dataDir)).includes('+493012345678')) {
      if (Date.now() > deadline) throw new Error('the entry never reached the append-only file');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    redis.child.kill('SIGKILL');
    await redis.exited;

    const after = await listedAfterRestart(port, dataDir, namespace);
    expect(after.match).toMatchObject({ list: 'dnc', member: '+493012345678' });
  });

  it('logs to a file in its data dir, not to the terminal', async () => {
    const { dataDir, redis } = await withList();
    expect(await readFile(join(dataDir, 'redis.log'), 'utf8')).toContain('Ready to accept connections');
    expect(redis.output()).toBe('');
  });
});
