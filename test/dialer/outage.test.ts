import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DialFunction } from '../../src/dialer/types.js';
import type { RedisClient } from '../../src/redis/connect.js';
import { createServiceRedis } from '../../src/redis/process-connection.js';
import { freePort, startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';
import { DialerFixture, waitFor } from './fixture.js';
import { capturedLogger } from '../helpers/log-capture.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The connection serve makes: no offline queue, so commands fail at once while Redis is down. */
async function serviceClient(url: string): Promise<RedisClient> {
  const client = createServiceRedis({ mode: 'standalone', url }, pino({ level: 'silent' }));
  cleanups.push(() => client.disconnect());
  await waitFor(() => client.status === 'ready', 'the client to connect');
  return client;
}

/**
 * A redis-server that keeps its data across a restart (append-only file, fsync always),
 * as a production Redis does, so a stop is an outage rather than a loss of every request.
 */
async function persistentRedis(): Promise<{ url: string; stop(): Promise<void>; start(): Promise<void> }> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'callguard-dialer-outage-'));
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const server = {
    url,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
      const probe = createServiceRedis({ mode: 'standalone', url }, pino({ level: 'silent' }));
      try {
        await waitFor(async () => probe.status === 'ready' && (await probe.ping()) === 'PONG', 'redis-server to answer');
      } finally {
        probe.disconnect();
      }
    },
    async stop() {
      const running = child;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    },
  };
  cleanups.push(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await server.start();
  return server;
}

describe('Dialer when Redis goes away', () => {
  it('dials nothing while Redis is down, and the waiting request once it is back', async () => {
    const redis = await persistentRedis();
    const client = await serviceClient(redis.url);
    const fixture = new DialerFixture(client, testNamespace());
    cleanups.push(() => fixture.stopAll());
    await fixture.campaign('sales');
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567', id: 'waiting' });

    await redis.stop();
    const { log: logger, lines } = capturedLogger();
    fixture.dialer(fixture.answering('ANSWERED'), { logger }).start();
    await waitFor(() => lines().filter((line) => line.msg === 'dialer poll failed').length >= 1, 'the dialer to fail a poll');
    expect(fixture.dials).toHaveLength(0);

    await redis.start();
    await waitFor(() => fixture.dials.length === 1, 'the request dialled after the outage');
    await waitFor(async () => (await fixture.results()).length === 1, 'its result');
    expect(fixture.dials.map((d) => d.request.id)).toEqual(['waiting']);
    expect(await fixture.results()).toMatchObject([{ request: 'waiting', outcome: 'ANSWERED', final: true }]);
    expect(lines().some((line) => line.msg === 'dialer polling again')).toBe(true);
  });

  it('a call that ends while Redis is down has its result written once Redis is back, and is not dialled again', async () => {
    const redis = await persistentRedis();
    const client = await serviceClient(redis.url);
    const fixture = new DialerFixture(client, testNamespace());
    cleanups.push(() => fixture.stopAll());
    await fixture.campaign('sales');
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567', id: 'in-call' });
    let hangUp: () => void = () => undefined;
    let calls = 0;
    const dial: DialFunction = async () => {
      calls += 1;
      await new Promise<void>((resolve) => (hangUp = resolve));
      return 'BUSY';
    };
    const { log: logger, lines } = capturedLogger();
    fixture.dialer(dial, { logger }).start();
    await waitFor(() => calls === 1, 'the call to start');

    await redis.stop();
    hangUp();
    await waitFor(() => lines().some((line) => line.msg === 'could not write the attempt yet; retrying'), 'the write to fail');
    await redis.start();
    // The probe in start() is its own connection: this client (no offline queue) may still be reconnecting, and a read would fail at once.
    await waitFor(() => client.status === 'ready', 'the client to reconnect');
    await waitFor(async () => (await fixture.results()).length === 1, 'the result written after the outage');
    expect(await fixture.results()).toMatchObject([{ request: 'in-call', outcome: 'BUSY', final: false }]);
    expect((await fixture.results())[0]?.stale).toBeUndefined();
    expect(calls).toBe(1);
  });

  it('a Redis that restarts empty: the dialer makes its consumer group again and dials new requests', async () => {
    const server: RunningRedis = await startRedisServer();
    const port = server.port;
    let current = server;
    cleanups.push(() => current.stop());
    const client = await serviceClient(server.url);
    const fixture = new DialerFixture(client, testNamespace());
    cleanups.push(() => fixture.stopAll());
    await fixture.campaign('sales');
    fixture.dialer(fixture.answering('ANSWERED')).start();
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567', id: 'before' });
    await waitFor(() => fixture.dials.length === 1, 'the first request dialled');

    await server.stop();
    current = await startRedisServer(port);
    await waitFor(() => client.status === 'ready', 'the client to reconnect');
    await fixture.campaign('sales');
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234568', id: 'after' });
    await waitFor(() => fixture.dials.length === 2, 'the request sent after the restart dialled');
    expect(fixture.dials.map((d) => d.request.id)).toEqual(['before', 'after']);
  });
});
