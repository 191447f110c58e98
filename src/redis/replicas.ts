import type { Cluster, Redis } from 'ioredis';
import { isCluster, type RedisClient } from './connect.js';

/**
 * Longest an acknowledged write waits for its replicas (Redis WAIT). A replica on the
 * same network confirms within milliseconds; one that needs longer is lagging or gone,
 * and the command then says so rather than hang.
 */
export const REPLICA_ACK_TIMEOUT_MS = 1_000;

/** What WAIT answered for a write: how many replicas were asked for and how many confirmed. */
export interface ReplicaAcks {
  wanted: number;
  confirmed: number;
}

/**
 * Runs `write` on the primary that holds `key`, then asks that same connection to WAIT
 * until `wanted` replicas hold every write it made. WAIT counts the writes of its own
 * connection only, so an answer that came over another one (a reconnect in between, or
 * a cluster client sending it to any node) would confirm nothing: on a cluster both go to
 * the slot's primary directly, and a WAIT whose connection changed counts as 0.
 * Nothing is undone when fewer confirm: the write stays on the primary and reaches the
 * replicas when they catch up; the caller reports it.
 */
export async function writeAcknowledged<T>(
  client: RedisClient,
  key: string,
  wanted: number,
  write: (primary: Redis) => Promise<T>,
): Promise<{ result: T; replicas: ReplicaAcks }> {
  const primary = isCluster(client) ? await primaryOf(client, key) : client;
  const result = await write(primary);
  const connection = primary.stream;
  const confirmed = Number(await primary.call('WAIT', wanted, REPLICA_ACK_TIMEOUT_MS));
  return { result, replicas: { wanted, confirmed: primary.stream === connection ? confirmed : 0 } };
}

/** The connection to the primary that serves `key`'s slot, as the cluster client knows it. */
async function primaryOf(cluster: Cluster, key: string): Promise<Redis> {
  const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', key));
  const address = cluster.slots[slot]?.[0];
  const primary = cluster.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === address);
  if (!primary) throw new Error(`no Redis Cluster primary known for slot ${slot} (of ${key})`);
  return primary;
}
