/**
 * Benchmark of `callguard import` (not a test). Generates N numbers in mixed formats
 * (E.164, national with region DE, spaced, 00-prefixed; 1% garbage) into a temp file,
 * imports it with the CLI as shipped (compiled JavaScript, as the `callguard` bin runs;
 * built into a private folder first) in a child process, so its peak RSS is its own, and puts
 * it beside the raw limit measured in the same run: `redis-cli --pipe` of the same
 * numbers, already normalized, into a SET (the key type the import writes), once as one
 * SADD a number (classic mass insertion) and once as SADDs of 5,000 (the import's batch).
 *
 *   npm run bench:import                      # 2M numbers, own redis-server
 *   npm run bench:import -- --10m             # 2M, then 10M
 *   BENCH_SIZES=200000 npm run bench:import   # quick run
 *   REDIS_URL=redis://127.0.0.1:6379 npm run bench:import   # that Redis, own namespace
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { listKeys } from '../src/lists/keys.js';
import { ListStore } from '../src/lists/store.js';
import { startRedisServer, type RunningRedis } from '../test/helpers/redis-server.js';
import { buildCli, root } from './helpers/build-cli.js';
import { watchPeakRss } from './helpers/peak-rss.js';
import { generate, RAW_BATCH } from './helpers/numbers-file.js';

const SIZES = (process.env.BENCH_SIZES ?? (process.argv.includes('--10m') ? '2000000,10000000' : '2000000'))
  .split(',')
  .map(Number);

const TARGET_SECONDS_FOR_2M = 30;
const TARGET_PEAK_RSS_MB = 250;
const TARGET_RAW_RATIO = 0.35;

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}


interface ImportRun {
  seconds: number;
  peakRssMb: number;
  summary: { rows: number; imported: number; duplicates: number; rejected: number; seconds: number };
}

async function runImport(cli: string, file: string, url: string, namespace: string, list: string): Promise<ImportRun> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [cli, 'import', file, '--list', list, '--region', 'DE', '--json'],
    { cwd: root, env: { ...process.env, REDIS_URL: url, CALLGUARD_NAMESPACE: namespace }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const peakRss = watchPeakRss(child);
  const [code] = (await once(child, 'exit')) as [number | null];
  const peakRssMb = peakRss();
  const seconds = (performance.now() - started) / 1000;
  // Exit code 1 is expected: the 1% garbage rows are rejected.
  if (code !== 0 && code !== 1) throw new Error(`import exited with ${code}: ${out}`);
  return { seconds, peakRssMb, summary: JSON.parse(out) as ImportRun['summary'] };
}

async function pipeRaw(file: string, url: string): Promise<number> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  const child = spawn('redis-cli', ['-h', hostname, '-p', port || '6379', '--pipe'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  createReadStream(file).pipe(child.stdin);
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0 || !/errors: 0/.test(out)) throw new Error(`redis-cli --pipe failed (${code}): ${out}`);
  return (performance.now() - started) / 1000;
}

async function benchSize(cli: string, redis: Redis, url: string, dir: string, count: number): Promise<Record<string, number | string | boolean>> {
  const namespace = `bench-import-${randomBytes(4).toString('hex')}`;
  const list = 'dnc';
  const rawKey = (shape: string): string => `${namespace}:{raw}:${shape}`;
  const generatedAt = performance.now();
  const files = await generate(dir, count, rawKey);
  const inputMb = (await stat(files.input)).size / 1e6;
  console.log(`  generated ${count} rows (${inputMb.toFixed(0)} MB) in ${((performance.now() - generatedAt) / 1000).toFixed(1)} s`);

  const store = new ListStore(redis, namespace);
  await store.createList(list, { by: 'bench' });
  const before = await usedMemory(redis);
  const run = await runImport(cli, files.input, url, namespace, list);
  const keys = listKeys(namespace, list);
  const stored = await redis.scard(keys.exact);
  const bytesPerNumber = ((await usedMemory(redis)) - before) / stored;

  const rawSingleSeconds = await pipeRaw(files.rawSingle, url);
  const beforeRaw = await usedMemory(redis);
  const rawBatchedSeconds = await pipeRaw(files.rawBatched, url);
  const rawStored = await redis.scard(rawKey('batched'));
  const rawBytesPerNumber = ((await usedMemory(redis)) - beforeRaw) / rawStored;
  if (rawStored !== stored) throw new Error(`the raw pipe stored ${rawStored} numbers, the import ${stored}`);

  await redis.unlink(keys.exact, keys.timed, keys.info, keys.audit, rawKey('single'), rawKey('batched'));
  await redis.srem(`${namespace}:lists`, list);
  await Promise.all([files.input, files.rawSingle, files.rawBatched].map((file) => rm(file, { force: true })));

  const rate = count / run.seconds;
  return {
    numbers: count,
    stored,
    rejected: run.summary.rejected,
    seconds: Number(run.seconds.toFixed(2)),
    importSecondsInProcess: Number(run.summary.seconds.toFixed(2)),
    numbersPerSecond: Math.round(rate),
    peakRssMb: Number(run.peakRssMb.toFixed(0)),
    redisBytesPerNumber: Number(bytesPerNumber.toFixed(1)),
    rawRedisBytesPerNumber: Number(rawBytesPerNumber.toFixed(1)),
    rawSinglePerSecond: Math.round(files.valid / rawSingleSeconds),
    rawBatchedPerSecond: Math.round(files.valid / rawBatchedSeconds),
    ratioToRawSingle: Number((rate / (files.valid / rawSingleSeconds)).toFixed(2)),
    ratioToRawBatched: Number((rate / (files.valid / rawBatchedSeconds)).toFixed(2)),
  };
}

async function main(): Promise<void> {
  let server: RunningRedis | undefined;
  const url = process.env.REDIS_URL ?? (server = await startRedisServer()).url;
  const redis = new Redis(url);
  const dir = await mkdtemp(join(tmpdir(), 'callguard-bench-import-'));
  let build: ReturnType<typeof buildCli> | undefined;
  try {
    build = buildCli('bench-import');
    const { cli } = build;
    console.log(`bench:import on ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, redis ${server ? 'own' : url}`);
    const results = [];
    for (const count of SIZES) {
      console.log(`${count} numbers:`);
      const result = await benchSize(cli, redis, url, dir, count);
      results.push(result);
      console.log(`  import     ${result.seconds} s end to end (${result.importSecondsInProcess} s inside), ${result.numbersPerSecond} numbers/s, peak RSS ${result.peakRssMb} MB, Redis ${result.redisBytesPerNumber} B/number (raw SET: ${result.rawRedisBytesPerNumber})`);
      console.log(`  raw pipe   ${result.rawSinglePerSecond}/s (one SADD a number), ${result.rawBatchedPerSecond}/s (SADD of ${RAW_BATCH})`);
      console.log(`  ratio      ${result.ratioToRawSingle} of one-SADD-a-number, ${result.ratioToRawBatched} of batched SADD`);
      const seconds2M = (Number(result.seconds) * 2_000_000) / count;
      console.log(
        `  targets    2M in <= ${TARGET_SECONDS_FOR_2M} s: ${seconds2M <= TARGET_SECONDS_FOR_2M ? 'met' : 'MISSED'} (${seconds2M.toFixed(1)} s scaled) · ` +
          `RSS <= ${TARGET_PEAK_RSS_MB} MB: ${Number(result.peakRssMb) <= TARGET_PEAK_RSS_MB ? 'met' : 'MISSED'} · ` +
          `>= ${TARGET_RAW_RATIO * 100}% of raw: ${Number(result.ratioToRawSingle) >= TARGET_RAW_RATIO ? 'met' : 'MISSED'} (one SADD a number), ` +
          `${Number(result.ratioToRawBatched) >= TARGET_RAW_RATIO ? 'met' : 'MISSED'} (batched)`,
      );
    }
    console.log(JSON.stringify({ bench: 'import', load: loadavg(), results }));
  } finally {
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
    await build?.remove();
    await server?.stop();
  }
}

await main();
