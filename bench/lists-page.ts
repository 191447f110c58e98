/**
 * Benchmark of the lists page's API answer (not a test): GET /v1/lists with many lists
 * (default 200; a few of them dense) from a real `callguard api` in-process and its own
 * redis-server, on loopback. What it reads is ListStore.lists(), one round trip however
 * many lists; the console's lists page and `callguard lists` wait on the same call.
 * Prints the median and worst of the runs, and, as the machine is shared and wall times
 * swing with its load, the CPU time a request cost this process (API and client) and
 * Redis, which the load moves much less; the load average beside them.
 *
 *   npm run bench:lists
 *   BENCH_LISTS=1000 npm run bench:lists
 */
import { cpus, loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { TokenStore } from '../src/access/tokens.js';
import { parseApiConfig } from '../src/api/config.js';
import { startApi } from '../src/api/start.js';
import { ListStore } from '../src/lists/store.js';
import { createLogger } from '../src/log.js';
import { startRedisServer } from '../test/helpers/redis-server.js';

const LISTS = Number(process.env.BENCH_LISTS ?? 200);
/** One list in this many is dense (a national registry's plan). */
const DENSE_EVERY = 20;
const WARMUP_RUNS = 3;
const RUNS = 30;
const NAMESPACE = 'bench-lists';

/** CPU time Redis has used since it started (INFO cpu), in ms. */
async function redisCpuMs(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const seconds = (field: string) => Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
}

const redisServer = await startRedisServer();
const redis = new Redis(redisServer.url);
let api: Awaited<ReturnType<typeof startApi>> | undefined;
try {
  const store = new ListStore(redis, NAMESPACE);
  for (let i = 0; i < LISTS; i += 1) {
    await store.createList(`list-${String(i).padStart(5, '0')}`, { by: 'bench' }, i % DENSE_EVERY === 0 ? { dense: 'nanp' } : {});
  }
  const token = (await new TokenStore(redis, NAMESPACE).create({ name: 'bench', role: 'supervisor', createdBy: 'bench' })).token;
  const config = parseApiConfig({ listen: '127.0.0.1:0', redisUrl: redisServer.url, namespace: NAMESPACE, rateLimit: 'off', logLevel: 'error' });
  api = await startApi(config, createLogger({ level: 'error' }), {});
  await api.ready();
  const url = `${api.url}/v1/lists`;
  const runs: number[] = [];
  let cpuBefore = process.cpuUsage();
  let redisCpuBefore = await redisCpuMs(redis);
  for (let i = 0; i < WARMUP_RUNS + RUNS; i += 1) {
    if (i === WARMUP_RUNS) {
      cpuBefore = process.cpuUsage();
      redisCpuBefore = await redisCpuMs(redis);
    }
    const start = performance.now();
    const body = (await fetch(url, { headers: { authorization: `Bearer ${token}` } }).then((response) => response.json())) as { lists: unknown[] };
    if (body.lists.length !== LISTS) throw new Error(`GET /v1/lists answered ${body.lists.length} lists, not ${LISTS}`);
    if (i >= WARMUP_RUNS) runs.push(performance.now() - start);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const processCpuMs = (cpu.user + cpu.system) / 1000 / RUNS;
  const redisCpu = ((await redisCpuMs(redis)) - redisCpuBefore) / RUNS;
  runs.sort((a, b) => a - b);
  const median = runs[Math.floor(RUNS / 2)] as number;
  const worst = runs.at(-1) as number;
  console.log(
    `GET /v1/lists, ${LISTS} lists: median ${median.toFixed(1)} ms, worst ${worst.toFixed(1)} ms; ` +
      `CPU a request: this process ${processCpuMs.toFixed(1)} ms, Redis ${redisCpu.toFixed(1)} ms ` +
      `(load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} on ${cpus().length} cores)`,
  );
} finally {
  await api?.stop();
  await redis.quit();
  await redisServer.stop();
}
