import type { Result } from 'ioredis';
import { luaScripts } from '../redis/lua-scripts.js';

/**
 * The list engine's Lua scripts, one file each under ./scripts with its key count in
 * the name. They are read next to this module, so the build copies ./scripts to dist.
 * The two check scripts share check_list (check-list.lua): check-5.lua checks one list
 * (Redis Cluster, a call a list), check-many.lua any number of lists in one call
 * (standalone Redis), so its key count, 5 a list, is passed by the caller (check-lists.lua
 * walks the lists; check-guarded.lua runs it only while a route is unchanged); both count
 * calls for auto-block rules when asked (count_calls, count-calls.lua: check-many.lua with
 * counter keys after the lists', check-count-6.lua for one list and its counter). Every
 * script that writes a prefix member (add-6.lua, the importer's import-batch-3.lua) merges
 * its length with merge_prefix_lengths (prefix-lengths.lua) in the same call.
 * Every script that changes a list's members keeps its size with add_to_size (size.lua),
 * the importer's batch script too. The scripts that read or write a dense list's bitmaps
 * share dense-slot.lua (its plans and block keys), and those that write them dense.lua
 * (its writers and counting): the check scripts load dense-slot.lua alone, since every
 * function a script's files define is made again at each call.
 * The store calls the four check scripts with their bytes written itself, by their
 * `sources` (prepared-script.ts), so they have no typed client method here.
 */
const SCRIPTS = {
  callguardListCheck: { file: 'check-5.lua', uses: ['dense-slot.lua', 'check-list.lua'] },
  callguardListCheckMany: { file: 'check-many.lua', uses: ['dense-slot.lua', 'check-list.lua', 'count-calls.lua', 'check-lists.lua'], keys: 'variable' },
  callguardListCheckGuarded: { file: 'check-guarded.lua', uses: ['dense-slot.lua', 'check-list.lua', 'count-calls.lua', 'check-lists.lua'], keys: 'variable' },
  callguardListCheckCount: { file: 'check-count-6.lua', uses: ['dense-slot.lua', 'check-list.lua', 'count-calls.lua'] },
  callguardListScrub: { file: 'scrub-many.lua', uses: ['dense-slot.lua', 'dense.lua', 'check-list.lua'], keys: 'variable' },
  callguardListAdd: { file: 'add-6.lua', uses: ['dense-slot.lua', 'dense.lua', 'prefix-lengths.lua', 'size.lua'] },
  callguardListCancel: { file: 'cancel-7.lua', uses: ['dense-slot.lua', 'dense.lua', 'size.lua'] },
  callguardListCreate: { file: 'create-5.lua', uses: ['dense-slot.lua', 'prefix-lengths.lua'] },
  callguardListRemove: 'remove-6.lua',
  callguardListUnlinkLeft: 'unlink-left-1.lua',
  callguardListSetEnabled: 'set-enabled-2.lua',
  callguardListPurge: { file: 'purge-5.lua', uses: ['size.lua'] },
  callguardListRecount: { file: 'recount-5.lua', uses: ['dense-slot.lua', 'dense.lua', 'changes-since.lua'] },
  callguardListForgetGone: { file: 'forget-gone-2.lua', uses: ['dense-slot.lua', 'dense.lua'] },
  callguardListRecordImport: 'record-import-2.lua',
  callguardListConfigure: 'configure-2.lua',
  callguardListMigratePrefixes: { file: 'migrate-prefixes-2.lua', uses: ['prefix-lengths.lua'] },
  callguardListInfos: { file: 'list-infos.lua', uses: ['dense-slot.lua', 'dense.lua'], keys: 'variable' },
} as const;

type ScriptArg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** keyCount (5 a list), then the keys of each list, then now and the numbers joined by newlines */
    /** the matches only: position in the batch (1-based), then 'list position<TAB>member', for each */
    callguardListScrub(keyCount: number, ...keysThenArgs: ScriptArg[]): Result<(string | number)[], Context>;
    callguardListAdd(...keysThenArgs: ScriptArg[]): Result<unknown, Context>;
    callguardListCancel(...keysThenArgs: ScriptArg[]): Result<unknown, Context>;
    /** 0 (exists), -2 (changed meanwhile), [1, size, generation adopted or ''] or a refusal [-1, ...]; foundGenerations: id, bitmaps, a block id of each: create-5.lua */
    callguardListCreate(
      info: string, audit: string, exact: string, timed: string, dense: string, now: number, by: string, reason: string, densePlan: string,
      gen: string, readLimit: number, everyLength: string, adoptGeneration: string, countedGeneration: string, counted: number,
      ...foundGenerations: ScriptArg[]
    ): Result<unknown, Context>;
    callguardListRemove(...keysThenArgs: ScriptArg[]): Result<unknown, Context>;
    /** -2 (the list exists: nothing removed) or the count of keys removed: unlink-left-1.lua */
    callguardListUnlinkLeft(info: string, ...keys: string[]): Result<number, Context>;
    callguardListSetEnabled(info: string, audit: string, now: number, enabled: '1' | '0', by: string, reason: string): Result<unknown, Context>;
    callguardListPurge(timed: string, meta: string, audit: string, info: string, exact: string, now: number, batch: number, by: string): Result<unknown, Context>;
    /** -1 (no such list), -2 (the count is stale: nothing written) or [size before (-1: none), size now] */
    callguardListRecount(
      info: string,
      exact: string,
      timed: string,
      audit: string,
      dense: string,
      now: number,
      by: string,
      reason: string,
      gen: string,
      denseHeld: number,
      blocks: number,
      auditMark: string,
      bulkWritesMark: string,
      ...gone: string[]
    ): Result<-1 | -2 | [before: number, after: number], Context>;
    /** 0 (the list reads another generation: nothing done) or 1 */
    callguardListForgetGone(info: string, dense: string, gen: string, ...blocks: string[]): Result<0 | 1, Context>;
    /** an import's audit event, and its time as the list's lastImport; answers the event's id */
    callguardListRecordImport(info: string, audit: string, now: number, ...fields: string[]): Result<unknown, Context>;
    /** -1 (no such list) or the number of settings changed */
    callguardListConfigure(info: string, audit: string, now: number, by: string, reason: string, ...fieldValuePairs: string[]): Result<number, Context>;
    /** -1 (no such list), 0 (the field `prefixes` is in today's format) or 1 (migrated): migrate.ts */
    callguardListMigratePrefixes(info: string, timed: string, readLimit: number, everyLength: string): Result<number, Context>;
    /** keyCount (4 a list, 5 with 'audit'), then info, exact, timed, dense (, audit) of each list, then 'audit' or 'blocks': list-infos.lua */
    callguardListInfos(keyCount: number, ...keysThenArgs: string[]): Result<unknown[], Context>;
  }
}

/** Makes the scripts methods of a client (idempotent). */
export const defineListScripts = luaScripts(new URL('./scripts/', import.meta.url), SCRIPTS);
