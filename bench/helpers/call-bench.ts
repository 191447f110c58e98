/**
 * The pieces the call benchmarks share (bench/calls.ts, bench/peer.ts): the bench's
 * lists and route, `callguard serve` as its own process, and the CPU time of a process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { ListStore } from '../../src/lists/store.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { RunningAsterisk } from '../../test/helpers/asterisk-sandbox.js';
import { freePort, type RunningRedis } from '../../test/helpers/redis-server.js';
import { buildCli } from './build-cli.js';
import { percentile } from './percentile.js';

export const NAMESPACE = 'bench-calls';
export const ROUTE = 'bench';
export const DIALLED = '+4930555000';
/** How long serve may take to become ready. */
const SERVE_READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 200;
const READY_REQUEST_TIMEOUT_MS = 1_000;
const PING_SAMPLES = 2_000;
const CALL_TRACE = fileURLToPath(new URL('./call-trace.ts', import.meta.url));

/** The n-th number on the block list (n < the list's size). */
export function listedNumber(n: number): string {
  return `+49301${String(n).padStart(7, '0')}`;
}

/** A number on no list. */
export function clearNumber(n: number): string {
  return `+49309${String(n).padStart(7, '0')}`;
}

/** A VIP: on the allow list (and on the block list too, which it wins over). */
export function vipNumber(n: number): string {
  return `+49302${String(n % 1000).padStart(7, '0')}`;
}

/** The host pid of the sandbox's asterisk: the process started with this run's asterisk.conf. */
export async function asteriskPid(runDir: string): Promise<number> {
  const marker = `${runDir.split('/').pop() ?? runDir}/etc/asterisk.conf`;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args[0]?.endsWith('asterisk') && args.includes('-f') && cmdline.includes(marker)) return Number(entry);
  }
  throw new Error(`no asterisk process found for ${runDir}`);
}

/**
 * The bench's data: `dnc` with `listed` numbers (listedNumber(0..)) and the 1000 VIPs,
 * `vip` with the VIPs, and the route `bench` blocking dnc, allowing vip.
 */
export async function seedBenchLists(redis: Redis, listed: number): Promise<void> {
  const lists = new ListStore(redis, NAMESPACE);
  const actor = { by: 'bench' };
  for (const name of ['dnc', 'vip']) {
    if (!(await lists.hasList(name))) await lists.createList(name, actor);
  }
  const batch = 5_000;
  for (let from = 0; from < listed; from += batch) {
    const members = [];
    for (let n = from; n < Math.min(from + batch, listed); n++) {
      members.push({ member: listedNumber(n) });
      if (n < 1000) members.push({ member: vipNumber(n) });
    }
    await lists.add('dnc', members, actor);
  }
  const vips = Array.from({ length: 1000 }, (_, n) => ({ member: vipNumber(n) }));
  await lists.add('vip', vips, actor);
  await new RouteStore(redis, NAMESPACE).set({ ...newRoute(ROUTE), block: ['dnc'], allow: ['vip'], region: 'DE', vipPriority: 5 });
}

/** p50 and p99 of PING round trips, ms. */
export async function pingTimes(redis: Redis): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < PING_SAMPLES; i++) {
    const start = process.hrtime.bigint();
    await redis.ping();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** A gauge from callguard's /metrics (prom-client resets the event-loop lag figures at each scrape). */
export async function scrape(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

async function waitReady(url: string, serve: ChildProcess): Promise<void> {
  const deadline = Date.now() + SERVE_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (serve.exitCode !== null) throw new Error(`callguard serve exited with ${serve.exitCode}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(READY_REQUEST_TIMEOUT_MS) })
      .then((response) => response.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`callguard serve did not become ready within ${SERVE_READY_TIMEOUT_MS / 1000} s`);
}

export interface BenchServe {
  pid: number;
  metricsUrl: string;
  stop(): Promise<void>;
}

/**
 * `callguard serve` as shipped (compiled, not through tsx: its loader thread and the
 * helpers it wraps every function in are not what users run), its own process, on the
 * sandbox Asterisk and the bench's Redis, serving FastAGI on a free port that the
 * dialplan's CALLGUARD_AGI names. Resolves once /readyz answers 200.
 */
export async function startBenchServe(
  asterisk: RunningAsterisk,
  redis: RunningRedis,
  options: { traceFile?: string } = {},
): Promise<BenchServe> {
  const healthPort = await freePort();
  const agiPort = await freePort();
  await asterisk.cli(`dialplan set global CALLGUARD_AGI 127.0.0.1:${agiPort}`);
  // BENCH_CPU_PROF_DIR=<dir>: serve writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF_DIR;
  const profiling = profile === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profile];
  // BENCH_SERVE_NODE_FLAGS: more node flags for serve, e.g. --perf-basic-prof for `perf record -e cpu-clock -p <pid>`
  // (a profile of CPU time only: V8's profile above samples wall time, which on loaded cores bills a write for the wait after it).
  profiling.push(...(process.env.BENCH_SERVE_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== ''));
  // traceFile: each Stasis call's steps, timestamped inside serve (helpers/call-trace.ts, loaded through tsx).
  const tracing = options.traceFile === undefined ? [] : ['--import', 'tsx', '--import', CALL_TRACE];
  const build = buildCli('serve');
  const serve = spawn(process.execPath, [...profiling, ...tracing, build.cli, 'serve'], {
    env: {
      ...(options.traceFile === undefined ? {} : { BENCH_CALL_TRACE: options.traceFile }),
      PATH: process.env.PATH ?? '',
      ARI_URL: asterisk.ariUrl,
      ARI_USERNAME: asterisk.ariUser,
      ARI_PASSWORD: asterisk.ariPassword,
      REDIS_URL: redis.url,
      CALLGUARD_NAMESPACE: NAMESPACE,
      CALLGUARD_REGION: 'DE',
      CALLGUARD_HEALTH: `127.0.0.1:${healthPort}`,
      CALLGUARD_AGI_LISTEN: `127.0.0.1:${agiPort}`,
    },
    // The service logs one JSON line a call, as in production; the bench drains them.
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // BENCH_SERVE_LOG=<file>: serve's log lines kept there (to see what an overload did), else drained.
  const keptLog = process.env.BENCH_SERVE_LOG;
  if (keptLog === undefined) serve.stdout?.resume();
  else serve.stdout?.pipe(createWriteStream(keptLog));
  const stop = async (): Promise<void> => {
    if (serve.exitCode === null && serve.signalCode === null) {
      serve.kill('SIGTERM');
      await new Promise((resolve) => serve.once('exit', resolve));
    }
    await build.remove();
  };
  try {
    await waitReady(`http://127.0.0.1:${healthPort}/readyz`, serve);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: serve.pid ?? 0, metricsUrl: `http://127.0.0.1:${healthPort}/metrics`, stop };
}
