import { capKeys } from '../lists/keys.js';
import type { RedisClient } from '../redis/connect.js';
import type { Rate } from './rate.js';
import { defineScreeningScripts } from './scripts.js';

export type CapOutcome = { ok: true } | { ok: false; retryAt: number };

/**
 * Attempts per number across every campaign (`--max-per-number 3/24h`), in Redis so that
 * every serve instance counts the same attempts. A campaign without a cap still counts
 * its attempts for the caps of the others, as long as any campaign has one (the horizon).
 */
export class CapCounter {
  private readonly keys: ReturnType<typeof capKeys>;

  constructor(
    private readonly redis: RedisClient,
    namespace: string,
  ) {
    defineScreeningScripts(redis);
    this.keys = capKeys(namespace);
  }

  /**
   * Counts one attempt to `e164` at `now` (`attempt` names it, so counting it again is
   * harmless), unless `cap` is reached: then nothing is counted and retryAt says when a
   * slot frees. Rejects only when Redis fails.
   */
  async take(e164: string, now: number, attempt: string, cap: Rate | undefined): Promise<CapOutcome> {
    const [taken, value] = await this.redis.callguardCapTake(
      this.keys.horizon, this.keys.calls(e164), now, attempt, cap?.count ?? 0, cap?.windowMs ?? 0,
    );
    return taken === 1 ? { ok: true } : { ok: false, retryAt: value };
  }

  /** How long attempts are kept: the longest cap of any campaign, or none (nothing is counted). */
  async setHorizon(longestCapMs: number): Promise<void> {
    if (longestCapMs > 0) await this.redis.set(this.keys.horizon, String(longestCapMs));
    else await this.redis.del(this.keys.horizon);
  }
}
