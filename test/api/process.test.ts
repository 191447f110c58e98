import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { TokenStore } from '../../src/access/tokens.js';
import { freePort, startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { httpStatus } from '../helpers/serve.js';
import { testNamespace } from '../helpers/redis.js';
import { callguard } from '../cli/run-cli.js';
import { until } from '../helpers/until.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const REDIS_PASSWORD = 'pw-never-in-a-log-line';
/** A spawned process starts in seconds; a loaded machine may take several times that. */
const WAIT = { timeoutMs: 20_000, pollMs: 100 };

describe('callguard api, the process', () => {
  let redis: RunningRedis;
  let client: Redis;
  let base: string;
  let stdout = '';
  let exited: Promise<number | null>;
  let child: ReturnType<typeof spawn>;
  let token: string;
  const namespace = testNamespace();

  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url);
    token = (await new TokenStore(client, namespace).create({ name: 'ops', role: 'viewer', createdBy: 'test' })).token;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'api'], {
      env: {
        PATH: process.env.PATH ?? '',
        // A password the server does not ask for: ioredis goes on, and the URL must never be logged with it.
        REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`,
        CALLGUARD_NAMESPACE: namespace,
        CALLGUARD_API_LISTEN: `127.0.0.1:${port}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await until(async () => (await httpStatus(`${base}/readyz`)) === 200, 'the api to be ready', WAIT);
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await client.quit();
    await redis.stop();
  });

  it('answers /healthz and /readyz, and /metrics counts requests by route and status', async () => {
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ready: true, detail: { redis: 'ready' } });
    await fetch(`${base}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('callguard_api_requests_total{method="GET",route="/readyz",status="200"}');
    expect(metrics).toContain('callguard_api_request_duration_seconds_bucket');
  });

  it('gives each request an id, its own or the one the client sent, on the answer and the log line', async () => {
    const response = await fetch(`${base}/v1/lists`, { headers: { 'x-request-id': 'crm-4711', authorization: `Bearer ${token}` } });
    expect(response.headers.get('x-request-id')).toBe('crm-4711');
    const generated = (await fetch(`${base}/healthz`)).headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    await until(async () => stdout.includes('"reqId":"crm-4711"'), 'the log line of the request', WAIT);
  });

  it('logs JSON lines only, and never a token or the Redis password', async () => {
    await fetch(`${base}/v1/lists`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${base}/wombat/api/lists/?op=addToList&list=dnc&numbers=1&token=${token}`);
    await until(async () => stdout.split('"msg":"request answered"').length > 3, 'both request lines', WAIT);
    for (const line of stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(stdout).not.toContain(REDIS_PASSWORD);
    expect(stdout).not.toContain(token);
    expect(stdout).toContain('redis://:***@127.0.0.1');
  });

  it('stops on SIGTERM with exit code 0', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('callguard api stopped');
  });
});

describe('callguard api, its settings', () => {
  it.each([
    ['--listen', 'localhost', '--listen (CALLGUARD_API_LISTEN)'],
    ['--rate-limit', 'fast', '--rate-limit (CALLGUARD_API_RATE_LIMIT)'],
    ['--upload-limit', '2 TB', '--upload-limit (CALLGUARD_API_UPLOAD_LIMIT)'],
    ['--trust-proxy', 'the-proxy', '--trust-proxy (CALLGUARD_API_TRUST_PROXY)'],
    ['--region', 'XX', '--region (CALLGUARD_REGION)'],
  ])('refuses %s %j with one line naming the setting, exit 2', async (flag, value, named) => {
    const run = await callguard(testNamespace(), 'api', flag, value);
    expect(run.code).toBe(2);
    expect(run.err.trim().split('\n')).toHaveLength(1);
    expect(run.err).toContain(`callguard: ${named}`);
  });
});
