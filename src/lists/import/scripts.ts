import { readFileSync } from 'node:fs';
import type { Redis, Result } from 'ioredis';

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
    ): Result<number, Context>;
  }
}

const loaded = Object.entries(SCRIPTS).map(([name, file]) => ({
  name,
  numberOfKeys: Number(/-(\d+)\.lua$/.exec(file)?.[1]),
  lua: readFileSync(new URL(`./scripts/${file}`, import.meta.url), 'utf8'),
}));

/** Makes the import scripts methods of this client (idempotent). */
export function defineImportScripts(redis: Redis): void {
  for (const script of loaded) {
    if (!(script.name in redis)) redis.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
}
