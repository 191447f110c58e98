import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';
import { callguardArgs } from './run-cli.js';

let primary: RunningRedis;
let replica: RunningRedis;
beforeAll(async () => {
  primary = await startRedisServer();
  replica = await startRedisServer(undefined, ['--replicaof', '127.0.0.1', String(primary.port)]);
});
afterAll(async () => {
  await replica.stop();
  await primary.stop();
});

it('a write that reaches a replica (a primary a failover demoted) exits 3 with one line, like a lost Redis', async () => {
  const run = await callguardArgs(['--redis', replica.url, '--namespace', testNamespace(), 'list', 'create', 'dnc']);
  expect(run.code).toBe(3);
  expect(run.err).toBe(`callguard: Redis at ${replica.url} is a replica now (a failover?) and refused the write; run the command again\n`);
});
