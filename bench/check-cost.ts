/**
 * What a check costs inside Redis, counted rather than timed: redis-server runs under
 * valgrind's callgrind, and each way of asking is counted in instructions over the same
 * checks on the same data, independent of the machine's load (not a test; needs valgrind).
 *
 *   npm run bench:check-cost
 *
 * The ways: a PING (the floor), a script that does nothing called with a one-call check's
 * keys and arguments (what any script call of them costs before its first line), and
 * ListStore's checks as callguard sends them: one script call for all lists
 * (check-many.lua, standalone Redis), the same behind the read of its route
 * (check-guarded.lua: what serve sends a call), a call a list (check-5.lua, Redis
 * Cluster), and the check that counts a call for two auto-block rules.
 * bench:check's mix: three lists, prefixes in one, timed entries in all, half of the
 * numbers listed. BENCH_ONLY=<name start> counts one way only, BENCH_CHECKS=<n> checks
 * a way (default 2,000), BENCH_KEEP=1 keeps the callgrind files for callgrind_annotate.
 * The script files are read from src/, so a change to a check script is counted without
 * a build. Each way is given as all the server's instructions and as those of its
 * commands: the first holds the server's timers too, so it grows with the time the checks
 * take (by ~5 % on a loaded machine); the second moves by under 1 % between runs of the
 * same scripts (Lua's garbage collection), and is the one to compare.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { listKeys } from '../src/lists/keys.js';
import { ListStore, type CheckMode } from '../src/lists/store.js';
import type { CallCounter, CheckGuard } from '../src/lists/types.js';
import { newRoute } from '../src/screening/route.js';
import { RouteStore } from '../src/screening/routes.js';
import { freePort, waitForPing } from '../test/helpers/redis-server.js';
import { checkedNumber, plainNumber, prefixEntry, timedNumber, type CheckMix } from './helpers/check-mix.js';

const NUMBERS_PER_LIST = 20_000;
const LISTS = ['dnc-national', 'dnc-company', 'blocked'];
const TIMED_PER_LIST = 2_000;
const PREFIXES = 100;
/** bench:check's default: prefixes in the blocked list only */
const PREFIX_LIST = LISTS.indexOf('blocked');
const CHECKS = Number(process.env.BENCH_CHECKS ?? 2_000);
/** callgrind_control answers within seconds; a dump of a busy server takes longer. */
const DUMP_TIMEOUT_MS = 60_000;

const MIX: CheckMix = { lists: LISTS.length, numbersPerList: NUMBERS_PER_LIST, timedPerList: TIMED_PER_LIST, prefixLists: [PREFIX_LIST], prefixesPerList: PREFIXES };

async function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill(), DUMP_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${out}`));
    });
  });
}

interface Counted {
  /** every instruction of the server since the last zeroing */
  total: number;
  /** those of reading and running the commands (processInputBuffer), undefined when the binary does not name it */
  commands: number | undefined;
}

/**
 * Instructions the server ran since the last zeroing: callgrind dumps, the newest file's
 * totals, and the inclusive cost of processInputBuffer from callgrind_annotate. The total
 * also holds the server's timers (serverCron, ~2-3 % here), which run by the clock, so it
 * grows with the time the checks take, under valgrind and on a loaded machine: the
 * commands' share moves with the script alone.
 */
async function instructions(dir: string, pid: number): Promise<Counted> {
  await run('callgrind_control', ['-d', String(pid)]);
  // The dumps are callgrind.out.<pid>.<n>; callgrind.out.<pid> is written at exit.
  const files = (await readdir(dir)).filter((file) => /^callgrind\.out\.\d+\.\d+$/.test(file)).sort((a, b) => Number(a.split('.').at(-1)) - Number(b.split('.').at(-1)));
  const file = join(dir, files.at(-1) as string);
  const found = /^summary: (\d+)/m.exec(await readFile(file, 'utf8'));
  if (!found?.[1]) throw new Error('no totals in the callgrind dump');
  const annotated = /^\s*([\d,]+) \([^)]*\)\s+\S*:processInputBuffer /m.exec(await run('callgrind_annotate', ['--inclusive=yes', file]));
  return { total: Number(found[1]), commands: annotated?.[1] ? Number(annotated[1].replaceAll(',', '')) : undefined };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'callguard-check-cost-'));
  const port = await freePort();
  const server = spawn(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${join(dir, 'callgrind.out.%p')}`, 'redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const redis = new Redis(url, { lazyConnect: true });
  try {
    await waitForPing(url);
    await redis.connect();
    const namespace = 'cgcost';
    const actor = { by: 'bench', reason: 'cost' };
    const store = new ListStore(redis, namespace);
    for (const [l, list] of LISTS.entries()) {
      await store.createList(list, actor);
      const numbers = Array.from({ length: NUMBERS_PER_LIST }, (_, n) => plainNumber(l, n));
      await store.add(list, numbers.slice(0, 10).map((member) => ({ member })), actor);
      await redis.sadd(listKeys(namespace, list).exact, ...numbers);
      const timed = Array.from({ length: TIMED_PER_LIST }, (_, i) => ({ member: timedNumber(l, i), expiresAt: Date.now() + 86_400_000 }));
      for (let i = 0; i < timed.length; i += 500) await store.add(list, timed.slice(i, i + 500), actor);
    }
    await store.add('blocked', Array.from({ length: PREFIXES }, (_, i) => ({ member: prefixEntry(PREFIX_LIST, i) })), actor);

    const stores = new Map((['one-call', 'per-list'] as CheckMode[]).map((checkMode) => [checkMode, new ListStore(redis, namespace, Date.now, { checkMode })]));
    const storeOf = (mode: CheckMode) => stores.get(mode) as ListStore;
    let call = 0;
    const counter = (): CallCounter[] => [{ list: 'blocked', scope: 'cost', member: `call-${++call}`, keep: 15, windowsMs: [15 * 60_000, 86_400_000] }];
    const checkKeys = LISTS.flatMap((list) => {
      const k = listKeys(namespace, list);
      return [k.info, k.exact, k.timed, k.meta, k.dense];
    });
    const nothing = (await redis.script('LOAD', 'return 0')) as string;
    // A route as `route set` stores it, naming the three lists.
    const routes = new RouteStore(redis, namespace);
    await routes.set({ ...newRoute('support'), block: LISTS, region: 'US' });
    await routes.getForCall('support', DUMP_TIMEOUT_MS);
    const guard = routes.cachedForCall('support')?.guard as CheckGuard;
    const ways: [string, (number: string) => Promise<unknown>][] = [
      ['PING (the floor)', () => redis.ping()],
      ['empty script, a check\'s 17 arguments', (number) => redis.evalsha(nothing, checkKeys.length, ...checkKeys, Date.now(), number)],
      ['check, one call (check-many.lua)', (number) => storeOf('one-call').checkEach(number, LISTS)],
      [
        'route and check (check-guarded.lua)',
        async (number) => {
          if (!(await storeOf('one-call').checkGuarded(guard, number, LISTS, [])).unchanged) throw new Error('the route read back is not the one stored');
        },
      ],
      ['check, a call a list (check-5.lua)', (number) => storeOf('per-list').checkEach(number, LISTS)],
      ['counting check, one call', (number) => storeOf('one-call').checkCounting(number, LISTS, counter())],
    ];
    for (const [, ask] of ways) for (let i = 0; i < 200; i++) await ask(checkedNumber(MIX, i));
    console.log(`Redis instructions a check (callgrind), ${CHECKS} checks of bench:check's mix, ${LISTS.length} lists (the route ${guard.text.length} bytes):`);
    console.log(`${''.padEnd(40)} ${'all'.padStart(10)} ${'commands'.padStart(10)}`);
    const perCheck = (count: number | undefined) => (count === undefined ? '—' : Math.round(count / CHECKS).toLocaleString('en')).padStart(10);
    const only = process.env.BENCH_ONLY;
    for (const [name, ask] of ways.filter(([name]) => only === undefined || name.startsWith(only))) {
      await run('callgrind_control', ['-z', String(server.pid)]);
      for (let i = 0; i < CHECKS; i++) await ask(checkedNumber(MIX, i));
      const counted = await instructions(dir, server.pid as number);
      console.log(`${name.padEnd(40)} ${perCheck(counted.total)} ${perCheck(counted.commands)}`);
    }
  } finally {
    redis.disconnect();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    if (process.env.BENCH_KEEP) console.log(`callgrind files kept in ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

await main();
