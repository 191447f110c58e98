import { describe, expect, it } from 'vitest';
import {
  connectionOptionsOf,
  describeRedisTarget,
  parseRedisTarget,
  parseWaitReplicas,
  RedisSettingError,
} from '../../src/redis/target.js';

const URL = 'redis://127.0.0.1:6379';

describe('which Redis the settings name', () => {
  it('a URL alone is one server', () => {
    expect(parseRedisTarget({ url: URL })).toEqual({ mode: 'standalone', url: URL });
  });

  it('sentinels and a master name are a Sentinel group; the URL keeps its credentials and database', () => {
    const target = parseRedisTarget({
      url: 'redis://app:s%40cret@ignored:1/2',
      sentinels: '10.0.0.1:26379, [::1]:26380,sentinel-c:26381',
      sentinelName: 'callguard',
      sentinelPassword: 'sentinel-secret',
    });
    expect(target).toMatchObject({
      mode: 'sentinel',
      name: 'callguard',
      sentinelPassword: 'sentinel-secret',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '::1', port: 26380 },
        { host: 'sentinel-c', port: 26381 },
      ],
    });
    expect(connectionOptionsOf(target.url)).toEqual({ username: 'app', password: 's@cret', db: 2 });
    expect(describeRedisTarget(target)).toBe('sentinel master callguard via 10.0.0.1:26379,[::1]:26380,sentinel-c:26381');
  });

  it('cluster nodes are a Redis Cluster, described without the password', () => {
    const target = parseRedisTarget({ url: 'rediss://:pw@x:1', cluster: '127.0.0.1:7000,127.0.0.1:7001' });
    expect(target).toMatchObject({ mode: 'cluster', nodes: [{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.1', port: 7001 }] });
    expect(connectionOptionsOf(target.url)).toEqual({ password: 'pw', db: 0, tls: {} });
    expect(describeRedisTarget(target)).not.toContain('pw');
  });

  it('a standalone URL is described with its password hidden', () => {
    expect(describeRedisTarget(parseRedisTarget({ url: 'redis://:hunter2@127.0.0.1:6379/0' }))).toBe('redis://:***@127.0.0.1:6379/0');
  });

  it.each([
    [{ url: URL, sentinels: '127.0.0.1:26379' }, '--redis-sentinel-name (CALLGUARD_REDIS_SENTINEL_NAME): is required'],
    [{ url: URL, sentinelName: 'callguard' }, 'needs --redis-sentinels'],
    [{ url: URL, sentinels: '127.0.0.1:26379', sentinelName: 'x', cluster: '127.0.0.1:7000' }, 'cannot be used together'],
    [{ url: URL, sentinels: '127.0.0.1', sentinelName: 'x' }, '"127.0.0.1" must be host:port'],
    [{ url: URL, sentinels: '127.0.0.1:26379,', sentinelName: 'x' }, '"" must be host:port'],
    [{ url: URL, cluster: '127.0.0.1:70000' }, '--redis-cluster (CALLGUARD_REDIS_CLUSTER): "127.0.0.1:70000" must be host:port'],
    [{ url: 'redis://127.0.0.1:6379/3', cluster: '127.0.0.1:7000' }, 'only database 0'],
    [{ url: URL, sentinels: '127.0.0.1:26379', sentinelName: 'my master' }, 'not a master group name'],
    [{ url: 'http://127.0.0.1:6379' }, '--redis (REDIS_URL): "http://127.0.0.1:6379" must start with redis://'],
    [{ url: 'redis://127.0.0.1:6379/zero' }, 'must be a database number'],
  ])('%j is refused naming the setting', (settings, message) => {
    expect(() => parseRedisTarget(settings)).toThrow(RedisSettingError);
    expect(() => parseRedisTarget(settings)).toThrow(message);
  });
});

describe('replicas an add or cancel waits for', () => {
  const standalone = parseRedisTarget({ url: URL });
  const sentinel = parseRedisTarget({ url: URL, sentinels: '127.0.0.1:26379', sentinelName: 'x' });
  const cluster = parseRedisTarget({ url: URL, cluster: '127.0.0.1:7000' });

  it('one with Sentinel or Cluster, none for one server, unless set', () => {
    expect([standalone, sentinel, cluster].map((target) => parseWaitReplicas(undefined, target))).toEqual([0, 1, 1]);
    expect(parseWaitReplicas('0', sentinel)).toBe(0);
    expect(parseWaitReplicas('2', standalone)).toBe(2);
  });

  it.each(['-1', 'one', '1.5', '17'])('%j is refused', (text) => {
    expect(() => parseWaitReplicas(text, sentinel)).toThrow('--redis-wait-replicas (CALLGUARD_REDIS_WAIT_REPLICAS)');
  });
});
