import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, parseServeConfig, settingsFromEnv, type ServeSettings } from '../../src/config.js';

const MINIMAL: ServeSettings = { ariUsername: 'callguard', ariPassword: 's3cret', region: 'DE' };

describe('serve on Redis Sentinel or Cluster', () => {
  it('reads the Sentinel settings from the environment, the password too, and never logs it', () => {
    const settings = settingsFromEnv({
      CALLGUARD_REDIS_SENTINELS: '10.0.0.21:26379,10.0.0.22:26379',
      CALLGUARD_REDIS_SENTINEL_NAME: 'callguard',
      CALLGUARD_REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      REDIS_URL: 'redis://:data-secret@unused:6379/1',
    });
    const config = parseServeConfig({ ...MINIMAL, ...settings });
    expect(config.redis.target).toMatchObject({ mode: 'sentinel', name: 'callguard', sentinelPassword: 'sentinel-secret' });
    const logged = JSON.stringify(describeConfig(config));
    expect(logged).toContain('sentinel master callguard via 10.0.0.21:26379,10.0.0.22:26379');
    expect(logged).not.toContain('secret');
  });

  it('reads the cluster nodes', () => {
    const config = parseServeConfig({ ...MINIMAL, ...settingsFromEnv({ CALLGUARD_REDIS_CLUSTER: '10.0.0.31:6379' }) });
    expect(config.redis.target).toMatchObject({ mode: 'cluster', nodes: [{ host: '10.0.0.31', port: 6379 }] });
  });

  it('a bad Redis setting stops the start with a message naming it', () => {
    expect(() => parseServeConfig({ ...MINIMAL, redisSentinels: '10.0.0.21' })).toThrow(ConfigError);
    expect(() => parseServeConfig({ ...MINIMAL, redisSentinels: '10.0.0.21:26379' })).toThrow(
      '--redis-sentinel-name (CALLGUARD_REDIS_SENTINEL_NAME): is required',
    );
    expect(() => parseServeConfig({ ...MINIMAL, redisCluster: 'x' })).toThrow('--redis-cluster (CALLGUARD_REDIS_CLUSTER): "x" must be host:port');
  });
});
