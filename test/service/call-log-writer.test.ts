import type { RedisClient } from '../../src/redis/connect.js';
import { standaloneTarget } from '../helpers/redis.js';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { readCallLog, type CallLogEntry } from '../../src/screening/call-log.js';
import { CallLogSpool } from '../../src/service/call-log-spool.js';
import { CallLogWriter } from '../../src/service/call-log-writer.js';
import { ServiceMetrics } from '../../src/service/metrics.js';
import { createServiceRedis } from '../../src/redis/process-connection.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function entry(channel: string): CallLogEntry {
  return { time: Date.now(), channel, direction: 'inbound', raw: '+4930123456', verdict: 'unavailable', action: 'continue:queues,support,1', decisionMs: 1 };
}

async function setUp(options: { maxPending?: number } = {}) {
  const server = await startRedisServer();
  cleanups.push(() => server.stop());
  const logs = capturedLogger();
  const redis = createServiceRedis(standaloneTarget(server.url), logs.log);
  cleanups.push(() => redis.disconnect());
  await expect.poll(() => redis.status).toBe('ready');
  const namespace = testNamespace();
  const metrics = new ServiceMetrics();
  const dir = await mkdtemp(join(tmpdir(), 'callguard-spool-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const writer = (spool = false): CallLogWriter =>
    new CallLogWriter({ redis, namespace, log: logs.log, metrics, maxPending: options.maxPending, spool: spool ? new CallLogSpool(dir, namespace) : undefined });
  return { server, redis, namespace, metrics, logs, dir, writer };
}

async function channels(redis: RedisClient, namespace: string): Promise<string[]> {
  return (await readCallLog(redis, namespace, { limit: 1000 })).entries.map((logged) => logged.channel).reverse();
}

/** Script calls Redis has run (EVALSHA, and EVAL when a script was not loaded yet). */
async function scriptCalls(redis: RedisClient): Promise<number> {
  const stats = await redis.info('commandstats');
  return [...stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

async function metric(metrics: ServiceMetrics, name: string): Promise<number> {
  const found = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return Number(found?.values[0]?.value ?? Number.NaN);
}

describe('the call-log writer', () => {
  it('keeps the entries Redis cannot take and writes them, in order, once it is back', async () => {
    const { server, redis, namespace, metrics, logs, writer } = await setUp();
    const log = writer();
    log.append(entry('ch-1'));
    await expect.poll(() => log.pending).toBe(0);

    await server.kill();
    for (const channel of ['ch-2', 'ch-3', 'ch-4']) log.append(entry(channel));
    await expect.poll(() => logs.lines().some((line) => line.msg === 'call log: Redis does not take entries; keeping them until it does')).toBe(true);
    expect(await metric(metrics, 'callguard_call_log_pending')).toBe(3);
    log.append(entry('ch-5'));

    await server.restart();
    await expect.poll(() => log.pending, { timeout: 10_000 }).toBe(0);
    // The restarted server kept nothing (no persistence): what it holds came after.
    expect(await channels(redis, namespace)).toEqual(['ch-2', 'ch-3', 'ch-4', 'ch-5']);
    expect(logs.lines().find((line) => line.msg === 'call log: the entries kept while Redis did not take them are written')).toMatchObject({
      written: 4,
      alreadyWritten: 0,
      dropped: 0,
    });
    expect(await metric(metrics, 'callguard_call_log_pending')).toBe(0);
    await log.close();
  });

  it('past its bound drops new entries, counted, each one logged with the entry', async () => {
    const { server, metrics, logs, writer } = await setUp({ maxPending: 2 });
    const log = writer();
    await server.kill();
    for (const channel of ['ch-1', 'ch-2', 'ch-3', 'ch-4']) log.append(entry(channel));
    expect(log.pending).toBe(2);
    expect(await metric(metrics, 'callguard_call_log_dropped_total')).toBe(2);
    const dropped = logs.lines().filter((line) => line.msg === 'call-log entry dropped: too many entries wait for Redis');
    expect(dropped.map((line) => line.channel)).toEqual(['ch-3', 'ch-4']);
    expect(dropped[0]).toMatchObject({ level: 50, entry: { channel: 'ch-3', verdict: 'unavailable' } });
    await log.close();
  });

  it('writes the entries of calls that end close together in one script call, in order', async () => {
    const { redis, namespace, writer } = await setUp();
    const log = writer();
    // The first write loads the script (EVALSHA refused, then EVAL): not what is counted.
    log.append(entry('ch-0'));
    await expect.poll(() => log.pending).toBe(0);
    const before = await scriptCalls(redis);
    for (const channel of ['ch-1', 'ch-2', 'ch-3', 'ch-4', 'ch-5']) log.append(entry(channel));
    await expect.poll(() => log.pending).toBe(0);
    expect((await scriptCalls(redis)) - before).toBe(1);
    expect(await channels(redis, namespace)).toEqual(['ch-0', 'ch-1', 'ch-2', 'ch-3', 'ch-4', 'ch-5']);
    await log.close();
  });

  it('a stop writes the entries still waiting to share a script call', async () => {
    const { redis, namespace, writer } = await setUp();
    const log = writer();
    log.append(entry('ch-1'));
    expect(await log.close()).toEqual({ unwritten: 0 });
    expect(await channels(redis, namespace)).toEqual(['ch-1']);
  });

  it('without a spool, entries still waiting at a stop are logged one by one', async () => {
    const { server, logs, writer } = await setUp();
    const log = writer();
    await server.kill();
    log.append(entry('ch-1'));
    log.append(entry('ch-2'));
    expect(await log.close()).toEqual({ unwritten: 2 });
    const lines = logs.lines().filter((line) => line.msg === 'call-log entry not written: Redis did not take it before the stop');
    expect(lines.map((line) => line.channel)).toEqual(['ch-1', 'ch-2']);
  });

  it('with a spool, entries waiting at a stop are written first by the next start, then the new ones', async () => {
    const { server, redis, namespace, dir, writer } = await setUp();
    const first = writer(true);
    await first.open();
    await server.kill();
    for (const channel of ['ch-1', 'ch-2', 'ch-3']) first.append(entry(channel));
    expect(await first.close()).toEqual({ unwritten: 3 });
    const spooled = (await readFile(join(dir, `${namespace}.call-log.jsonl`), 'utf8')).trim().split('\n');
    expect(spooled.map((line) => (JSON.parse(line) as { entry: CallLogEntry }).entry.channel)).toEqual(['ch-1', 'ch-2', 'ch-3']);

    await server.restart();
    await expect.poll(() => redis.status, { timeout: 10_000 }).toBe('ready');
    const second = writer(true);
    await second.open();
    second.append(entry('ch-4'));
    await expect.poll(() => second.pending, { timeout: 10_000 }).toBe(0);
    expect(await channels(redis, namespace)).toEqual(['ch-1', 'ch-2', 'ch-3', 'ch-4']);
    await second.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it('an entry left in the spool by a crash after Redis took it is not written again at the next start', async () => {
    const { server, redis, namespace, dir, writer } = await setUp();
    const spoolFile = join(dir, `${namespace}.call-log.jsonl`);
    const first = writer(true);
    await first.open();
    await server.kill();
    first.append(entry('ch-1'));
    await expect.poll(() => readFile(spoolFile, 'utf8').catch(() => ''), { timeout: 10_000 }).toContain('ch-1');
    const spooled = await readFile(spoolFile, 'utf8');
    await server.restart();
    await expect.poll(() => first.pending, { timeout: 10_000 }).toBe(0);
    await first.close();
    // As if serve died after Redis took ch-1 and before it removed its spool.
    await writeFile(spoolFile, spooled);

    const second = writer(true);
    await second.open();
    await expect.poll(() => second.pending, { timeout: 10_000 }).toBe(0);
    await second.close();
    expect(await channels(redis, namespace)).toEqual(['ch-1']);
  });

  it('a spool directory in use by another live serve is refused', async () => {
    const { namespace, dir } = await setUp();
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    cleanups.push(() => other.kill('SIGKILL'));
    await writeFile(join(dir, `${namespace}.call-log.lock`), String(other.pid));
    await expect(new CallLogSpool(dir, namespace).open()).rejects.toThrow(`spool directory of another running serve (pid ${other.pid})`);
    other.kill('SIGKILL');
    await new Promise((resolve) => other.once('exit', resolve));
    const taken = new CallLogSpool(dir, namespace);
    await expect(taken.open()).resolves.toEqual({ left: [], unreadable: 0 });
    await taken.close();
  });
});
