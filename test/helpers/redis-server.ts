import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { assertMayUseRedis } from './test-kind.js';

export interface RunningRedis {
  url: string;
  port: number;
  /** SIGSTOP: the socket stays open, nothing answers (a stalled Redis) */
  pause(): void;
  /** SIGCONT after pause() */
  resume(): void;
  /** ends the server but keeps its dir, for restart() */
  kill(): Promise<void>;
  /** starts it again on the same port and dir (its data back only with --appendonly yes) */
  restart(): Promise<void>;
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

export async function waitForPing(url: string): Promise<void> {
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
 * redis-server options (say `--cluster-enabled yes`, or `--appendonly yes` for one that
 * keeps its data across restart()); files they name land in the server's own
 * temporary dir, which lives until stop().
 */
export async function startRedisServer(port?: number, extraArgs: readonly string[] = []): Promise<RunningRedis> {
  assertMayUseRedis();
  const chosenPort = port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'callguard-redis-'));
  const url = `redis://127.0.0.1:${chosenPort}`;
  // A server started with --requirepass answers PING only once logged in.
  const password = extraArgs[extraArgs.indexOf('--requirepass') + 1];
  const pingUrl = extraArgs.includes('--requirepass') && password ? `redis://:${password}@127.0.0.1:${chosenPort}` : url;

  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(
      'redis-server',
      ['--port', String(chosenPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs],
      { stdio: 'ignore' },
    );
    const spawnFailed = new Promise<never>((_, reject) => {
      child.once('error', (error) =>
        reject(new Error(`could not start redis-server (apt-get install redis-server): ${error.message}`)),
      );
    });
    await Promise.race([waitForPing(pingUrl), spawnFailed]);
    return child;
  };
  const terminate = async (child: ChildProcess): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // A paused server would never see the SIGTERM.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    await exited;
  };

  let child = await launch();
  return {
    url,
    port: chosenPort,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async kill() {
      await terminate(child);
    },
    async restart() {
      await terminate(child);
      child = await launch();
    },
    async stop() {
      await terminate(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
