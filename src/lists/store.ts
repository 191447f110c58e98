import { isCluster, type RedisClient } from '../redis/connect.js';
import { callPreparedScript, type ScriptValue } from '../redis/prepared-script.js';
import { writeAcknowledged, type ReplicaAcks } from '../redis/replicas.js';
import { auditFields, newestFirst, parseAuditEntry, type StreamEntry } from './audit.js';
import { checkCountFromReply, checkManyFromReply, matchFromReply, metaFields, scrubMatchesFromReply } from './check.js';
import { PreparedCheckKeys } from './check-keys.js';
import { planOfBlock, type DensePlanName } from './dense.js';
import {
  countGeneration, denseHeldOf, denseHolds, denseStateOf, newGeneration, removeGenerationsBut, removeUnder, scanGenerations, type FoundGeneration,
} from './dense-store.js';
import { HeldLists, type HeldCheck, type HeldOptions } from './held-lists.js';
import { learnShapes, readable, readBatch, type BulkAnswer, type BulkMatches, type ListShape, MAX_BULK_LISTS } from './bulk-read.js';
import { digitsOf, e164Of } from '../numbers/digits.js';
import { callCounterKey, denseGenerationKeys, denseGensKey, EVERY_PREFIX_LENGTH, globalKeys, listKeys, PREFIX_LENGTHS_READ_LIMIT, type ListKeys } from './keys.js';
import { listSourceOf, listSourceOfFields, partsDatesOf, SOURCE_FIELDS, type ListSource, type PartsDate } from './source-date.js';
import { assertE164, assertMember } from './members.js';
import { needsReference, readListSettings, settingsOf, type ListSettings } from './list-settings.js';
import { assertListName, entriesLost, noSuchList } from './names.js';
import { holdsAnything, leftBehindOfReply, leftBehindRefusal, type LeftBehind, type LeftGeneration } from './left-behind.js';
import { bulkProvenance, type Provenance } from './provenance.js';
import { recountList, type RecountProgress } from './recount.js';
import { defineListScripts } from './scripts.js';
import {
  ListError,
  type Actor,
  type CallCounter,
  type CheckGuard,
  type CountedCheck,
  type AuditAction,
  type AuditEvent,
  type Cancellation,
  type EntryMember,
  type EntryState,
  type EntryToAdd,
  type GuardedCheck,
  type ListInfo,
  type ListSizeReading,
  type Match,
} from './types.js';

export { assertListName } from './names.js';

/** Who the janitor's 'expire' audit events name. */
export const JANITOR = 'callguard-janitor';
/** Expired members removed per script call, so a purge never blocks Redis for long. */
const PURGE_BATCH = 500;
/** Audit entries read per XREVRANGE while looking for one member's history. */
const HISTORY_PAGE = 1000;
const DEFAULT_AUDIT_LIMIT = 100;
const DEFAULT_HISTORY_LIMIT = 50;
/** Lists list-infos.lua reads a call: a fraction of a ms of Redis, so a check never waits behind it long. */
export const LIST_INFO_BATCH = 100;
/**
 * add() and cancel() are one script each, so all or nothing; past this many entries the
 * script would hold Redis too long (and the arguments overflow a JS call): files go
 * through the importer.
 */
export const MAX_ENTRIES_PER_CALL = 10_000;

/**
 * How a check asks Redis. 'one-call': one script call covers every list, which needs the
 * lists' keys on one server (standalone Redis); it costs less CPU, client and Redis, per
 * check than 'per-list': one script call a list, sent together, which works when each
 * list is in its own Redis Cluster slot.
 */
export type CheckMode = 'per-list' | 'one-call';

export interface ListStoreOptions {
  /** default: 'per-list' on a Redis Cluster client (ioredis' isCluster), 'one-call' otherwise */
  checkMode?: CheckMode;
  /**
   * Replicas that must confirm each add and cancel (Redis WAIT) before it counts as safe
   * from a failover; their answer comes back as `replicas`. Default 0: nothing is asked.
   */
  waitReplicas?: number;
}

interface StoredCancellation {
  reason: string;
  by: string;
  at: number;
}

/**
 * Named number lists in Redis. Every multi-key change of a list is one Lua script on
 * keys of that list only (one hash tag, so one cluster slot); the index of list names
 * is written outside those scripts and may name a list whose info is gone, which every
 * reader skips.
 */
export class ListStore {
  /** How checkEach asks Redis; decided once, at construction. */
  readonly checkMode: CheckMode;
  private readonly waitReplicas: number;
  private readonly index: string;
  private readonly keyCache = new Map<string, ListKeys>();
  /** The check scripts' keys of each list set checked, as bytes (check-keys.ts). */
  private readonly checkKeys = new PreparedCheckKeys((list) => this.keysOf(list));
  /** What checkMany's batch read last saw of each list (bulk-read.ts). */
  private readonly bulkShapes = new Map<string, ListShape>();

  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: string,
    private readonly clock: () => number = Date.now,
    options: ListStoreOptions = {},
  ) {
    defineListScripts(redis);
    this.index = globalKeys(namespace).lists;
    this.checkMode = options.checkMode ?? (redis.isCluster ? 'per-list' : 'one-call');
    this.waitReplicas = options.waitReplicas ?? 0;
  }

  /**
   * Creates a list; `dense` makes it keep the never-expiring numbers of that plan as
   * bitmaps (dense.ts), for a national registry. A list's kind is chosen here, once.
   * Over keys a list of that name left behind when its info was lost, the new list takes
   * what it reads as its own (`leftBehind`: how many; `adopted`: the generation of bitmaps
   * a dense list now reads, `generation` naming one when several are left) and refuses,
   * nothing written, what it would not read (create-5.lua, left-behind.ts): its numbers
   * would read as not listed.
   */
  async createList(
    name: string,
    actor: Actor,
    options: { dense?: DensePlanName; generation?: string } = {},
  ): Promise<{ leftBehind: number; adopted?: string }> {
    const keys = this.keysOf(name);
    await this.redis.sadd(this.index, name);
    // Every create whose info is missing looks for bitmaps `<dense>:gens` no longer names
    // by their keys' names (a walk of the keyspace), ordinary or dense: the audit stream
    // and that set can be lost with the info, so no record says that none are left, and an
    // ordinary list over them would read their numbers as not listed.
    const exists = await this.redis.exists(keys.info);
    const found = exists === 0 ? await scanGenerations(this.redis, keys.dense) : [];
    // The generation the script will adopt (the one named, else the only one left) is
    // counted here, page by page, where the script would hold Redis for every block.
    let counted = { gen: '', held: 0 };
    if (exists === 0 && options.dense !== undefined) {
      const left = await this.leftGenerations(keys.dense, found);
      const adopt = options.generation ?? (left.length === 1 ? left[0]?.gen : undefined);
      if (adopt !== undefined) counted = { gen: adopt, held: (await countGeneration(this.redis, keys.dense, adopt)).held };
    }
    const gen = options.dense === undefined ? '' : newGeneration();
    if (gen !== '') await this.redis.sadd(denseGensKey(keys.dense), gen);
    const reply = await this.redis.callguardListCreate(
      keys.info, keys.audit, keys.exact, keys.timed, keys.dense, this.clock(), actor.by, actor.reason ?? '', options.dense ?? '', gen,
      PREFIX_LENGTHS_READ_LIMIT, EVERY_PREFIX_LENGTH, options.generation ?? '', counted.gen, counted.held,
      ...found.flatMap((generation) => [generation.gen, generation.blocks, generation.block ?? '']),
    );
    if (typeof reply === 'number' || (reply as unknown[])[0] === -1) {
      if (gen !== '') await this.redis.srem(denseGensKey(keys.dense), gen);
      if (reply === 0) throw new ListError(`list ${name} exists already`, 'list-exists');
      if (reply === -2) throw new ListError(`what list ${name} left behind changed while it was read: run the create again; nothing was written`, 'left-behind', name);
      throw leftBehindRefusal(name, options.dense, options.generation, leftBehindOfReply(reply as unknown[]));
    }
    // Named again once created: a removal of what the name left behind (or of a list of
    // that name) that ran while this create walked the keyspace took the name out of the
    // index after the SADD above, and readers of the index would not see the new list.
    await this.redis.sadd(this.index, name);
    const [, size, adopted] = reply as [number, number, string];
    return { leftBehind: size, ...(adopted === '' ? {} : { adopted }) };
  }

  async removeList(name: string, actor: Actor): Promise<void> {
    const keys = this.keysOf(name);
    // A list's kind never changes, so this read cannot go stale before the removal.
    const dense = await this.redis.hexists(keys.info, 'dense');
    const removed = await this.redis.callguardListRemove(
      keys.info, keys.exact, keys.timed, keys.meta, keys.cancelled, keys.audit,
      this.clock(), actor.by, actor.reason ?? '',
    );
    if (removed === -1) throw noSuchList(name);
    // A dense list's bitmaps by their names, not by `<dense>:gens` alone: that set may have
    // been lost, and bitmaps left would come back in a create of the same name (create-5.lua).
    if (dense === 1) {
      const gens = await this.redis.smembers(denseGensKey(keys.dense));
      // Removed; a list created under the name meanwhile keeps its keys and its name in the index.
      if (!(await removeUnder(this.redis, keys.dense, keys.info, gens))) return;
    } else await removeGenerationsBut(this.redis, keys.dense, undefined);
    await this.redis.srem(this.index, name);
  }

  /**
   * What a list's keys hold while its info is gone (left-behind.ts), read key by key;
   * undefined while the list exists.
   */
  async leftBehind(name: string): Promise<LeftBehind | undefined> {
    const keys = this.keysOf(name);
    const [exists, exact, timed, found] = await Promise.all([
      this.redis.exists(keys.info), this.redis.scard(keys.exact), this.redis.zcard(keys.timed), scanGenerations(this.redis, keys.dense),
    ]);
    if (exists === 1) return undefined;
    return { exact, timed, generations: await this.leftGenerations(keys.dense, found) };
  }

  /**
   * The generations of bitmaps left under a dense root, by id: those `<dense>:gens` names
   * and those `found` by their keys' names, as create-5.lua reads them (an index naming
   * blocks, else bitmaps found without one).
   */
  private async leftGenerations(root: string, found: FoundGeneration[]): Promise<LeftGeneration[]> {
    const gens = [...new Set([...(await this.redis.smembers(denseGensKey(root))), ...found.map((generation) => generation.gen)])].sort();
    const generations = await Promise.all(
      gens.map(async (gen): Promise<LeftGeneration> => {
        const index = denseGenerationKeys(root, gen).index;
        const [blocks, [first]] = await Promise.all([this.redis.zcard(index), this.redis.zrange(index, '0', '0')]);
        const byName = found.find((generation) => generation.gen === gen);
        const block = first ?? byName?.block;
        return { gen, plan: block === undefined ? undefined : planOfBlock(block)?.name, blocks, unindexed: blocks > 0 ? 0 : (byName?.blocks ?? 0) };
      }),
    );
    return generations.filter((generation) => generation.blocks > 0 || generation.unindexed > 0);
  }

  /**
   * Removes what a list whose info was lost left behind (leftBehind), audited as a
   * 'remove' event: the way out when a create over it is refused and its entries are not
   * to be kept. Refuses while the list exists (removeList removes a list), and when
   * nothing is left (no such list). Returns what it removed.
   */
  async removeLeftBehind(name: string, actor: Actor): Promise<LeftBehind> {
    const keys = this.keysOf(name);
    const exists = new ListError(
      `list ${name} exists: --left-behind removes only what a list whose info was lost left behind; remove the list with callguard list rm ${name}`, 'list-exists', name,
    );
    const left = await this.leftBehind(name);
    if (left === undefined) throw exists;
    if (!holdsAnything(left)) throw new ListError(`list ${name} left nothing behind: no such list and none of its entries or bitmaps`, 'no-such-list', name);
    const removed = await this.redis.callguardListRemove(
      keys.info, keys.exact, keys.timed, keys.meta, keys.cancelled, keys.audit,
      this.clock(), actor.by, actor.reason ?? '', 'left-behind',
    );
    // Created meanwhile: the script refuses in the same call as it would remove, and so
    // does each call that removes the bitmaps after it (removeUnder).
    if (removed === -2) throw exists;
    if (!(await removeUnder(this.redis, keys.dense, keys.info, left.generations.map((generation) => generation.gen)))) throw createdWhileRemoved(name);
    await this.redis.srem(this.index, name);
    return left;
  }

  async setEnabled(name: string, enabled: boolean, actor: Actor): Promise<void> {
    const keys = this.keysOf(name);
    const result = await this.redis.callguardListSetEnabled(
      keys.info, keys.audit, this.clock(), enabled ? '1' : '0', actor.by, actor.reason ?? '',
    );
    if (result === -1) throw noSuchList(name);
  }

  /**
   * Every list, or of `only` those that exist (a page about one list reads one, not
   * thousands). One round trip however many lists (listInfos).
   */
  async lists(only?: readonly string[]): Promise<ListInfo[]> {
    const names = only ? [...only] : await this.listNames();
    const read = await this.listInfos(names, 'blocks');
    const infos = names.map((name, i): ListInfo | undefined => {
      const [fields, exact, timed, indexed, blocksGone] = read[i] as [string[], number, number, number, number];
      const info = hashOf(fields);
      if (info.created === undefined) return undefined;
      const dense = denseStateOf(info);
      const size = exact + timed + (dense ? denseHeldOf(dense, indexed) : 0);
      const source = listSourceOf(info);
      return {
        name,
        enabled: info.enabled === '1',
        createdAt: Number(info.created),
        createdBy: info.by ?? '',
        size,
        lost: lostEntries(info.size, size),
        lostBlocks: Math.max(0, blocksGone),
        ...(info.lastImport === undefined ? {} : { lastImportAt: Number(info.lastImport) }),
        ...settingsOf(info.consent, info.auditRetention),
        ...(dense ? { dense: dense.plan.name } : {}),
        ...(source ? { source } : {}),
      };
    });
    return infos.filter((info): info is ListInfo => info !== undefined);
  }

  /**
   * What every list's keys hold against the size its scripts kept, and its newest audit
   * event: what serve's list watch compares from one reading to the next. `also` names
   * lists to read even when the index no longer names them (lists seen before: after a
   * FLUSHALL the index is gone too). One round trip however many lists, as lists().
   */
  async sizes(also: Iterable<string> = []): Promise<ListSizeReading[]> {
    const names = [...new Set([...(await this.listNames()), ...also])].sort();
    const read = await this.listInfos(names, 'audit');
    return names.map((name, i): ListSizeReading => {
      const [fields, exact, timed, indexed, newest] = read[i] as [string[], number, number, number, StreamEntry[]];
      const info = hashOf(fields);
      const [last] = newest;
      const dense = denseStateOf(info);
      const source = listSourceOf(info);
      return {
        name,
        exists: info.created !== undefined,
        recordedSize: info.size === undefined ? undefined : Number(info.size),
        entries: exact + timed + (dense ? denseHeldOf(dense, indexed) : 0),
        lastAudit: last && { id: last[0], action: fieldOf(last[1], 'action') ?? '' },
        ...(source ? { source } : {}),
      };
    });
  }

  /**
   * list-infos.lua's reading of each of `names`, in order, with each list's newest audit
   * event or its dense blocks found gone: LIST_INFO_BATCH lists a script call, the calls
   * sent together (one round trip); on a cluster one list a call, as each list's keys are
   * in a slot of their own.
   */
  private async listInfos(names: string[], also: 'audit' | 'blocks'): Promise<unknown[][]> {
    const perCall = isCluster(this.redis) ? 1 : LIST_INFO_BATCH;
    const withAudit = also === 'audit';
    const perList = 5;
    const batches: string[][] = [];
    for (let from = 0; from < names.length; from += perCall) batches.push(names.slice(from, from + perCall));
    const replies = await Promise.all(
      inOneWrite(this.redis, () =>
        batches.map((batch) => {
          const keys = batch.flatMap((name) => {
            const { info, exact, timed, dense, audit: stream } = this.keysOf(name);
            return withAudit ? [info, exact, timed, dense, stream] : [info, exact, timed, dense];
          });
          return this.redis.callguardListInfos(keys.length, ...keys, also);
        }),
      ),
    );
    const read = replies.flat();
    return names.map((_, i) => read.slice(i * perList, i * perList + perList));
  }

  /**
   * Takes what the list's keys hold as its size (an audited decision to go on with a list
   * that lost entries, instead of loading it again): recount.ts. Returns the sizes before
   * (undefined: none was kept) and now.
   */
  recount(name: string, actor: Actor, onProgress?: RecountProgress): Promise<{ before: number | undefined; after: number }> {
    return recountList(this.redis, this.keysOf(name), name, this.clock, actor, onProgress);
  }

  /** Whether the list records consent, and how long it keeps its audit (list-settings.ts). */
  listSettings(name: string): Promise<ListSettings> {
    return readListSettings(this.redis, this.namespace, name);
  }

  /** The data source of each list named, its oldest part's (undefined: never imported, or no such list). */
  async sources(names: string[]): Promise<Map<string, ListSource | undefined>> {
    const infos = await Promise.all(
      inOneWrite(this.redis, () => names.map((name) => this.redis.hmget(this.keysOf(name).info, ...SOURCE_FIELDS))),
    );
    return new Map(names.map((name, i) => [name, listSourceOfFields(infos[i] as (string | null)[])]));
  }

  /**
   * The dates of each named list's parts (source-date.ts) and its own date, the oldest
   * part's, read together so the two agree (an import between two reads could date a
   * part older than the list read before it), by name: no dates for a list never dated or gone.
   */
  async partsDates(names: readonly string[]): Promise<Map<string, { source: ListSource | undefined; parts: PartsDate[] }>> {
    const fields = ['sourceParts', ...SOURCE_FIELDS] as const;
    const infos = await Promise.all(inOneWrite(this.redis, () => names.map((name) => this.redis.hmget(this.keysOf(name).info, ...fields))));
    return new Map(
      names.map((name, i) => {
        const info = Object.fromEntries(fields.map((field, f) => [field, infos[i]?.[f] ?? undefined]));
        return [name, { source: listSourceOf(info), parts: partsDatesOf(info) }];
      }),
    );
  }

  async hasList(name: string): Promise<boolean> {
    return (await this.redis.exists(this.keysOf(name).info)) === 1;
  }

  async add(
    list: string,
    entries: EntryToAdd[],
    actor: Actor,
  ): Promise<{ added: number; extended: number; unchanged: number; replicas?: ReplicaAcks }> {
    const keys = this.keysOf(list);
    assertBatchSize(entries.length, 'add');
    if (actor.ref === undefined && (await needsReference(this.redis, this.namespace, list))) {
      throw new ListError(`list ${list} records consent: every add needs a reference to the consent (--ref <id>, and --source)`, 'invalid-value', list);
    }
    const now = this.clock();
    const pairs: string[] = [];
    for (const entry of entries) {
      assertMember(entry.member);
      pairs.push(entry.member, expiryArg(entry, now));
    }
    const meta = JSON.stringify({ reason: actor.reason, by: actor.by, at: now, source: actor.source, ref: actor.ref });
    const { result: reply, replicas } = await this.acknowledged(keys.info, (redis) =>
      redis.callguardListAdd(
        keys.info, keys.exact, keys.timed, keys.meta, keys.audit, keys.dense,
        now, meta, actor.by, actor.reason ?? '', actor.source ?? '', actor.ref ?? '', ...pairs,
      ),
    );
    if (reply === -1) throw noSuchList(list);
    if (reply === -2) throw entriesLost(list);
    const [added, extended, unchanged] = reply as [number, number, number];
    return { added, extended, unchanged, ...(replicas ? { replicas } : {}) };
  }

  async cancel(
    list: string,
    members: EntryMember[],
    actor: Actor & { reason: string },
  ): Promise<{ cancelled: EntryMember[]; notListed: EntryMember[]; replicas?: ReplicaAcks }> {
    const keys = this.keysOf(list);
    assertBatchSize(members.length, 'cancel');
    members.forEach(assertMember);
    const now = this.clock();
    const cancellation: StoredCancellation = { reason: actor.reason, by: actor.by, at: now };
    const { result: reply, replicas } = await this.acknowledged(keys.info, (redis) =>
      redis.callguardListCancel(
        keys.info, keys.exact, keys.timed, keys.meta, keys.cancelled, keys.audit, keys.dense,
        now, actor.by, actor.reason, JSON.stringify(cancellation), ...members,
      ),
    );
    if (reply === -1) throw noSuchList(list);
    if (reply === -2) throw entriesLost(list);
    const flags = reply as number[];
    return {
      cancelled: members.filter((_, i) => flags[i] === 1),
      notListed: members.filter((_, i) => flags[i] !== 1),
      ...(replicas ? { replicas } : {}),
    };
  }

  /** The first match in the order of `lists`, or null. One round trip. */
  async check(e164: string, lists: string[]): Promise<Match | null> {
    for (const match of await this.checkEach(e164, lists)) {
      if (match) return match;
    }
    return null;
  }

  /**
   * One result per list, in the order given, from ONE round trip. In 'one-call' mode
   * one script call checks every list (check-many.lua); in 'per-list' mode one script
   * call a list (check-5.lua), all handed to the socket in one write before any reply is
   * read. Both run the same check_list, so their results are the same. Concurrent
   * commands rather than an ioredis pipeline: a Pipeline object per check doubled the
   * client's CPU per check in bench/check.ts, and a pipeline cannot span cluster slots.
   */
  async checkEach(e164: string, lists: string[]): Promise<(Match | null)[]> {
    assertE164(e164);
    if (lists.length === 0) return [];
    const now = this.clock();
    if (this.checkMode === 'one-call') return checkManyFromReply(lists, 0, await this.checkInOneCall(lists, [now, e164])).results;
    const replies = await this.checkPerList(lists, now, e164);
    return lists.map((list, i) => matchFromReply(list, replies[i]));
  }

  /**
   * checkEach, and the call counted for auto-block rules inside the same script calls: in
   * 'one-call' mode the one script checks and counts; in 'per-list' mode each counter is
   * counted by the check call of the list it fills, in that list's slot. Still one round
   * trip. Every counter's list must be among `lists`.
   */
  async checkCounting(e164: string, lists: string[], counters: CallCounter[]): Promise<CountedCheck> {
    assertE164(e164);
    const now = this.clock();
    const counterKeys = this.counterKeysOf(e164, lists, counters);
    if (this.checkMode === 'one-call') {
      const reply = await this.checkInOneCall(lists, [...counterKeys, now, e164, ...counterArguments(counters)], counterKeys.length);
      return checkManyFromReply(lists, counters.length, reply);
    }
    return this.checkCountingPerList(lists, counters, counterKeys, now, e164);
  }

  /**
   * checkCounting, if the hash field `guard` names still holds its text, and that field
   * read in the same round trip: a call's route and its check. In 'one-call' mode one
   * script reads the field and checks only when it is unchanged (check-guarded.lua),
   * so a changed route costs no check and counts no call. In 'per-list' mode (Redis
   * Cluster: the field is in a slot of its own) the field's HGET goes out beside the
   * per-list checks, whose answers are dropped when it changed; with counters it is read
   * first (two round trips), as counted calls cannot be taken back.
   */
  async checkGuarded(guard: CheckGuard, e164: string, lists: string[], counters: CallCounter[]): Promise<GuardedCheck> {
    assertE164(e164);
    if (this.checkMode === 'per-list') {
      if (counters.length > 0) {
        const text = await this.redis.hget(guard.key, guard.field);
        if (text !== guard.text) return { unchanged: false, text };
        return { unchanged: true, check: await this.checkCounting(e164, lists, counters) };
      }
      // A changed route is told even when the old one's check failed (a list it names is
      // gone): the caller screens on the route as it is now, else the failing check would
      // answer every call and no `route set` would ever reach them.
      const [check, text] = await Promise.all([
        this.checkCounting(e164, lists, []).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
        this.redis.hget(guard.key, guard.field),
      ]);
      if (text !== guard.text) return { unchanged: false, text };
      if (!check.ok) throw check.error;
      return { unchanged: true, check: check.value };
    }
    const now = this.clock();
    const counterKeys = this.counterKeysOf(e164, lists, counters);
    const tail = [...counterKeys, guard.field, guard.text, now, e164, ...counterArguments(counters)];
    const reply = await inOneWrite(this.redis, () =>
      callPreparedScript(this.redis, CHECK_SCRIPTS.callguardListCheckGuarded, 1 + lists.length * 5 + counterKeys.length, [guard.key], this.checkKeys.of(lists), tail, guard.key),
    );
    if (!Array.isArray(reply) || (reply[0] !== 0 && reply[0] !== 1)) {
      throw new Error(`unexpected reply from the guarded check script: ${JSON.stringify(reply)}`);
    }
    if (reply[0] === 0) return { unchanged: false, text: typeof reply[1] === 'string' ? reply[1] : null };
    return { unchanged: true, check: checkManyFromReply(lists, counters.length, reply[1]) };
  }

  /**
   * Many numbers against lists, in bulk: for each number, in order, the first list (in
   * the order of `lists`) and the member that matched, or null. checkDigits() of the
   * numbers' digits. Throws ListError no-such-list or entries-lost as a check would.
   */
  async checkMany(numbers: string[], lists: string[]): Promise<BulkAnswer[]> {
    numbers.forEach(assertE164);
    const found = await this.checkDigits(Float64Array.from(numbers, digitsOf), lists);
    return numbers.map((number, i) => {
      const list = found.list[i] as number;
      return list === 0 ? null : { list: lists[list - 1] as string, member: found.members.get(i) ?? (number as EntryMember) };
    });
  }

  /**
   * checkMany() of numbers held as their digits (numbers/digits.ts), the answers as
   * typed arrays: a scrub's batches, with no string or object a number. Read by the
   * client in one MULTI/EXEC (bulk-read.ts) or, for a list with prefixes or one that
   * changed shape since the batch before, by scrub-many.lua, the reference. One call for
   * all lists on a standalone Redis; on a cluster one a list, sent together, the first
   * list winning.
   */
  async checkDigits(numbers: Float64Array, lists: string[]): Promise<BulkMatches> {
    if (lists.length > MAX_BULK_LISTS) throw new RangeError(`checkDigits: ${lists.length} lists, at most ${MAX_BULK_LISTS}`);
    if (lists.length === 0 || numbers.length === 0) return { list: new Uint16Array(numbers.length), members: new Map() };
    const now = this.clock();
    const keysOf = (list: string): string[] => {
      const k = this.keysOf(list);
      return [k.info, k.exact, k.timed, k.meta, k.dense];
    };
    const script = async (names: string[]): Promise<BulkMatches> => {
      const asked = Array.from(numbers, e164Of);
      const reply = await this.redis.callguardListScrub(names.length * 5, ...names.flatMap(keysOf), now, asked.join('\n')).catch((error: unknown) => {
        throw scrubError(error, names);
      });
      const found: BulkMatches = { list: new Uint16Array(numbers.length), members: new Map() };
      for (const match of scrubMatchesFromReply(numbers.length, names.length, reply)) {
        found.list[match.number] = match.list + 1;
        if (match.member !== asked[match.number]) found.members.set(match.number, match.member);
      }
      return found;
    };
    const ask = async (names: string[]): Promise<BulkMatches> => {
      const group = names.map((name) => ({ name, keys: this.keysOf(name) }));
      await learnShapes(this.redis, group, this.bulkShapes);
      const read = readable(group, this.bulkShapes) ? await readBatch(this.redis, group, numbers, now, this.bulkShapes) : undefined;
      return read ? { list: read, members: new Map() } : script(names);
    };
    if (this.checkMode === 'one-call') return ask(lists);
    const perList = await Promise.all(inOneWrite(this.redis, () => lists.map((list) => ask([list]))));
    const found: BulkMatches = { list: new Uint16Array(numbers.length), members: new Map() };
    for (let i = 0; i < numbers.length; i += 1) {
      const first = perList.findIndex((answers) => answers.list[i] !== 0);
      if (first < 0) continue;
      found.list[i] = first + 1;
      const member = perList[first]?.members.get(i);
      if (member !== undefined) found.members.set(i, member);
    }
    return found;
  }

  /**
   * The lists of a scrub held in the process (held-lists.ts), or undefined where they
   * are asked batch by batch: Redis Cluster and per-list checks ask lists one at a time,
   * never at one moment.
   */
  holdLists(lists: string[], options: HeldOptions): HeldCheck | undefined {
    if (this.checkMode !== 'one-call' || isCluster(this.redis) || lists.length > MAX_BULK_LISTS) return undefined;
    return new HeldLists(this.redis, lists.map((name) => ({ name, keys: this.keysOf(name) })), { clock: this.clock, ...options });
  }

  /** Where this member is listed now, and its last cancellation per list, across all lists. */
  async entries(member: EntryMember): Promise<{ listed: EntryState[]; cancelled: Cancellation[] }> {
    assertMember(member);
    const names = await this.listNames();
    const listed: EntryState[] = [];
    const cancelled: Cancellation[] = [];
    const replies = await Promise.all(
      inOneWrite(this.redis, () =>
        names.map((name) => {
          const keys = this.keysOf(name);
          return Promise.all([
            this.redis.sismember(keys.exact, member),
            this.redis.zscore(keys.timed, member),
            this.redis.hget(keys.meta, member),
            this.redis.hget(keys.cancelled, member),
            this.redis.hgetall(keys.info).then((info) => {
              const dense = denseStateOf(info);
              return dense ? denseHolds(this.redis, keys.dense, dense, member) : false;
            }),
          ]);
        }),
      ),
    );
    const now = this.clock();
    names.forEach((list, i) => {
      const [inSet, score, meta, cancellation, inBitmap] = replies[i] as [number, string | null, string | null, string | null, boolean];
      const forever = inSet === 1 || inBitmap;
      const expiresAt = forever ? null : scoreToExpiry(score);
      if (forever || (expiresAt !== undefined && (expiresAt === null || expiresAt > now))) {
        listed.push({ list, member, expiresAt: expiresAt ?? null, ...(meta === null ? {} : metaFields(meta)) });
      }
      if (cancellation !== null) {
        const stored = JSON.parse(cancellation) as StoredCancellation;
        cancelled.push({ list, member, reason: stored.reason, by: stored.by, at: stored.at });
      }
    });
    return { listed, cancelled };
  }

  /** Which import brought a bulk-loaded entry (it has no record of its own), from its list's audit. */
  provenance(entry: Pick<EntryState, 'list' | 'member' | 'expiresAt'>, leftAt?: number): Promise<Provenance> {
    return bulkProvenance(this.redis, this.namespace, entry, leftAt);
  }

  /** Audit events naming this member, across the existing lists, newest first. */
  async history(member: EntryMember, limit = DEFAULT_HISTORY_LIMIT): Promise<AuditEvent[]> {
    assertMember(member);
    const names = await this.listNames();
    const perList = await Promise.all(names.map((list) => this.memberEvents(list, member, limit)));
    return perList.flat().sort(newestFirst).slice(0, limit);
  }

  async audit(list: string, limit = DEFAULT_AUDIT_LIMIT): Promise<AuditEvent[]> {
    const keys = this.keysOf(list);
    const entries = (await this.redis.xrevrange(keys.audit, '+', '-', 'COUNT', limit)) as StreamEntry[];
    return entries.map((entry) => parseAuditEntry(list, entry));
  }

  async recordAudit(
    list: string,
    action: AuditAction,
    actor: Actor,
    details?: Record<string, string>,
    member?: EntryMember,
  ): Promise<string> {
    const keys = this.keysOf(list);
    if (member !== undefined) assertMember(member);
    const at = this.clock();
    const fields = auditFields(action, at, actor, details, member);
    // The lists page shows the age of the last import without reading audit streams back.
    const isImport = action === 'import' || action === 'replace';
    const id = isImport ? await this.redis.callguardListRecordImport(keys.info, keys.audit, at, ...fields) : await this.redis.xadd(keys.audit, '*', ...fields);
    if (typeof id !== 'string') throw new Error(`Redis did not append the ${action} audit event of list ${list}`);
    return id;
  }

  /**
   * The janitor: removes expired members of every list. Entries added one by one get an
   * 'expire' audit event each; bulk-loaded entries one event per batch with `count`.
   * Returns the lists where something expired.
   */
  async purgeExpired(): Promise<{ list: string; expired: number }[]> {
    const now = this.clock();
    const purged: { list: string; expired: number }[] = [];
    for (const list of await this.listNames()) {
      const keys = this.keysOf(list);
      let expired = 0;
      for (;;) {
        const removed = Number(
          await this.redis.callguardListPurge(keys.timed, keys.meta, keys.audit, keys.info, keys.exact, now, PURGE_BATCH, JANITOR),
        );
        expired += removed;
        if (removed < PURGE_BATCH) break;
      }
      if (expired > 0) purged.push({ list, expired });
    }
    return purged;
  }

  private async memberEvents(list: string, member: EntryMember, limit: number): Promise<AuditEvent[]> {
    const keys = this.keysOf(list);
    const found: AuditEvent[] = [];
    let end = '+';
    for (;;) {
      const page = (await this.redis.xrevrange(keys.audit, end, '-', 'COUNT', HISTORY_PAGE)) as StreamEntry[];
      for (const entry of page) {
        const event = parseAuditEntry(list, entry);
        if (event.member === member) found.push(event);
      }
      const last = page.at(-1);
      if (found.length >= limit || page.length < HISTORY_PAGE || !last) return found;
      end = `(${last[0]}`;
    }
  }

  /** check-many.lua on `lists`; `tail`: its arguments after the lists' keys, the first `moreKeys` of them keys. */
  private checkInOneCall(lists: string[], tail: ScriptValue[], moreKeys = 0): Promise<unknown> {
    const keys = this.checkKeys.of(lists);
    return inOneWrite(this.redis, () =>
      callPreparedScript(this.redis, CHECK_SCRIPTS.callguardListCheckMany, lists.length * 5 + moreKeys, [], keys, tail, keys.values[0] ?? this.index),
    );
  }

  private async checkCountingPerList(
    lists: string[],
    counters: CallCounter[],
    counterKeys: string[],
    now: number,
    e164: string,
  ): Promise<CountedCheck> {
    const counterOf = new Map(counters.map((counter, i) => [counter.list, i]));
    const sent = inOneWrite(this.redis, () =>
      lists.map((list) => {
        const c = counterOf.get(list);
        if (c === undefined) return this.checkOneList(list, now, e164);
        const counter = counters[c] as CallCounter;
        const keys = this.checkKeys.of([list]);
        const tail = [counterKeys[c] as string, now, e164, counter.member, counter.keep, ...counter.windowsMs];
        return callPreparedScript(this.redis, CHECK_SCRIPTS.callguardListCheckCount, 6, [], keys, tail, keys.values[0] as string);
      }),
    );
    const answers = await Promise.all(sent);
    const counts: number[][] = counters.map(() => []);
    const results = answers.map((answer, i) => {
      const list = lists[i] as string;
      const c = counterOf.get(list);
      if (c === undefined) return matchFromReply(list, answer);
      const counted = checkCountFromReply(list, answer);
      counts[c] = counted.counts;
      return counted.result;
    });
    return { results, counts };
  }

  private checkPerList(lists: string[], now: number, e164: string): Promise<unknown[]> {
    return Promise.all(inOneWrite(this.redis, () => lists.map((list) => this.checkOneList(list, now, e164))));
  }

  /** check-5.lua on one list, in its own slot. */
  private checkOneList(list: string, now: number, e164: string): Promise<unknown> {
    const keys = this.checkKeys.of([list]);
    return callPreparedScript(this.redis, CHECK_SCRIPTS.callguardListCheck, 5, [], keys, [now, e164], keys.values[0] as string);
  }

  /** A write of one list, on its primary and confirmed by `waitReplicas` replicas when asked. */
  private async acknowledged<T>(key: string, write: (redis: RedisClient) => Promise<T>): Promise<{ result: T; replicas?: ReplicaAcks }> {
    if (this.waitReplicas === 0) return { result: await write(this.redis) };
    return writeAcknowledged(this.redis, key, this.waitReplicas, (primary) => {
      defineListScripts(primary);
      return write(primary);
    });
  }

  private async listNames(): Promise<string[]> {
    return (await this.redis.smembers(this.index)).sort();
  }

  /** The counter key of each counter, in the slot of the list it fills, which must be checked too. */
  private counterKeysOf(e164: string, lists: string[], counters: CallCounter[]): string[] {
    return counters.map((counter) => {
      if (!lists.includes(counter.list)) throw new Error(`the counter of list ${counter.list} needs that list checked`);
      return callCounterKey(this.namespace, counter.list, counter.scope, e164);
    });
  }

  private keysOf(list: string): ListKeys {
    let keys = this.keyCache.get(list);
    if (!keys) {
      assertListName(list);
      keys = listKeys(this.namespace, list);
      this.keyCache.set(list, keys);
    }
    return keys;
  }
}

/** The check scripts' SHA and body, for the calls written as bytes. */
const CHECK_SCRIPTS = defineListScripts.sources;

/** The arguments check_lists takes for auto-block counters (check-lists.lua): their count, then each one's. */
function counterArguments(counters: CallCounter[]): ScriptValue[] {
  const args: ScriptValue[] = [counters.length];
  for (const counter of counters) args.push(counter.member, counter.keep, counter.windowsMs.length, ...counter.windowsMs);
  return args;
}

/** Sockets corked until the end of the current tick. */
const corkedSockets = new WeakSet<object>();

/**
 * Commands sent inside `send` leave in one socket write: the socket is corked until the
 * end of the current tick, so a check's commands, and those of every other check started
 * in the same tick, go out in one writev. On loopback the write syscall was the largest
 * client cost per check in bench/check.ts. Without a connected socket (still connecting)
 * ioredis queues the commands and, once connected, writes the queue in one synchronous
 * loop: still all before any reply.
 */
function inOneWrite<T>(redis: RedisClient, send: () => T): T {
  // A cluster client writes to a socket per node; its commands go out as they come.
  const socket = isCluster(redis) ? undefined : (redis.stream as typeof redis.stream | undefined);
  if (socket && !corkedSockets.has(socket)) {
    corkedSockets.add(socket);
    socket.cork();
    process.nextTick(() => {
      corkedSockets.delete(socket);
      socket.uncork();
    });
  }
  return send();
}


/**
 * A list created under the name while what its lost info left was removed: what is under
 * its root from then on is the new list's (adopted, or written by an import), and stays.
 */
function createdWhileRemoved(name: string): ListError {
  return new ListError(
    `list ${name} was created again while what its lost info left behind was removed: what the new list adopted or wrote stays, and nothing more was removed`,
    'list-exists',
    name,
  );
}

/** A scrub script's error about the list at a position: no such list, or entries lost. */
function scrubError(error: unknown, lists: string[]): unknown {
  const found = error instanceof Error ? /CALLGUARD (no such list|entries lost) (\d+)/.exec(error.message) : null;
  if (!found) return error;
  const list = lists[Number(found[2]) - 1] as string;
  return found[1] === 'no such list' ? noSuchList(list) : entriesLost(list);
}

function assertBatchSize(count: number, operation: string): void {
  if (count > MAX_ENTRIES_PER_CALL) {
    throw new RangeError(
      `${count} entries in one ${operation}: at most ${MAX_ENTRIES_PER_CALL}; load a file with callguard import instead`,
    );
  }
}

function expiryArg(entry: EntryToAdd, now: number): string {
  if (entry.expiresAt === undefined) return 'inf';
  if (!Number.isSafeInteger(entry.expiresAt) || entry.expiresAt <= now) {
    throw new RangeError(
      `expiry of ${entry.member} must be a time in the future (ms since epoch), got ${String(entry.expiresAt)}`,
    );
  }
  return String(entry.expiresAt);
}

/** A field's value in a stream entry's flat field list. */
function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** A hash as a script answers HGETALL: field, value, field, value... */
function hashOf(fields: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) hash[fields[i] as string] = fields[i + 1] as string;
  return hash;
}

/** Members the kept size counts beyond what the keys hold; 0 without a kept size. */
function lostEntries(recorded: string | undefined, entries: number): number {
  return recorded === undefined ? 0 : Math.max(0, Number(recorded) - entries);
}

/** undefined: not in the ZSET; null: forever; otherwise ms since epoch. */
function scoreToExpiry(score: string | number | null): number | null | undefined {
  if (score === null) return undefined;
  if (score === 'inf' || score === Infinity) return null;
  return Number(score);
}

