import type { Result } from 'ioredis';
import { luaScripts } from '../../redis/lua-scripts.js';

/**
 * The import's Lua scripts, one file each under ./scripts with the key count in the
 * name, read next to this module (the build copies them to dist) and called by SHA.
 */
const SCRIPTS = {
  callguardImportBatch: { file: 'import-batch-3.lua', uses: ['../../scripts/size.lua'] },
  callguardImportSwap: 'swap-5.lua',
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    callguardImportBatch(exact: string, timed: string, info: string, ...args: string[]): Result<[number, number, number, number], Context>;
    callguardImportSwap(
      stagingExact: string,
      stagingTimed: string,
      exact: string,
      timed: string,
      info: string,
      expectedExact: number,
      expectedTimed: number,
      now: number,
      maxShrinkPercent: number | 'any',
    ): Result<[swapped: number, sizeBefore: number, sizeAfter: number], Context>;
  }
}

/** Makes the scripts methods of a client (idempotent). */
export const defineImportScripts = luaScripts(new URL('./scripts/', import.meta.url), SCRIPTS);
