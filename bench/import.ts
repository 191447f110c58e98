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
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, createReadStream, createWriteStream, readdirSync, type WriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { listKeys } from '../src/lists/keys.js';
import { ListStore } from '../src/lists/store.js';
import { startRedisServer, type RunningRedis } from '../test/helpers/redis-server.js';

const SIZES = (process.env.BENCH_SIZES ?? (process.argv.includes('--10m') ? '2000000,10000000' : '2000000'))
  .split(',')
  .map(Number);
const RAW_BATCH = 5_000;
const AREAS = ['30', '40', '89', '221', '69'];
const GARBAGE = ['garbage', '12', 'anonymous', '+49 30 abc 123', '++4930', '0'];

const TARGET_SECONDS_FOR_2M = 30;
const TARGET_PEAK_RSS_MB = 250;
const TARGET_RAW_RATIO = 0.35;

const root = fileURLToPath(new URL('..', import.meta.url));
/** Inside node_modules so the compiled CLI resolves its dependencies; git ignores it. */
const buildDir = join(root, 'node_modules', '.cache', `callguard-bench-import-${process.pid}`);

/** Compiles src like `npm run build`, with every Lua script beside its module, into buildDir. */
function buildCli(): string {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', buildDir], {
    cwd: root,
    stdio: 'inherit',
  });
  const src = join(root, 'src');
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.lua')) {
      const from = join(entry.parentPath, entry.name);
      cpSync(from, join(buildDir, relative(src, dirname(from)), entry.name));
    }
  }
  return join(buildDir, 'cli', 'main.js');
}

function resp(args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

/** Buffered writes that wait for the file to drain: generation in constant memory. */
class Sink {
  private buffer = '';
  constructor(private readonly out: WriteStream) {}
  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= 1 << 16) {
      const full = this.buffer;
      this.buffer = '';
      if (!this.out.write(full)) await once(this.out, 'drain');
    }
  }
  async end(): Promise<void> {
    this.out.end(this.buffer);
    await once(this.out, 'finish');
  }
}

interface Generated {
  input: string;
  rawSingle: string;
  rawBatched: string;
  valid: number;
}

/**
 * Row i: a unique German number (the subscriber part is a permutation of i), written in
 * one of four formats; every 100th row garbage. The raw files get the E.164 form.
 */
async function generate(dir: string, count: number, rawKey: (shape: string) => string): Promise<Generated> {
  const files = { input: join(dir, `numbers-${count}.txt`), rawSingle: join(dir, `raw-single-${count}.resp`), rawBatched: join(dir, `raw-batched-${count}.resp`) };
  const input = new Sink(createWriteStream(files.input));
  const single = new Sink(createWriteStream(files.rawSingle));
  const batched = new Sink(createWriteStream(files.rawBatched));
  let batch: string[] = [];
  let valid = 0;
  for (let i = 0; i < count; i++) {
    if (i % 100 === 99) {
      await input.write(`${GARBAGE[i % GARBAGE.length]}\n`);
      continue;
    }
    const area = AREAS[i % AREAS.length] as string;
    const subscriber = String(((i * 7919 + 12_345) % 90_000_000) + 10_000_000);
    const e164 = `+49${area}${subscriber}`;
    let written: string;
    switch (i % 4) {
      case 0:
        written = e164;
        break;
      case 1:
        written = `0${area}${subscriber}`;
        break;
      case 2:
        written = `+49 ${area} ${subscriber.slice(0, 4)} ${subscriber.slice(4)}`;
        break;
      default:
        written = `0049${area}${subscriber}`;
    }
    await input.write(`${written}\n`);
    await single.write(resp(['SADD', rawKey('single'), e164]));
    batch.push(e164);
    valid += 1;
    if (batch.length === RAW_BATCH) {
      await batched.write(resp(['SADD', rawKey('batched'), ...batch]));
      batch = [];
    }
  }
  if (batch.length > 0) await batched.write(resp(['SADD', rawKey('batched'), ...batch]));
  await Promise.all([input.end(), single.end(), batched.end()]);
  return { ...files, valid };
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

/** Peak resident memory of a running process (Linux): VmHWM only grows, so the last read is the peak. */
async function vmHwmKb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    // The process exited between two polls; the previous read stands.
    return undefined;
  }
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
  let peakKb = 0;
  const poll = setInterval(() => {
    if (child.pid !== undefined) void vmHwmKb(child.pid).then((kb) => (peakKb = Math.max(peakKb, kb ?? 0)));
  }, 25);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  // Exit code 1 is expected: the 1% garbage rows are rejected.
  if (code !== 0 && code !== 1) throw new Error(`import exited with ${code}: ${out}`);
  return { seconds, peakRssMb: peakKb / 1024, summary: JSON.parse(out) as ImportRun['summary'] };
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
  try {
    const cli = buildCli();
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
    await rm(buildDir, { recursive: true, force: true });
    await server?.stop();
  }
}

await main();
