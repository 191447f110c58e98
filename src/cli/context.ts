import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { ListStore } from '../lists/store.js';
import { ConfigError, parseAllowEviction, SHARED_SETTINGS } from '../config.js';
import { authFailureReason, isAuthError } from '../redis/auth.js';
import { connectRedis, type RedisClient } from '../redis/connect.js';
import { evictionProblem, readEvictedKeys, readRedisSafety } from '../redis/safety.js';
import {
  describeRedisTarget,
  parseRedisTarget,
  parseWaitReplicas,
  REDIS_TARGET_SETTINGS,
  RedisSettingError,
  targetSettingNames,
  type RedisTarget,
} from '../redis/target.js';
import { CliError, EXIT_REDIS_UNREACHABLE, UsageError } from '../front-door/errors.js';
import { askOnTerminal } from './terminal-prompt.js';

export interface GlobalOptions {
  redis: string;
  redisSentinels?: string;
  redisSentinelName?: string;
  redisCluster?: string;
  redisWaitReplicas?: string;
  namespace: string;
  json: boolean;
  /** write even when Redis' maxmemory-policy may evict entries (--allow-eviction, CALLGUARD_ALLOW_EVICTION) */
  allowEviction?: boolean;
}

/**
 * Commands that only read. Every other command writes, and checks first that Redis
 * keeps what it writes (readRedisSafety): a command added later is checked unless it
 * is named here.
 */
const READ_ONLY_COMMANDS = new Set([
  'lists',
  'check',
  'show',
  'export',
  'report',
  'route show',
  'route list',
  'campaign show',
  'campaign list',
  'campaign report',
]);

/** Where a command writes; tests pass their own to run the program in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** A stream for bulk output (export's CSV), so writes respect backpressure. */
  outStream?: Writable;
  /** Asks the person at the terminal and resolves with the answer; absent when stdin is not a terminal. */
  ask?: (question: string) => Promise<string>;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  outStream: process.stdout,
  ...(process.stdin.isTTY ? { ask: askOnTerminal } : {}),
};

/** How long the CLI waits for Redis before it gives up with one clear line. */
const REDIS_CONNECT_TIMEOUT_MS = 3_000;

/**
 * What every command needs: the global options, one lazily opened Redis connection,
 * and one way to print (readable text for people, stable JSON with --json).
 */
export class CliContext {
  private client: RedisClient | undefined;
  private readonly target: RedisTarget;
  /** replicas that must confirm each add and cancel (WAIT) */
  readonly waitReplicas: number;
  /** Redis' evicted_keys when a write to an evicting Redis was allowed: close() tells what went meanwhile */
  private evictedAtStart: number | undefined;

  /** `sentinelPassword` comes from the environment only: a flag would show in `ps`. */
  constructor(
    readonly options: GlobalOptions,
    readonly io: CliIo,
    sentinelPassword?: string,
    /** the command writes: Redis' eviction policy is checked once connected */
    private readonly writes = false,
  ) {
    try {
      this.target = parseRedisTarget({
        url: options.redis,
        sentinels: options.redisSentinels,
        sentinelName: options.redisSentinelName,
        sentinelPassword,
        cluster: options.redisCluster,
      });
      this.waitReplicas = parseWaitReplicas(options.redisWaitReplicas, this.target);
    } catch (error) {
      if (error instanceof RedisSettingError) throw new UsageError(error.message);
      throw error;
    }
  }

  get json(): boolean {
    return this.options.json;
  }

  get namespace(): string {
    return this.options.namespace;
  }

  async redis(): Promise<RedisClient> {
    if (this.client) return this.client;
    const client = connectRedis(this.target, {
      lazyConnect: true,
      connectTimeoutMs: REDIS_CONNECT_TIMEOUT_MS,
      offlineQueue: true,
      maxRetriesPerRequest: 1,
      reconnectDelay: () => null,
      followFailovers: false,
    });
    // Connection errors surface through connect() below, or through lostRedis(), as one
    // clear line; a refused login is kept, since connect() only says the connection closed.
    let refusedLogin: Error | undefined;
    client.on('error', (error: Error) => {
      if (isAuthError(error)) refusedLogin = error;
    });
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      if (refusedLogin) {
        throw new CliError(
          `authentication failed: Redis at ${describeRedisTarget(this.target)} ${authFailureReason(refusedLogin)} (${refusedLogin.message}); ` +
            'set the right password in --redis or REDIS_URL: redis://[user]:<password>@host:port',
          EXIT_REDIS_UNREACHABLE,
        );
      }
      const why = error instanceof Error ? error.message : String(error);
      throw new CliError(
        `cannot reach Redis at ${describeRedisTarget(this.target)}: ${why} (set ${targetSettingNames(this.target)})`,
        EXIT_REDIS_UNREACHABLE,
      );
    }
    this.client = client;
    if (this.writes) await this.refuseEvictingRedis(client);
    return client;
  }

  /**
   * A Redis that may evict keys would drop list entries silently (an evicted number
   * checks clear), so writing commands refuse it unless told otherwise, and then say so.
   */
  private async refuseEvictingRedis(client: RedisClient): Promise<void> {
    const problem = evictionProblem(await readRedisSafety(client));
    if (!problem) return;
    if (this.options.allowEviction) {
      this.io.err(`callguard: warning: ${problem}; writing anyway, as --allow-eviction says`);
      this.evictedAtStart = await readEvictedKeys(client);
      return;
    }
    throw new CliError(
      `${problem}; or pass --allow-eviction (CALLGUARD_ALLOW_EVICTION=1) to write anyway. Nothing was written`,
    );
  }

  /**
   * The error to report when a command failed because Redis went away after connecting:
   * the same exit code as unreachable, not an "unexpected error".
   */
  lostRedis(error: unknown): CliError | undefined {
    const status = this.client?.status;
    const why = error instanceof Error ? error.message : String(error);
    // A primary that a failover turned into a replica refuses writes; for the user that is a lost primary.
    if (why.startsWith('READONLY')) {
      return new CliError(
        `Redis at ${describeRedisTarget(this.target)} is a replica now (a failover?) and refused the write; run the command again`,
        EXIT_REDIS_UNREACHABLE,
      );
    }
    if ((status !== 'end' && status !== 'close') || error instanceof CliError) return undefined;
    return new CliError(
      `lost the connection to Redis at ${describeRedisTarget(this.target)}: ${why}`,
      EXIT_REDIS_UNREACHABLE,
    );
  }

  async store(): Promise<ListStore> {
    return new ListStore(await this.redis(), this.namespace, Date.now, { waitReplicas: this.waitReplicas });
  }

  /** Prints `human` for people, or `data` as one JSON document with --json. */
  print(human: string | string[], data: unknown): void {
    if (this.json) this.io.out(JSON.stringify(data));
    else this.io.out(Array.isArray(human) ? human.join('\n') : human);
  }

  async close(): Promise<void> {
    if (this.client) {
      if (this.evictedAtStart !== undefined && this.client.status === 'ready') await this.warnOfEvictions(this.client, this.evictedAtStart);
      await this.client.quit().catch(() => this.client?.disconnect());
      this.client = undefined;
    }
  }

  /** After a write allowed on an evicting Redis: whether Redis evicted keys meanwhile, this command's or others'. */
  private async warnOfEvictions(client: RedisClient, before: number): Promise<void> {
    const evicted = await readEvictedKeys(client).then(
      (after) => after - before,
      (error: unknown) => {
        this.io.err(`callguard: warning: could not read whether Redis evicted keys: ${error instanceof Error ? error.message : String(error)}`);
        return 0;
      },
    );
    if (evicted > 0) {
      this.io.err(`callguard: warning: Redis evicted ${evicted} keys while this command ran; lists may have lost entries (callguard lists shows which)`);
    }
  }
}

/** The context of the command being run, built from its global options. */
export function contextOf(command: Command, io: CliIo): CliContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const allowEviction = Boolean(options.allowEviction) || allowEvictionFromEnv();
  return new CliContext(
    {
      redis: options.redis,
      redisSentinels: options.redisSentinels,
      redisSentinelName: options.redisSentinelName,
      redisCluster: options.redisCluster,
      redisWaitReplicas: options.redisWaitReplicas,
      namespace: options.namespace,
      json: Boolean(options.json),
      allowEviction,
    },
    io,
    process.env[REDIS_TARGET_SETTINGS.sentinelPassword.env],
    !READ_ONLY_COMMANDS.has(commandPath(command)),
  );
}

/** `route show` for the route command's show subcommand: the names below the program's. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

function allowEvictionFromEnv(): boolean {
  try {
    return parseAllowEviction(process.env[SHARED_SETTINGS.allowEviction.env]);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
