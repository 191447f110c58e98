import { readFileSync } from 'node:fs';
import type { Redis, Result } from 'ioredis';

/**
 * The list engine's Lua scripts, one file each under ./scripts with its key count in
 * the name. They are read next to this module, so the build copies ./scripts to dist.
 */
const SCRIPTS = {
  callguardListCheck: 'check-4.lua',
  callguardListAdd: 'add-5.lua',
  callguardListCancel: 'cancel-6.lua',
  callguardListCreate: 'create-2.lua',
  callguardListRemove: 'remove-6.lua',
  callguardListSetEnabled: 'set-enabled-2.lua',
  callguardListPurge: 'purge-3.lua',
} as const;

type ScriptArg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    callguardListCheck(info: string, exact: string, timed: string, meta: string, now: number, e164: string): Result<unknown, Context>;
    callguardListAdd(...keysThenArgs: ScriptArg[]): Result<unknown, Context>;
    callguardListCancel(...keysThenArgs: ScriptArg[]): Result<unknown, Context>;
    callguardListCreate(info: string, audit: string, now: number, by: string, reason: string): Result<unknown, Context>;
    callguardListRemove(...keysThenArgs: ScriptArg[]): Result<unknown, Context>;
    callguardListSetEnabled(info: string, audit: string, now: number, enabled: '1' | '0', by: string, reason: string): Result<unknown, Context>;
    callguardListPurge(timed: string, meta: string, audit: string, now: number, batch: number, by: string): Result<unknown, Context>;
  }
}

function keyCount(file: string): number {
  const match = /-(\d+)\.lua$/.exec(file);
  if (!match?.[1]) throw new Error(`script file ${file} does not name its key count`);
  return Number(match[1]);
}

const loaded = Object.entries(SCRIPTS).map(([name, file]) => ({
  name,
  numberOfKeys: keyCount(file),
  lua: readFileSync(new URL(`./scripts/${file}`, import.meta.url), 'utf8'),
}));

/** Makes the scripts methods of this client (idempotent); ioredis then calls them by SHA. */
export function defineListScripts(redis: Redis): void {
  for (const script of loaded) {
    if (!(script.name in redis)) redis.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
}
