import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('could not read the port of a probe socket'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

async function waitForPing(url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // Refused connections while the server starts are expected; the loop retries them.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`redis-server at ${url} did not answer PING: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
}

/**
 * A throwaway redis-server on a free loopback port, without persistence, so tests
 * that stop and restart Redis (outage tests) own their server. `extraArgs` are more
 * redis-server options (say `--cluster-enabled yes`); files they name land in the
 * server's own temporary dir.
 */
export async function startRedisServer(port?: number, extraArgs: readonly string[] = []): Promise<RunningRedis> {
  const chosenPort = port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'callguard-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(chosenPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs],
    { stdio: 'ignore' },
  );
  const spawnFailed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`could not start redis-server (apt-get install redis-server): ${error.message}`)),
    );
  });
  const url = `redis://127.0.0.1:${chosenPort}`;
  // A server started with --requirepass answers PING only once logged in.
  const password = extraArgs[extraArgs.indexOf('--requirepass') + 1];
  const pingUrl = extraArgs.includes('--requirepass') && password ? `redis://:${password}@127.0.0.1:${chosenPort}` : url;
  await Promise.race([waitForPing(pingUrl), spawnFailed]);
  return {
    url,
    port: chosenPort,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
