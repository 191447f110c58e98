import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, parseServeConfig, settingsFromEnv, type ServeSettings } from '../../src/config.js';

const MINIMAL: ServeSettings = { ariUsername: 'callguard', ariPassword: 's3cret', region: 'de' };
const MINIMAL_ENV = { ARI_USERNAME: 'callguard', ARI_PASSWORD: 's3cret', CALLGUARD_REGION: 'de' };

function problem(settings: ServeSettings): string {
  try {
    parseServeConfig(settings);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the settings were accepted');
}

describe('serve configuration', () => {
  it('the defaults: local ARI, app callguard, 150 ms deadline, dialplan fallback, health on loopback 9464', () => {
    const config = parseServeConfig(MINIMAL);
    expect(config.ari).toEqual({ url: 'http://127.0.0.1:8088', username: 'callguard', password: 's3cret', app: 'callguard' });
    expect(config.decisionDeadlineMs).toBe(150);
    expect(config.defaultRegion).toBe('DE');
    expect(config.unknownRouteAction).toEqual({ type: 'fallback' });
    expect(config.health).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.dialer).toEqual({ leaseMs: 60_000, reclaimIdleMs: 30_000 });
    expect(config.redisSafety).toEqual({ allowEviction: false, probeDeadlineMs: 1_000, watchIntervalMs: 5_000, listMaxAgeMs: 31 * 86_400_000 });
    expect(config.spoolDir).toBeUndefined();
  });

  it('environment variables are read by their documented names', () => {
    const settings = settingsFromEnv({
      ARI_URL: 'http://10.0.0.5:8088',
      ARI_USERNAME: 'u',
      ARI_PASSWORD: 'p',
      ARI_APP: 'screen',
      CALLGUARD_REGION: 'US',
      CALLGUARD_DECISION_DEADLINE_MS: '80',
      CALLGUARD_UNKNOWN_ROUTE_ACTION: 'hangup:busy',
      CALLGUARD_HEALTH: '127.0.0.1:0',
      CALLGUARD_DIALER_LEASE_MS: '3000',
      CALLGUARD_DIALER_RECLAIM_IDLE_MS: '2000',
      CALLGUARD_ALLOW_EVICTION: '1',
      CALLGUARD_REDIS_PROBE_MS: '250',
      CALLGUARD_REDIS_WATCH_MS: '1000',
      CALLGUARD_LIST_MAX_AGE: '7d',
      CALLGUARD_SPOOL_DIR: '/var/spool/callguard',
    });
    const config = parseServeConfig(settings);
    expect(config.ari).toEqual({ url: 'http://10.0.0.5:8088', username: 'u', password: 'p', app: 'screen' });
    expect(config.decisionDeadlineMs).toBe(80);
    expect(config.unknownRouteAction).toEqual({ type: 'hangup', cause: 17 });
    expect(config.health.port).toBe(0);
    expect(config.dialer).toEqual({ leaseMs: 3_000, reclaimIdleMs: 2_000 });
    expect(config.redisSafety).toEqual({ allowEviction: true, probeDeadlineMs: 250, watchIntervalMs: 1_000, listMaxAgeMs: 7 * 86_400_000 });
    expect(config.spoolDir).toBe('/var/spool/callguard');
  });

  it.each([
    [{ ariPassword: undefined }, 'ARI_PASSWORD: is required'],
    [{ ariUsername: undefined }, '--ari-username (ARI_USERNAME): is required'],
    [{ region: 'XX' }, '--region (CALLGUARD_REGION)'],
    [{ deadlineMs: 'fast' }, '--deadline-ms (CALLGUARD_DECISION_DEADLINE_MS)'],
    [{ deadlineMs: '0' }, '--deadline-ms (CALLGUARD_DECISION_DEADLINE_MS)'],
    [{ ariUrl: 'ws://127.0.0.1:8088' }, '--ari-url (ARI_URL)'],
    [{ ariUrl: 'http://admin:pw@127.0.0.1:8088' }, 'must not carry credentials'],
    [{ unknownRouteAction: 'drop' }, '--unknown-route-action (CALLGUARD_UNKNOWN_ROUTE_ACTION)'],
    [{ health: '9464' }, '--health (CALLGUARD_HEALTH)'],
    [{ redisUrl: 'http://127.0.0.1:6379' }, '--redis (REDIS_URL)'],
    [{ logLevel: 'loud' }, '--log-level (CALLGUARD_LOG_LEVEL)'],
    [{ listMaxAge: '31' }, '--list-max-age (CALLGUARD_LIST_MAX_AGE)'],
    [{ dialerLeaseMs: '999' }, '--dialer-lease-ms (CALLGUARD_DIALER_LEASE_MS)'],
    [{ dialerLeaseMs: '1m' }, '--dialer-lease-ms (CALLGUARD_DIALER_LEASE_MS)'],
    [{ dialerReclaimIdleMs: '3600001' }, '--dialer-reclaim-idle-ms (CALLGUARD_DIALER_RECLAIM_IDLE_MS)'],
    [{ agiListen: '4573' }, '--agi-listen (CALLGUARD_AGI_LISTEN)'],
    [{ featureList: 'Do Not Call' }, '--feature-list (CALLGUARD_FEATURE_LIST)'],
    [{ featureCodes: 'PJSIP/1001=35' }, '--feature-codes (CALLGUARD_FEATURE_CODES)'],
    [{ blockDigits: '*9!' }, '--block-digits (CALLGUARD_BLOCK_DIGITS)'],
    [{ redisUrl: 'redis://127.0.0.1:99999' }, '--redis (REDIS_URL): "redis://127.0.0.1:99999" has port 99999'],
    [{ allowEviction: 'sure' }, '--allow-eviction (CALLGUARD_ALLOW_EVICTION)'],
    [{ redisProbeMs: '10' }, '--redis-probe-ms (CALLGUARD_REDIS_PROBE_MS)'],
    [{ redisWatchMs: 'often' }, '--redis-watch-ms (CALLGUARD_REDIS_WATCH_MS)'],
  ] as [Partial<ServeSettings>, string][])('a bad setting is refused with a message naming it: %o', (change, named) => {
    expect(problem({ ...MINIMAL, ...change })).toContain(named);
  });

  it("FastAGI is off unless asked for; the agents' features default to the dnc list, *9 and nobody for the codes", () => {
    const config = parseServeConfig(MINIMAL);
    expect(config.agi).toBeUndefined();
    expect(config.features).toEqual({ list: 'dnc', permissions: [], blockDigits: '*9' });
    const set = parseServeConfig(
      settingsFromEnv({
        ...MINIMAL_ENV,
        CALLGUARD_AGI_LISTEN: '127.0.0.1:4573',
        CALLGUARD_FEATURE_LIST: 'agent-dnc',
        CALLGUARD_FEATURE_CODES: 'PJSIP/sup-*=30,31',
        CALLGUARD_BLOCK_DIGITS: 'off',
      }),
    );
    expect(set.agi).toEqual({ host: '127.0.0.1', port: 4573 });
    expect(set.features.list).toBe('agent-dnc');
    expect(set.features.blockDigits).toBe('');
    expect(describeConfig(set)).toMatchObject({ agi: '127.0.0.1:4573', features: { codes: ['PJSIP/sup-*=30,31'], blockDigits: 'off' } });
  });

  it('the configuration as logged carries no ARI password and no Redis password', () => {
    const config = parseServeConfig({ ...MINIMAL, redisUrl: 'redis://:hunter2@127.0.0.1:6379/0' });
    const logged = JSON.stringify(describeConfig(config));
    expect(logged).not.toContain('s3cret');
    expect(logged).not.toContain('hunter2');
    expect(logged).toContain('127.0.0.1:6379');
  });
});
