import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runCli } from '../../src/cli/run.js';
import { listKeys } from '../../src/lists/keys.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';

/** Commands that write, each as its own argv after the global options. */
const WRITERS = [
  ['list', 'create', 'other'],
  ['add', '+4930000002', '--list', 'dnc'],
  ['cancel', '+4930000001', '--list', 'dnc', '--reason', 'consent'],
  ['route', 'set', 'support', '--block', 'dnc'],
  ['list', 'disable', 'dnc'],
];

describe('writing commands on a Redis whose maxmemory-policy evicts', () => {
  let server: RunningRedis;
  let redis: Redis;
  const namespace = testNamespace();

  beforeAll(async () => {
    server = await startRedisServer(undefined, ['--maxmemory-policy', 'allkeys-lru']);
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    expect(await cli('--allow-eviction', 'list', 'create', 'dnc')).toMatchObject({ code: 0 });
    expect(await cli('--allow-eviction', 'add', '+4930000001', '--list', 'dnc')).toMatchObject({ code: 0 });
  });

  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });

  async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['node', 'callguard', '--redis', server.url, '--namespace', namespace, ...args], {
      out: (text) => void out.push(text),
      err: (text) => void err.push(text),
    });
    return { code, out, err };
  }

  it('refuse with one line naming the policy and the way out, and write nothing', async () => {
    const before = await redis.dbsize();
    for (const writer of WRITERS) {
      const run = await cli(...writer);
      expect({ writer, code: run.code }).toEqual({ writer, code: 1 });
      expect(run.err).toHaveLength(1);
      expect(run.err[0]).toMatch(/^callguard: Redis' maxmemory-policy is allkeys-lru: .*noeviction.*--allow-eviction.*Nothing was written$/);
    }
    expect(await redis.dbsize()).toBe(before);
    expect(await redis.sismember(listKeys(namespace, 'dnc').exact, '+4930000002')).toBe(0);
  });

  it('reading commands still read', async () => {
    const check = await cli('check', '+4930000001', '--list', 'dnc');
    expect(check.code).toBe(10);
    expect(check.err).toEqual([]);
    expect((await cli('lists')).code).toBe(0);
  });

  it('--allow-eviction, or CALLGUARD_ALLOW_EVICTION=1, writes with a warning that says so', async () => {
    const flagged = await cli('--allow-eviction', 'add', '+4930000003', '--list', 'dnc');
    expect(flagged.code).toBe(0);
    expect(flagged.err).toEqual([expect.stringMatching(/^callguard: warning: Redis' maxmemory-policy is allkeys-lru: .*writing anyway/)]);

    process.env.CALLGUARD_ALLOW_EVICTION = '1';
    try {
      const byEnv = await cli('add', '+4930000004', '--list', 'dnc');
      expect(byEnv.code).toBe(0);
      expect(byEnv.err).toEqual([expect.stringMatching(/^callguard: warning: /)]);
      process.env.CALLGUARD_ALLOW_EVICTION = 'perhaps';
      const unclear = await cli('add', '+4930000005', '--list', 'dnc');
      expect(unclear.code).toBe(2);
      expect(unclear.err).toEqual(['callguard: --allow-eviction (CALLGUARD_ALLOW_EVICTION): "perhaps" must be 1 (allow) or 0']);
    } finally {
      delete process.env.CALLGUARD_ALLOW_EVICTION;
    }
  });
});
