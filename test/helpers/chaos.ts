import type { Redis } from 'ioredis';
import type { AriRest } from '../../src/calls/ari-rest.js';
import { ListStore } from '../../src/lists/store.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { ServeProcess } from './serve.js';
import type { WaitOptions } from './until.js';

/** Shared by the fault-injection tests (test/chaos/): a route, callers, and what Asterisk holds. */

/** Every caller starting with this is on the `dnc` list of the route `support`. */
export const BLOCKED_PREFIX = '+49301111';
const CLEAR_PREFIX = '+49302222';
/** How long a chaos test waits at most for a state it expects (bounds a broken run). */
export const CHAOS_WAIT_MS = 20_000;
/** A chaos test's wait for a state: until(probe, what, CHAOS_WAIT). */
export const CHAOS_WAIT: WaitOptions = { timeoutMs: CHAOS_WAIT_MS, pollMs: 25 };

/** The list `dnc` holding the blocked range, and the route `support` blocking it. */
export async function seedSupportRoute(redis: Redis, namespace: string): Promise<void> {
  const lists = new ListStore(redis, namespace);
  await lists.createList('dnc', { by: 'chaos' });
  await lists.add('dnc', [{ member: `${BLOCKED_PREFIX}*` }], { by: 'chaos' });
  await new RouteStore(redis, namespace).set({ ...newRoute('support'), block: ['dnc'] });
}

/** The `index`th caller: every other one blocked, each number its own. */
export function caller(index: number): string {
  return `${index % 2 === 0 ? BLOCKED_PREFIX : CLEAR_PREFIX}00${index}`;
}

/** The final SIP status a screened call from `from` gets on the route `support`: refused, or answered by the queue. */
export function screenedStatus(from: string): number {
  return from.startsWith(BLOCKED_PREFIX) ? 403 : 200;
}

/** The channels Asterisk has in a Stasis app; 0 once the app is gone. */
export async function channelsInStasis(rest: AriRest, app = 'callguard'): Promise<number> {
  const response = await rest.request('GET', `/applications/${encodeURIComponent(app)}`);
  if (response.status === 404) return 0;
  return ((response.body as { channel_ids?: unknown[] }).channel_ids ?? []).length;
}

/** The `ari` detail of a serve process's /readyz (`connected`, `standby`...); undefined while it does not answer. */
export async function ariStateOf(serve: ServeProcess): Promise<string | undefined> {
  try {
    const response = await fetch(`${serve.health}/readyz`, { signal: AbortSignal.timeout(1_000) });
    return ((await response.json()) as { detail?: { ari?: string } }).detail?.ari;
  } catch {
    // Not listening yet while the process starts; the caller polls.
    return undefined;
  }
}

