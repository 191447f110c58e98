import { Command } from 'ioredis';
import type { RedisClient } from './connect.js';

const CRLF = '\r\n';

/** A script as the server caches it: its SHA-1 (EVALSHA) and its body (EVAL, on NOSCRIPT). */
export interface ScriptSource {
  sha: string;
  lua: string;
}

/** A script argument sent per call: a string (UTF-8), or a number sent as its decimal text. */
export type ScriptValue = string | number;

/**
 * A run of script arguments (a list set's keys) written as RESP bytes once and placed
 * into every call that sends them: ioredis builds a string an argument and a request
 * from them at every call, and for a check those were the same five keys a list each time.
 */
export class PreparedArguments {
  readonly bytes: Buffer;

  constructor(readonly values: readonly string[]) {
    this.bytes = Buffer.from(values.map(bulkString).join(''), 'utf8');
  }
}

/**
 * An EVALSHA whose bytes are written already, answered as ioredis answers its own
 * commands (bulk replies as strings, so the check's reply readers take it unchanged).
 * ioredis is given one key of the call's slot, which is all a Redis Cluster needs to
 * route it (or to send it again after a MOVED); the bytes are never read back.
 */
class ScriptCallCommand extends Command {
  constructor(
    private readonly bytes: Buffer,
    private readonly slotKey: string,
  ) {
    super('evalsha', [], { replyEncoding: 'utf8' });
  }

  override toWritable(): Buffer {
    return this.bytes;
  }

  override getKeys(): string[] {
    return [this.slotKey];
  }
}

/**
 * Calls `script` by SHA with the arguments `head`, then `block`'s, then `tail`, the first
 * `keyCount` of them keys, in one command written as bytes: `block`'s bytes are copied,
 * only `head` and `tail` are written at each call. On NOSCRIPT (a restart or a SCRIPT
 * FLUSH not yet followed by loadScriptsOnReady's loads) the body goes as an EVAL, as the
 * client methods of lua-scripts.ts do. `slotKey`: one of the keys, for a Redis Cluster.
 */
export async function callPreparedScript(
  redis: RedisClient,
  script: ScriptSource,
  keyCount: number,
  head: readonly ScriptValue[],
  block: PreparedArguments,
  tail: readonly ScriptValue[],
  slotKey: string,
): Promise<unknown> {
  try {
    return await redis.sendCommand(new ScriptCallCommand(evalshaBytes(script.sha, keyCount, head, block, tail), slotKey));
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(script.lua, keyCount, ...head, ...block.values, ...tail);
  }
}

function evalshaBytes(sha: string, keyCount: number, head: readonly ScriptValue[], block: PreparedArguments, tail: readonly ScriptValue[]): Buffer {
  const count = 3 + head.length + block.values.length + tail.length;
  const before = `*${count}${CRLF}$7${CRLF}EVALSHA${CRLF}${bulkString(sha)}${bulkString(String(keyCount))}${head.map(bulkValue).join('')}`;
  const after = tail.map(bulkValue).join('');
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(before) + block.bytes.length + Buffer.byteLength(after));
  let at = bytes.write(before);
  at += block.bytes.copy(bytes, at);
  bytes.write(after, at);
  return bytes;
}

function bulkValue(value: ScriptValue): string {
  return bulkString(typeof value === 'number' ? String(value) : value);
}

function bulkString(value: string): string {
  return `$${Buffer.byteLength(value)}${CRLF}${value}${CRLF}`;
}
