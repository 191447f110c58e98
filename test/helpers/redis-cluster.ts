import { Redis } from 'ioredis';
import { startRedisServer, type RunningRedis } from './redis-server.js';
import { until as pollUntil } from './until.js';

export interface RunningCluster {
  /** `host:port,…` of the primaries, as CALLGUARD_REDIS_CLUSTER takes it */
  nodes: string;
  primaries: RunningRedis[];
  /** replicas[i] replicates primaries[i], when asked for */
  replicas: RunningRedis[];
  stop(): Promise<void>;
}

export interface ClusterShape {
  /** primaries, each with an equal share of the 16384 slots */
  primaries: number;
  /** give the first this many primaries one replica each */
  replicas?: number;
}

const SLOTS = 16_384;
/** Nodes agree on the cluster (gossip) within a second or two on loopback; this bounds a broken start. */
const CLUSTER_READY_TIMEOUT_MS = 20_000;
const CLUSTER_POLL_MS = 20;

/**
 * A real Redis Cluster on loopback: `primaries` redis-server processes with
 * --cluster-enabled on free ports, the slots split between them (CLUSTER ADDSLOTSRANGE),
 * joined with CLUSTER MEET, resolved once every node says cluster_state:ok and knows
 * every other. Nodes announce 127.0.0.1: ioredis skips a node whose address CLUSTER
 * SLOTS leaves empty.
 */
export async function startRedisCluster(shape: ClusterShape): Promise<RunningCluster> {
  const started: RunningRedis[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.map((server) => server.stop()));
  };
  try {
    // A replica's first sync otherwise waits 5 s for more replicas to share it.
    const clusterArgs = [
      '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-announce-ip', '127.0.0.1',
      '--repl-diskless-sync-delay', '0',
    ];
    const primaries = await Promise.all(Array.from({ length: shape.primaries }, () => startRedisServer(undefined, clusterArgs)));
    started.push(...primaries);
    const replicas = await Promise.all(Array.from({ length: shape.replicas ?? 0 }, () => startRedisServer(undefined, clusterArgs)));
    started.push(...replicas);
    await withClients(started, async (clients) => {
      const first = clients[0] as Redis;
      await Promise.all(
        primaries.map((_, i) => {
          const from = Math.floor((i * SLOTS) / shape.primaries);
          const to = Math.floor(((i + 1) * SLOTS) / shape.primaries) - 1;
          return clients[i]?.call('CLUSTER', 'ADDSLOTSRANGE', from, to);
        }),
      );
      for (const server of started.slice(1)) await first.call('CLUSTER', 'MEET', '127.0.0.1', server.port);
      await until(() => everyNode(clients, (info) => info.includes(`cluster_known_nodes:${clients.length}`)), 'every node knows every other');
      for (let i = 0; i < replicas.length; i++) {
        const primaryId = String(await clients[i]?.call('CLUSTER', 'MYID'));
        await clients[primaries.length + i]?.call('CLUSTER', 'REPLICATE', primaryId);
      }
      await until(() => everyNode(clients, (info) => info.includes('cluster_state:ok')), 'cluster_state:ok on every node');
      const replicaClients = clients.slice(primaries.length);
      await until(
        async () => (await Promise.all(replicaClients.map((client) => client.info('replication')))).every((text) => text.includes('master_link_status:up')),
        'every replica in sync',
      );
    });
    return {
      nodes: primaries.map((server) => `127.0.0.1:${server.port}`).join(','),
      primaries,
      replicas,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function withClients<T>(servers: RunningRedis[], work: (clients: Redis[]) => Promise<T>): Promise<T> {
  const clients = servers.map((server) => new Redis(server.url, { maxRetriesPerRequest: 1 }));
  try {
    return await work(clients);
  } finally {
    for (const client of clients) client.disconnect();
  }
}

async function everyNode(clients: Redis[], test: (clusterInfo: string) => boolean): Promise<boolean> {
  const infos = await Promise.all(clients.map((client) => client.call('CLUSTER', 'INFO')));
  return infos.every((info) => test(String(info)));
}

async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  await pollUntil(probe, `the Redis Cluster to start: ${what}`, { timeoutMs: CLUSTER_READY_TIMEOUT_MS, pollMs: CLUSTER_POLL_MS });
}
