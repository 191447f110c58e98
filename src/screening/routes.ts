import type { RedisClient } from '../redis/connect.js';
import { globalKeys } from '../lists/keys.js';
import type { CheckGuard } from '../lists/types.js';
import { withDeadline } from './deadline.js';
import { isRouteName, validateRoute } from './route.js';
import type { Route } from './types.js';

/** What reading a route gave; a corrupt route is a value to log, never an exception. */
export type RouteLookup =
  | { kind: 'found'; route: Route }
  | { kind: 'missing' }
  | { kind: 'invalid'; reason: string };

/**
 * What a call gets: the route as read now, or — when Redis does not answer in time — the
 * last version this process read (`stale: true`), so the route's own `unavailable` action
 * still runs. `unavailable` only when this process never read the route.
 */
export type RouteForCall =
  | { kind: 'found'; route: Route; stale: boolean }
  | { kind: 'missing' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'unavailable'; reason: string };

export interface RouteListing {
  routes: Route[];
  invalid: { name: string; reason: string }[];
}

export class RouteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteError';
  }
}

/** A route as this process last read it, with the guard that tells whether it is still so. */
export interface CachedRoute {
  route: Route;
  guard: CheckGuard;
}

/**
 * Routes in one Redis hash (`<ns>:routes`, name -> JSON). There is no cache between a
 * change and a call: every call reads its route (one HGET, or inside its check as
 * `guardFor` allows), so a `route set` applies to the very next call without a restart
 * or a notification channel. What is kept is the last read text, so a route read
 * unchanged is not parsed again.
 */
export class RouteStore {
  private readonly key: string;
  private readonly lastRead = new Map<string, CachedRoute>();

  constructor(
    private readonly redis: RedisClient,
    namespace: string,
  ) {
    this.key = globalKeys(namespace).routes;
  }

  /** Rejects only when Redis fails. */
  async get(name: string): Promise<RouteLookup> {
    const text = await this.redis.hget(this.key, name);
    if (text === null) return { kind: 'missing' };
    return parseStoredRoute(name, text);
  }

  /** `get` bounded by a deadline, for calls; never rejects. */
  async getForCall(name: string, deadlineMs: number): Promise<RouteForCall> {
    const outcome = await withDeadline(() => this.redis.hget(this.key, name), deadlineMs);
    if (!outcome.ok) {
      const last = this.lastRead.get(name);
      if (last) return { kind: 'found', route: last.route, stale: true };
      return { kind: 'unavailable', reason: outcome.reason };
    }
    return this.readForCall(name, outcome.value);
  }

  /**
   * The route last read for `name` and its guard (the route's hash field and text): a
   * check guarded by it (ListStore.checkGuarded) reads the route in the same round trip.
   */
  cachedForCall(name: string): CachedRoute | undefined {
    return this.lastRead.get(name);
  }

  /** The route for a call from its stored text as just read (null: none), kept for the next call. */
  readForCall(name: string, text: string | null): RouteForCall {
    const last = this.lastRead.get(name);
    if (last && text === last.guard.text) return { kind: 'found', route: last.route, stale: false };
    if (text === null) {
      this.lastRead.delete(name);
      return { kind: 'missing' };
    }
    const lookup = parseStoredRoute(name, text);
    if (lookup.kind !== 'found') {
      this.lastRead.delete(name);
      return lookup;
    }
    this.lastRead.set(name, { route: lookup.route, guard: { key: this.key, field: name, text } });
    return { kind: 'found', route: lookup.route, stale: false };
  }

  /** Stores the route as given (replacing any), after checking it. */
  async set(route: Route): Promise<void> {
    const checked = validateRoute(route);
    if (!checked.ok) throw new RouteError(`route ${JSON.stringify(route.name)} is not valid: ${checked.reason}`);
    await this.redis.hset(this.key, route.name, JSON.stringify(checked.route));
  }

  /** True when the route existed. */
  async remove(name: string): Promise<boolean> {
    return (await this.redis.hdel(this.key, name)) === 1;
  }

  /** Every route by name; corrupt ones are listed apart with their reason. */
  async list(): Promise<RouteListing> {
    const all = await this.redis.hgetall(this.key);
    const listing: RouteListing = { routes: [], invalid: [] };
    for (const name of Object.keys(all).sort()) {
      const lookup = parseStoredRoute(name, all[name] ?? '');
      if (lookup.kind === 'found') listing.routes.push(lookup.route);
      else if (lookup.kind === 'invalid') listing.invalid.push({ name, reason: lookup.reason });
    }
    return listing;
  }
}

function parseStoredRoute(name: string, text: string): RouteLookup {
  if (!isRouteName(name)) return { kind: 'invalid', reason: `${JSON.stringify(name)} is not a route name` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', reason: `stored route is not JSON: ${(error as Error).message}` };
  }
  const checked = validateRoute(parsed);
  if (!checked.ok) return { kind: 'invalid', reason: checked.reason };
  if (checked.route.name !== name) {
    return { kind: 'invalid', reason: `stored under ${JSON.stringify(name)} but named ${JSON.stringify(checked.route.name)}` };
  }
  return { kind: 'found', route: checked.route };
}
