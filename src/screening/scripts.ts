import type { Result } from 'ioredis';
import { luaScripts } from '../redis/lua-scripts.js';

/** The screening side's Lua scripts, under ./scripts with their key count in the name. */
const SCRIPTS = {
  callguardAppendCallLog: { file: 'append-call-log.lua', keys: 'variable' },
  callguardCapTake: 'cap-take-2.lua',
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** the key count (3 + hours), calllog, written, since, the hour hashes, then now, window, max length, hour ms kept, the hours, and per entry: id, field count, fields */
    callguardAppendCallLog(keyCount: number, ...keysThenArgs: (string | number)[]): Result<[number, number], Context>;
    /** {1, attempts in the window} when let through and counted, {0, retry at} when capped */
    callguardCapTake(horizon: string, calls: string, now: number, member: string, count: number, windowMs: number): Result<[number, number], Context>;
  }
}

/** Makes the scripts methods of a client (idempotent). */
export const defineScreeningScripts = luaScripts(new URL('./scripts/', import.meta.url), SCRIPTS);
