import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, type RunningRedis } from './redis-server.js';
import { until as pollUntil } from './until.js';

export interface RunningSentinelGroup {
  /** the master group name the sentinels monitor (CALLGUARD_REDIS_SENTINEL_NAME) */
  name: string;
  /** `host:port,…` of the sentinels (CALLGUARD_REDIS_SENTINELS) */
  sentinels: string;
  /** the two data servers; which one is primary changes with a failover */
  servers: [RunningRedis, RunningRedis];
  /** the port of the server the sentinels name as primary now */
  primaryPort(): Promise<number>;
  /** SENTINEL FAILOVER: promote the replica now, without waiting for the primary to fail */
  failover(): Promise<void>;
  stop(): Promise<void>;
}

/** A replica's first sync and the sentinels finding each other (hello every 2 s) take a few seconds. */
const GROUP_READY_TIMEOUT_MS = 30_000;
const POLL_MS = 50;
const SENTINEL_STOP_TIMEOUT_MS = 5_000;

/**
 * A Sentinel group on loopback as production runs it, only smaller: a primary, a replica
 * of it, and `sentinels` sentinel processes (quorum 2) monitoring them, resolved
 * once every sentinel knows the replica and the other sentinels, so SENTINEL FAILOVER
 * can promote the replica at once. Every process is a child of this one, stopped by stop().
 */
export async function startSentinelGroup(options: { sentinels: number }): Promise<RunningSentinelGroup> {
  const name = 'callguard-test';
  // A replica's first sync otherwise waits 5 s for more replicas to share it.
  const primary = await startRedisServer(undefined, ['--repl-diskless-sync-delay', '0']);
  const stoppers: (() => Promise<void>)[] = [() => primary.stop()];
  const stop = async (): Promise<void> => {
    await Promise.all(stoppers.splice(0).map((stopOne) => stopOne()));
  };
  try {
    const replica = await startRedisServer(undefined, ['--repl-diskless-sync-delay', '0', '--replicaof', '127.0.0.1', String(primary.port)]);
    stoppers.push(() => replica.stop());
    const sentinels = await Promise.all(Array.from({ length: options.sentinels }, () => startSentinel(name, primary.port)));
    stoppers.push(...sentinels.map((sentinel) => () => sentinel.stop()));
    const clients = sentinels.map((sentinel) => new Redis(sentinel.port, '127.0.0.1', { maxRetriesPerRequest: 1 }));
    try {
      await until(async () => {
        const views = await Promise.all(
          clients.map(async (client) => {
            const replicas = (await client.call('SENTINEL', 'REPLICAS', name)) as string[][];
            const peers = (await client.call('SENTINEL', 'SENTINELS', name)) as string[][];
            return { replicas: replicas.map(fieldsOf), peers: peers.length };
          }),
        );
        return views.every(
          (view) =>
            view.peers === options.sentinels - 1 &&
            view.replicas.some((known) => known.port === String(replica.port) && known.flags === 'slave' && known['master-link-status'] === 'ok'),
        );
      }, 'every sentinel to know the replica and the other sentinels');
    } finally {
      for (const client of clients) client.disconnect();
    }
    return {
      name,
      sentinels: sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(','),
      servers: [primary, replica],
      async primaryPort() {
        const [, port] = (await askSentinel(sentinels[0]?.port, 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string];
        return Number(port);
      },
      async failover() {
        const reply = await askSentinel(sentinels[0]?.port, 'FAILOVER', name);
        if (reply !== 'OK') throw new Error(`SENTINEL FAILOVER answered ${String(reply)}`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function askSentinel(port: number | undefined, ...args: string[]): Promise<unknown> {
  const client = new Redis(port ?? 0, '127.0.0.1', { maxRetriesPerRequest: 1 });
  try {
    return await client.call('SENTINEL', ...args);
  } finally {
    client.disconnect();
  }
}

/** A SENTINEL REPLICAS entry (flat field, value pairs) as an object. */
function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
  return fields;
}

/**
 * One sentinel with a config file of its own (sentinels rewrite it). The
 * failover-timeout is short so a test's failover reconfigures the old primary soon.
 */
async function startSentinel(name: string, primaryPort: number): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'callguard-sentinel-'));
  const config = join(dir, 'sentinel.conf');
  await writeFile(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
      `sentinel down-after-milliseconds ${name} 5000`,
      `sentinel failover-timeout ${name} 10000`,
      '',
    ].join('\n'),
  );
  // redis-server runs as a sentinel with --sentinel (redis-sentinel is the same binary under another name).
  const child: ChildProcess = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`could not start redis-server --sentinel (apt-get install redis-server): ${error.message}`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const timer = setTimeout(() => child.kill('SIGKILL'), SENTINEL_STOP_TIMEOUT_MS);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([until(() => answersPing(port), `the sentinel on port ${port} to answer`), failed]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, stop };
}

async function answersPing(port: number): Promise<boolean> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Refused while the sentinel starts; the caller polls.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  await pollUntil(probe, `the Sentinel group to start: ${what}`, { timeoutMs: GROUP_READY_TIMEOUT_MS, pollMs: POLL_MS });
}
