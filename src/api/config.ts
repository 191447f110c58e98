import { ConfigError, parseAllowEviction, SHARED_SETTINGS, type SettingName } from '../config.js';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { parseRegion } from '../numbers/region.js';
import {
  describeRedisTarget,
  parseRedisTarget,
  parseWaitReplicas,
  REDIS_TARGET_SETTINGS,
  RedisSettingError,
  type RedisSetting,
  type RedisTarget,
} from '../redis/target.js';

/**
 * The configuration of `callguard api`, read and checked once at start. Each setting
 * comes from a flag or, when the flag is absent, from its environment variable; a bad
 * value stops the start with a message naming the setting both ways.
 */
export interface ApiConfig {
  listen: { host: string; port: number };
  redis: {
    target: RedisTarget;
    namespace: string;
    /** replicas that must confirm an add or cancel */
    waitReplicas: number;
    /** run on a Redis whose maxmemory-policy may evict list entries (loudly) rather than refuse it */
    allowEviction: boolean;
  };
  /** region of national numbers when a request names none; absent: E.164 only */
  defaultRegion: string | undefined;
  logLevel: LogLevel;
  /** Fastify's trustProxy: false, true, a hop count, or addresses/CIDRs of the proxies */
  trustProxy: boolean | number | string;
  /** requests a token may make per window; 0: no limit */
  rateLimit: { max: number; windowMs: number };
  /** largest JSON body, bytes */
  bodyLimitBytes: number;
  /** largest import upload, bytes (spooled to disk, never held in memory) */
  uploadLimitBytes: number;
  webhooks: {
    /** a receiver that has failed an event for this long gets that event dropped */
    dropAfterMs: number;
    /** longest wait between two delivery attempts of one event */
    retryMaxMs: number;
  };
}

export interface ApiSettings {
  listen?: string;
  redisUrl?: string;
  redisSentinels?: string;
  redisSentinelName?: string;
  redisSentinelPassword?: string;
  redisCluster?: string;
  redisWaitReplicas?: string;
  allowEviction?: string;
  namespace?: string;
  region?: string;
  logLevel?: string;
  trustProxy?: string;
  rateLimit?: string;
  bodyLimit?: string;
  uploadLimit?: string;
  webhookDropAfter?: string;
  webhookRetryMax?: string;
}

export const API_SETTINGS: Readonly<Record<keyof ApiSettings, SettingName>> = {
  listen: { flag: '--listen', env: 'CALLGUARD_API_LISTEN' },
  redisUrl: REDIS_TARGET_SETTINGS.url,
  redisSentinels: REDIS_TARGET_SETTINGS.sentinels,
  redisSentinelName: REDIS_TARGET_SETTINGS.sentinelName,
  redisSentinelPassword: REDIS_TARGET_SETTINGS.sentinelPassword,
  redisCluster: REDIS_TARGET_SETTINGS.cluster,
  redisWaitReplicas: REDIS_TARGET_SETTINGS.waitReplicas,
  allowEviction: SHARED_SETTINGS.allowEviction,
  namespace: SHARED_SETTINGS.namespace,
  region: SHARED_SETTINGS.region,
  logLevel: SHARED_SETTINGS.logLevel,
  trustProxy: { flag: '--trust-proxy', env: 'CALLGUARD_API_TRUST_PROXY' },
  rateLimit: { flag: '--rate-limit', env: 'CALLGUARD_API_RATE_LIMIT' },
  bodyLimit: { flag: '--body-limit', env: 'CALLGUARD_API_BODY_LIMIT' },
  uploadLimit: { flag: '--upload-limit', env: 'CALLGUARD_API_UPLOAD_LIMIT' },
  webhookDropAfter: { flag: '--webhook-drop-after', env: 'CALLGUARD_WEBHOOK_DROP_AFTER' },
  webhookRetryMax: { flag: '--webhook-retry-max', env: 'CALLGUARD_WEBHOOK_RETRY_MAX' },
};

export const API_DEFAULTS = {
  listen: '127.0.0.1:8080',
  redisUrl: 'redis://127.0.0.1:6379',
  namespace: 'callguard',
  logLevel: 'info',
  trustProxy: 'false',
  rateLimit: '100/s',
  bodyLimit: '1mb',
  uploadLimit: '2gb',
  webhookDropAfter: '24h',
  webhookRetryMax: '5m',
} as const;

export class ApiConfigError extends Error {
  constructor(setting: keyof ApiSettings, problem: string) {
    const { flag, env } = API_SETTINGS[setting];
    super(`${flag === undefined ? env : `${flag} (${env})`}: ${problem}`);
    this.name = 'ApiConfigError';
  }
}

/** The settings found in an environment (flags are laid over them by the command). */
export function apiSettingsFromEnv(env: NodeJS.ProcessEnv): ApiSettings {
  const settings: ApiSettings = {};
  for (const [key, { env: name }] of Object.entries(API_SETTINGS) as [keyof ApiSettings, { env: string }][]) {
    const value = env[name];
    if (value !== undefined && value !== '') settings[key] = value;
  }
  return settings;
}

export function parseApiConfig(settings: ApiSettings): ApiConfig {
  const get = <K extends keyof ApiSettings>(key: K, fallback: string): string => {
    const value = settings[key]?.trim();
    return value === undefined || value === '' ? fallback : value;
  };
  const region = settings.region?.trim();
  const target = parseApiRedisTarget(settings, get('redisUrl', API_DEFAULTS.redisUrl));
  return {
    listen: parseListen(get('listen', API_DEFAULTS.listen)),
    redis: {
      target,
      namespace: get('namespace', API_DEFAULTS.namespace),
      waitReplicas: redisSetting(() => parseWaitReplicas(settings.redisWaitReplicas, target)),
      allowEviction: parseApiAllowEviction(settings.allowEviction),
    },
    defaultRegion: region ? parseDefaultRegion(region) : undefined,
    logLevel: parseLogLevel(get('logLevel', API_DEFAULTS.logLevel)),
    trustProxy: parseTrustProxy(get('trustProxy', API_DEFAULTS.trustProxy)),
    rateLimit: parseRate(get('rateLimit', API_DEFAULTS.rateLimit)),
    bodyLimitBytes: parseSize('bodyLimit', get('bodyLimit', API_DEFAULTS.bodyLimit)),
    uploadLimitBytes: parseSize('uploadLimit', get('uploadLimit', API_DEFAULTS.uploadLimit)),
    webhooks: {
      dropAfterMs: parseSpan('webhookDropAfter', get('webhookDropAfter', API_DEFAULTS.webhookDropAfter)),
      retryMaxMs: parseSpan('webhookRetryMax', get('webhookRetryMax', API_DEFAULTS.webhookRetryMax)),
    },
  };
}

function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || !Number.isInteger(port) || port > 65_535) {
    throw new ApiConfigError('listen', `"${text}" must be host:port, e.g. 127.0.0.1:8080 (port 0 picks a free one)`);
  }
  return { host, port };
}

const REDIS_SETTING_KEYS: Readonly<Record<RedisSetting, keyof ApiSettings>> = {
  url: 'redisUrl',
  sentinels: 'redisSentinels',
  sentinelName: 'redisSentinelName',
  sentinelPassword: 'redisSentinelPassword',
  cluster: 'redisCluster',
  waitReplicas: 'redisWaitReplicas',
};

/** A Redis setting read by the shared parser, its error named as this command's setting. */
function redisSetting<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof RedisSettingError) throw new ApiConfigError(REDIS_SETTING_KEYS[error.setting], error.problem);
    throw error;
  }
}

function parseApiAllowEviction(text: string | undefined): boolean {
  try {
    return parseAllowEviction(text);
  } catch (error) {
    if (error instanceof ConfigError) throw new ApiConfigError('allowEviction', error.problem);
    throw error;
  }
}

function parseApiRedisTarget(settings: ApiSettings, url: string): RedisTarget {
  return redisSetting(() =>
    parseRedisTarget({
      url,
      sentinels: settings.redisSentinels,
      sentinelName: settings.redisSentinelName,
      sentinelPassword: settings.redisSentinelPassword,
      cluster: settings.redisCluster,
    }),
  );
}

function parseDefaultRegion(text: string): string {
  const result = parseRegion(text);
  if (!result.ok) throw new ApiConfigError('region', result.reason);
  return result.region;
}

function parseLogLevel(text: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === text.toLowerCase());
  if (!level) throw new ApiConfigError('logLevel', `"${text}" must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/**
 * `false` (default: the client address is the socket's), `true` (trust every proxy:
 * only when nothing can reach the API but the proxy), a hop count, or the proxies'
 * addresses and CIDRs, comma-separated (`127.0.0.1,10.0.0.0/8`).
 */
function parseTrustProxy(text: string): boolean | number | string {
  const lower = text.toLowerCase();
  if (lower === 'false' || lower === 'no' || lower === 'off') return false;
  if (lower === 'true' || lower === 'yes' || lower === 'on') return true;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const parts = text.split(',').map((part) => part.trim());
  if (parts.every((part) => /^[0-9a-fA-F.:]+(?:\/\d{1,3})?$/.test(part))) return parts.join(',');
  throw new ApiConfigError('trustProxy', `"${text}" must be false, true, a hop count, or proxy addresses/CIDRs such as 127.0.0.1,10.0.0.0/8`);
}

const RATE_WINDOWS_MS: Record<string, number> = { s: 1_000, sec: 1_000, m: 60_000, min: 60_000, h: 3_600_000 };

/** `100/s`, `6000/min`, `off`. */
function parseRate(text: string): { max: number; windowMs: number } {
  if (['off', 'none', '0'].includes(text.toLowerCase())) return { max: 0, windowMs: 1_000 };
  const match = /^(\d{1,9})\/(s|sec|m|min|h)$/.exec(text.toLowerCase());
  const windowMs = match ? RATE_WINDOWS_MS[match[2] as string] : undefined;
  if (!match || windowMs === undefined || Number(match[1]) < 1) {
    throw new ApiConfigError('rateLimit', `"${text}" must be requests per window per token, e.g. 100/s or 6000/min, or off`);
  }
  return { max: Number(match[1]), windowMs };
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3 };

/** `1mb`, `512kb`, `2gb` or bytes. */
function parseSize(setting: 'bodyLimit' | 'uploadLimit', text: string): number {
  const match = /^(\d{1,10})\s*([a-z]*)$/.exec(text.toLowerCase());
  const unit = match ? SIZE_UNITS[match[2] as string] : undefined;
  const bytes = match && unit !== undefined ? Number(match[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new ApiConfigError(setting, `"${text}" must be a size such as 512kb, 1mb or 2gb`);
  }
  return bytes;
}

const SPAN_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `5m`, `24h`, `7d`. */
function parseSpan(setting: 'webhookDropAfter' | 'webhookRetryMax', text: string): number {
  const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text.toLowerCase());
  const unit = match ? SPAN_UNITS_MS[match[2] as string] : undefined;
  if (!match || unit === undefined || Number(match[1]) < 1) {
    throw new ApiConfigError(setting, `"${text}" must be a time such as 500ms, 30s, 5m, 24h or 7d`);
  }
  return Number(match[1]) * unit;
}

/** The configuration as it may appear in a log line: no Redis credentials. */
export function describeApiConfig(config: ApiConfig): Record<string, unknown> {
  return {
    listen: `${config.listen.host}:${config.listen.port}`,
    redis: describeRedisTarget(config.redis.target),
    namespace: config.redis.namespace,
    defaultRegion: config.defaultRegion ?? null,
    trustProxy: config.trustProxy,
    rateLimit: config.rateLimit,
    bodyLimitBytes: config.bodyLimitBytes,
    uploadLimitBytes: config.uploadLimitBytes,
    webhooks: config.webhooks,
  };
}
