import type { Result } from 'ioredis';
import { luaScripts } from '../redis/lua-scripts.js';

/**
 * The dialer's Lua scripts, one file each under ./scripts with its key count in the name,
 * read next to this module (the build copies ./scripts to dist).
 */
const SCRIPTS = {
  callguardDialTake: 'take-3.lua',
  callguardDialReject: 'reject-2.lua',
  callguardDialClaim: 'claim-3.lua',
  callguardDialFinish: 'finish-4.lua',
  callguardDialRenew: 'renew-1.lua',
} as const;

type ScriptArg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    callguardDialTake(requests: string, state: string, due: string, group: string, entryId: string, requestId: string, stateJson: string, dueAt: number): Result<number, Context>;
    callguardDialReject(requests: string, results: string, group: string, entryId: string, maxLen: number, ...fields: string[]): Result<number, Context>;
    callguardDialClaim(due: string, inflight: string, state: string, now: number, maxConcurrent: number, limit: number, leaseMs: number, nonce: string): Result<string[], Context>;
    callguardDialFinish(state: string, due: string, inflight: string, results: string, ...args: ScriptArg[]): Result<number, Context>;
    callguardDialRenew(inflight: string, leaseMs: number, ...leases: string[]): Result<number[], Context>;
  }
}

/** Makes the scripts methods of a client (idempotent). */
export const defineDialScripts = luaScripts(new URL('./scripts/', import.meta.url), SCRIPTS);
