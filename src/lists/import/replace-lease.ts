import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../redis/connect.js';
import { listKeys } from '../keys.js';
import { defineImportScripts } from './scripts.js';

/**
 * How long a lease lasts unrenewed: a run that died (killed, its host gone) holds the
 * list this long. Its run renews it every RENEW_EVERY_MS, so only an event loop stalled
 * for most of it loses the lease, and then the run refuses to swap (confirm()).
 */
export const REPLACE_LEASE_MS = 10_000;
const RENEW_EVERY_MS = 2_000;

/** Who holds a list's lease, as the refusal of another replace names them. */
export interface LeaseHolder {
  by: string;
  source: string;
  /** ISO 8601 */
  since: string;
}

/** Another replace of the list runs: this one was refused before it changed anything. */
export class ReplaceBusyError extends Error {
  constructor(
    readonly list: string,
    readonly holder: LeaseHolder | undefined,
  ) {
    const who = holder ? ` (${holder.by}, ${holder.source}, since ${holder.since})` : '';
    super(`a replace of list ${list} is running${who}: one replace of a list at a time; nothing was changed, run it again once that one has ended`);
    this.name = 'ReplaceBusyError';
  }
}

/** The run's lease lapsed (its process stalled past REPLACE_LEASE_MS): another replace may have cleaned what it built. */
export class ReplaceLeaseLostError extends Error {
  constructor(readonly list: string) {
    super(`the replace of list ${list} lost its hold on the list (stalled for over ${REPLACE_LEASE_MS / 1000} s); nothing was swapped, list ${list} keeps its entries; run the replace again`);
    this.name = 'ReplaceLeaseLostError';
  }
}

/**
 * A replace's exclusive hold on its list. Two replaces of one list at once would each
 * clean the other's half-built list as a dead run's leftovers (cleanStaging), and the
 * one swapping first would swap in only what it wrote after that: numbers lost while the
 * summary says imported. Held from before the replace cleans until after its swap.
 */
export class ReplaceLease {
  private readonly timer: NodeJS.Timeout;
  private released = false;

  private constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly list: string,
    private readonly value: string,
  ) {
    // A failed renewal (Redis away a moment) is tried again; a lapsed lease is found by confirm().
    this.timer = setInterval(() => void this.renew().catch(() => undefined), RENEW_EVERY_MS);
    this.timer.unref();
  }

  /** Takes the lease of `list`, or throws ReplaceBusyError naming the replace that holds it. */
  static async take(redis: RedisClient, namespace: string, list: string, holder: Omit<LeaseHolder, 'since'>): Promise<ReplaceLease> {
    const key = listKeys(namespace, list).replaceLease;
    const value = JSON.stringify({ ...holder, since: new Date().toISOString(), run: randomBytes(8).toString('hex') });
    if ((await redis.set(key, value, 'PX', REPLACE_LEASE_MS, 'NX')) === 'OK') return new ReplaceLease(redis, key, list, value);
    throw new ReplaceBusyError(list, holderOf(await redis.get(key)));
  }

  /** Throws ReplaceBusyError when a replace of `list` runs: to refuse before a large upload is read (take() decides). */
  static async assertFree(redis: RedisClient, namespace: string, list: string): Promise<void> {
    const value = await redis.get(listKeys(namespace, list).replaceLease);
    if (value !== null) throw new ReplaceBusyError(list, holderOf(value));
  }

  /** Renews the lease right before the swap; throws ReplaceLeaseLostError when it lapsed meanwhile. */
  async confirm(): Promise<void> {
    if (!(await this.renew())) throw new ReplaceLeaseLostError(this.list);
  }

  /** Frees the list for the next replace (idempotent); a lease already lapsed is left to whoever took it since. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    defineImportScripts(this.redis);
    await this.redis.callguardImportLease(this.key, this.value, 'release');
  }

  private async renew(): Promise<boolean> {
    defineImportScripts(this.redis);
    return (await this.redis.callguardImportLease(this.key, this.value, 'renew', REPLACE_LEASE_MS)) === 1;
  }
}

function holderOf(value: string | null): LeaseHolder | undefined {
  if (value === null) return undefined;
  try {
    const { by, source, since } = JSON.parse(value) as LeaseHolder;
    return { by, source, since };
  } catch {
    return undefined;
  }
}
