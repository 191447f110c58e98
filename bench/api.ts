/**
 * Benchmark of `callguard api` (not a test), against limits measured in the same run:
 *
 * 1. Checks over HTTP: POST /v1/check with 64 keep-alive connections (autocannon) to a
 *    real `callguard api` process (compiled, as shipped), beside ListStore.check() called
 *    in-process with 64 in flight on the same lists: throughput and p99, as ratios.
 *    Targets: >= 20,000 checks/s over HTTP, p99 <= 3x the in-process p99.
 *    Beside both, a bare Fastify route answering the same request, as the ceiling this
 *    machine allows an HTTP API at that moment (2 cores shared with other work).
 * 2. Import of 2M numbers by upload (POST /v1/lists/{list}/import, then the job polled to
 *    its end) beside `callguard import` of the same file. Target: <= 1.3x the CLI's time.
 *
 *   npm run bench:api                                  # own redis-server
 *   BENCH_SECONDS=5 BENCH_IMPORT_NUMBERS=200000 npm run bench:api   # quick run
 *   REDIS_URL=redis://127.0.0.1:6379 npm run bench:api # that Redis, own namespace
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { TokenStore } from '../src/access/tokens.js';
import { listKeys } from '../src/lists/keys.js';
import { ListStore } from '../src/lists/store.js';
import { freePort, startRedisServer, type RunningRedis } from '../test/helpers/redis-server.js';
import { buildCli, root } from './helpers/build-cli.js';
import { generate } from './helpers/numbers-file.js';
import { percentile } from './helpers/percentile.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 64;
const NUMBERS_PER_LIST = Number(process.env.BENCH_NUMBERS ?? 200_000);
const IMPORT_NUMBERS = Number(process.env.BENCH_IMPORT_NUMBERS ?? 2_000_000);
const LISTS = ['dnc-national', 'dnc-company', 'blocked'];
const SADD_BATCH = 10_000;
const JOB_POLL_MS = 100;
const READY_POLL_MS = 100;

const TARGET_CHECKS_PER_SECOND = 20_000;
const TARGET_P99_RATIO = 3;
const TARGET_IMPORT_RATIO = 1.3;

const number = (list: number, n: number): string => `+120${list}${String(n).padStart(7, '0')}`;

async function loadLists(redis: Redis, namespace: string): Promise<void> {
  const store = new ListStore(redis, namespace);
  for (const [l, list] of LISTS.entries()) {
    await store.createList(list, { by: 'bench' });
    for (let from = 0; from < NUMBERS_PER_LIST; from += SADD_BATCH) {
      const batch: string[] = [];
      for (let n = from; n < Math.min(from + SADD_BATCH, NUMBERS_PER_LIST); n++) batch.push(number(l, n));
      await redis.sadd(listKeys(namespace, list).exact, ...batch);
    }
  }
}

/** The numbers the checks ask about: listed on the last list, on the first, and on none. */
function checkBodies(): string[] {
  return [number(2, 17), number(0, 4242), '+12099999999', number(1, NUMBERS_PER_LIST - 1)].map((n) => JSON.stringify({ number: n, lists: LISTS }));
}

async function startApi(cli: string, url: string, namespace: string): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'api'], {
    cwd: root,
    env: { ...process.env, REDIS_URL: url, CALLGUARD_NAMESPACE: namespace, CALLGUARD_API_LISTEN: `127.0.0.1:${port}`, CALLGUARD_API_RATE_LIMIT: 'off', CALLGUARD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    const ready = await fetch(`${base}/readyz`).then((response) => response.ok, () => false);
    if (ready) return { base, child };
    if (child.exitCode !== null) throw new Error(`callguard api exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

/**
 * A bare Fastify process with one JSON route and nothing else, on the same machine in
 * the same run: the most any Fastify API could answer here, so the check's figure reads
 * against what the machine allows at the moment, not only against the target.
 */
async function startBareFastify(): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const script = `import Fastify from 'fastify';
const app = Fastify();
app.post('/v1/check', async (request) => ({ verdict: 'clear', number: request.body.number, lists: request.body.lists, match: null }));
await app.listen({ host: '127.0.0.1', port: ${port} });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    const up = await fetch(`${base}/`).then(() => true, () => false);
    if (up) return { base, child };
    if (child.exitCode !== null) throw new Error(`the bare Fastify process exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

async function httpChecks(base: string, token: string, seconds: number): Promise<{ perSecond: number; p99: number; p50: number; non2xx: number; errors: number }> {
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    requests: checkBodies().map((body) => ({ method: 'POST', path: '/v1/check', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } })),
  });
  return { perSecond: result.requests.average, p99: result.latency.p99, p50: result.latency.p50, non2xx: result.non2xx, errors: result.errors };
}

async function inProcessChecks(store: ListStore, seconds: number): Promise<{ perSecond: number; p99: number; p50: number }> {
  const bodies = checkBodies().map((body) => JSON.parse(body) as { number: string });
  const samples: number[] = [];
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (w: number): Promise<void> => {
    for (let i = w; performance.now() < until; i += CONNECTIONS) {
      const started = performance.now();
      await store.check((bodies[i % bodies.length] as { number: string }).number, LISTS);
      samples.push(performance.now() - started);
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, w) => worker(w)));
  const elapsed = (performance.now() - started) / 1000;
  samples.sort((a, b) => a - b);
  return { perSecond: done / elapsed, p99: percentile(samples, 99), p50: percentile(samples, 50) };
}

async function cliImport(cli: string, file: string, url: string, namespace: string, list: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'import', file, '--list', list, '--region', 'DE', '--json'], {
    cwd: root,
    env: { ...process.env, REDIS_URL: url, CALLGUARD_NAMESPACE: namespace },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  // Exit code 1 is expected: the 1% garbage rows are rejected.
  if (code !== 0 && code !== 1) throw new Error(`callguard import exited with ${code}`);
  return (performance.now() - started) / 1000;
}

async function uploadImport(base: string, token: string, file: string, list: string): Promise<{ seconds: number; job: { status: string; summary: { imported: number; rows: number } } }> {
  const started = performance.now();
  const response = await fetch(`${base}/v1/lists/${list}/import?region=DE&filename=numbers.txt`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain', 'content-length': String((await stat(file)).size) },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
    duplex: 'half',
  } as RequestInit);
  const { job } = (await response.json()) as { job: { id: string } };
  for (;;) {
    const polled = (await (await fetch(`${base}/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      job: { status: string; summary: { imported: number; rows: number } };
    };
    if (polled.job.status !== 'running') return { seconds: (performance.now() - started) / 1000, job: polled.job };
    await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
  }
}

function verdict(met: boolean): string {
  return met ? 'met' : 'MISSED';
}

async function main(): Promise<void> {
  let server: RunningRedis | undefined;
  const url = process.env.REDIS_URL ?? (server = await startRedisServer()).url;
  const redis = new Redis(url);
  const namespace = `bench-api-${randomBytes(4).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), 'callguard-bench-api-'));
  const build = buildCli('bench-api');
  let api: { base: string; child: ChildProcess } | undefined;
  try {
    console.log(`bench:api on ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, redis ${server ? 'own' : url}`);
    await loadLists(redis, namespace);
    const token = (await new TokenStore(redis, namespace).create({ name: 'bench', role: 'admin', createdBy: 'bench' })).token;
    api = await startApi(build.cli, url, namespace);

    await httpChecks(api.base, token, WARMUP_SECONDS);
    const http = await httpChecks(api.base, token, SECONDS);
    const bare = await startBareFastify();
    await httpChecks(bare.base, token, WARMUP_SECONDS);
    const floor = await httpChecks(bare.base, token, SECONDS);
    bare.child.kill('SIGTERM');
    await once(bare.child, 'exit');
    const store = new ListStore(redis, namespace);
    await inProcessChecks(store, WARMUP_SECONDS);
    const inProcess = await inProcessChecks(store, SECONDS);
    const rateRatio = http.perSecond / inProcess.perSecond;
    const p99Ratio = http.p99 / inProcess.p99;
    console.log(`check, ${CONNECTIONS} at once, ${LISTS.length} lists of ${NUMBERS_PER_LIST}, ${SECONDS} s:`);
    console.log(`  HTTP        ${Math.round(http.perSecond)} checks/s, p50 ${http.p50} ms, p99 ${http.p99} ms (${http.non2xx} non-2xx, ${http.errors} errors)`);
    console.log(`  in-process  ${Math.round(inProcess.perSecond)} checks/s, p50 ${inProcess.p50.toFixed(2)} ms, p99 ${inProcess.p99.toFixed(2)} ms`);
    console.log(`  bare        ${Math.round(floor.perSecond)} answers/s, p99 ${floor.p99} ms: a Fastify route doing nothing, this machine now (the API is ${(http.perSecond / floor.perSecond).toFixed(2)} of it)`);
    console.log(`  ratio       ${rateRatio.toFixed(2)} of the in-process rate, p99 ${p99Ratio.toFixed(2)}x`);
    console.log(
      `  targets     >= ${TARGET_CHECKS_PER_SECOND}/s: ${verdict(http.perSecond >= TARGET_CHECKS_PER_SECOND)} · p99 <= ${TARGET_P99_RATIO}x in-process: ${verdict(p99Ratio <= TARGET_P99_RATIO)}`,
    );

    const generated = await generate(dir, IMPORT_NUMBERS, (shape) => `${namespace}:{raw}:${shape}`);
    for (const raw of [generated.rawSingle, generated.rawBatched]) await rm(raw, { force: true });
    const lists = new ListStore(redis, namespace);
    await lists.createList('by-cli', { by: 'bench' });
    await lists.createList('by-upload', { by: 'bench' });
    const cliSeconds = await cliImport(build.cli, generated.input, url, namespace, 'by-cli');
    const upload = await uploadImport(api.base, token, generated.input, 'by-upload');
    const [cliStored, uploadStored] = await Promise.all([redis.scard(listKeys(namespace, 'by-cli').exact), redis.scard(listKeys(namespace, 'by-upload').exact)]);
    if (upload.job.status !== 'done' || cliStored !== uploadStored) throw new Error(`the upload job ended ${upload.job.status} with ${uploadStored} numbers, the CLI stored ${cliStored}`);
    const importRatio = upload.seconds / cliSeconds;
    console.log(`import of ${IMPORT_NUMBERS} numbers (${((await stat(generated.input)).size / 1e6).toFixed(0)} MB), ${cliStored} stored:`);
    console.log(`  CLI         ${cliSeconds.toFixed(2)} s (callguard import, process start included)`);
    console.log(`  upload      ${upload.seconds.toFixed(2)} s (upload, job, polled every ${JOB_POLL_MS} ms)`);
    console.log(`  ratio       ${importRatio.toFixed(2)}x · target <= ${TARGET_IMPORT_RATIO}x: ${verdict(importRatio <= TARGET_IMPORT_RATIO)}`);
    console.log(
      JSON.stringify({
        bench: 'api',
        load: loadavg(),
        check: { http, inProcess, bareFastify: floor, rateRatio, p99Ratio },
        import: { numbers: IMPORT_NUMBERS, stored: cliStored, cliSeconds, uploadSeconds: upload.seconds, ratio: importRatio },
      }),
    );
  } finally {
    if (api && api.child.exitCode === null) {
      api.child.kill('SIGTERM');
      await once(api.child, 'exit');
    }
    const keys = await redis.keys(`${namespace}:*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
    await build.remove();
    await server?.stop();
  }
}

await main();
