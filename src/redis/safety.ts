import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './connect.js';

/**
 * Whether a Redis keeps what callguard writes: its eviction policy and its persistence.
 * A list whose keys Redis evicts, or that a restart empties, reads as "not listed": the
 * caller it should block gets through, the number that said "don't call me" is dialled.
 */
export interface RedisSafety {
  /** maxmemory-policy, e.g. noeviction, allkeys-lru */
  maxmemoryPolicy: string;
  /** the policy may evict keys callguard keeps for good (lists, routes, logs) */
  evicts: boolean;
  /**
   * `none`: no append-only file and no RDB save point, so a restart empties Redis;
   * `unknown`: the settings could not be read (CONFIG refused, as managed services do).
   */
  persistence: 'aof' | 'rdb' | 'aof+rdb' | 'none' | 'unknown';
}

/**
 * Policies that may evict any key when memory runs out. The volatile-* policies evict
 * only keys with a time to live; callguard gives one only to the staging keys of an
 * `import --replace` (whose loss makes that replace fail, leaving the list as it was),
 * so they cannot take a list's entries, a route or a log.
 */
const EVICTING_POLICY = /^allkeys-/;

/**
 * The safety of `redis`; on a Redis Cluster of all its primaries together: one primary
 * that evicts or persists nothing puts the lists in its slots at risk.
 */
export async function readRedisSafety(redis: RedisClient): Promise<RedisSafety> {
  if (!isCluster(redis)) return readNodeSafety(redis);
  const nodes = await Promise.all(redis.nodes('master').map(readNodeSafety));
  const evicting = nodes.find((node) => node.evicts);
  const persistence = PERSISTENCE_RISK.find((risk) => nodes.some((node) => node.persistence === risk)) ?? 'unknown';
  return { maxmemoryPolicy: (evicting ?? nodes[0])?.maxmemoryPolicy ?? 'unknown', evicts: evicting !== undefined, persistence };
}

/** From worst to best: a cluster is as safe as its least safe primary. */
const PERSISTENCE_RISK: readonly RedisSafety['persistence'][] = ['none', 'unknown', 'rdb', 'aof', 'aof+rdb'];

async function readNodeSafety(redis: Redis): Promise<RedisSafety> {
  const memory = parseInfo(await redis.info('memory'));
  const maxmemoryPolicy = memory.get('maxmemory_policy') ?? 'unknown';
  return {
    maxmemoryPolicy,
    evicts: EVICTING_POLICY.test(maxmemoryPolicy),
    persistence: await readPersistence(redis),
  };
}

/** How many keys Redis has evicted since it started (INFO stats). */
export async function readEvictedKeys(redis: RedisClient): Promise<number> {
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  const counts = await Promise.all(nodes.map(async (node) => Number(parseInfo(await node.info('stats')).get('evicted_keys') ?? 0)));
  return counts.reduce((sum, count) => sum + count, 0);
}

/** The refusal a writer gives on an evicting Redis, or undefined when the policy is safe. */
export function evictionProblem(safety: RedisSafety): string | undefined {
  if (!safety.evicts) return undefined;
  return (
    `Redis' maxmemory-policy is ${safety.maxmemoryPolicy}: when memory runs out Redis evicts list entries, ` +
    'and an evicted number checks clear; set maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction, ' +
    'and in redis.conf)'
  );
}

/** The warning for a Redis that persists nothing, or undefined. */
export function persistenceProblem(safety: RedisSafety): string | undefined {
  if (safety.persistence !== 'none') return undefined;
  return (
    'Redis persists nothing (no append-only file, no RDB save point): a restart of Redis empties every list; ' +
    'set appendonly yes (or save points) in redis.conf'
  );
}

async function readPersistence(redis: Redis): Promise<RedisSafety['persistence']> {
  let appendonly: string | undefined;
  let save: string | undefined;
  try {
    appendonly = configValue(await redis.config('GET', 'appendonly'));
    save = configValue(await redis.config('GET', 'save'));
  } catch (error) {
    // Managed Redis services refuse CONFIG; INFO still tells whether AOF is on.
    if (!isCommandRefused(error)) throw error;
    const aof = parseInfo(await redis.info('persistence')).get('aof_enabled') === '1';
    return aof ? 'aof' : 'unknown';
  }
  const aof = appendonly === 'yes';
  const rdb = save !== undefined && save.trim() !== '';
  if (aof && rdb) return 'aof+rdb';
  if (aof) return 'aof';
  if (rdb) return 'rdb';
  return 'none';
}

function configValue(reply: unknown): string | undefined {
  return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
}

/** An ACL that forbids CONFIG (NOPERM), or a server that renamed or disabled it. */
function isCommandRefused(error: unknown): boolean {
  return error instanceof Error && /^(NOPERM|ERR unknown command)/.test(error.message);
}

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}
