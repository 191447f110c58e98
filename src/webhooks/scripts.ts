import type { Result } from 'ioredis';
import { luaScripts } from '../redis/lua-scripts.js';

/** The webhook queue's Lua scripts, one file each under ./scripts with its key count in the name. */
const SCRIPTS = {
  callguardWebhookClaim: 'claim-2.lua',
  callguardWebhookLock: 'lock-1.lua',
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    callguardWebhookClaim(due: string, events: string, now: number, limit: number, leaseEnd: number): Result<string[], Context>;
    callguardWebhookLock(lock: string, owner: string, leaseMs: number): Result<number, Context>;
  }
}

/** Makes the scripts methods of a client (idempotent). */
export const defineWebhookScripts = luaScripts(new URL('./scripts/', import.meta.url), SCRIPTS);
