/**
 * Benchmark of ListStore.check (not a test): three lists of 1M numbers each, check()
 * latency one at a time and throughput with 64 in flight, each beside a bare Redis
 * round trip (PING) measured in the same run, plus Redis memory per stored number.
 * Both check modes run on the same data in the same run: 'per-list' (one script call a
 * list, as on Redis Cluster) and 'one-call' (one script call for all lists, standalone).
 *
 *   npm run bench:check                       # starts its own redis-server
 *   REDIS_URL=redis://127.0.0.1:6379 npm run bench:check   # uses that Redis, own namespace
 *
 * Sizes can be lowered for a quick run: BENCH_NUMBERS=100000 npm run bench:check
 *
 * A route with auto-block rules counts each call inside the same script call
 * (ListStore.checkCounting): the last rows measure that check beside the plain one, on
 * the same lists, callers repeating as harassers do.
 *
 * Prefixes live where they do in practice: in the blocked list, not in the do-not-call
 * files of plain numbers, whose checks then skip the prefix candidates. The worst case,
 * prefixes in every list: BENCH_PREFIXES_IN=all npm run bench:check
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { listKeys } from '../src/lists/keys.js';
import { ListStore, type CheckMode } from '../src/lists/store.js';
import type { CallCounter } from '../src/lists/types.js';
import { startRedisServer, type RunningRedis } from '../test/helpers/redis-server.js';
import { checkedNumber, plainNumber, prefixEntry, timedNumber, type CheckMix } from './helpers/check-mix.js';
import { percentile } from './helpers/percentile.js';

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
/** per mode, in THROUGHPUT_SLICES runs that alternate with the other mode's */
const THROUGHPUT_SECONDS = 6;
const THROUGHPUT_SLICES = 3;

const TARGET_P99_RATIO = 2;
const TARGET_CHECKS_PER_SECOND = 50_000;
const TARGET_BYTES_PER_NUMBER = 50;
const MODES: readonly CheckMode[] = ['per-list', 'one-call'];
/** Callers the counting check cycles through: each calls again and again, as repeat callers do. */
const COUNTED_CALLERS = 1_000;
/** Two auto-block rules filling the last list, as `--auto-block 7/15m:blocked:1h --auto-block 15/24h:blocked:1d` count them. */
const COUNTER_WINDOWS_MS = [15 * 60_000, 86_400_000];

const MIX: CheckMix = { lists: LISTS.length, numbersPerList: NUMBERS_PER_LIST, timedPerList: TIMED_PER_LIST, prefixLists: PREFIX_LISTS, prefixesPerList: PREFIXES_PER_LIST };

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
      member: timedNumber(l, i),
      expiresAt: now + 86_400_000,
    }));
    const prefixes = Array.from({ length: PREFIXES_PER_LIST }, (_, i) => ({ member: prefixEntry(l, i) }));
    for (let i = 0; i < timed.length; i += 500) await store.add(list, timed.slice(i, i + 500), actor);
    if (PREFIX_LISTS.includes(l)) await store.add(list, prefixes, actor);
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

function combined(a: Throughput, b: Throughput): Throughput {
  const checks = a.checks + b.checks;
  return {
    checks,
    seconds: a.seconds + b.seconds,
    hits: a.hits + b.hits,
    clientCpuUs: (a.clientCpuUs * a.checks + b.clientCpuUs * b.checks) / checks,
    redisCpuUs: (a.redisCpuUs * a.checks + b.redisCpuUs * b.checks) / checks,
  };
}

/** `op` resolves true for a hit; PING counts as none. */
async function throughput(redis: Redis, op: (i: number) => Promise<boolean>): Promise<Throughput> {
  const deadline = process.hrtime.bigint() + BigInt((THROUGHPUT_SECONDS / THROUGHPUT_SLICES) * 1e9);
  let checks = 0;
  let hits = 0;
  const redisCpuBefore = await redisCpuSeconds(redis);
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const worker = async (offset: number) => {
    for (let i = offset; process.hrtime.bigint() < deadline; i += IN_FLIGHT) {
      if (await op(i)) hits++;
      checks++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, (_, k) => worker(k)));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const redisCpu = (await redisCpuSeconds(redis)) - redisCpuBefore;
  return { checks, seconds, hits, clientCpuUs: (cpu.user + cpu.system) / checks, redisCpuUs: (redisCpu * 1e6) / checks };
}

/** One line of the report: a value per check mode (or one), the target, and whether each value met it. */
function row(name: string, values: string[], target = '', met: boolean[] = []): string {
  const verdict = met.map((ok) => (ok ? 'ok' : 'MISSED')).join(' / ');
  return `${name.padEnd(36)} ${values.map((v) => v.padStart(15)).join('')}   ${target.padEnd(10)} ${verdict}`;
}

const ms = (samples: number[]) => `${percentile(samples, 50).toFixed(3)} / ${percentile(samples, 99).toFixed(3)}`;

async function main(): Promise<void> {
  const own: RunningRedis | undefined = process.env.REDIS_URL ? undefined : await startRedisServer();
  const url = process.env.REDIS_URL ?? own?.url ?? '';
  const redis = new Redis(url);
  const namespace = `cgbench-${randomBytes(4).toString('hex')}`;
  const store = new ListStore(redis, namespace);
  const stores = new Map(MODES.map((checkMode) => [checkMode, new ListStore(redis, namespace, Date.now, { checkMode })]));
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

    for (const modeStore of stores.values()) {
      for (let i = 0; i < 2_000; i++) await modeStore.check(checkedNumber(MIX, i), LISTS);
    }
    // Rounds alternate PING and each mode's check so that load from elsewhere on the machine hits all alike.
    const ping: number[] = [];
    const check = new Map(MODES.map((mode) => [mode, [] as number[]]));
    const hits = new Map(MODES.map((mode) => [mode, 0]));
    for (let round = 0; round < ROUNDS; round++) {
      await timeEach(ping, OPS_PER_ROUND, () => redis.ping());
      for (const [mode, modeStore] of stores) {
        await timeEach(check.get(mode) ?? [], OPS_PER_ROUND, async (i) => {
          if (await modeStore.check(checkedNumber(MIX, round * OPS_PER_ROUND + i), LISTS)) hits.set(mode, (hits.get(mode) ?? 0) + 1);
        });
      }
    }
    ping.sort((a, b) => a - b);
    for (const samples of check.values()) samples.sort((a, b) => a - b);
    const pingFlight = await throughput(redis, async () => (await redis.ping()) !== 'PONG');
    // Slices alternate between the modes, for the same reason as the rounds above.
    const flight = new Map<CheckMode, Throughput>();
    for (let slice = 0; slice < THROUGHPUT_SLICES; slice++) {
      for (const [mode, modeStore] of stores) {
        const run = await throughput(redis, async (i) => (await modeStore.check(checkedNumber(MIX, i), LISTS)) !== null);
        const before = flight.get(mode);
        flight.set(mode, before ? combined(before, run) : run);
      }
    }
    // Measured last: a SET that just grew may still be rehashing into its larger table, and
    // the query buffers of the bulk load may not be freed yet. used_memory includes the few
    // thousand timed entries with their metadata and audit events; MEMORY USAGE only the SETs.
    const bytesPerNumber = ((await usedMemory(redis)) - memoryBefore) / (LISTS.length * NUMBERS_PER_LIST);
    const keyBytesPerNumber = (await keysBytes(redis, LISTS.map((list) => listKeys(namespace, list).exact))) / (LISTS.length * NUMBERS_PER_LIST);

    // The counting check beside the plain one, one-call and per-list, alternating rounds as above.
    const counting = new Map(MODES.map((mode) => [mode, [] as number[]]));
    const plain = new Map(MODES.map((mode) => [mode, [] as number[]]));
    let callId = 0;
    const counter = (): CallCounter[] => [{ list: 'blocked', scope: 'bench', member: `call-${++callId}`, keep: 15, windowsMs: COUNTER_WINDOWS_MS }];
    const counted = (i: number) => `+1555${String(i % COUNTED_CALLERS).padStart(7, '0')}`;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [mode, modeStore] of stores) {
        await timeEach(plain.get(mode) ?? [], OPS_PER_ROUND, (i) => modeStore.checkEach(counted(i), LISTS));
        await timeEach(counting.get(mode) ?? [], OPS_PER_ROUND, (i) => modeStore.checkCounting(counted(i), LISTS, counter()));
      }
    }
    for (const samples of [...counting.values(), ...plain.values()]) samples.sort((a, b) => a - b);
    const countingFlight = new Map<CheckMode, Throughput>();
    for (let slice = 0; slice < THROUGHPUT_SLICES; slice++) {
      for (const [mode, modeStore] of stores) {
        const run = await throughput(redis, async (i) => (await modeStore.checkCounting(counted(i), LISTS, counter())).results.some((match) => match !== null));
        const before = countingFlight.get(mode);
        countingFlight.set(mode, before ? combined(before, run) : run);
      }
    }
    await redis.del(...(await redis.keys(`${namespace}:*:calls:bench:*`)));

    const pingP99 = percentile(ping, 99);
    const samplesOf = (mode: CheckMode) => check.get(mode) ?? [];
    const flightOf = (mode: CheckMode): Throughput => flight.get(mode) ?? pingFlight;
    const ratios = MODES.map((mode) => percentile(samplesOf(mode), 99) / pingP99);
    const perSecond = MODES.map((mode) => flightOf(mode).checks / flightOf(mode).seconds);
    const ceilings = MODES.map((mode) => 1e6 / Math.max(flightOf(mode).clientCpuUs, flightOf(mode).redisCpuUs));
    const atLeast = (target: number) => (value: number) => value >= target;
    console.log('');
    console.log(row('bare round trip (PING)', ['']));
    console.log(row('PING p50 / p99 (ms)', [ms(ping)]));
    console.log(row(`PINGs/s, ${IN_FLIGHT} in flight`, [Math.round(pingFlight.checks / pingFlight.seconds).toLocaleString('en')]));
    console.log(row('client / Redis CPU per PING (us)', [`${pingFlight.clientCpuUs.toFixed(1)} / ${pingFlight.redisCpuUs.toFixed(1)}`]));
    console.log('');
    console.log(row(`check(${LISTS.length} lists)`, [...MODES], 'target'));
    console.log(row('check p50 / p99 (ms)', MODES.map((mode) => ms(samplesOf(mode)))));
    console.log(row('check p50 / PING p50', MODES.map((mode) => (percentile(samplesOf(mode), 50) / percentile(ping, 50)).toFixed(2))));
    console.log(row('check p99 / PING p99', ratios.map((r) => r.toFixed(2)), `<= ${TARGET_P99_RATIO}`, ratios.map((r) => r <= TARGET_P99_RATIO)));
    console.log(row(`checks/s, ${IN_FLIGHT} in flight`, perSecond.map((v) => Math.round(v).toLocaleString('en')), `>= ${TARGET_CHECKS_PER_SECOND.toLocaleString('en')}`, perSecond.map(atLeast(TARGET_CHECKS_PER_SECOND))));
    console.log(row('client CPU per check (us)', MODES.map((mode) => flightOf(mode).clientCpuUs.toFixed(1))));
    console.log(row('Redis CPU per check (us)', MODES.map((mode) => flightOf(mode).redisCpuUs.toFixed(1))));
    console.log(row('checks/s if each had a free core', ceilings.map((v) => Math.round(v).toLocaleString('en')), `>= ${TARGET_CHECKS_PER_SECOND.toLocaleString('en')}`, ceilings.map(atLeast(TARGET_CHECKS_PER_SECOND))));
    console.log('');
    const countingOf = (mode: CheckMode): Throughput => countingFlight.get(mode) ?? pingFlight;
    console.log(row(`check(${LISTS.length} lists) counting 2 auto-block rules`, [...MODES]));
    console.log(row('plain check p50 / p99 (ms), same callers', MODES.map((mode) => ms(plain.get(mode) ?? []))));
    console.log(row('counting check p50 / p99 (ms)', MODES.map((mode) => ms(counting.get(mode) ?? []))));
    console.log(row('counting p50 / plain p50', MODES.map((mode) => (percentile(counting.get(mode) ?? [], 50) / percentile(plain.get(mode) ?? [], 50)).toFixed(2))));
    console.log(row(`counting checks/s, ${IN_FLIGHT} in flight`, MODES.map((mode) => Math.round(countingOf(mode).checks / countingOf(mode).seconds).toLocaleString('en'))));
    console.log(row('Redis CPU per counting check (us)', MODES.map((mode) => countingOf(mode).redisCpuUs.toFixed(1))));
    console.log('');
    console.log(row('memory', [''], 'target'));
    console.log(row('used_memory per plain number (B)', [bytesPerNumber.toFixed(1)], `<= ${TARGET_BYTES_PER_NUMBER}`, [bytesPerNumber <= TARGET_BYTES_PER_NUMBER]));
    console.log(row('MEMORY USAGE per plain number (B)', [keyBytesPerNumber.toFixed(1)], `<= ${TARGET_BYTES_PER_NUMBER}`, [keyBytesPerNumber <= TARGET_BYTES_PER_NUMBER]));
    console.log('');
    console.log('memory: Redis 7.2 and later store a SET member without a dict entry (redis/redis#11595), about 24 bytes less a number than 7.0');
    console.log(`modes: per-list = one script call a list, sent in one write (Redis Cluster); one-call = one script call for all lists (standalone Redis, the default there)`);
    console.log(`one at a time: ${ping.length} PINGs and ${samplesOf('one-call').length} checks a mode in ${ROUNDS} alternating rounds, hits ${MODES.map((mode) => `${mode} ${(((hits.get(mode) ?? 0) / samplesOf(mode).length) * 100).toFixed(0)}%`).join(', ')}`);
    console.log(`in flight: ${MODES.map((mode) => `${mode} ${flightOf(mode).checks.toLocaleString('en')} checks in ${flightOf(mode).seconds.toFixed(1)} s, ${((flightOf(mode).hits / flightOf(mode).checks) * 100).toFixed(0)}% hits`).join('; ')}`);
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
