/**
 * What callguard adds to a call, side by side with Asterisk alone (not a test): the same
 * sipp load into the sandbox Asterisk, one path at a time, each caller's INVITE to its
 * final response from sipp's message trace (microsecond timestamps):
 *
 *   plain          no screening: every call goes to the queue
 *   astdb          a FreePBX-style dialplan blacklist, GotoIf(${DB_EXISTS(blacklist/${CALLERID(num)})}),
 *                  its AstDB loaded with the same numbers as callguard's block list
 *   stasis         callguard's Stasis app, the shipped [screen] (passes CALLERID(pres))
 *   stasis-nopres  Stasis(callguard,inbound,<route>) without the presentation argument
 *   stasis-headers callguard's Stasis app with the arguments [screen] passed before the tenth
 *                  round: the presentation, then P-Asserted-Identity and From read with PJSIP_HEADER
 *   agi            callguard over FastAGI, the shipped [screen-agi]
 *   agi-headers    [screen-agi] with the AGI() arguments it passed before the tenth round (the
 *                  two PJSIP_HEADER reads)
 *   floor          the floor of any Stasis app: a bare ARI client that only continues each
 *                  call (no Redis, no screening: every call is answered, as on plain)
 *   floor-args     the same floor app, called with the arguments [screen] passes callguard
 *                  (the route and the presentation): what they cost Asterisk
 *   floor-headers  the floor app with stasis-headers' arguments: what the two header reads
 *                  cost Asterisk, apart from what callguard does with them
 *   agi-floor-args the shipped [screen-agi] with the FastAGI floor in callguard's place (it sets
 *                  nothing, so every call goes on unscreened to the queue): what that dialplan
 *                  and its AGI() arguments cost Asterisk, apart from what callguard does
 *   agi-floor      the floor of any FastAGI server: one that reads Asterisk's environment and
 *                  closes the session (no Redis, no command: every call is answered)
 *
 * Half the callers are on the list (they must get 403), half are clear (200). Per rate
 * and path: p50/p99/max, what callguard adds over plain, wrong answers (a listed caller
 * let through with 200, a clear one refused with 403: must be 0), other answers by SIP
 * status (an overloaded Asterisk's 503 is not a verdict), unanswered calls, deadline misses
 * (verdict unavailable), CPU per call of callguard and of Asterisk. Then the highest rate
 * one serve holds on the stasis path with setup p99 <= 5 ms and every answer right.
 * Each phase starts on a drained Asterisk (no channel, CPU near idle), or says it did not.
 *
 *   npm run bench:peer
 *   npm run bench:peer -- --seconds 5 --rates 100            # a quick run
 *   npm run bench:peer -- --paths plain,stasis --max-rates ''  # two paths, no rate search
 *   npm run bench:peer -- --trace ...                        # and each call's steps inside serve (Stasis and FastAGI)
 */
import { chmod, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { Redis } from 'ioredis';
import { readCallLog } from '../src/screening/call-log.js';
import { startAsterisk, type RunningAsterisk } from '../test/helpers/asterisk-sandbox.js';
import { startRedisServer, type RunningRedis } from '../test/helpers/redis-server.js';
import { placeCallLoad, type LoadCall } from '../test/helpers/sipp-load.js';
import {
  asteriskPid,
  clearNumber,
  DIALLED,
  listedNumber,
  NAMESPACE,
  pingTimes,
  ROUTE,
  seedBenchLists,
  startBenchServe,
  type BenchServe,
} from './helpers/call-bench.js';
import { cpuTicks, loopWakeups, TICKS_PER_SECOND } from './helpers/cpu-time.js';
import { percentile } from './helpers/percentile.js';
import { startFloors, type Floors } from './helpers/floors.js';
import { printBreakdown, readTrace, traceBetween } from './helpers/trace-breakdown.js';

const PATHS = [
  'plain',
  'astdb',
  'floor',
  'floor-args',
  'floor-headers',
  'stasis',
  'stasis-nopres',
  'stasis-headers',
  'agi-floor',
  'agi-floor-args',
  'agi',
  'agi-headers',
] as const;
/** The paths that screen nothing: every caller is answered. */
const UNSCREENED: ReadonlySet<BenchPath> = new Set(['plain', 'floor', 'floor-args', 'floor-headers', 'agi-floor', 'agi-floor-args']);
/** The Stasis app of the floor path, apart from callguard's. */
const FLOOR_APP = 'bench-floor';
type BenchPath = (typeof PATHS)[number];
const CALLGUARD_PATHS: ReadonlySet<BenchPath> = new Set(['stasis', 'stasis-nopres', 'stasis-headers', 'agi', 'agi-headers']);
/** The paths one of the floor apps handles (their process's CPU a call is printed beside serve's). */
const FLOOR_PATHS: ReadonlySet<BenchPath> = new Set(['floor', 'floor-args', 'floor-headers', 'agi-floor', 'agi-floor-args']);
/** The identity headers as [screen] and [screen-agi] passed them before the tenth round. */
const OLD_HEADER_ARGUMENTS = '${URIENCODE(${PJSIP_HEADER(read,P-Asserted-Identity)})},${URIENCODE(${PJSIP_HEADER(read,From)})}';
/** The rate search's bound on the caller's p99 setup time. */
const MAX_RATE_P99_MS = 5;
/** Q.850 21 (call rejected), the route's hangup, is SIP 403; a queued call is answered. */
const REFUSED = 403;
const ANSWERED = 200;
const execFileAsync = promisify(execFile);
/**
 * How long a phase waits for Asterisk to drain before it starts anyway (and says so):
 * no channel left, and its CPU back near its use without calls, so an overloaded
 * phase's backlog is not billed to the next path.
 */
const DRAIN_TIMEOUT_MS = 180_000;
const DRAIN_POLL_MS = 500;
/** Asterisk counts as quiet when a sample of this long uses at most its idle CPU plus QUIET_MARGIN of a core. */
const QUIET_SAMPLE_MS = 1_000;
const QUIET_MARGIN = 0.05;
/** How long the processes' CPU use without calls is measured, to take it out of the per-call figures. */
const IDLE_SAMPLE_MS = 5_000;

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rates: { type: 'string', default: '100,300' },
    paths: { type: 'string', default: PATHS.join(',') },
    numbers: { type: 'string', default: '100000' },
    'max-rates': { type: 'string', default: '200,300,400,500,600,800' },
    'max-seconds': { type: 'string', default: '5' },
    trace: { type: 'boolean', default: false },
    warmup: { type: 'string', default: '5' },
  },
});
const SECONDS = Number(flags.seconds);
const RATES = numbers(flags.rates);
const LISTED = Number(flags.numbers);
const MAX_RATES = numbers(flags['max-rates']);
const MAX_SECONDS = Number(flags['max-seconds']);
const WARMUP_SECONDS = Number(flags.warmup);
const CHOSEN = flags.paths.split(',').filter((path) => path !== '');
for (const path of CHOSEN) {
  if (!(PATHS as readonly string[]).includes(path)) {
    console.error(`callguard: --paths: "${path}" is not one of ${PATHS.join(', ')}`);
    process.exit(2);
  }
}
if (![SECONDS, LISTED, MAX_SECONDS, ...RATES, ...MAX_RATES].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('callguard: --seconds, --rates, --numbers, --max-rates and --max-seconds take positive whole numbers');
  process.exit(2);
}
if (!Number.isInteger(WARMUP_SECONDS) || WARMUP_SECONDS < 0) {
  console.error('callguard: --warmup takes a whole number of seconds, 0 for none');
  process.exit(2);
}

function numbers(text: string): number[] {
  return text.split(',').filter((part) => part !== '').map(Number);
}

/** The n-th caller: even ones on the list, odd ones clear. */
function caller(n: number): { number: string; listed: boolean } {
  const index = Math.floor(n / 2) % LISTED;
  return n % 2 === 0 ? { number: listedNumber(index), listed: true } : { number: clearNumber(index), listed: false };
}

/**
 * AstDB as Asterisk keeps it (astdbdir/astdb.sqlite3), written before Asterisk starts:
 * loading 100k keys through the CLI would take one process per key.
 */
async function fillAstdb(runDir: string): Promise<void> {
  const file = join(runDir, 'db', 'astdb.sqlite3');
  const rows: string[] = [];
  for (let n = 0; n < LISTED; n++) rows.push(`('/blacklist/${listedNumber(n)}','1')`);
  const sql = [
    'CREATE TABLE IF NOT EXISTS astdb(key VARCHAR(256), value VARCHAR(256), PRIMARY KEY(key));',
    'BEGIN;',
    ...chunks(rows, 1_000).map((chunk) => `INSERT INTO astdb VALUES ${chunk.join(',')};`),
    'COMMIT;',
  ].join('\n');
  const script = join(runDir, 'astdb.sql');
  await writeFile(script, sql);
  await execFileAsync('sqlite3', [file, `.read ${script}`]);
  await rm(script);
  // Asterisk runs as its own user inside the sandbox and writes the file.
  await chmod(file, 0o666);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Each path a context of its own, chosen by the X-Callguard-Screen header in [from-test].
 * The Asterisk CLI splits its command at spaces and quotes: the lines hold neither.
 */
async function addBenchDialplan(asterisk: RunningAsterisk, agiFloor: string): Promise<void> {
  await asterisk.cli('module load func_db.so');
  const lines = [
    'dialplan add extension _[+0-9].,3,GotoIf($[${LEN(${PJSIP_HEADER(read,X-Callguard-Screen)})}>0]?bench-${PJSIP_HEADER(read,X-Callguard-Screen)},${EXTEN},1) into from-test replace',
    'dialplan add extension _[+0-9].,1,Goto(queues,support,1) into bench-plain',
    'dialplan add extension _[+0-9].,1,GotoIf(${DB_EXISTS(blacklist/${CALLERID(num)})}?3) into bench-astdb',
    'dialplan add extension _[+0-9].,2,Goto(queues,support,1) into bench-astdb',
    'dialplan add extension _[+0-9].,3,Hangup(21) into bench-astdb',
    `dialplan add extension _[+0-9].,1,Stasis(${FLOOR_APP}) into bench-floor`,
    'dialplan add extension _[+0-9].,2,Goto(queues,support,1) into bench-floor',
    // [screen]'s Stasis() line, the floor app in callguard's place.
    `dialplan add extension _[+0-9].,1,Stasis(${FLOOR_APP},inbound,\${CALLGUARD_ROUTE},\${CALLERID(pres)}) into bench-floor-args`,
    'dialplan add extension _[+0-9].,2,Goto(queues,support,1) into bench-floor-args',
    `dialplan add extension _[+0-9].,1,Stasis(${FLOOR_APP},inbound,\${CALLGUARD_ROUTE},\${CALLERID(pres)},${OLD_HEADER_ARGUMENTS}) into bench-floor-headers`,
    'dialplan add extension _[+0-9].,2,Goto(queues,support,1) into bench-floor-headers',
    `dialplan add extension _[+0-9].,1,AGI(agi://${agiFloor}/floor) into bench-agi-floor`,
    'dialplan add extension _[+0-9].,2,Goto(queues,support,1) into bench-agi-floor',
    // A channel variable wins over the global of the same name: [screen-agi] asks the floor.
    `dialplan add extension _[+0-9].,1,Set(CALLGUARD_AGI=${agiFloor}) into bench-agi-floor-args`,
    'dialplan add extension _[+0-9].,2,Goto(screen-agi,${EXTEN},1) into bench-agi-floor-args',
    'dialplan add extension _[+0-9].,1,Goto(inbound,${EXTEN},1) into bench-stasis',
    'dialplan add extension _[+0-9].,1,Stasis(callguard,inbound,${CALLGUARD_ROUTE}) into bench-stasis-nopres',
    'dialplan add extension _[+0-9].,2,Goto(queues,support,1) into bench-stasis-nopres',
    'dialplan add extension _[+0-9].,1,Goto(screen-agi,${EXTEN},1) into bench-agi',
    `dialplan add extension _[+0-9].,1,Stasis(callguard,inbound,\${CALLGUARD_ROUTE},\${CALLERID(pres)},${OLD_HEADER_ARGUMENTS}) into bench-stasis-headers`,
    'dialplan add extension _[+0-9].,2,Goto(queues,support,1) into bench-stasis-headers',
    // [screen-agi]'s Set()s and AGI() line as they were; then on at its GotoIf (priority 5).
    'dialplan add extension _[+0-9].,1,Set(CALLGUARD_ACTION=) into bench-agi-headers',
    'dialplan add extension _[+0-9].,2,Set(CALLGUARD_VERDICT=) into bench-agi-headers',
    `dialplan add extension _[+0-9].,3,AGI(agi://\${CALLGUARD_AGI}/screen?route=\${CALLGUARD_ROUTE},${OLD_HEADER_ARGUMENTS}) into bench-agi-headers`,
    'dialplan add extension _[+0-9].,4,Goto(screen-agi,${EXTEN},5) into bench-agi-headers',
  ];
  for (const line of lines) await asterisk.cli(line);
}

/**
 * Waits until Asterisk holds no channel and its CPU is back near idle, so a phase's
 * last calls (or an overloaded Asterisk's backlog) do not weigh on the next one.
 * Answers whether it drained within DRAIN_TIMEOUT_MS, and how long it waited.
 */
async function drain(context: PhaseContext): Promise<{ drained: boolean; waitedMs: number; channels: string }> {
  const started = Date.now();
  let channels = '?';
  while (Date.now() - started < DRAIN_TIMEOUT_MS) {
    channels = await channelCount(context.asterisk);
    if (channels === '0') {
      const before = await cpuTicks(context.asteriskProcess);
      await new Promise((resolve) => setTimeout(resolve, QUIET_SAMPLE_MS));
      const perSecond = ((await cpuTicks(context.asteriskProcess)) - before) * (1000 / QUIET_SAMPLE_MS);
      if (perSecond <= context.idle.asterisk + QUIET_MARGIN * TICKS_PER_SECOND) return { drained: true, waitedMs: Date.now() - started, channels };
    } else {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }
  return { drained: false, waitedMs: Date.now() - started, channels };
}

/** Asterisk's channel count, or 'no answer' when its CLI does not answer (an overloaded Asterisk is still busy). */
async function channelCount(asterisk: RunningAsterisk): Promise<string> {
  try {
    return /(\d+) active channels?/.exec(await asterisk.cli('core show channels count'))?.[1] ?? '?';
  } catch (error) {
    console.log(`  (Asterisk's CLI did not answer: ${String(error).split('\n')[0]})`);
    return 'no answer';
  }
}

interface PhaseResult {
  rate: number;
  path: BenchPath;
  calls: number;
  /** when the phase's calls started and ended, ms since epoch */
  startedAt: number;
  endedAt: number;
  /** INVITE to final response, ms, sorted */
  setup: number[];
  /** listed callers let through (200) and clear callers refused (403): the screening's own errors */
  wrong: number;
  /** of those, listed callers let through (200): a refused clear caller is the rest */
  letThrough: number;
  /** other final responses, by SIP status (e.g. an overloaded Asterisk's 503): not an answer about the list */
  otherStatus: Map<number, number>;
  unanswered: number;
  /** Asterisk had drained (no channel, CPU near idle) when the phase started */
  startedDrained: boolean;
  /** calls callguard decided as unavailable (the deadline passed) */
  deadlineMisses: number | undefined;
  /** callguard's decision times from its call log (StasisStart or AGI request to decision), ms, sorted */
  decisions: number[];
  callguardCpuUs: number;
  /** the floor apps' process (the Stasis and FastAGI floors) */
  floorCpuUs: number;
  asteriskCpuUs: number;
  /** event-loop wake-ups a call (loopWakeups), above those without calls: serve's, and the floors' process */
  callguardWakeups: number;
  floorWakeups: number;
  /** Redis commands run in the phase, a call (serve's background ones included), and the script calls among them */
  redisCommandsPerCall: number;
  redisScriptsPerCall: number;
  /** the commands that ran, most first: name and how many a call */
  redisCommandMix: [string, number][];
  load: number;
}

/** What a call's final response says: right, wrong about the list, or something else (an overload, an error). */
function answerKind(path: BenchPath, call: LoadCall, listed: boolean): 'right' | 'wrong' | 'other' | 'none' {
  if (call.status === undefined) return 'none';
  const expected = UNSCREENED.has(path) || !listed ? ANSWERED : REFUSED;
  if (call.status === expected) return 'right';
  return !UNSCREENED.has(path) && (call.status === ANSWERED || call.status === REFUSED) ? 'wrong' : 'other';
}

interface PhaseContext {
  asterisk: RunningAsterisk;
  redis: Redis;
  serve: BenchServe;
  floors: Floors;
  asteriskProcess: number;
  /** CPU ticks a second each process uses with no call (timers, probes, sweeps) */
  idle: IdleUse;
}

interface IdleUse {
  callguard: number;
  floor: number;
  asterisk: number;
  /** event-loop wake-ups a second with no call */
  callguardWakeups: number;
  floorWakeups: number;
}

/** CPU ticks and event-loop wake-ups a second of callguard, the floors and Asterisk while no call runs. */
async function idleUse(serve: BenchServe, floors: Floors, asteriskProcess: number): Promise<IdleUse> {
  const sample = (): Promise<number[]> =>
    Promise.all([cpuTicks(serve.pid), cpuTicks(floors.pid), cpuTicks(asteriskProcess), loopWakeups(serve.pid), loopWakeups(floors.pid)]);
  const before = await sample();
  await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_MS));
  const after = await sample();
  const perSecond = (index: number): number => (((after[index] ?? 0) - (before[index] ?? 0)) * 1000) / IDLE_SAMPLE_MS;
  return { callguard: perSecond(0), floor: perSecond(1), asterisk: perSecond(2), callguardWakeups: perSecond(3), floorWakeups: perSecond(4) };
}

async function runPhase(
  context: PhaseContext,
  path: BenchPath,
  rate: number,
  seconds: number,
): Promise<PhaseResult> {
  const calls = rate * seconds;
  const drained = await drain(context);
  if (!drained.drained) {
    console.log(`  (${rate}/s ${path} starts on a busy Asterisk: ${drained.channels} channels or its CPU above idle after ${(drained.waitedMs / 1000).toFixed(0)} s)`);
  } else if (drained.waitedMs > DRAIN_POLL_MS + QUIET_SAMPLE_MS * 2) {
    console.log(`  (${rate}/s ${path} waited ${(drained.waitedMs / 1000).toFixed(1)} s for Asterisk to drain)`);
  }
  const callers = Array.from({ length: calls }, (_, n) => caller(n));
  const listedByNumber = new Map(callers.map((entry) => [entry.number, entry.listed]));
  const since = Date.now();
  const started = process.hrtime.bigint();
  const [cgBefore, floorBefore, astBefore, redisBefore, cgWakeupsBefore, floorWakeupsBefore] = await Promise.all([
    cpuTicks(context.serve.pid),
    cpuTicks(context.floors.pid),
    cpuTicks(context.asteriskProcess),
    commandCalls(context.redis),
    loopWakeups(context.serve.pid),
    loopWakeups(context.floors.pid),
  ]);
  const placed = await placeCallLoad({
    target: `${context.asterisk.sipHost}:${context.asterisk.sipPort}`,
    rate,
    callers: callers.map((entry) => entry.number),
    route: ROUTE,
    to: DIALLED,
    screen: path,
  });
  const [cgAfter, floorAfter, astAfter, redisAfter, cgWakeupsAfter, floorWakeupsAfter] = await Promise.all([
    cpuTicks(context.serve.pid),
    cpuTicks(context.floors.pid),
    cpuTicks(context.asteriskProcess),
    commandCalls(context.redis),
    loopWakeups(context.serve.pid),
    loopWakeups(context.floors.pid),
  ]);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perCallUs = (ticks: number, idlePerSecond: number): number =>
    (Math.max(0, ticks - idlePerSecond * wallSeconds) / TICKS_PER_SECOND / calls) * 1e6;
  const perCall = (count: number, idlePerSecond: number): number => Math.max(0, count - idlePerSecond * wallSeconds) / calls;
  let deadlineMisses: number | undefined;
  let decisions: number[] = [];
  if (CALLGUARD_PATHS.has(path)) {
    const read = await readCallLog(context.redis, NAMESPACE, { since, route: ROUTE, limit: calls * 2 });
    deadlineMisses = read.entries.filter((entry) => entry.verdict === 'unavailable').length;
    decisions = read.entries.map((entry) => entry.decisionMs).filter(Number.isFinite).sort((a, b) => a - b);
  }
  const endedAt = Date.now();
  const answered = placed.filter((call) => call.setupMs !== undefined);
  const otherStatus = new Map<number, number>();
  let wrong = 0;
  let letThrough = 0;
  for (const call of placed) {
    const kind = answerKind(path, call, listedByNumber.get(call.caller) ?? false);
    if (kind === 'wrong') wrong++;
    if (kind === 'wrong' && call.status === ANSWERED) letThrough++;
    if (kind === 'other') otherStatus.set(call.status as number, (otherStatus.get(call.status as number) ?? 0) + 1);
  }
  return {
    rate,
    path,
    calls,
    startedAt: since,
    endedAt,
    setup: answered.map((call) => call.setupMs as number).sort((a, b) => a - b),
    wrong,
    letThrough,
    otherStatus,
    unanswered: calls - answered.length,
    startedDrained: drained.drained,
    deadlineMisses,
    decisions,
    callguardCpuUs: perCallUs(cgAfter - cgBefore, context.idle.callguard),
    floorCpuUs: perCallUs(floorAfter - floorBefore, context.idle.floor),
    asteriskCpuUs: perCallUs(astAfter - astBefore, context.idle.asterisk),
    callguardWakeups: perCall(cgWakeupsAfter - cgWakeupsBefore, context.idle.callguardWakeups),
    floorWakeups: perCall(floorWakeupsAfter - floorWakeupsBefore, context.idle.floorWakeups),
    // less the INFO that took the first count
    redisCommandsPerCall: (redisAfter.all - redisBefore.all - 1) / calls,
    redisScriptsPerCall: (redisAfter.scripts - redisBefore.scripts) / calls,
    redisCommandMix: [...redisAfter.byCommand]
      .map(([command, count]): [string, number] => [command, (count - (redisBefore.byCommand.get(command) ?? 0) - (command === 'info' ? 1 : 0)) / calls])
      .filter(([, perCall]) => perCall > 0)
      .sort((a, b) => b[1] - a[1]),
    load: loadavg()[0] ?? Number.NaN,
  };
}

/** Redis's count of the commands it ran (INFO commandstats), all and the script calls (EVALSHA, EVAL, FCALL). */
async function commandCalls(redis: Redis): Promise<{ all: number; scripts: number; byCommand: Map<string, number> }> {
  const stats = await redis.info('commandstats');
  const counts = { all: 0, scripts: 0, byCommand: new Map<string, number>() };
  for (const [, command, calls] of stats.matchAll(/^cmdstat_([a-z_|]+):calls=(\d+)/gm)) {
    counts.all += Number(calls);
    counts.byCommand.set(command as string, Number(calls));
    if (/^(evalsha|eval|fcall)$/.test(command as string)) counts.scripts += Number(calls);
  }
  return counts;
}

const ms = (value: number): string => value.toFixed(3);

function printTable(results: PhaseResult[]): void {
  console.log('');
  console.log('| rate/s | path | calls | p50 ms | p99 ms | max ms | added p50 / p99 ms | p50 / p99 × plain | wrong | other answers | unanswered | deadline misses | decision p50 / p99 ms | callguard CPU µs/call | floor CPU µs/call | Asterisk CPU µs/call | loop wake-ups a call | Redis commands / scripts a call | load 1 min |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const result of results) {
    const plain = results.find((other) => other.rate === result.rate && other.path === 'plain');
    const p50 = percentile(result.setup, 50);
    const p99 = percentile(result.setup, 99);
    const plainP50 = plain ? percentile(plain.setup, 50) : Number.NaN;
    const plainP99 = plain ? percentile(plain.setup, 99) : Number.NaN;
    const added = result.path === 'plain' || !plain ? '—' : `${(p50 - plainP50).toFixed(2)} / ${(p99 - plainP99).toFixed(2)}`;
    const ratio = result.path === 'plain' || !plain ? '—' : `${(p50 / plainP50).toFixed(2)} / ${(p99 / plainP99).toFixed(2)}`;
    const row = [
      result.rate,
      result.path,
      result.calls,
      ms(p50),
      ms(p99),
      ms(result.setup.at(-1) ?? Number.NaN),
      added,
      ratio,
      wrongAnswers(result),
      otherAnswers(result),
      result.unanswered,
      result.deadlineMisses ?? '—',
      result.decisions.length === 0 ? '—' : `${ms(percentile(result.decisions, 50))} / ${ms(percentile(result.decisions, 99))}`,
      CALLGUARD_PATHS.has(result.path) ? result.callguardCpuUs.toFixed(0) : '—',
      FLOOR_PATHS.has(result.path) ? result.floorCpuUs.toFixed(0) : '—',
      result.asteriskCpuUs.toFixed(0),
      CALLGUARD_PATHS.has(result.path) ? result.callguardWakeups.toFixed(2) : FLOOR_PATHS.has(result.path) ? result.floorWakeups.toFixed(2) : '—',
      CALLGUARD_PATHS.has(result.path) ? `${result.redisCommandsPerCall.toFixed(2)} / ${result.redisScriptsPerCall.toFixed(2)}` : '—',
      `${result.load.toFixed(2)}${result.startedDrained ? '' : ' (started busy)'}`,
    ];
    console.log(`| ${row.join(' | ')} |`);
  }
}

/** The wrong answers of a phase, split into listed callers let through and clear ones refused: `12 (200: 10, 403: 2)`, or 0. */
function wrongAnswers(result: PhaseResult): string {
  return result.wrong === 0 ? '0' : `${result.wrong} (${ANSWERED}: ${result.letThrough}, ${REFUSED}: ${result.wrong - result.letThrough})`;
}

/** The other final responses of a phase, `503: 120, 500: 2`, or 0. */
function otherAnswers(result: PhaseResult): string {
  if (result.otherStatus.size === 0) return '0';
  return [...result.otherStatus].sort((a, b) => b[1] - a[1]).map(([status, count]) => `${status}: ${count}`).join(', ');
}

async function main(): Promise<void> {
  console.log(`bench:peer  ${RATES.join(', ')} calls/s for ${SECONDS} s a path, ${LISTED} numbers listed, half the callers listed`);
  console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  let asterisk: RunningAsterisk | undefined;
  let redisServer: RunningRedis | undefined;
  let redis: Redis | undefined;
  let serve: BenchServe | undefined;
  let floors: Floors | undefined;
  try {
    [asterisk, redisServer] = await Promise.all([startAsterisk({ beforeStart: fillAstdb }), startRedisServer()]);
    floors = await startFloors(asterisk, FLOOR_APP);
    await addBenchDialplan(asterisk, floors.agiAddress);
    redis = new Redis(redisServer.url);
    await seedBenchLists(redis, LISTED);
    const ping = await pingTimes(redis);
    const traceFile = flags.trace ? join(asterisk.runDir, 'call-trace.jsonl') : undefined;
    serve = await startBenchServe(asterisk, redisServer, traceFile === undefined ? {} : { traceFile });
    const asteriskProcess = await asteriskPid(asterisk.runDir);
    const idle = await idleUse(serve, floors, asteriskProcess);
    const context: PhaseContext = { asterisk, redis, serve, floors, asteriskProcess, idle };
    console.log(`CPU without calls: callguard ${(idle.callguard / TICKS_PER_SECOND * 100).toFixed(1)} %, the floors ${(idle.floor / TICKS_PER_SECOND * 100).toFixed(1)} %, Asterisk ${(idle.asterisk / TICKS_PER_SECOND * 100).toFixed(1)} % of a core; event-loop wake-ups a second: callguard ${idle.callguardWakeups.toFixed(0)}, the floors ${idle.floorWakeups.toFixed(0)} (taken out of the per-call figures)`);
    console.log(`Redis PING p50 ${ms(ping.p50)} ms, p99 ${ms(ping.p99)} ms (loopback, measured now)`);
    console.log(`serve pid ${serve.pid}, the floors' pid ${floors.pid} (for perf record -e cpu-clock -p, strace -c -f -p)`);

    // A fresh serve's first calls pay for its JIT compiling the call path, its connections
    // opening and its heap growing (measured: 3.9 ms of CPU a call over the first 1,000
    // against 2.5 warm); whichever path came first was billed for it.
    if (WARMUP_SECONDS > 0) {
      const warmRate = RATES[0] as number;
      for (const path of new Set(CHOSEN as BenchPath[])) await runPhase(context, path, warmRate, WARMUP_SECONDS);
      console.log(`warmed up: ${WARMUP_SECONDS} s at ${warmRate}/s on each path, not counted`);
    }
    const results: PhaseResult[] = [];
    for (const rate of RATES) {
      for (const path of CHOSEN as BenchPath[]) {
        const result = await runPhase(context, path, rate, SECONDS);
        results.push(result);
        console.log(`  ${rate}/s ${path}: p50 ${ms(percentile(result.setup, 50))} ms, p99 ${ms(percentile(result.setup, 99))} ms, wrong ${wrongAnswers(result)}, other answers ${otherAnswers(result)}, unanswered ${result.unanswered}, load ${result.load.toFixed(2)}`);
      }
    }
    printTable(results);
    console.log('');
    for (const result of results.filter((phase) => CALLGUARD_PATHS.has(phase.path))) {
      const mix = result.redisCommandMix.map(([command, perCall]) => `${command} ${perCall.toFixed(2)}`).join(', ');
      console.log(`Redis commands a call, ${result.rate}/s ${result.path}: ${mix}`);
    }

    if (MAX_RATES.length > 0) {
      console.log('');
      console.log(`highest rate one serve holds on the stasis path (setup p99 <= ${MAX_RATE_P99_MS} ms, nothing wrong or unanswered), ${MAX_SECONDS} s a step:`);
      let held: number | undefined;
      for (const rate of MAX_RATES) {
        const result = await runPhase(context, 'stasis', rate, MAX_SECONDS);
        const p99 = percentile(result.setup, 99);
        const holds = p99 <= MAX_RATE_P99_MS && result.wrong === 0 && result.otherStatus.size === 0 && result.unanswered === 0;
        console.log(`  ${rate}/s: p99 ${ms(p99)} ms, wrong ${wrongAnswers(result)}, other answers ${otherAnswers(result)}, unanswered ${result.unanswered}, callguard ${result.callguardCpuUs.toFixed(0)} µs/call, load ${result.load.toFixed(2)} ${holds ? 'holds' : 'does not hold'}`);
        if (!holds) break;
        held = rate;
      }
      console.log(`highest rate held: ${held === undefined ? `none of ${MAX_RATES.join(', ')}` : `${held} calls/s`}`);
    }
    if (traceFile !== undefined) {
      // serve writes the last traced calls as it exits.
      await serve.stop();
      const traced = await readTrace(traceFile);
      for (const result of results.filter((phase) => CALLGUARD_PATHS.has(phase.path))) {
        printBreakdown(`${result.rate}/s ${result.path}`, traceBetween(traced, result.startedAt, result.endedAt));
      }
    }
    console.log('');
    console.log('setup: INVITE to its final response as the caller sees it (sipp -trace_msg timestamps); CPU: user + system time of the process over the phase, less its use without calls, / calls');
  } finally {
    await floors?.stop();
    await serve?.stop();
    await redis?.quit().catch(() => redis?.disconnect());
    await redisServer?.stop();
    await asterisk?.stop();
  }
}

await main();
