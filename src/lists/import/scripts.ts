import type { Result } from 'ioredis';
import { luaScripts } from '../../redis/lua-scripts.js';

/**
 * The import's Lua scripts, one file each under ./scripts with the key count in the
 * name, read next to this module (the build copies them to dist) and called by SHA.
 */
const SCRIPTS = {
  callguardImportBatch: { file: 'import-batch-3.lua', uses: ['../../scripts/size.lua', '../../scripts/prefix-lengths.lua', 'bulk-writes.lua'] },
  callguardImportSwap: { file: 'swap-7.lua', uses: ['../../scripts/dense-slot.lua', '../../scripts/dense.lua', '../../scripts/changes-since.lua', 'bulk-writes.lua'] },
  callguardImportDenseBits: { file: 'dense-bits-2.lua', uses: ['../../scripts/dense-slot.lua', '../../scripts/dense.lua', 'bulk-writes.lua'] },
  callguardImportDelete: { file: 'delete-batch-4.lua', uses: ['../../scripts/size.lua', 'bulk-writes.lua'] },
  callguardImportDateParts: 'date-parts-1.lua',
  callguardImportLease: 'lease-1.lua',
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
      dense: string,
      audit: string,
      expectedExact: number,
      expectedTimed: number,
      now: number,
      maxShrinkPercent: number | 'any',
      newGeneration: string,
      newDenseSize: number,
      newBlocks: number,
      auditMark: string,
      bulkWritesMark: string,
    ): Result<['swapped' | 'shrinks', sizeBefore: number, sizeAfter: number] | ['changed', changes: number, bulk: 0 | 1, ...actionAndBy: string[]], Context>;
    /** operation, generation ('' for the live one), then block id, 'm' | 'o', bitmap or offsets, ... */
    callguardImportDenseBits(info: string, dense: string, ...args: (string | Buffer)[]): Result<[changed: number, created: number, removed: number], Context>;
    callguardImportDelete(exact: string, timed: string, meta: string, info: string, now: number, dry: '1' | '0', members: string): Result<[removed: number, absent: number], Context>;
    /** 'replace' | 'parts', date, from, file, then the parts the file covered */
    callguardImportDateParts(info: string, mode: 'replace' | 'parts', date: number, from: string, file: string, ...parts: string[]): Result<[] | [oldest: string, part: string, partsOfDate: number], Context>;
    callguardImportLease(lease: string, value: string, ...action: ['renew', number] | ['release']): Result<0 | 1, Context>;
  }
}

/** Makes the scripts methods of a client (idempotent). */
export const defineImportScripts = luaScripts(new URL('./scripts/', import.meta.url), SCRIPTS);
