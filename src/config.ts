import { LIST_NAME_PATTERN } from './lists/keys.js';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { parseRegion } from './numbers/region.js';
import {
  describeRedisTarget,
  parseRedisTarget,
  REDIS_TARGET_SETTINGS,
  RedisSettingError,
  type RedisSetting,
  type RedisTarget,
} from './redis/target.js';
import { ActionSyntaxError, parseAction } from './screening/actions.js';
import {
  describeFeaturePermissions,
  FeaturePermissionSyntaxError,
  parseFeaturePermissions,
  type FeaturePermission,
} from './screening/feature-permissions.js';
import { DEFAULT_DECISION_DEADLINE_MS } from './screening/deadline.js';
import type { Action } from './screening/types.js';

/**
 * The service's configuration (`callguard serve`), read and checked once at start.
 * Each setting comes from a flag or, when the flag is absent, from its environment
 * variable (commander's Option.env); a bad value stops the start with a message that
 * names the setting both ways.
 */

/** What happens to a call whose route does not exist or cannot be read. */
export type FallbackAction = { type: 'fallback' } | Action;

export interface ServeConfig {
  ari: { url: string; username: string; password: string; app: string };
  redis: { target: RedisTarget; namespace: string };
  decisionDeadlineMs: number;
  defaultRegion: string;
  unknownRouteAction: FallbackAction;
  health: { host: string; port: number };
  logLevel: LogLevel;
  /** how long a dial attempt's lease lasts, and how long a read but untaken request waits to be reclaimed */
  dialer: { leaseMs: number; reclaimIdleMs: number };
  /** where FastAGI is answered; absent: no FastAGI */
  agi?: { host: string; port: number };
  /** the agents' features: *9 and the feature codes */
  features: {
    /** the list they write to when the dialplan names none */
    list: string;
    /** who may use *30, *31, *32 */
    permissions: FeaturePermission[];
    /** the DTMF sequence that lists the other party of an agent's call callguard bridged; empty: off */
    blockDigits: string;
  };
  /**
   * Redis safety: run on a Redis whose maxmemory-policy may evict (loudly); the readiness
   * probe's deadline; how often the policy, persistence and list sizes are read again.
   */
  redisSafety: { allowEviction: boolean; probeDeadlineMs: number; watchIntervalMs: number; listMaxAgeMs: number };
  /** where call-log entries Redis could not take are kept until it does; none: in memory only */
  spoolDir: string | undefined;
}

/** Every setting as text, as flags and environment give it. */
export interface ServeSettings {
  ariUrl?: string;
  ariUsername?: string;
  ariPassword?: string;
  ariApp?: string;
  redisUrl?: string;
  redisSentinels?: string;
  redisSentinelName?: string;
  redisSentinelPassword?: string;
  redisCluster?: string;
  namespace?: string;
  deadlineMs?: string;
  region?: string;
  unknownRouteAction?: string;
  health?: string;
  logLevel?: string;
  dialerLeaseMs?: string;
  dialerReclaimIdleMs?: string;
  agiListen?: string;
  featureList?: string;
  featureCodes?: string;
  blockDigits?: string;
  allowEviction?: string;
  redisProbeMs?: string;
  redisWatchMs?: string;
  listMaxAge?: string;
  spoolDir?: string;
}

/** A setting's flag (none: environment only) and environment variable. */
export interface SettingName {
  flag?: string;
  env: string;
}

/** Settings that serve, the api and the CLI's commands read alike, named once. */
export const SHARED_SETTINGS = {
  namespace: { flag: '--namespace', env: 'CALLGUARD_NAMESPACE' },
  region: { flag: '--region', env: 'CALLGUARD_REGION' },
  logLevel: { flag: '--log-level', env: 'CALLGUARD_LOG_LEVEL' },
  allowEviction: { flag: '--allow-eviction', env: 'CALLGUARD_ALLOW_EVICTION' },
} as const satisfies Record<string, SettingName>;

/** The flag and environment variable of each setting, for help texts and error messages. */
export const SETTINGS: Readonly<Record<keyof ServeSettings, SettingName>> = {
  ariUrl: { flag: '--ari-url', env: 'ARI_URL' },
  ariUsername: { flag: '--ari-username', env: 'ARI_USERNAME' },
  // No flag: a password on the command line is visible to every user in `ps`.
  ariPassword: { env: 'ARI_PASSWORD' },
  ariApp: { flag: '--ari-app', env: 'ARI_APP' },
  redisUrl: REDIS_TARGET_SETTINGS.url,
  redisSentinels: REDIS_TARGET_SETTINGS.sentinels,
  redisSentinelName: REDIS_TARGET_SETTINGS.sentinelName,
  // No flag: a password on the command line is visible to every user in `ps`.
  redisSentinelPassword: REDIS_TARGET_SETTINGS.sentinelPassword,
  redisCluster: REDIS_TARGET_SETTINGS.cluster,
  namespace: SHARED_SETTINGS.namespace,
  deadlineMs: { flag: '--deadline-ms', env: 'CALLGUARD_DECISION_DEADLINE_MS' },
  region: SHARED_SETTINGS.region,
  unknownRouteAction: { flag: '--unknown-route-action', env: 'CALLGUARD_UNKNOWN_ROUTE_ACTION' },
  health: { flag: '--health', env: 'CALLGUARD_HEALTH' },
  logLevel: SHARED_SETTINGS.logLevel,
  dialerLeaseMs: { flag: '--dialer-lease-ms', env: 'CALLGUARD_DIALER_LEASE_MS' },
  dialerReclaimIdleMs: { flag: '--dialer-reclaim-idle-ms', env: 'CALLGUARD_DIALER_RECLAIM_IDLE_MS' },
  agiListen: { flag: '--agi-listen', env: 'CALLGUARD_AGI_LISTEN' },
  featureList: { flag: '--feature-list', env: 'CALLGUARD_FEATURE_LIST' },
  featureCodes: { flag: '--feature-codes', env: 'CALLGUARD_FEATURE_CODES' },
  blockDigits: { flag: '--block-digits', env: 'CALLGUARD_BLOCK_DIGITS' },
  allowEviction: SHARED_SETTINGS.allowEviction,
  redisProbeMs: { flag: '--redis-probe-ms', env: 'CALLGUARD_REDIS_PROBE_MS' },
  redisWatchMs: { flag: '--redis-watch-ms', env: 'CALLGUARD_REDIS_WATCH_MS' },
  listMaxAge: { flag: '--list-max-age', env: 'CALLGUARD_LIST_MAX_AGE' },
  spoolDir: { flag: '--spool-dir', env: 'CALLGUARD_SPOOL_DIR' },
};

// The defaults of the dialer and of serve's Redis watch live here, with the settings
// that change them, so that reading the settings loads neither.
/** A request read by an instance that has not taken it for this long is taken by another. */
export const DEFAULT_RECLAIM_IDLE_MS = 30_000;
/**
 * How long an attempt's lease lasts without renewal; renewed every third of it. Past it,
 * another instance may attempt the request again, so it is far longer than a renewal gap.
 */
export const DEFAULT_LEASE_MS = 60_000;

/**
 * How often serve reads Redis' eviction policy and persistence and every list's size
 * again by default: a list that lost its entries shows within this long. A reading costs
 * a few O(1) commands a list.
 */
export const DEFAULT_REDIS_WATCH_INTERVAL_MS = 5_000;

/**
 * Default deadline of the readiness probe: a PING on loopback answers in well under a
 * millisecond, so one that takes a second means Redis is stalled (stopped, swapping,
 * blocked by a slow command), even while its socket stays open.
 */
export const DEFAULT_REDIS_PROBE_DEADLINE_MS = 1_000;

export const DEFAULTS = {
  ariUrl: 'http://127.0.0.1:8088',
  ariApp: 'callguard',
  redisUrl: 'redis://127.0.0.1:6379',
  namespace: 'callguard',
  deadlineMs: String(DEFAULT_DECISION_DEADLINE_MS),
  unknownRouteAction: 'fallback',
  health: '127.0.0.1:9464',
  logLevel: 'info',
  dialerLeaseMs: String(DEFAULT_LEASE_MS),
  dialerReclaimIdleMs: String(DEFAULT_RECLAIM_IDLE_MS),
  featureList: 'dnc',
  blockDigits: '*9',
  redisProbeMs: String(DEFAULT_REDIS_PROBE_DEADLINE_MS),
  redisWatchMs: String(DEFAULT_REDIS_WATCH_INTERVAL_MS),
  /** the US rule: a do-not-call copy at most 31 days old */
  listMaxAge: '31d',
} as const;

/** A deadline longer than this is a typo: callers hear ringing while we wait. */
const MAX_DEADLINE_MS = 10_000;
/**
 * Bounds of the dialer's lease and reclaim times. A lease is renewed every third of it,
 * so below a second a busy Redis could let a live attempt's lease run out; above an hour
 * a crashed instance's requests would wait that long.
 */
const MIN_DIALER_MS = 1_000;
const MAX_DIALER_MS = 3_600_000;
const APP_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** DTMF digits, 1 to 8 of them; `off` (or empty) switches the in-call block off. */
const DTMF_SEQUENCE = /^[0-9*#A-D]{1,8}$/;
/**
 * Bounds of the probe deadline: below 50 ms a busy machine reads as a stalled Redis;
 * above a minute a stalled Redis stays "ready" for too long to matter.
 */
const MIN_PROBE_MS = 50;
const MAX_PROBE_MS = 60_000;
/** Bounds of the watch interval: Redis is asked at most 10 times a second, and at least hourly. */
const MIN_WATCH_MS = 100;
const MAX_WATCH_MS = 3_600_000;

export class ConfigError extends Error {
  constructor(
    readonly setting: keyof ServeSettings,
    readonly problem: string,
  ) {
    super(`${nameOf(setting)}: ${problem}`);
    this.name = 'ConfigError';
  }
}

function nameOf(setting: keyof ServeSettings): string {
  const { flag, env } = SETTINGS[setting];
  return flag ? `${flag} (${env})` : env;
}

/** The settings found in an environment, for callers that have no flags (tests, bench). */
export function settingsFromEnv(env: NodeJS.ProcessEnv): ServeSettings {
  const settings: ServeSettings = {};
  for (const [key, { env: name }] of Object.entries(SETTINGS) as [keyof ServeSettings, { env: string }][]) {
    const value = env[name];
    if (value !== undefined && value !== '') settings[key] = value;
  }
  return settings;
}

export function parseServeConfig(settings: ServeSettings): ServeConfig {
  const get = (key: keyof ServeSettings, fallback?: string): string | undefined => {
    const value = settings[key]?.trim();
    return value === undefined || value === '' ? fallback : value;
  };
  const required = (key: keyof ServeSettings, what: string): string => {
    const value = get(key);
    if (value === undefined) throw new ConfigError(key, `is required: ${what}`);
    return value;
  };

  return {
    ari: {
      url: parseHttpUrl(get('ariUrl', DEFAULTS.ariUrl) ?? DEFAULTS.ariUrl),
      username: required('ariUsername', 'the ARI user callguard logs in as (ari.conf)'),
      password: required('ariPassword', "that ARI user's password"),
      app: parseApp(get('ariApp', DEFAULTS.ariApp) ?? DEFAULTS.ariApp),
    },
    redis: {
      target: parseServeRedisTarget(settings, get('redisUrl', DEFAULTS.redisUrl) ?? DEFAULTS.redisUrl),
      namespace: get('namespace', DEFAULTS.namespace) ?? DEFAULTS.namespace,
    },
    decisionDeadlineMs: parseDeadline(get('deadlineMs', DEFAULTS.deadlineMs) ?? DEFAULTS.deadlineMs),
    defaultRegion: parseDefaultRegion(required('region', 'the region of national numbers, e.g. DE')),
    unknownRouteAction: parseFallbackAction(get('unknownRouteAction', DEFAULTS.unknownRouteAction) ?? 'fallback'),
    health: parseListen('health', get('health', DEFAULTS.health) ?? DEFAULTS.health),
    logLevel: parseLogLevel(get('logLevel', DEFAULTS.logLevel) ?? DEFAULTS.logLevel),
    dialer: {
      leaseMs: parseDialerMs('dialerLeaseMs', get('dialerLeaseMs', DEFAULTS.dialerLeaseMs) ?? DEFAULTS.dialerLeaseMs),
      reclaimIdleMs: parseDialerMs(
        'dialerReclaimIdleMs',
        get('dialerReclaimIdleMs', DEFAULTS.dialerReclaimIdleMs) ?? DEFAULTS.dialerReclaimIdleMs,
      ),
    },
    ...agiListen(get('agiListen')),
    features: {
      list: parseFeatureList(get('featureList', DEFAULTS.featureList) ?? DEFAULTS.featureList),
      permissions: parsePermissions(get('featureCodes') ?? ''),
      blockDigits: parseBlockDigits(settings.blockDigits?.trim() ?? DEFAULTS.blockDigits),
    },
    redisSafety: {
      allowEviction: parseAllowEviction(get('allowEviction')),
      probeDeadlineMs: parseMs('redisProbeMs', get('redisProbeMs', DEFAULTS.redisProbeMs) ?? DEFAULTS.redisProbeMs, MIN_PROBE_MS, MAX_PROBE_MS),
      watchIntervalMs: parseMs('redisWatchMs', get('redisWatchMs', DEFAULTS.redisWatchMs) ?? DEFAULTS.redisWatchMs, MIN_WATCH_MS, MAX_WATCH_MS),
      listMaxAgeMs: parseListMaxAge(get('listMaxAge', DEFAULTS.listMaxAge) ?? DEFAULTS.listMaxAge),
    },
    spoolDir: get('spoolDir'),
  };
}


function agiListen(text: string | undefined): { agi?: { host: string; port: number } } {
  return text === undefined || text.toLowerCase() === 'off' ? {} : { agi: parseListen('agiListen', text) };
}

function parseFeatureList(text: string): string {
  if (!LIST_NAME_PATTERN.test(text)) throw new ConfigError('featureList', `"${text}" is not a list name (a-z, 0-9, _ and -, up to 64)`);
  return text;
}

function parsePermissions(text: string): FeaturePermission[] {
  try {
    return parseFeaturePermissions(text);
  } catch (error) {
    if (error instanceof FeaturePermissionSyntaxError) throw new ConfigError('featureCodes', error.message);
    throw error;
  }
}

function parseBlockDigits(text: string): string {
  if (text === '' || text.toLowerCase() === 'off') return '';
  if (!DTMF_SEQUENCE.test(text)) {
    throw new ConfigError('blockDigits', `"${text}" must be 1 to 8 DTMF digits (0-9 * # A-D), e.g. *9, or off`);
  }
  return text;
}

/**
 * CALLGUARD_ALLOW_EVICTION (or --allow-eviction, which arrives as "true"): 1, true or yes
 * allow, 0, false, no or nothing do not; anything else is refused rather than guessed.
 */
export function parseAllowEviction(text: string | undefined): boolean {
  const value = text?.trim().toLowerCase() ?? '';
  if (['1', 'true', 'yes'].includes(value)) return true;
  if (['', '0', 'false', 'no'].includes(value)) return false;
  throw new ConfigError('allowEviction', `"${text}" must be 1 (allow) or 0`);
}

/** A list age past which serve warns: `31d`, `12h`, `2w`. */
export function parseListMaxAge(text: string): number {
  const match = /^(\d+)([hdw])$/.exec(text.trim());
  const unit = { h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
  if (!match || Number(match[1]) < 1) throw new ConfigError('listMaxAge', `"${text}" must be a whole number of hours, days or weeks, e.g. 31d`);
  return Number(match[1]) * unit[match[2] as keyof typeof unit];
}

function parseMs(setting: keyof ServeSettings, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ConfigError(setting, `"${text}" must be a whole number of milliseconds from ${min} to ${max}`);
  }
  return Number(text);
}

/** An ARI server address: http(s), no credentials, no path. */
export function parseHttpUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('ariUrl', `"${text}" is not a URL; write e.g. http://127.0.0.1:8088`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('ariUrl', `"${text}" must start with http:// or https://`);
  }
  if (url.username || url.password) {
    throw new ConfigError('ariUrl', 'must not carry credentials; set ARI_USERNAME and ARI_PASSWORD');
  }
  if (url.pathname !== '/' || url.search !== '') {
    throw new ConfigError('ariUrl', `"${text}" must be the server address only (callguard adds /ari)`);
  }
  return url.origin;
}

function parseApp(text: string): string {
  if (!APP_NAME_PATTERN.test(text)) {
    throw new ConfigError('ariApp', `"${text}" is not a Stasis app name (letters, digits, _ and -)`);
  }
  return text;
}

const REDIS_SETTING_KEYS: Readonly<Record<Exclude<RedisSetting, 'waitReplicas'>, keyof ServeSettings>> = {
  url: 'redisUrl',
  sentinels: 'redisSentinels',
  sentinelName: 'redisSentinelName',
  sentinelPassword: 'redisSentinelPassword',
  cluster: 'redisCluster',
};

function parseServeRedisTarget(settings: ServeSettings, url: string): RedisTarget {
  try {
    return parseRedisTarget({
      url,
      sentinels: settings.redisSentinels,
      sentinelName: settings.redisSentinelName,
      sentinelPassword: settings.redisSentinelPassword,
      cluster: settings.redisCluster,
    });
  } catch (error) {
    if (error instanceof RedisSettingError && error.setting !== 'waitReplicas') {
      throw new ConfigError(REDIS_SETTING_KEYS[error.setting], error.problem);
    }
    throw error;
  }
}

function parseDeadline(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_DEADLINE_MS) {
    throw new ConfigError('deadlineMs', `"${text}" must be a whole number of milliseconds from 1 to ${MAX_DEADLINE_MS}`);
  }
  return Number(text);
}

function parseDialerMs(setting: 'dialerLeaseMs' | 'dialerReclaimIdleMs', text: string): number {
  return parseMs(setting, text, MIN_DIALER_MS, MAX_DIALER_MS);
}

function parseDefaultRegion(text: string): string {
  const result = parseRegion(text);
  if (!result.ok) throw new ConfigError('region', result.reason);
  return result.region;
}

function parseFallbackAction(text: string): FallbackAction {
  if (text.toLowerCase() === 'fallback') return { type: 'fallback' };
  try {
    return parseAction(text);
  } catch (error) {
    if (error instanceof ActionSyntaxError) {
      throw new ConfigError('unknownRouteAction', `${error.message} (or "fallback": the dialplan line after Stasis())`);
    }
    throw error;
  }
}

function parseListen(setting: 'health' | 'agiListen', text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || !Number.isInteger(port) || port > 65_535) {
    const example = setting === 'health' ? '127.0.0.1:9464' : '127.0.0.1:4573';
    throw new ConfigError(setting, `"${text}" must be host:port, e.g. ${example} (port 0 picks a free one)`);
  }
  return { host, port };
}

function parseLogLevel(text: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === text.toLowerCase());
  if (!level) throw new ConfigError('logLevel', `"${text}" must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** The configuration as it may appear in a log line: no password, no Redis credentials. */
export function describeConfig(config: ServeConfig): Record<string, unknown> {
  return {
    ariUrl: config.ari.url,
    ariUsername: config.ari.username,
    ariApp: config.ari.app,
    redis: describeRedisTarget(config.redis.target),
    namespace: config.redis.namespace,
    decisionDeadlineMs: config.decisionDeadlineMs,
    defaultRegion: config.defaultRegion,
    unknownRouteAction: config.unknownRouteAction,
    health: `${config.health.host}:${config.health.port}`,
    dialer: config.dialer,
    agi: config.agi === undefined ? 'off' : `${config.agi.host}:${config.agi.port}`,
    features: {
      list: config.features.list,
      codes: describeFeaturePermissions(config.features.permissions),
      blockDigits: config.features.blockDigits === '' ? 'off' : config.features.blockDigits,
    },
    redisSafety: config.redisSafety,
    spoolDir: config.spoolDir,
  };
}
