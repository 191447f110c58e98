import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { importText } from '../import/helpers.js';
import { ListStore } from '../../src/lists/store.js';
import { ServiceMetrics } from '../../src/service/metrics.js';
import { RedisWatch } from '../../src/service/redis-watch.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { testNamespace, testRedis } from '../helpers/redis.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);

describe("serve's list ages", () => {
  let redis: Redis;
  let namespace: string;
  beforeEach(() => {
    redis = testRedis();
    namespace = testNamespace();
  });
  afterEach(async () => {
    await redis.quit();
  });

  it('exports callguard_list_age_seconds per list and warns once past the allowed age, until the list is fresh again', async () => {
    const store = new ListStore(redis, namespace);
    await store.createList('us', { by: 'ops' }, { dense: 'nanp' });
    await store.createList('hand', { by: 'ops' });
    await importText(redis, namespace, 'us', '2015550100\n', { country: 'US', sourceDate: NOW - 40 * DAY });
    await redis.ping();
    const metrics = new ServiceMetrics();
    const { log, lines } = capturedLogger();
    let now = NOW;
    const watch = new RedisWatch({ redis, lists: store, allowEviction: true, intervalMs: 60_000, listMaxAgeMs: 31 * DAY, clock: () => now, log, metrics });
    await watch.readNow();
    await watch.readNow();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(new RegExp(`callguard_list_age_seconds\\{list="us"\\} ${40 * 86_400}\\b`));
    expect(text).not.toMatch(/callguard_list_age_seconds\{list="hand"\}/);
    const warnings = lines().filter((line) => line.msg === 'list data older than the allowed age: load a fresh copy');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ list: 'us', ageSeconds: 40 * 86_400, maxAgeSeconds: 31 * 86_400 });

    await importText(redis, namespace, 'us', '2015550101\n', { country: 'US', sourceDate: NOW - DAY });
    now += 1000;
    await watch.readNow();
    expect(lines().filter((line) => line.msg === 'list data fresh again')).toMatchObject([{ list: 'us' }]);
    await watch.stop();
  });

  it("exports the age of a list's oldest area code, not of the area code loaded last", async () => {
    const store = new ListStore(redis, namespace);
    await store.createList('us', { by: 'ops' }, { dense: 'nanp' });
    await importText(redis, namespace, 'us', '2015550100\n4155550100\n', { country: 'US', sourceDate: NOW - 40 * DAY });
    await importText(redis, namespace, 'us', '2015550101\n', { country: 'US', sourceDate: NOW - DAY });
    const metrics = new ServiceMetrics();
    const { log } = capturedLogger();
    const watch = new RedisWatch({ redis, lists: store, allowEviction: true, intervalMs: 60_000, listMaxAgeMs: 31 * DAY, clock: () => NOW, log, metrics });
    await watch.readNow();
    expect(await metrics.registry.metrics()).toMatch(new RegExp(`callguard_list_age_seconds\\{list="us"\\} ${40 * 86_400}\\b`));
    await watch.stop();
  });
});
