/**
 * Load benchmark of the Stasis app and the FastAGI entry (not a test): real SIP calls
 * from sipp at steady rates into the sandbox Asterisk, screened by `callguard serve`
 * running as its own process against a Redis of its own; at each rate the same calls
 * go through the Stasis app, then through [screen-agi] (FastAGI). Per rate and path:
 * calls placed and answered by Asterisk (sipp's counters), decisions in the call log (a
 * call without one is lost), deadline misses (verdict unavailable), decision time
 * p50/p99/max from the call log, the caller-visible setup time (INVITE to its final
 * response, sipp's response times) p50/p99, and the CPU time of callguard beside
 * Asterisk's. The decision p99 is printed against the target (5 ms) and against a
 * Redis round trip (PING p99) measured in the same run.
 *
 *   npm run bench:calls
 *   BENCH_RATES=20 BENCH_SECONDS=5 npm run bench:calls      # a quick run
 *   BENCH_PATHS=agi npm run bench:calls                     # one path only (stasis, agi)
 *   BENCH_PRESENTATION_OVER_ARI=1 npm run bench:calls       # callguard reads CALLERID(pres) itself
 *
 * The shipped dialplan passes CALLERID(pres) as a Stasis() argument. With
 * BENCH_PRESENTATION_OVER_ARI=1 the sandbox's [screen] Stasis() line is replaced at run
 * time by `Stasis(callguard,inbound,${CALLGUARD_ROUTE})`, so callguard pays one ARI round
 * trip a call to read it, as with a dialplan that does not pass it (see docs/serve.md).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { readCallLog, zeroCounts } from '../src/screening/call-log.js';
import { freeUdpPort, startAsterisk, type RunningAsterisk } from '../test/helpers/asterisk-sandbox.js';
import { startRedisServer, type RunningRedis } from '../test/helpers/redis-server.js';
import {
  asteriskPid,
  clearNumber,
  DIALLED,
  listedNumber,
  NAMESPACE,
  pingTimes,
  ROUTE,
  scrape,
  seedBenchLists,
  startBenchServe,
  vipNumber,
  type BenchServe,
} from './helpers/call-bench.js';
import { cpuTicks, TICKS_PER_SECOND } from './helpers/cpu-time.js';
import { percentile } from './helpers/percentile.js';

const RATES = (process.env.BENCH_RATES ?? '20,50,100').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const LISTED_NUMBERS = Number(process.env.BENCH_NUMBERS ?? 100_000);
const PRESENTATION_OVER_ARI = process.env.BENCH_PRESENTATION_OVER_ARI === '1';
type ScreeningPath = 'stasis' | 'agi';
const PATHS = (process.env.BENCH_PATHS ?? 'stasis,agi').split(',') as ScreeningPath[];
const TARGET_P99_MS = 5;
const SCENARIO = fileURLToPath(new URL('./sipp/uac-load.xml', import.meta.url));
/** How long the last calls of a phase may take to end (answered ones last about a second). */
const DRAIN_SECONDS = 30;

/** The n-th caller of a phase: a third blocked, a third VIP (also on the block list), a third clear. */
function caller(n: number): string {
  const kind = n % 3;
  const index = Math.floor(n / 3) % LISTED_NUMBERS;
  if (kind === 0) return listedNumber(index);
  if (kind === 1) return vipNumber(Math.floor(n / 3));
  return clearNumber(index);
}

interface SippResult {
  successful: number;
  failed: number;
  /** INVITE to final response of every call, ms, sorted */
  setupMs: number[];
}

async function runSipp(target: string, rate: number, calls: number, path: ScreeningPath, dir: string): Promise<SippResult> {
  const run = join(dir, `${path}-${rate}`);
  await mkdir(run);
  const inject = join(run, 'callers.csv');
  const via = path === 'agi' ? 'agi' : '';
  const lines = ['SEQUENTIAL', ...Array.from({ length: calls }, (_, n) => `${caller(n)};${ROUTE};${via}`)];
  await writeFile(inject, `${lines.join('\n')}\n`);
  const stats = join(run, 'stats.csv');
  const args = [
    target, '-sf', SCENARIO, '-inf', inject, '-s', DIALLED,
    '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-mp', String(await freeUdpPort()),
    '-r', String(rate), '-rp', '1000', '-m', String(calls), '-l', String(rate * 10),
    '-nostdin', '-timeout', `${SECONDS + DRAIN_SECONDS}s`, '-timeout_error',
    '-trace_stat', '-stf', stats, '-fd', '1', '-trace_rtt', '-rtt_freq', '1',
  ];
  await new Promise<void>((resolve) => {
    // -trace_rtt writes <scenario>_<pid>_rtt.csv into the working directory.
    execFile('sipp', args, { cwd: run, timeout: (SECONDS + DRAIN_SECONDS + 15) * 1000 }, () => resolve());
  });
  const rows = (await readFile(stats, 'utf8')).trim().split('\n');
  const header = rows[0]?.split(';') ?? [];
  const last = rows.at(-1)?.split(';') ?? [];
  const column = (name: string): number => Number(last[header.indexOf(name)]);
  const rttFile = (await readdir(run)).find((name) => name.endsWith('_rtt.csv'));
  const setupMs = rttFile === undefined ? [] : responseTimes(await readFile(join(run, rttFile), 'utf8'));
  return { successful: column('SuccessfulCall(C)'), failed: column('FailedCall(C)'), setupMs };
}

/** sipp's -trace_rtt file: `Date_ms;response_time_ms;rtd_no` a line. */
function responseTimes(text: string): number[] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(';')[1]))
    .filter((ms) => Number.isFinite(ms))
    .sort((a, b) => a - b);
}

async function main(): Promise<void> {
  console.log(`bench:calls  rates ${RATES.join(', ')} calls/s for ${SECONDS} s each, ${LISTED_NUMBERS} numbers on the block list`);
  console.log(`presentation: ${PRESENTATION_OVER_ARI ? 'read from the channel over ARI' : 'passed by the dialplan as a Stasis() argument'}`);
  console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  const dir = await mkdtemp(join(tmpdir(), 'callguard-bench-calls-'));
  let asterisk: RunningAsterisk | undefined;
  let redisServer: RunningRedis | undefined;
  let redis: Redis | undefined;
  let serve: BenchServe | undefined;
  try {
    [asterisk, redisServer] = await Promise.all([startAsterisk(), startRedisServer()]);
    if (PRESENTATION_OVER_ARI) {
      await asterisk.cli('dialplan add extension _[+0-9].,2,Stasis(callguard,inbound,${CALLGUARD_ROUTE}) into screen replace');
    }
    redis = new Redis(redisServer.url);
    await seedBenchLists(redis, LISTED_NUMBERS);
    const ping = (await pingTimes(redis)).p99;
    serve = await startBenchServe(asterisk, redisServer);
    const servePid = serve.pid;
    const metricsUrl = serve.metricsUrl;
    const asteriskProcess = await asteriskPid(asterisk.runDir);
    const target = `${asterisk.sipHost}:${asterisk.sipPort}`;

    console.log(`Redis PING p99 ${ping.toFixed(3)} ms (loopback, measured now)`);
    console.log('');
    console.log(
      'rate/s  path    placed  sipp-ok  sipp-failed  decided  lost  unavailable  p50 ms  p99 ms  max ms  p99/target  p99/PING  setup p50  setup p99  callguard CPU  asterisk CPU',
    );
    for (const rate of RATES) for (const path of PATHS) {
      const calls = rate * SECONDS;
      const since = Date.now();
      await scrape(metricsUrl, 'callguard_nodejs_eventloop_lag_p99_seconds');
      const [cgBefore, astBefore] = await Promise.all([cpuTicks(servePid), cpuTicks(asteriskProcess)]);
      const started = process.hrtime.bigint();
      const sipp = await runSipp(target, rate, calls, path, dir);
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      const [cgAfter, astAfter] = await Promise.all([cpuTicks(servePid), cpuTicks(asteriskProcess)]);
      const lagP99 = await scrape(metricsUrl, 'callguard_nodejs_eventloop_lag_p99_seconds');
      const read = await readCallLog(redis, NAMESPACE, { since, route: ROUTE, limit: calls * 2 });
      const entries = read.entries.filter((entry) => (entry.via === 'agi') === (path === 'agi'));
      const counts = zeroCounts();
      for (const entry of entries) counts[entry.verdict] += 1;
      const report = { total: entries.length, counts };
      const decisions = entries.map((entry) => entry.decisionMs).sort((a, b) => a - b);
      const p50 = percentile(decisions, 50);
      const p99 = percentile(decisions, 99);
      const cgCpu = (cgAfter - cgBefore) / TICKS_PER_SECOND / wallSeconds;
      const astCpu = (astAfter - astBefore) / TICKS_PER_SECOND / wallSeconds;
      console.log(
        [
          String(rate).padStart(6),
          path.padEnd(6),
          String(calls).padStart(6),
          String(sipp.successful).padStart(7),
          String(sipp.failed).padStart(11),
          String(report.total).padStart(7),
          String(calls - report.total).padStart(4),
          String(report.counts.unavailable).padStart(11),
          p50.toFixed(2).padStart(6),
          p99.toFixed(2).padStart(6),
          (decisions.at(-1) ?? Number.NaN).toFixed(2).padStart(6),
          (p99 / TARGET_P99_MS).toFixed(2).padStart(10),
          (p99 / ping).toFixed(0).padStart(8),
          `${percentile(sipp.setupMs, 50).toFixed(1)} ms`.padStart(9),
          `${percentile(sipp.setupMs, 99).toFixed(1)} ms`.padStart(9),
          `${(cgCpu * 100).toFixed(1)} %`.padStart(13),
          `${(astCpu * 100).toFixed(1)} %`.padStart(12),
        ].join('  '),
      );
      console.log(
        `        verdicts: ${Object.entries(report.counts)
          .filter(([, count]) => count > 0)
          .map(([verdict, count]) => `${verdict} ${count}`)
          .join(', ')}; wall ${wallSeconds.toFixed(1)} s; callguard event-loop delay p99 ${(lagP99 * 1000).toFixed(1)} ms; load average ${loadavg()[0]?.toFixed(2)}`,
      );
    }
    console.log('');
    console.log(`target: decision p99 <= ${TARGET_P99_MS} ms at 100 calls/s and no call lost (lost = placed - decided), on both paths`);
    console.log('setup: INVITE to its final response as the caller sees it (403 refused, 200 queued), sipp response times');
    console.log('CPU: share of one core over the phase (wall time incl. the last calls ending)');
  } finally {
    await serve?.stop();
    await redis?.quit().catch(() => redis?.disconnect());
    await redisServer?.stop();
    await asterisk?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
