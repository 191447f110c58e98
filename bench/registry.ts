/**
 * Benchmark of a national do-not-call registry at full size (not a test; issue 14).
 * Generates a synthetic registry of the US registry's shape (bench/helpers/registry-file.ts:
 * 258.5M numbers over 330 area codes and their exchanges, streamed to a file, never held
 * in memory) and prints, with the limits each is held to:
 *   - Redis bytes a number of the dense list (target <= 2 B, the whole registry <= 600 MB),
 *     beside the SET storage of a 10M sample in the same run;
 *   - the full load with `callguard import --country US --replace` as shipped (a child
 *     process, its peak RSS read from /proc; targets <= 3 min, <= 400 MB), as a ratio to
 *     `redis-cli --pipe` of the same numbers as one SETBIT each into the same bitmaps;
 *   - a change list of 1M additions and 1M deletions (`import --changes`, target <= 15 s);
 *   - check latency p50/p99 of a dense list against a SET list (target ratio <= 1.1);
 *   - `callguard scrub` of a 10M-row lead file against the registry and a 1M SET list,
 *     rows/s (target >= 500,000), beside `redis-cli --pipe` of the same checks, and the
 *     CPU time the CLI and Redis spent a row (steadier than wall time on a loaded machine);
 *   - what a SET list costs a number on Redis 7.0 (the host's) and on Debian unstable's
 *     Redis 8 and Valkey (scripts/sandbox-redis.sh install puts them in the sandbox root).
 *
 *   npm run bench:registry                      # the full 258.5M (15 to 40 minutes, with the machine's load; ~4 GB of disk)
 *   npm run bench:registry -- --numbers 20m     # development: same shape, fewer area codes
 *   npm run bench:registry -- --numbers 20m --leads 2m --sample 2m
 *   npm run bench:registry -- --numbers 20m --steps changes,scrub   # only these steps after the load
 *   npm run bench:registry -- --numbers 20m --steps scrub --cpu-prof /tmp/prof   # the scrub CLI under node --cpu-prof
 *   npm run bench:registry -- --numbers 20m --leads 2m --steps scrub --scrub-window 40k   # the full registry's ~2 numbers a block, in seconds
 *   npm run bench:registry -- --numbers 20m --leads 2m --steps scrub --scrub-window 40k --set-prefixes   # the SET list as a company's own: a prefix and a few timed entries
 *
 * --steps picks what runs after the registry's load (which every step needs): memory (the
 * SET sample), pipe (the SETBIT reference of the load), changes, check, scrub, servers;
 * default all.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { denseGenerationKeys, listKeys } from '../src/lists/keys.js';
import { ListStore } from '../src/lists/store.js';
import { freePort, startRedisServer, waitForPing, type RunningRedis } from '../test/helpers/redis-server.js';
import { buildCli, root } from './helpers/build-cli.js';
import { watchCpuSeconds } from './helpers/cpu-time.js';
import { watchPeakRss } from './helpers/peak-rss.js';
import { percentile } from './helpers/percentile.js';
import { forEachExchange, LineWriter, random, US_REGISTRY, writeAscii, writeDigits, type RegistryShape } from './helpers/registry-file.js';

const TARGET_BYTES_PER_NUMBER = 2;
const TARGET_LOAD_SECONDS = 180;
const TARGET_PEAK_RSS_MB = 400;
const TARGET_CHANGES_SECONDS = 15;
const TARGET_CHECK_RATIO = 1.1;
const TARGET_SCRUB_ROWS_PER_SECOND = 500_000;
const CHANGES = 1_000_000;
const SET_LIST_SIZE = 1_000_000;
const CHECKS = 20_000;
/** Numbers a SET holds in the Redis 7 / 8 / Valkey comparison. */
const SERVER_COMPARISON_SIZE = 2_000_000;
const SEED = 14;
/** How long a sandbox server may take to answer its first PING. */
const SANDBOX_START_MS = 10_000;

function count(flag: string, fallback: number): number {
  const at = process.argv.indexOf(flag);
  const text = at >= 0 ? process.argv[at + 1] : undefined;
  if (text === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text);
  if (!match) throw new Error(`${flag} ${text}: write e.g. 20m, 500k or 2000000`);
  return Math.round(Number(match[1]) * ({ '': 1, k: 1e3, m: 1e6 }[(match[2] ?? '').toLowerCase()] ?? 1));
}

const NUMBERS = count('--numbers', US_REGISTRY.numbers);
const LEADS = count('--leads', 10_000_000);
const SAMPLE = Math.min(count('--sample', 10_000_000), NUMBERS);
const STEPS = ['memory', 'pipe', 'changes', 'check', 'scrub', 'servers'] as const;
type Step = (typeof STEPS)[number];
function steps(): Set<Step> {
  const at = process.argv.indexOf('--steps');
  if (at < 0) return new Set(STEPS);
  const asked = (process.argv[at + 1] ?? '').split(',');
  const unknown = asked.filter((step) => !(STEPS as readonly string[]).includes(step));
  if (unknown.length > 0 || asked.length === 0) throw new Error(`--steps ${asked.join(',')}: pick from ${STEPS.join(',')}`);
  return new Set(asked as Step[]);
}
const RUN = steps();
/** Where the scrub's CLI writes a CPU profile (node --cpu-prof), when asked. */
/** The scrub's window (rows sorted together), when asked: a smaller one over a small registry meets each block as seldom as the default does over the full one. */
const SCRUB_WINDOW = process.argv.includes('--scrub-window') ? count('--scrub-window', 0) : undefined;
/** The SET list gets a prefix and a few timed entries, as a company's own `dnc` list has: its scrub holds them too (held-lists.ts). */
const SET_PREFIXES = process.argv.includes('--set-prefixes');
/** Timed entries --set-prefixes adds, expiring in a day: numbers of exchange 200 of the first area code. */
const SET_TIMED_ENTRIES = 20;
const CPU_PROFILE_DIR = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
const SHAPE: RegistryShape = { numbers: NUMBERS, areaCodes: Math.max(1, Math.round((US_REGISTRY.areaCodes * NUMBERS) / US_REGISTRY.numbers)), seed: SEED };

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
}

/** The CPU time Redis has spent since it started, user and system, in seconds. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]);
}


/** The CLI as shipped, in a child process: its wall time, CPU time, peak RSS and JSON output. */
async function runCli(cli: string, url: string, namespace: string, args: string[], okCodes = [0], nodeFlags: string[] = []): Promise<{ seconds: number; cpuSeconds: number; peakRssMb: number; json: Record<string, unknown> }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, cli, ...args, '--json'], {
    cwd: root, env: { ...process.env, REDIS_URL: url, CALLGUARD_NAMESPACE: namespace }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const peakRss = watchPeakRss(child);
  const cpuTime = watchCpuSeconds(child);
  const [code] = (await once(child, 'exit')) as [number | null];
  const peakRssMb = peakRss();
  const cpuSeconds = cpuTime();
  if (!okCodes.includes(code ?? -1)) throw new Error(`callguard ${args[0]} exited with ${code}: ${out}`);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds, peakRssMb, json: JSON.parse(out) as Record<string, unknown> };
}

/** redis-cli --pipe fed by `produce` writing RESP into its stdin; resolves with the seconds it took. */
async function redisPipe(url: string, produce: (stdin: ChildProcessWithoutNullStreams['stdin']) => Promise<void>): Promise<number> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  const child = spawn('redis-cli', ['-h', hostname, '-p', port || '6379', '--pipe'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await produce(child.stdin);
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0 || !/errors: 0/.test(out)) throw new Error(`redis-cli --pipe failed (${code}): ${out}`);
  return (performance.now() - started) / 1000;
}

/** One RESP command of ASCII arguments into a line writer's buffer. */
function resp(writer: LineWriter, args: string[]): void {
  const buffer = writer.reserve(256);
  let at = writer.offset;
  at = writeAscii(buffer, at, `*${args.length}\r\n`);
  for (const arg of args) at = writeAscii(buffer, at, `$${arg.length}\r\n${arg}\r\n`);
  writer.offset = at;
}

interface Files {
  registry: string;
  sample: string;
  deletions: string;
  additions: string;
  setList: string;
  leads: string;
}

/** The registry file (`areacode,number` lines, as the FTC's), a 10M sample of it, 1M deletions from it, and 1M additions. */
async function generateFiles(dir: string): Promise<{ files: Files; numbers: number }> {
  const files: Files = {
    registry: join(dir, 'registry.txt'), sample: join(dir, 'sample.txt'), deletions: join(dir, 'deletions.txt'),
    additions: join(dir, 'additions.txt'), setList: join(dir, 'set-list.txt'), leads: join(dir, 'leads.csv'),
  };
  const registry = new LineWriter(createWriteStream(files.registry));
  const sample = new LineWriter(createWriteStream(files.sample));
  const deletions = new LineWriter(createWriteStream(files.deletions));
  const additions = new LineWriter(createWriteStream(files.additions));
  // The shape rounds each exchange's fill down (256.6M of 258.5M): spaced for 99% of the
  // numbers asked, the deletions reach their full 1M before the registry ends.
  const every = Math.max(1, Math.floor((NUMBERS * 0.99) / CHANGES));
  const next = random(SEED + 1);
  let seen = 0;
  let sampled = 0;
  const numbers = await forEachExchange(SHAPE, async (npa, nxx, subscribers, n) => {
    const buffer = registry.reserve(n * 12);
    let at = registry.offset;
    for (let i = 0; i < n; i += 1) {
      at = writeDigits(buffer, at, npa, 3);
      buffer[at++] = 0x2c;
      at = writeDigits(buffer, at, nxx, 3);
      at = writeDigits(buffer, at, subscribers[i] as number, 4);
      buffer[at++] = 0x0a;
      seen += 1;
      if (sampled < SAMPLE) {
        const line = sample.reserve(12);
        sample.offset = writeAscii(line, sample.offset, `${npa},${nxx}${String(subscribers[i]).padStart(4, '0')}\n`);
        sampled += 1;
      }
      if (seen % every === 0 && seen / every <= CHANGES) {
        const line = deletions.reserve(12);
        deletions.offset = writeAscii(line, deletions.offset, `${npa}${nxx}${String(subscribers[i]).padStart(4, '0')}\n`);
        // An addition beside it: the same exchange, a number drawn at random (some are listed already).
        const added = additions.reserve(12);
        additions.offset = writeAscii(added, additions.offset, `${npa}${nxx}${String(Math.floor(next() * 10_000)).padStart(4, '0')}\n`);
      }
    }
    registry.offset = at;
    await Promise.all([registry.drained(), sample.drained(), deletions.drained(), additions.drained()]);
  });
  await Promise.all([registry.end(), sample.end(), deletions.end(), additions.end()]);
  return { files, numbers };
}

/** 1M random US numbers for a SET list, and a lead file (id,name,phone) of random numbers, every 10th from the SET list. */
async function generateLeads(files: Files, areaCodes: number[]): Promise<void> {
  const next = random(SEED + 2);
  const phone = (): string => `${areaCodes[Math.floor(next() * areaCodes.length)]}${200 + Math.floor(next() * 800)}${String(Math.floor(next() * 10_000)).padStart(4, '0')}`;
  const setList: string[] = [];
  const list = new LineWriter(createWriteStream(files.setList));
  for (let i = 0; i < SET_LIST_SIZE; i += 1) {
    const number = phone();
    if (i < 100_000) setList.push(number);
    const buffer = list.reserve(12);
    list.offset = writeAscii(buffer, list.offset, `${number}\n`);
    if (i % 10_000 === 0) await list.drained();
  }
  await list.end();
  const leads = new LineWriter(createWriteStream(files.leads));
  const header = leads.reserve(64);
  leads.offset = writeAscii(header, leads.offset, 'id,name,phone\n');
  for (let i = 0; i < LEADS; i += 1) {
    const number = i % 10 === 0 ? (setList[i % setList.length] as string) : phone();
    const buffer = leads.reserve(48);
    leads.offset = writeAscii(buffer, leads.offset, `${i},Lead ${i},${number}\n`);
    if (i % 10_000 === 0) await leads.drained();
  }
  await leads.end();
}

/** Area codes of the registry, read back from its dense index. */
async function areaCodesOf(redis: Redis, namespace: string, list: string): Promise<number[]> {
  const keys = listKeys(namespace, list);
  const gen = (await redis.hget(keys.info, 'gen')) as string;
  const blocks = await redis.zrange(denseGenerationKeys(keys.dense, gen).index, '0', '-1');
  return [...new Set(blocks.map((block) => Math.floor(Number(block) / 1000) % 1000))];
}

const SETBIT_TAIL = Buffer.from('\r\n$1\r\n1\r\n', 'latin1');

/**
 * redis-cli --pipe of the registry as one SETBIT a number, into bitmaps of the same
 * shape; the protocol is written byte by byte (a command's key once an exchange), so
 * the generator is not what limits the pipe.
 */
function pipeSetbits(url: string): Promise<number> {
  return redisPipe(url, async (stdin) => {
    const writer = new LineWriter(stdin);
    await forEachExchange(SHAPE, async (npa, nxx, subscribers, n) => {
      const key = `raw:{raw}:1${npa}${nxx}`;
      const head = Buffer.from(`*4\r\n$6\r\nSETBIT\r\n$${key.length}\r\n${key}\r\n$`, 'latin1');
      const buffer = writer.reserve(n * (head.length + 16));
      let at = writer.offset;
      for (let i = 0; i < n; i += 1) {
        const subscriber = subscribers[i] as number;
        const digits = subscriber >= 1000 ? 4 : subscriber >= 100 ? 3 : subscriber >= 10 ? 2 : 1;
        at += head.copy(buffer, at);
        buffer[at++] = 0x30 + digits;
        buffer[at++] = 0x0d;
        buffer[at++] = 0x0a;
        at = writeDigits(buffer, at, subscriber, digits);
        at += SETBIT_TAIL.copy(buffer, at);
      }
      writer.offset = at;
      await writer.drained();
    });
    await writer.end();
  });
}

/** Sequential check latencies of one number after another against each list, interleaved so load hits both alike. */
async function checkLatencies(store: ListStore, lists: { name: string; probes: string[] }[]): Promise<Record<string, { p50: number; p99: number }>> {
  const times: Record<string, number[]> = Object.fromEntries(lists.map((list) => [list.name, [] as number[]]));
  for (let i = 0; i < CHECKS; i += 1) {
    for (const list of lists) {
      const probe = list.probes[i % list.probes.length] as string;
      const started = performance.now();
      await store.check(probe, [list.name]);
      times[list.name]?.push(performance.now() - started);
    }
  }
  return Object.fromEntries(
    Object.entries(times).map(([name, all]) => {
      const sorted = all.slice(CHECKS / 10).sort((a, b) => a - b);
      return [name, { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }];
    }),
  );
}

/**
 * How long one scrub batch held Redis since the stats were reset: the mean of its EXEC
 * (the batch read) and EVALSHA (scrub-many.lua, for lists the read leaves to it) calls
 * (INFO commandstats), the longest command the latency monitor saw, and Redis' time
 * in all commands a row.
 */
async function batchHold(redis: Redis, rows: number): Promise<{ meanMs: number; maxMs: number; redisUsPerRow: number }> {
  const stats = await redis.info('commandstats');
  let calls = 0;
  let usec = 0;
  for (const [, command, count, spent] of stats.matchAll(/cmdstat_(\w+):calls=(\d+),usec=(\d+)/g)) {
    // EXEC's and EVALSHA's time hold their commands' time: the batch's commands are not counted again.
    if (command === 'exec' || command === 'evalsha') {
      calls += Number(count);
      usec += Number(spent);
    }
  }
  const latest = (await redis.latency('LATEST')) as [string, number, number, number][];
  const command = latest.find(([event]) => event === 'command');
  return {
    meanMs: calls > 0 ? Number((usec / calls / 1000).toFixed(1)) : 0,
    maxMs: command ? command[3] : 0,
    redisUsPerRow: Number((usec / rows).toFixed(2)),
  };
}

/** redis-cli --pipe of the checks a scrub makes: a GETBIT and a SISMEMBER a lead. */
async function pipeScrubChecks(url: string, redis: Redis, namespace: string, leadsFile: string): Promise<number> {
  const keys = listKeys(namespace, 'us');
  const gen = (await redis.hget(keys.info, 'gen')) as string;
  const block = denseGenerationKeys(keys.dense, gen).block;
  const setKey = listKeys(namespace, 'set1m').exact;
  const text = await readFile(leadsFile, 'latin1');
  return redisPipe(url, async (stdin) => {
    const writer = new LineWriter(stdin);
    let from = text.indexOf('\n') + 1;
    let rows = 0;
    while (from < text.length) {
      const end = text.indexOf('\n', from);
      const phone = text.slice(text.lastIndexOf(',', end) + 1, end);
      resp(writer, ['GETBIT', block(`1${phone.slice(0, 6)}`), String(Number(phone.slice(6)))]);
      resp(writer, ['SISMEMBER', setKey, `+1${phone}`]);
      from = end + 1;
      rows += 1;
      if (rows % 10_000 === 0) await writer.drained();
    }
    await writer.end();
  });
}

/** What a SET of `size` numbers costs a number on a server; the server is started by `start`. */
async function setCost(start: () => Promise<{ url: string; stop: () => Promise<void> }>, size: number): Promise<number> {
  const server = await start();
  const redis = new Redis(server.url);
  try {
    const before = await usedMemory(redis);
    for (let from = 0; from < size; from += 5_000) {
      const members: string[] = [];
      for (let i = from; i < Math.min(size, from + 5_000); i += 1) members.push(`+1${2_000_000_000 + i * 7}`);
      await redis.sadd('cost:set', ...members);
    }
    return ((await usedMemory(redis)) - before) / size;
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

/** A server of the sandbox root (Redis 8, Valkey) on a free loopback port, without persistence. */
async function sandboxServer(rootDir: string, binary: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('chroot', [rootDir, binary, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', '/tmp'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const ready = waitForPing(url);
  const timeout = setTimeout(() => child.kill('SIGKILL'), SANDBOX_START_MS);
  await ready.finally(() => clearTimeout(timeout));
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function sandboxRoot(): Promise<string | undefined> {
  const child = spawn(join(root, 'scripts/sandbox-redis.sh'), ['path'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return code === 0 ? out.trim() : undefined;
}

const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

async function main(): Promise<void> {
  // Built first: a build that fails then leaves no Redis server or temporary folder behind.
  const build = buildCli('bench-registry');
  const server: RunningRedis = await startRedisServer();
  const redis = new Redis(server.url);
  const dir = await mkdtemp(join(tmpdir(), 'callguard-bench-registry-'));
  const namespace = 'bench-registry';
  const results: Record<string, unknown> = { numbersAsked: NUMBERS, areaCodes: SHAPE.areaCodes };
  try {
    console.log(`bench:registry on ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}: ${NUMBERS} numbers over ${SHAPE.areaCodes} area codes`);
    let started = performance.now();
    const { files, numbers } = await generateFiles(dir);
    console.log(`  generated  ${numbers} numbers (${((await stat(files.registry)).size / 1e9).toFixed(2)} GB) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    results.numbers = numbers;

    const store = new ListStore(redis, namespace);
    await store.createList('us', { by: 'bench' }, { dense: 'nanp' });
    await store.createList('sample', { by: 'bench' });
    await store.createList('set1m', { by: 'bench' });

    let before = await usedMemory(redis);
    const load = await runCli(build.cli, server.url, namespace, ['import', files.registry, '--list', 'us', '--country', 'US', '--replace']);
    const denseBytes = (await usedMemory(redis)) - before;
    const stored = (await store.lists()).find((list) => list.name === 'us')?.size ?? 0;
    if (stored !== numbers) throw new Error(`the import stored ${stored} numbers of ${numbers}`);
    Object.assign(results, {
      denseMB: Math.round(denseBytes / 1e6), denseBytesPerNumber: Number((denseBytes / numbers).toFixed(2)),
      loadSeconds: Number(load.seconds.toFixed(1)), loadPeakRssMb: Math.round(load.peakRssMb),
    });
    console.log(`  load       ${results.loadSeconds} s (${Math.round(numbers / load.seconds)} numbers/s), peak RSS ${results.loadPeakRssMb} MB; dense ${results.denseBytesPerNumber} B/number (${results.denseMB} MB)`);
    if (RUN.has('pipe')) {
      before = await usedMemory(redis);
      const pipeSeconds = await pipeSetbits(server.url);
      const pipeBytes = (await usedMemory(redis)) - before;
      await redis.eval("for _, k in ipairs(redis.call('KEYS', 'raw:{raw}:*')) do redis.call('UNLINK', k) end return 0", 0);
      Object.assign(results, { pipeBitmapMB: Math.round(pipeBytes / 1e6), pipeSeconds: Number(pipeSeconds.toFixed(1)), loadRatioToPipe: Number((load.seconds / pipeSeconds).toFixed(2)) });
      console.log(`  pipe       redis-cli --pipe of one SETBIT a number ${results.pipeSeconds} s (bitmaps ${results.pipeBitmapMB} MB): the load took ${results.loadRatioToPipe} of its time`);
    }
    if (RUN.has('memory')) {
      before = await usedMemory(redis);
      await runCli(build.cli, server.url, namespace, ['import', files.sample, '--list', 'sample', '--country', 'US']);
      results.setBytesPerNumber = Number((((await usedMemory(redis)) - before) / SAMPLE).toFixed(1));
      await redis.unlink(listKeys(namespace, 'sample').exact);
      console.log(`  memory     dense ${results.denseBytesPerNumber} B/number, SET sample of ${SAMPLE}: ${results.setBytesPerNumber} B/number`);
    }

    let changesSeconds: number | undefined;
    if (RUN.has('changes')) {
      const changes = await runCli(build.cli, server.url, namespace, ['import', '--changes', files.additions, files.deletions, '--list', 'us', '--country', 'US']);
      const changed = changes.json as { deletions: { imported: number }; additions: { imported: number; duplicates: number } };
      changesSeconds = changes.seconds;
      results.changesSeconds = Number(changes.seconds.toFixed(1));
      console.log(`  changes    ${CHANGES} additions + ${CHANGES} deletions in ${results.changesSeconds} s (removed ${changed.deletions.imported}, added ${changed.additions.imported}, already listed ${changed.additions.duplicates})`);
    }

    if (RUN.has('check') || RUN.has('scrub')) {
      const areaCodes = await areaCodesOf(redis, namespace, 'us');
      started = performance.now();
      await generateLeads(files, areaCodes);
      console.log(`  generated  ${LEADS} leads and a ${SET_LIST_SIZE} SET list in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      await runCli(build.cli, server.url, namespace, ['import', files.setList, '--list', 'set1m', '--country', 'US']);
      if (SET_PREFIXES) {
        const timed = Array.from({ length: SET_TIMED_ENTRIES }, (_, n) => ({ member: `+1${areaCodes[0]}200${String(n).padStart(4, '0')}`, expiresAt: Date.now() + 86_400_000 }));
        await store.add('set1m', [{ member: `+1${areaCodes[0]}55*` }, ...timed], { by: 'bench' });
        console.log(`  set1m      a prefix (+1${areaCodes[0]}55*) and ${SET_TIMED_ENTRIES} timed entries`);
      }
    }
    if (RUN.has('check')) {
      const probes = (await readFile(files.setList, 'latin1')).split('\n', CHECKS).map((line) => `+1${line}`);
      const registryProbes = (await readFile(files.deletions, 'latin1')).split('\n', CHECKS).filter(Boolean).map((line, i) => (i % 2 ? `+1${line}` : `+1${line.slice(0, 6)}${String((Number(line.slice(6)) + 1) % 10_000).padStart(4, '0')}`));
      const latency = await checkLatencies(store, [{ name: 'us', probes: registryProbes }, { name: 'set1m', probes: probes.map((p, i) => (i % 2 ? p : `${p.slice(0, -1)}${(Number(p.at(-1)) + 1) % 10}`)) }]);
      const [dense, set] = [latency.us, latency.set1m] as [{ p50: number; p99: number }, { p50: number; p99: number }];
      Object.assign(results, {
        checkDenseP50Ms: Number(dense.p50.toFixed(3)), checkDenseP99Ms: Number(dense.p99.toFixed(3)), checkSetP50Ms: Number(set.p50.toFixed(3)), checkSetP99Ms: Number(set.p99.toFixed(3)),
        checkRatioP50: Number((dense.p50 / set.p50).toFixed(2)), checkRatioP99: Number((dense.p99 / set.p99).toFixed(2)),
      });
      console.log(`  check      dense p50 ${results.checkDenseP50Ms} ms p99 ${results.checkDenseP99Ms} ms; SET p50 ${results.checkSetP50Ms} ms p99 ${results.checkSetP99Ms} ms; ratio p50 ${results.checkRatioP50}, p99 ${results.checkRatioP99}`);
    }

    if (RUN.has('scrub')) {
      await redis.config('RESETSTAT');
      await redis.latency('RESET');
      await redis.config('SET', 'latency-monitor-threshold', '1');
      const redisCpuBefore = await redisCpuSeconds(redis);
      const scrub = await runCli(build.cli, server.url, namespace, [
        'scrub', files.leads, '--list', 'us,set1m', '--region', 'US', '-o', join(dir, 'clean.csv'), '--removed', join(dir, 'removed.csv'),
        ...(SCRUB_WINDOW === undefined ? [] : ['--window', String(SCRUB_WINDOW)]),
      ], [0], CPU_PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`]);
      const scrubbed = scrub.json as { rows: number; removed: number };
      const redisCpuUsPerRow = (((await redisCpuSeconds(redis)) - redisCpuBefore) * 1e6) / scrubbed.rows;
      const hold = await batchHold(redis, scrubbed.rows);
      const pipeScrub = await pipeScrubChecks(server.url, redis, namespace, files.leads);
      Object.assign(results, {
        scrubCliCpuUsPerRow: Number(((scrub.cpuSeconds * 1e6) / scrubbed.rows).toFixed(2)), scrubRedisCpuUsPerRow: Number(redisCpuUsPerRow.toFixed(2)),
        scrubBatchMeanMs: hold.meanMs, scrubBatchMaxMs: hold.maxMs, scrubRedisUsPerRow: hold.redisUsPerRow,
        scrubRowsPerSecond: Math.round(scrubbed.rows / scrub.seconds), scrubRemoved: scrubbed.removed, scrubPeakRssMb: Math.round(scrub.peakRssMb),
        pipeChecksRowsPerSecond: Math.round(LEADS / pipeScrub),
        scrubRatioToPipe: Number((scrubbed.rows / scrub.seconds / (LEADS / pipeScrub)).toFixed(2)),
      });
      console.log(
        `  scrub      ${LEADS} rows in ${scrub.seconds.toFixed(1)} s: ${results.scrubRowsPerSecond} rows/s (${scrubbed.removed} removed), peak RSS ${results.scrubPeakRssMb} MB; ` +
          `one batch holds Redis ${hold.meanMs} ms on average, ${hold.maxMs} ms at most (Redis ${hold.redisUsPerRow} us a row); ` +
          `CPU time a row: the CLI ${results.scrubCliCpuUsPerRow} us, Redis ${results.scrubRedisCpuUsPerRow} us; ` +
          `redis-cli --pipe of a GETBIT and a SISMEMBER a row: ${results.pipeChecksRowsPerSecond} rows/s; scrub/pipe ${results.scrubRatioToPipe}`,
      );
    }

    if (RUN.has('servers')) {
      const sandbox = await sandboxRoot();
      const servers: [string, () => Promise<{ url: string; stop: () => Promise<void> }>][] = [
        ['redis 7.0 (host)', async () => startRedisServer()],
        ...(sandbox
          ? ([
              ['redis 8 (sid)', () => sandboxServer(sandbox, '/usr/bin/redis-server')],
              ['valkey (sid)', () => sandboxServer(sandbox, '/usr/bin/valkey-server')],
            ] as [string, () => Promise<{ url: string; stop: () => Promise<void> }>][])
          : []),
      ];
      const setCosts: Record<string, number> = {};
      for (const [name, start] of servers) setCosts[name] = Number((await setCost(start, SERVER_COMPARISON_SIZE)).toFixed(1));
      results.setBytesPerNumberByServer = setCosts;
      console.log(`  SET cost   ${Object.entries(setCosts).map(([name, bytes]) => `${name} ${bytes} B/number`).join(', ')} (${SERVER_COMPARISON_SIZE} numbers)${sandbox ? '' : '; Redis 8 and Valkey: run scripts/sandbox-redis.sh install'}`);
    }

    const scale = US_REGISTRY.numbers / numbers;
    const targets = [
      `<= ${TARGET_BYTES_PER_NUMBER} B/number: ${verdict(Number(results.denseBytesPerNumber) <= TARGET_BYTES_PER_NUMBER)}`,
      `load <= ${TARGET_LOAD_SECONDS} s: ${verdict(load.seconds * scale <= TARGET_LOAD_SECONDS)}${scale > 1.01 ? ` (${(load.seconds * scale).toFixed(0)} s scaled to 258.5M)` : ''}`,
      `RSS <= ${TARGET_PEAK_RSS_MB} MB: ${verdict(load.peakRssMb <= TARGET_PEAK_RSS_MB)}`,
      ...(changesSeconds === undefined ? [] : [`changes <= ${TARGET_CHANGES_SECONDS} s: ${verdict(changesSeconds <= TARGET_CHANGES_SECONDS)}`]),
      ...(RUN.has('check') ? [`check ratio <= ${TARGET_CHECK_RATIO}: ${verdict(Number(results.checkRatioP50) <= TARGET_CHECK_RATIO && Number(results.checkRatioP99) <= TARGET_CHECK_RATIO)}`] : []),
      ...(RUN.has('scrub') ? [`scrub >= ${TARGET_SCRUB_ROWS_PER_SECOND} rows/s: ${verdict(Number(results.scrubRowsPerSecond) >= TARGET_SCRUB_ROWS_PER_SECOND)}`] : []),
    ];
    console.log(`  targets    ${targets.join(' · ')}`);
    console.log(JSON.stringify({ bench: 'registry', load: loadavg(), results }));
  } finally {
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
    await build.remove();
    await server.stop();
  }
}

await main();
