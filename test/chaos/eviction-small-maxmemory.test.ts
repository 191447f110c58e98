import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { parseServeConfig } from '../../src/config.js';
import { ListSizeAlarms } from '../../src/lists/size-alarms.js';
import { ListStore } from '../../src/lists/store.js';
import { startService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { freePort, startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';

/** Room for the first list, not for both: the second import makes Redis evict. */
const MAXMEMORY = '8mb';
const FIRST_LIST = 60_000;
const SECOND_LIST = 100_000;

function numbers(from: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `+4930${String(from + i).padStart(8, '0')}`).join('\n');
}

/**
 * Issue 9 §2 as measured: a Redis with a small maxmemory and allkeys-lru, lists that
 * lose their numbers to eviction. Nothing may then read as "not listed" in silence.
 */
describe(`a Redis with maxmemory ${MAXMEMORY} and allkeys-lru`, () => {
  let server: RunningRedis;
  let redis: Redis;
  let dir: string;
  const namespace = testNamespace();
  const alarms = new ListSizeAlarms();

  beforeAll(async () => {
    server = await startRedisServer(undefined, ['--maxmemory', MAXMEMORY, '--maxmemory-policy', 'allkeys-lru']);
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    dir = await mkdtemp(join(tmpdir(), 'callguard-eviction-'));
    await writeFile(join(dir, 'first.txt'), numbers(0, FIRST_LIST));
    await writeFile(join(dir, 'second.txt'), numbers(FIRST_LIST, SECOND_LIST));
  });

  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(['node', 'callguard', '--redis', server.url, '--namespace', namespace, ...args], {
      out: (text) => void (out += `${text}\n`),
      err: (text) => void (err += `${text}\n`),
    });
    return { code, out, err };
  }

  it('serve refuses to start on it, and runs (loudly) when eviction is allowed', async () => {
    const settings = {
      ariUrl: `http://127.0.0.1:${await freePort()}`,
      ariUsername: 'callguard',
      ariPassword: 'unused',
      redisUrl: server.url,
      namespace,
      region: 'DE',
      health: '127.0.0.1:0',
    };
    await expect(startService(parseServeConfig(settings), capturedLogger().log)).rejects.toThrow(
      /^Redis' maxmemory-policy is allkeys-lru: .* or set CALLGUARD_ALLOW_EVICTION=1/,
    );

    const logs = capturedLogger();
    const service = await startService(parseServeConfig({ ...settings, allowEviction: '1' }), logs.log);
    try {
      expect(logs.lines().find((line) => line.msg === 'Redis may evict list entries: running anyway, as --allow-eviction says')).toMatchObject({
        level: 40,
        maxmemoryPolicy: 'allkeys-lru',
      });
      expect(await service.metrics.registry.getSingleMetricAsString('callguard_redis_evicting')).toMatch(/^callguard_redis_evicting 1$/m);
      expect(logs.lines().some((line) => line.msg === 'Redis persists nothing')).toBe(true);
    } finally {
      await service.stop();
    }
  });

  it('an import that would evict other lists is refused; allowed, the evicted list never reads as clear', async () => {
    expect((await cli('--allow-eviction', 'list', 'create', 'first')).code).toBe(0);
    expect((await cli('--allow-eviction', 'list', 'create', 'second')).code).toBe(0);
    expect((await cli('--allow-eviction', 'import', join(dir, 'first.txt'), '--list', 'first')).code).toBe(0);
    expect(alarms.assess(await new ListStore(redis, namespace).sizes())).toEqual([]);

    const refused = await cli('import', join(dir, 'second.txt'), '--list', 'second');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/maxmemory-policy is allkeys-lru/);
    expect(await redis.scard(`${namespace}:{${namespace}:second}:exact`)).toBe(0);

    const allowed = await cli('--allow-eviction', 'import', join(dir, 'second.txt'), '--list', 'second');
    expect(allowed.code).toBe(0);
    expect(allowed.err).toMatch(/^callguard: warning: Redis evicted \d+ keys while this command ran; lists may have lost entries/m);
    expect(Number((await redis.info('stats')).match(/evicted_keys:(\d+)/)?.[1])).toBeGreaterThan(0);

    // Which keys Redis evicts varies (LRU idle times count in seconds, and the test takes
    // about one), but memory is short by more than the small keys hold, so a list's
    // numbers went. Whatever went: no number of either list checks clear, and every list
    // that lost entries raises its alarm.
    const readings = await new ListStore(redis, namespace).sizes(alarms.known);
    const raised = alarms.assess(readings).map((alarm) => alarm.list);
    const damaged = readings.filter((reading) => !reading.exists || reading.entries < (reading.recordedSize ?? 0)).map((reading) => reading.name);
    expect(damaged.length).toBeGreaterThan(0);
    expect(raised.filter((list) => damaged.includes(list))).toEqual(damaged);
    for (const [list, from, count] of [['first', 0, FIRST_LIST], ['second', FIRST_LIST, SECOND_LIST]] as const) {
      for (let n = from; n < from + count; n += Math.floor(count / 5)) {
        const number = `+4930${String(n).padStart(8, '0')}`;
        const check = await cli('check', number, '--list', list);
        expect({ number, code: check.code }).toEqual({ number, code: check.code === 10 ? 10 : 1 });
        if (check.code === 1) expect(check.err).toMatch(new RegExp(`^callguard: (list ${list} lost entries outside callguard|no such list: ${list})`));
      }
    }
    // `lists` never shows a list that lost entries as a whole one: it warns, or (its index
    // evicted too) cannot name it.
    const listed = (await cli('lists')).out;
    for (const list of damaged) {
      if (new RegExp(`^${list}\\s`, 'm').test(listed)) expect(listed).toMatch(new RegExp(`^warning: ${list} lost \\d+ entries outside callguard`, 'm'));
    }
  });
});
