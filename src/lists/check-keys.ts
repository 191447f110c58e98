import { PreparedArguments } from '../redis/prepared-script.js';
import type { ListKeys } from './keys.js';

/**
 * The list sets kept prepared by one store: a route's lists are a handful of sets, but
 * the API and the CLI may check any, so past this many the store starts again rather
 * than grow without end.
 */
export const MAX_PREPARED_LIST_SETS = 1_024;

/**
 * The keys a check script takes for a set of lists (info, exact, timed, meta, dense of
 * each, in order) written as RESP bytes once per set, in the namespace of the store that
 * owns it: each check copies them instead of ioredis building fifteen strings into a
 * request at every call.
 */
export class PreparedCheckKeys {
  private readonly sets = new Map<string, PreparedArguments>();

  constructor(private readonly keysOf: (list: string) => ListKeys) {}

  /** The keys of `lists`, in their order; `keysOf` checks each name the first time. */
  of(lists: readonly string[]): PreparedArguments {
    // A list name holds no ',' (LIST_NAME_PATTERN), so the joined names tell the sets apart.
    const name = lists.join(',');
    let prepared = this.sets.get(name);
    if (prepared === undefined) {
      if (this.sets.size >= MAX_PREPARED_LIST_SETS) this.sets.clear();
      prepared = new PreparedArguments(
        lists.flatMap((list) => {
          const k = this.keysOf(list);
          return [k.info, k.exact, k.timed, k.meta, k.dense];
        }),
      );
      this.sets.set(name, prepared);
    }
    return prepared;
  }
}
