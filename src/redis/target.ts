import { redisUrlProblem } from './url.js';

/**
 * Which Redis callguard talks to, read once from the settings every command and serve
 * share: one server (`REDIS_URL`), a Sentinel group (`CALLGUARD_REDIS_SENTINELS` and
 * `CALLGUARD_REDIS_SENTINEL_NAME`) or a Redis Cluster (`CALLGUARD_REDIS_CLUSTER`).
 * With Sentinel or Cluster the URL still gives the data nodes' user, password, database
 * and TLS (`rediss:`); its host and port are not used.
 */

export interface HostPort {
  host: string;
  port: number;
}

interface TargetBase {
  /** the credentials, database and TLS of the data nodes; the address too when standalone */
  url: string;
}

export type RedisTarget =
  | (TargetBase & { mode: 'standalone' })
  | (TargetBase & { mode: 'sentinel'; sentinels: HostPort[]; name: string; sentinelPassword?: string })
  | (TargetBase & { mode: 'cluster'; nodes: HostPort[] });

/** The settings as text, as flags and environment give them. */
export interface RedisTargetSettings {
  url: string;
  sentinels?: string;
  sentinelName?: string;
  /** environment only: a flag would show in `ps` */
  sentinelPassword?: string;
  cluster?: string;
}

/** The flag and environment variable of each setting, for messages and help. */
export const REDIS_TARGET_SETTINGS = {
  url: { flag: '--redis', env: 'REDIS_URL' },
  sentinels: { flag: '--redis-sentinels', env: 'CALLGUARD_REDIS_SENTINELS' },
  sentinelName: { flag: '--redis-sentinel-name', env: 'CALLGUARD_REDIS_SENTINEL_NAME' },
  sentinelPassword: { env: 'CALLGUARD_REDIS_SENTINEL_PASSWORD' },
  cluster: { flag: '--redis-cluster', env: 'CALLGUARD_REDIS_CLUSTER' },
  waitReplicas: { flag: '--redis-wait-replicas', env: 'CALLGUARD_REDIS_WAIT_REPLICAS' },
} as const satisfies Record<string, { flag?: string; env: string }>;

export type RedisSetting = keyof typeof REDIS_TARGET_SETTINGS;

/** A setting that cannot be used; the message names it by flag and variable. */
export class RedisSettingError extends Error {
  constructor(
    readonly setting: RedisSetting,
    /** what is wrong, without the setting's name */
    readonly problem: string,
  ) {
    super(`${settingName(setting)}: ${problem}`);
    this.name = 'RedisSettingError';
  }
}

export function settingName(setting: RedisSetting): string {
  const names: { flag?: string; env: string } = REDIS_TARGET_SETTINGS[setting];
  return names.flag ? `${names.flag} (${names.env})` : names.env;
}

/** More replicas than this is a typo: WAIT would only ever time out. */
const MAX_WAIT_REPLICAS = 16;
/** A Sentinel master group name: what `sentinel monitor <name> ...` accepts in practice. */
const SENTINEL_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function parseRedisTarget(settings: RedisTargetSettings): RedisTarget {
  const url = parseRedisUrl(settings.url);
  const sentinels = blankToUndefined(settings.sentinels);
  const cluster = blankToUndefined(settings.cluster);
  const name = blankToUndefined(settings.sentinelName);
  if (sentinels !== undefined && cluster !== undefined) {
    throw new RedisSettingError('cluster', `cannot be used together with ${settingName('sentinels')}: name one of them`);
  }
  if (cluster !== undefined) {
    if (name !== undefined) throw new RedisSettingError('sentinelName', `belongs to ${settingName('sentinels')}, not to a cluster`);
    if (databaseOf(url) !== 0) {
      throw new RedisSettingError('url', 'names a database; Redis Cluster has only database 0');
    }
    return { mode: 'cluster', url, nodes: parseHostPorts('cluster', cluster) };
  }
  if (sentinels !== undefined) {
    if (name === undefined) {
      throw new RedisSettingError('sentinelName', `is required with ${settingName('sentinels')}: the master group the sentinels monitor`);
    }
    if (!SENTINEL_NAME_PATTERN.test(name)) {
      throw new RedisSettingError('sentinelName', `"${name}" is not a master group name (letters, digits, . _ -)`);
    }
    const password = settings.sentinelPassword === '' ? undefined : settings.sentinelPassword;
    return {
      mode: 'sentinel',
      url,
      sentinels: parseHostPorts('sentinels', sentinels),
      name,
      ...(password === undefined ? {} : { sentinelPassword: password }),
    };
  }
  if (name !== undefined) throw new RedisSettingError('sentinelName', `needs ${settingName('sentinels')}: the sentinels to ask`);
  return { mode: 'standalone', url };
}

/**
 * How many replicas must confirm an add or a cancel (Redis WAIT) before the command
 * counts it as safe from a failover: by default one with Sentinel or Cluster, whose point
 * is a replica that takes over, none for a single server.
 */
export function parseWaitReplicas(text: string | undefined, target: RedisTarget): number {
  const value = blankToUndefined(text);
  if (value === undefined) return target.mode === 'standalone' ? 0 : 1;
  if (!/^\d+$/.test(value) || Number(value) > MAX_WAIT_REPLICAS) {
    throw new RedisSettingError('waitReplicas', `"${value}" must be a whole number from 0 to ${MAX_WAIT_REPLICAS}`);
  }
  return Number(value);
}

/** Where the target is, for messages and logs: never a password. */
export function describeRedisTarget(target: RedisTarget): string {
  switch (target.mode) {
    case 'standalone':
      return redactRedisUrl(target.url);
    case 'sentinel':
      return `sentinel master ${target.name} via ${target.sentinels.map(formatHostPort).join(',')}`;
    case 'cluster':
      return `cluster nodes ${target.nodes.map(formatHostPort).join(',')}`;
  }
}

/** The settings a user changes to point callguard elsewhere, for "cannot reach" hints. */
export function targetSettingNames(target: RedisTarget): string {
  switch (target.mode) {
    case 'standalone':
      return `${REDIS_TARGET_SETTINGS.url.flag} or ${REDIS_TARGET_SETTINGS.url.env}`;
    case 'sentinel':
      return `${REDIS_TARGET_SETTINGS.sentinels.flag} or ${REDIS_TARGET_SETTINGS.sentinels.env}`;
    case 'cluster':
      return `${REDIS_TARGET_SETTINGS.cluster.flag} or ${REDIS_TARGET_SETTINGS.cluster.env}`;
  }
}

/** The URL with any password replaced, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable redis url>';
  }
}

/** The credentials, database and TLS a URL gives, as ioredis options. */
export function connectionOptionsOf(url: string): {
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
} {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db: databaseOf(url),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function parseRedisUrl(text: string): string {
  const problem = redisUrlProblem(text);
  if (problem !== undefined) throw new RedisSettingError('url', problem);
  const url = new URL(text);
  if (!/^\/?\d*$/.test(url.pathname)) {
    throw new RedisSettingError('url', `the path "${url.pathname}" must be a database number, e.g. redis://127.0.0.1:6379/0`);
  }
  return text;
}

function databaseOf(url: string): number {
  const path = new URL(url).pathname.replace(/^\//, '');
  return path === '' ? 0 : Number(path);
}

function parseHostPorts(setting: 'sentinels' | 'cluster', text: string): HostPort[] {
  return text.split(',').map((item) => {
    const entry = item.trim();
    const match = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
    const host = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new RedisSettingError(setting, `"${entry}" must be host:port, e.g. 127.0.0.1:${setting === 'sentinels' ? 26379 : 7000}`);
    }
    return { host, port };
  });
}

function blankToUndefined(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
