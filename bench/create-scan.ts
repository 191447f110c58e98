/**
 * Benchmark of the look for bitmaps left behind (not a test): every create whose info is
 * missing walks the whole keyspace with SCAN (scanGenerations in dense-store.ts), so the
 * create of a new name costs a walk of every key a deployment holds. On its own
 * redis-server it writes a keyspace like a big deployment's (default: 300,000 block keys
 * of a dense list and 1,000,000 other keys), then for each SCAN COUNT asked walks it as
 * the create does, and prints the walk's wall time and its longest single SCAN call
 * (Redis' own time, from SLOWLOG: what a check arriving meanwhile waits behind), with a
 * check's latency on another connection during the walk beside its latency alone. Last,
 * the real `createList` of a new ordinary name. The block keys hold one byte, not 1,250:
 * SCAN walks the key table and never reads a value. Load average beside the figures: the
 * machine is shared.
 *
 *   npm run bench:create
 *   BENCH_BLOCKS=300000 BENCH_OTHER=1000000 BENCH_COUNTS=100,1000,10000 npm run bench:create
 */
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { listKeys } from '../src/lists/keys.js';
import { ListStore } from '../src/lists/store.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { percentile } from './helpers/percentile.js';

const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 300_000);
const OTHER = Number(process.env.BENCH_OTHER ?? 1_000_000);
const COUNTS = (process.env.BENCH_COUNTS ?? '100,1000,5000,10000').split(',').map(Number);
/** Keys written per pipeline while the keyspace is filled. */
const FILL_BATCH = 10_000;
const NAMESPACE = 'bench-create';
/** The first block id of the NANP plan's block ids (dense.ts: calling code and 6 digits). */
const FIRST_BLOCK = 1_201_000;

const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');

async function fill(redis: Redis): Promise<void> {
  const root = listKeys(NAMESPACE, 'registry').dense;
  for (let i = 0; i < BLOCKS; i += FILL_BATCH) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(BLOCKS, i + FILL_BATCH); j += 1) pipeline.set(`${root}:gen1:${FIRST_BLOCK + j}`, '\x01');
    await pipeline.exec();
  }
  for (let i = 0; i < OTHER; i += FILL_BATCH) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(OTHER, i + FILL_BATCH); j += 1) pipeline.set(`${NAMESPACE}:other:${j}`, 'x');
    await pipeline.exec();
  }
}

/** SCAN calls Redis ran since the slowlog was reset, their durations in us. */
async function scanDurations(redis: Redis): Promise<number[]> {
  const entries = (await redis.call('SLOWLOG', 'GET', '-1')) as [number, number, number, string[]][];
  return entries.filter(([, , , args]) => String(args[0]).toUpperCase() === 'SCAN').map(([, , us]) => us);
}

/** Checks of a listed number, one after the other on their own connection, until `done`; each one's latency in ms. */
async function checksUntil(store: ListStore, done: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  while (!done()) {
    const start = performance.now();
    if ((await store.check('+14155550100', ['dnc'])) === null) throw new Error('a listed number read as not listed');
    latencies.push(performance.now() - start);
  }
  return latencies;
}

function summary(latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  return `checks ${sorted.length}, p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${(sorted.at(-1) ?? Number.NaN).toFixed(2)} ms`;
}

const server = await startRedisServer();
const redis = new Redis(server.url);
const checker = new Redis(server.url);
try {
  const checks = new ListStore(checker, NAMESPACE);
  await checks.createList('dnc', { by: 'bench' });
  await checks.add('dnc', [{ member: '+14155550100' }], { by: 'bench' });
  const filling = performance.now();
  await fill(redis);
  console.log(`keyspace: ${await redis.dbsize()} keys (${BLOCKS} block keys of a dense list, ${OTHER} others), written in ${((performance.now() - filling) / 1000).toFixed(1)} s; load ${load()}`);
  let quiet = true;
  const alone = checksUntil(checks, () => !quiet);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  quiet = false;
  console.log(`a check alone (2 s): ${summary(await alone)}`);

  await redis.config('SET', 'slowlog-log-slower-than', '0');
  await redis.config('SET', 'slowlog-max-len', '1000000');
  const root = listKeys(NAMESPACE, 'new-list').dense;
  for (const count of COUNTS) {
    await redis.slowlog('RESET');
    let walking = true;
    const during = checksUntil(checks, () => !walking);
    const start = performance.now();
    let cursor = '0';
    let calls = 0;
    do {
      [cursor] = await redis.scan(cursor, 'MATCH', `${root}:*`, 'COUNT', count);
      calls += 1;
    } while (cursor !== '0');
    const wall = performance.now() - start;
    walking = false;
    const latencies = await during;
    const durations = (await scanDurations(redis)).sort((a, b) => a - b);
    console.log(
      `COUNT ${count}: ${calls} SCAN calls, walk ${(wall / 1000).toFixed(2)} s, longest SCAN ${((durations.at(-1) ?? Number.NaN) / 1000).toFixed(2)} ms ` +
        `(p50 ${(percentile(durations, 50) / 1000).toFixed(2)} ms); during it ${summary(latencies)}; load ${load()}`,
    );
  }
  await redis.config('SET', 'slowlog-log-slower-than', '10000');

  const store = new ListStore(redis, NAMESPACE);
  let creating = true;
  const during = checksUntil(checks, () => !creating);
  const start = performance.now();
  await store.createList('new-list', { by: 'bench' });
  const wall = performance.now() - start;
  creating = false;
  console.log(`createList of a new ordinary name: ${(wall / 1000).toFixed(2)} s; during it ${summary(await during)}; load ${load()}`);
} finally {
  redis.disconnect();
  checker.disconnect();
  await server.stop();
}
