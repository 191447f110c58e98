import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { ListStore } from '../lists/store.js';
import { connectRedis, type RedisClient } from '../redis/connect.js';
import {
  describeRedisTarget,
  parseRedisTarget,
  parseWaitReplicas,
  REDIS_TARGET_SETTINGS,
  RedisSettingError,
  targetSettingNames,
  type RedisTarget,
} from '../redis/target.js';
import { CliError, EXIT_REDIS_UNREACHABLE, UsageError } from './errors.js';
import { askOnTerminal } from './terminal-prompt.js';

export interface GlobalOptions {
  redis: string;
  redisSentinels?: string;
  redisSentinelName?: string;
  redisCluster?: string;
  redisWaitReplicas?: string;
  namespace: string;
  json: boolean;
}

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

  /** `sentinelPassword` comes from the environment only: a flag would show in `ps`. */
  constructor(
    readonly options: GlobalOptions,
    readonly io: CliIo,
    sentinelPassword?: string,
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
    // Connection errors surface through connect() below, or through lostRedis(), as one clear line.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      const why = error instanceof Error ? error.message : String(error);
      throw new CliError(
        `cannot reach Redis at ${describeRedisTarget(this.target)}: ${why} (set ${targetSettingNames(this.target)})`,
        EXIT_REDIS_UNREACHABLE,
      );
    }
    this.client = client;
    return client;
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
      await this.client.quit().catch(() => this.client?.disconnect());
      this.client = undefined;
    }
  }
}

/** The context of the command being run, built from its global options. */
export function contextOf(command: Command, io: CliIo): CliContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  return new CliContext(
    {
      redis: options.redis,
      redisSentinels: options.redisSentinels,
      redisSentinelName: options.redisSentinelName,
      redisCluster: options.redisCluster,
      redisWaitReplicas: options.redisWaitReplicas,
      namespace: options.namespace,
      json: Boolean(options.json),
    },
    io,
    process.env[REDIS_TARGET_SETTINGS.sentinelPassword.env],
  );
}
