import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace } from '../helpers/redis.js';
import { placeCall } from '../helpers/sipp.js';
import { httpStatus as status, spawnServe, type ServeProcess } from '../helpers/serve.js';

const availability = await e2eAvailability();
const BLOCKED = '+493012345678';

describe.skipIf(!availability.run)('callguard serve as a process', () => {
  let asterisk: E2eAsterisk;
  let redis: Redis;
  const namespace = testNamespace();
  const running: ServeProcess[] = [];

  beforeAll(async () => {
    asterisk = await useAsterisk();
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
    const lists = new ListStore(redis, namespace);
    await lists.createList('dnc', { by: 'e2e' });
    await lists.add('dnc', [{ member: BLOCKED }], { by: 'e2e' });
    await new RouteStore(redis, namespace).set({ ...newRoute('support'), block: ['dnc'] });
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const serve of running) {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
      await serve.exited;
    }
    await redis?.quit();
    await asterisk?.stop();
  });

  function baseEnv(): Record<string, string> {
    return {
      ARI_URL: asterisk.ariUrl,
      ARI_USERNAME: asterisk.ariUser,
      ARI_PASSWORD: asterisk.ariPassword,
      REDIS_URL: redisUrl(),
      CALLGUARD_NAMESPACE: namespace,
      CALLGUARD_REGION: 'DE',
      // Generous: this file proves behaviour, not speed, on a machine that may be busy.
      CALLGUARD_DECISION_DEADLINE_MS: '1000',
    };
  }

  it('screens calls, writes only JSON lines to stdout, serves health and metrics, and exits 0 on SIGTERM', async () => {
    const serve = await spawnServe(baseEnv());
    running.push(serve);
    await expect.poll(() => status(`${serve.health}/readyz`), { timeout: 20_000, interval: 200 }).toBe(200);
    expect(await status(`${serve.health}/healthz`)).toBe(200);

    const call = await placeCall({ from: BLOCKED, route: 'support', to: '+4930555000', target: asterisk.sipTarget });
    expect(call.status, serve.stdout()).toBe(403);
    await expect
      .poll(async () => (await fetch(`${serve.health}/metrics`)).text(), { timeout: 5_000 })
      .toMatch(/callguard_calls_total\{direction="inbound",verdict="blocked",action="hangup"\} 1/);

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    const lines = serve.stdout().split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(3);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map((line) => line.msg)).toEqual(expect.arrayContaining(['ARI connected', 'call screened', 'callguard stopped']));
    expect(serve.stdout()).not.toContain('Swagger');
  });

  it('a wrong ARI password is logged without the password and retried, never a crash; Redis credentials are redacted', async () => {
    const serve = await spawnServe({
      ...baseEnv(),
      ARI_PASSWORD: 'wrong-s3cret-pw',
      REDIS_URL: redisUrl().replace('redis://', 'redis://:hunter2-pw@'),
    });
    running.push(serve);
    await expect.poll(() => serve.stdout(), { timeout: 20_000, interval: 200 }).toContain('ARI refused the login');
    expect(serve.child.exitCode).toBeNull();
    expect(await status(`${serve.health}/readyz`)).toBe(503);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.stdout()).not.toContain('s3cret');
    expect(serve.stdout()).not.toContain('hunter2');
    expect(serve.stderr()).not.toContain('s3cret');
    for (const line of serve.stdout().split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('a bad setting stops serve at once with a message naming it', async () => {
    const serve = await spawnServe({ ...baseEnv(), CALLGUARD_DECISION_DEADLINE_MS: 'soon' });
    running.push(serve);
    expect(await serve.exited).toBe(2);
    expect(serve.stderr()).toContain('CALLGUARD_DECISION_DEADLINE_MS');
    expect(serve.stdout()).toBe('');
  });
});
