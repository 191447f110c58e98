import { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';

let server: RunningRedis | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

it('Redis going away in the middle of a command exits 3 with one line, like Redis unreachable', async () => {
  const redis = await startRedisServer();
  server = redis;
  const ns = testNamespace();
  const quiet = { out: () => undefined, err: () => undefined };
  const base = ['node', 'callguard', '--redis', redis.url, '--namespace', ns];
  expect(await runCli([...base, 'list', 'create', 'dnc'], quiet)).toBe(0);
  const numbers = Array.from({ length: 2000 }, (_, i) => `+4930${String(1_000_000 + i)}`);
  expect(await runCli([...base, 'add', ...numbers, '--list', 'dnc'], quiet)).toBe(0);

  const errors: string[] = [];
  let stopped: Promise<void> | undefined;
  const outStream = new Writable({
    // Every write waits for its callback, so the export cannot read on before Redis is gone.
    highWaterMark: 1,
    write(_chunk, _encoding, callback) {
      // The header is written before the first scan: stop Redis before the list is read.
      stopped ??= redis.stop();
      stopped.then(() => callback(), callback);
    },
  });
  const code = await runCli([...base, 'export', '--list', 'dnc'], {
    out: () => undefined,
    err: (text) => errors.push(text),
    outStream,
  });
  expect(code).toBe(3);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/^callguard: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+/);
});
