import type { Result } from 'ioredis';
import { luaScripts } from '../../redis/lua-scripts.js';

/**
 * The import's Lua scripts, one file each under ./scripts with the key count in the
 * name, read next to this module (the build copies them to dist) and called by SHA.
 */
const SCRIPTS = {
  callguardImportBatch: 'import-batch-2.lua',
  callguardImportSwap: 'swap-4.lua',
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    callguardImportBatch(exact: string, timed: string, ...args: string[]): Result<[number, number, number, number], Context>;
    callguardImportSwap(
      stagingExact: string,
      stagingTimed: string,
      exact: string,
      timed: string,
      expectedExact: number,
      expectedTimed: number,
      now: number,
      maxShrinkPercent: number | 'any',
    ): Result<[swapped: number, sizeBefore: number, sizeAfter: number], Context>;
  }
}

/** Makes the scripts methods of a client (idempotent). */
export const defineImportScripts = luaScripts(new URL('./scripts/', import.meta.url), SCRIPTS);
