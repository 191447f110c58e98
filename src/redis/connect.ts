import { Cluster, Redis } from 'ioredis';
import { connectionOptionsOf, type RedisTarget } from './target.js';

/**
 * A connection to callguard's Redis, whichever shape it has: one server or a Sentinel
 * group (ioredis' Redis, which follows the Sentinel master by itself), or a Redis
 * Cluster. Code that runs on all of them takes this type; every multi-key script keeps
 * its keys in one slot (src/lists/keys.ts), so it runs the same on a cluster.
 */
export type RedisClient = Redis | Cluster;

/** How a connection behaves when Redis is away; the CLI and serve each pass their own. */
export interface ConnectionBehaviour {
  /** connect on connect() or the first command, not at construction */
  lazyConnect: boolean;
  connectTimeoutMs: number;
  /** a command without an answer fails after this long; absent: it waits */
  commandTimeoutMs?: number;
  /** commands sent while disconnected wait for the connection (true) or fail at once */
  offlineQueue: boolean;
  /** how often a command is sent again after its connection dropped; null: until it succeeds */
  maxRetriesPerRequest: number | null;
  /** the wait before reconnect attempt `attempt` (from 1), or null to stay disconnected */
  reconnectDelay: (attempt: number) => number | null;
  /**
   * With Sentinel: also listen for +switch-master on every sentinel (a connection to each),
   * so the client leaves a demoted primary the moment a failover is announced rather
   * than when that server drops it. Worth it for a connection that lives (serve), not
   * for one command.
   */
  followFailovers: boolean;
}

/** The one place a Redis connection is made (CLI and serve). */
export function connectRedis(target: RedisTarget, behaviour: ConnectionBehaviour): RedisClient {
  const perNode = {
    connectTimeout: behaviour.connectTimeoutMs,
    maxRetriesPerRequest: behaviour.maxRetriesPerRequest,
    ...(behaviour.commandTimeoutMs === undefined ? {} : { commandTimeout: behaviour.commandTimeoutMs }),
  };
  const retryStrategy = (attempt: number): number | null => behaviour.reconnectDelay(attempt);
  switch (target.mode) {
    case 'standalone':
      return new Redis(target.url, {
        ...perNode,
        lazyConnect: behaviour.lazyConnect,
        enableOfflineQueue: behaviour.offlineQueue,
        retryStrategy,
      });
    case 'sentinel':
      return new Redis({
        ...perNode,
        ...connectionOptionsOf(target.url),
        lazyConnect: behaviour.lazyConnect,
        sentinels: target.sentinels,
        name: target.name,
        ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
        failoverDetector: behaviour.followFailovers,
        enableOfflineQueue: behaviour.offlineQueue,
        retryStrategy,
        sentinelRetryStrategy: retryStrategy,
      });
    case 'cluster': {
      const { db: _clusterHasOnlyDatabaseZero, ...credentials } = connectionOptionsOf(target.url);
      return new Cluster(target.nodes, {
        lazyConnect: behaviour.lazyConnect,
        enableOfflineQueue: behaviour.offlineQueue,
        clusterRetryStrategy: retryStrategy,
        redisOptions: { ...perNode, ...credentials },
      });
    }
  }
}

/** True for a Redis Cluster connection, whose commands each go to the node of their slot. */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}
