/**
 * Benchmark of ListStore.check (not a test): three lists of 1M numbers each, check()
 * latency one at a time and throughput with 64 in flight, each beside a bare Redis
 * round trip (PING) measured in the same run, plus Redis memory per stored number.
 *
 *   npm run bench:check                       # starts its own redis-server
 *   REDIS_URL=redis://127.0.0.1:6379 npm run bench:check   # uses that Redis, own namespace
 *
 * Sizes can be lowered for a quick run: BENCH_NUMBERS=100000 npm run bench:check
 *
 * Prefixes live where they do in practice: in the blocked list, not in the do-not-call
 * files of plain numbers, whose checks then skip the prefix candidates. The worst case,
 * prefixes in every list: BENCH_PREFIXES_IN=all npm run bench:check
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { listKeys } from '../src/lists/keys.js';
import { ListStore } from '../src/lists/store.js';
import { startRedisServer, type RunningRedis } from '../test/helpers/redis-server.js';

const NUMBERS_PER_LIST = Number(process.env.BENCH_NUMBERS ?? 1_000_000);
const LISTS = ['dnc-national', 'dnc-company', 'blocked'];
const PREFIX_LISTS = process.env.BENCH_PREFIXES_IN === 'all' ? LISTS.map((_, l) => l) : [LISTS.indexOf('blocked')];
const TIMED_PER_LIST = 2_000;
const PREFIXES_PER_LIST = 100;
const SADD_BATCH = 10_000;
const LOAD_IN_FLIGHT = 8;
const ROUNDS = 10;
const OPS_PER_ROUND = 2_000;
const IN_FLIGHT = 64;
const THROUGHPUT_SECONDS = 5;

const TARGET_P99_RATIO = 2;
const TARGET_CHECKS_PER_SECOND = 50_000;
const TARGET_BYTES_PER_NUMBER = 50;

/** The n-th plain number of list l: +1 20<l> <n, 7 digits>, 12 characters like a US number. */
function plainNumber(list: number, n: number): string {
  return `+120${list}${String(n).padStart(7, '0')}`;
}

function percentile(sortedMs: number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))] ?? Number.NaN;
}

async function timeEach(samples: number[], count: number, op: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await op(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const match = /used_memory:(\d+)/.exec(info);
  if (!match?.[1]) throw new Error('INFO memory has no used_memory');
  return Number(match[1]);
}

async function loadNumbers(redis: Redis, key: string, numberOf: (n: number) => string): Promise<void> {
  let pending: Promise<unknown>[] = [];
  for (let from = 0; from < NUMBERS_PER_LIST; from += SADD_BATCH) {
    const batch: string[] = [];
    for (let n = from; n < Math.min(from + SADD_BATCH, NUMBERS_PER_LIST); n++) batch.push(numberOf(n));
    pending.push(redis.sadd(key, ...batch));
    if (pending.length >= LOAD_IN_FLIGHT) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
}

/** Exact size of keys (every member counted), unlike used_memory which also moves with client buffers. */
async function keysBytes(redis: Redis, keys: string[]): Promise<number> {
  let total = 0;
  for (const key of keys) total += Number(await redis.memory('USAGE', key, 'SAMPLES', 0));
  return total;
}

async function loadTimedAndPrefixes(store: ListStore, now: number): Promise<void> {
  const actor = { by: 'bench', reason: 'benchmark', source: 'bench' };
  for (const [l, list] of LISTS.entries()) {
    const timed = Array.from({ length: TIMED_PER_LIST }, (_, i) => ({
      member: `+4916${l}${String(i).padStart(7, '0')}`,
      expiresAt: now + 86_400_000,
    }));
    const prefixes = Array.from({ length: PREFIXES_PER_LIST }, (_, i) => ({ member: `+1900${l}${String(i).padStart(3, '0')}*` }));
    for (let i = 0; i < timed.length; i += 500) await store.add(list, timed.slice(i, i + 500), actor);
    if (PREFIX_LISTS.includes(l)) await store.add(list, prefixes, actor);
  }
}

/** Half hits (plain, timed and prefix, in every list) and half misses. */
function checkedNumber(i: number): string {
  const l = i % LISTS.length;
  const n = (i * 7919) % NUMBERS_PER_LIST;
  switch (i % 8) {
    case 0:
    case 1:
      return plainNumber(l, n);
    case 2:
      return `+4916${l}${String(n % TIMED_PER_LIST).padStart(7, '0')}`;
    case 3:
      return `+1900${PREFIX_LISTS[i % PREFIX_LISTS.length]}${String(n % PREFIXES_PER_LIST).padStart(3, '0')}5550`;
    default:
      return `+121${l}${String(n).padStart(7, '0')}`;
  }
}

/** CPU seconds Redis has used (main thread and I/O), from INFO cpu. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

interface Throughput {
  checks: number;
  seconds: number;
  hits: number;
  /** CPU microseconds per check spent by this process and by Redis */
  clientCpuUs: number;
  redisCpuUs: number;
}

async function throughput(store: ListStore, redis: Redis): Promise<Throughput> {
  const deadline = process.hrtime.bigint() + BigInt(THROUGHPUT_SECONDS * 1e9);
  let checks = 0;
  let hits = 0;
  const redisCpuBefore = await redisCpuSeconds(redis);
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const worker = async (offset: number) => {
    for (let i = offset; process.hrtime.bigint() < deadline; i += IN_FLIGHT) {
      if (await store.check(checkedNumber(i), LISTS)) hits++;
      checks++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, (_, k) => worker(k)));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const redisCpu = (await redisCpuSeconds(redis)) - redisCpuBefore;
  return { checks, seconds, hits, clientCpuUs: (cpu.user + cpu.system) / checks, redisCpuUs: (redisCpu * 1e6) / checks };
}

function row(name: string, value: string, target: string, ok: boolean | null): string {
  const verdict = ok === null ? '' : ok ? 'ok' : 'MISSED';
  return `${name.padEnd(36)} ${value.padStart(14)}   ${target.padEnd(14)} ${verdict}`;
}

async function main(): Promise<void> {
  const own: RunningRedis | undefined = process.env.REDIS_URL ? undefined : await startRedisServer();
  const url = process.env.REDIS_URL ?? own?.url ?? '';
  const redis = new Redis(url);
  const namespace = `cgbench-${randomBytes(4).toString('hex')}`;
  const store = new ListStore(redis, namespace);
  try {
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
    console.log(`callguard check benchmark: ${LISTS.length} lists x ${NUMBERS_PER_LIST.toLocaleString('en')} numbers, Redis ${version} at ${url}`);
    for (const list of LISTS) await store.createList(list, { by: 'bench' });

    const memoryBefore = await usedMemory(redis);
    let started = Date.now();
    for (const [l, list] of LISTS.entries()) await loadNumbers(redis, listKeys(namespace, list).exact, (n) => plainNumber(l, n));
    console.log(`loaded ${(LISTS.length * NUMBERS_PER_LIST).toLocaleString('en')} plain numbers in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    started = Date.now();
    await loadTimedAndPrefixes(store, Date.now());
    console.log(`added ${LISTS.length * TIMED_PER_LIST} timed entries and ${PREFIX_LISTS.length * PREFIXES_PER_LIST} prefixes (in ${PREFIX_LISTS.map((l) => LISTS[l]).join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    for (let i = 0; i < 2_000; i++) await store.check(checkedNumber(i), LISTS);
    // Rounds alternate PING and check so that load from elsewhere on the machine hits both alike.
    const ping: number[] = [];
    const check: number[] = [];
    let hits = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await timeEach(ping, OPS_PER_ROUND, () => redis.ping());
      await timeEach(check, OPS_PER_ROUND, async (i) => {
        if (await store.check(checkedNumber(round * OPS_PER_ROUND + i), LISTS)) hits++;
      });
    }
    ping.sort((a, b) => a - b);
    check.sort((a, b) => a - b);
    const flight = await throughput(store, redis);
    // Measured last: a SET that just grew may still be rehashing into its larger table, and
    // the query buffers of the bulk load may not be freed yet. used_memory includes the few
    // thousand timed entries with their metadata and audit events; MEMORY USAGE only the SETs.
    const bytesPerNumber = ((await usedMemory(redis)) - memoryBefore) / (LISTS.length * NUMBERS_PER_LIST);
    const keyBytesPerNumber = (await keysBytes(redis, LISTS.map((list) => listKeys(namespace, list).exact))) / (LISTS.length * NUMBERS_PER_LIST);

    const ratio = percentile(check, 99) / percentile(ping, 99);
    const perSecond = flight.checks / flight.seconds;
    console.log('');
    console.log(row('measure', 'value', 'target', null));
    console.log(row('PING p50 / p99 (ms)', `${percentile(ping, 50).toFixed(3)} / ${percentile(ping, 99).toFixed(3)}`, '', null));
    console.log(row(`check(${LISTS.length} lists) p50 / p99 (ms)`, `${percentile(check, 50).toFixed(3)} / ${percentile(check, 99).toFixed(3)}`, '', null));
    console.log(row('check p50 / PING p50', (percentile(check, 50) / percentile(ping, 50)).toFixed(2), '', null));
    console.log(row('check p99 / PING p99', ratio.toFixed(2), `<= ${TARGET_P99_RATIO}`, ratio <= TARGET_P99_RATIO));
    console.log(row(`checks/s, ${IN_FLIGHT} in flight`, Math.round(perSecond).toLocaleString('en'), `>= ${TARGET_CHECKS_PER_SECOND.toLocaleString('en')}`, perSecond >= TARGET_CHECKS_PER_SECOND));
    console.log(row('client CPU per check (us)', flight.clientCpuUs.toFixed(1), '', null));
    console.log(row('Redis CPU per check (us)', flight.redisCpuUs.toFixed(1), '', null));
    const ceiling = 1e6 / Math.max(flight.clientCpuUs, flight.redisCpuUs);
    console.log(row('checks/s if each had a free core', Math.round(ceiling).toLocaleString('en'), `>= ${TARGET_CHECKS_PER_SECOND.toLocaleString('en')}`, ceiling >= TARGET_CHECKS_PER_SECOND));
    console.log(row('used_memory per plain number (B)', bytesPerNumber.toFixed(1), `<= ${TARGET_BYTES_PER_NUMBER}`, bytesPerNumber <= TARGET_BYTES_PER_NUMBER));
    console.log(row('MEMORY USAGE per plain number (B)', keyBytesPerNumber.toFixed(1), `<= ${TARGET_BYTES_PER_NUMBER}`, keyBytesPerNumber <= TARGET_BYTES_PER_NUMBER));
    console.log('');
    console.log('memory: Redis 7.2 and later store a SET member without a dict entry (redis/redis#11595), about 24 bytes less a number than 7.0');
    console.log(`one at a time: ${ping.length} PINGs and ${check.length} checks in ${ROUNDS} alternating rounds, ${((hits / check.length) * 100).toFixed(0)}% hits`);
    console.log(`in flight: ${flight.checks.toLocaleString('en')} checks in ${flight.seconds.toFixed(1)} s, ${((flight.hits / flight.checks) * 100).toFixed(0)}% hits`);
    console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes compete with Node and Redis)`);
  } finally {
    if (!own) {
      for (const list of LISTS) await store.removeList(list, { by: 'bench' });
      await redis.del(...LISTS.map((list) => listKeys(namespace, list).audit), `${namespace}:lists`);
    }
    redis.disconnect();
    await own?.stop();
  }
}

await main();
