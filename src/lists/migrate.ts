import type { Logger } from '../log.js';
import type { RedisClient } from '../redis/connect.js';
import { EVERY_PREFIX_LENGTH, globalKeys, listKeys, PREFIX_LENGTHS_READ_LIMIT } from './keys.js';
import { defineListScripts } from './scripts.js';
import { ListStore } from './store.js';
import type { CallCounter, CheckGuard } from './types.js';

/**
 * Brings the info field `prefixes` of every list to today's format (keys.ts), so the
 * check scripts need not read its old forms: no field (lists from before it) and the old
 * flags '1' (any length) and '0' (none). Idempotent and cheap on lists already in it
 * (one script call a list), so serve and api run it at every start. Answers the lists
 * it changed.
 */
export async function migratePrefixFields(redis: RedisClient, namespace: string): Promise<string[]> {
  return (await migrateEveryList(redis, namespace)).migrated;
}

async function migrateEveryList(redis: RedisClient, namespace: string): Promise<{ checked: number; migrated: string[] }> {
  defineListScripts(redis);
  const names = (await redis.smembers(globalKeys(namespace).lists)).sort();
  const replies = await Promise.all(
    names.map((name) => {
      const keys = listKeys(namespace, name);
      return redis.callguardListMigratePrefixes(keys.info, keys.timed, PREFIX_LENGTHS_READ_LIMIT, EVERY_PREFIX_LENGTH);
    }),
  );
  return { checked: names.length, migrated: names.filter((_, i) => replies[i] === 1) };
}

/**
 * The migration of a process start (migratePrefixFields), and the gate the call path's
 * checks pass through. It never holds the start (a stalled Redis must not hold ARI
 * registration): it runs at once when Redis is ready, else as soon as the connection
 * becomes ready (serve's has no offline queue), so its commands go first on it; a failed
 * one runs again at the connection's next ready. While it runs, a check waits for it
 * before it asks Redis: a list still in an old format would otherwise fail its check
 * (no field) or, with the old flag '1', skip its prefixes and answer "not listed". On one
 * connection that wait costs next to nothing, as Redis answers in order and the check
 * would queue behind the migration's script calls anyway; the call's decision deadline
 * still bounds it. Once it is done checks go straight through.
 */
export class ListFormatMigration {
  private running: Promise<void> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: string,
    private readonly log: Logger,
  ) {}

  start(): this {
    if (this.redis.status === 'ready') this.run();
    else this.redis.once('ready', () => this.run());
    return this;
  }

  /** Resolves once no migration runs (at once when none does). */
  async settled(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /**
   * Runs `check` once the migration running now, if any, has ended. Not an async
   * function: every check of serve passes here, and once the migration is done the
   * check's own promise is handed back without another one wrapped around it.
   */
  gate<T>(check: () => Promise<T>): Promise<T> {
    return this.running === undefined ? check() : this.settled().then(check);
  }

  private run(): void {
    const started = performance.now();
    this.log.info('list format migration started: checks wait for it');
    const running = migrateEveryList(this.redis, this.namespace).then(
      ({ checked, migrated }) => {
        const fields = { checked, migrated: migrated.length, lists: migrated, ms: Math.round(performance.now() - started) };
        this.log.info(fields, migrated.length > 0 ? 'lists migrated to the current prefixes format' : 'list format migration done: every list in the current format');
      },
      (error: unknown) => {
        this.log.error({ err: error }, 'list migration failed: it runs again when Redis reconnects; until then checks do not wait for it');
        this.redis.once('ready', () => this.run());
      },
    );
    this.running = running;
    void running.finally(() => {
      if (this.running === running) this.running = undefined;
    });
  }
}

/** A ListFormatMigration, started: what serve and api run at a start. */
export function migrateAtStart(redis: RedisClient, namespace: string, log: Logger): ListFormatMigration {
  return new ListFormatMigration(redis, namespace, log).start();
}

/**
 * A ListStore whose reads that run check-list.lua (every check* method: the call path's
 * checks, the number report's prefix lookup, a scrub's batches) pass the migration's
 * gate: the store serve and api hand to everything that decides a call or an answer.
 * Its other reads do not look at the format (list infos, sizes, entries, audit), and its
 * writes keep an old-format field as it is for the migration (prefix-lengths.lua).
 */
export class GatedListStore extends ListStore {
  constructor(
    private readonly migration: ListFormatMigration,
    ...store: ConstructorParameters<typeof ListStore>
  ) {
    super(...store);
  }

  override check(e164: string, lists: string[]): ReturnType<ListStore['check']> {
    return this.migration.gate(() => super.check(e164, lists));
  }

  override checkEach(e164: string, lists: string[]): ReturnType<ListStore['checkEach']> {
    return this.migration.gate(() => super.checkEach(e164, lists));
  }

  override checkCounting(e164: string, lists: string[], counters: CallCounter[]): ReturnType<ListStore['checkCounting']> {
    return this.migration.gate(() => super.checkCounting(e164, lists, counters));
  }

  override checkGuarded(guard: CheckGuard, e164: string, lists: string[], counters: CallCounter[]): ReturnType<ListStore['checkGuarded']> {
    return this.migration.gate(() => super.checkGuarded(guard, e164, lists, counters));
  }

  override checkMany(numbers: string[], lists: string[]): ReturnType<ListStore['checkMany']> {
    return this.migration.gate(() => super.checkMany(numbers, lists));
  }

  override checkDigits(numbers: Float64Array, lists: string[]): ReturnType<ListStore['checkDigits']> {
    return this.migration.gate(() => super.checkDigits(numbers, lists));
  }

  override holdLists(lists: string[], options: Parameters<ListStore['holdLists']>[1]): ReturnType<ListStore['holdLists']> {
    const held = super.holdLists(lists, options);
    return held && { check: (numbers) => this.migration.gate(() => held.check(numbers)), release: () => held.release() };
  }
}
