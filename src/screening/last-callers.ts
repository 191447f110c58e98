import { globalKeys } from '../lists/keys.js';
import type { RedisClient } from '../redis/connect.js';

/** The last caller an agent answered, as the dialplan reported it, and when. */
export interface LastCaller {
  number: string;
  at: number;
}

/**
 * The last caller per endpoint (`PJSIP/1001`), in one Redis hash, for *32. The dialplan
 * reports it over FastAGI when an agent answers; it cannot keep it itself: after a call
 * went through the Stasis app, Asterisk refuses the dialplan's DB() writes ("Dangerous
 * function DB write blocked").
 */
export class LastCallers {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    namespace: string,
  ) {
    this.key = globalKeys(namespace).lastCallers;
  }

  async record(endpoint: string, caller: LastCaller): Promise<void> {
    await this.redis.hset(this.key, endpoint, JSON.stringify(caller));
  }

  /** Undefined when none was recorded, or the stored value is not one callguard wrote. */
  async get(endpoint: string): Promise<LastCaller | undefined> {
    const text = await this.redis.hget(this.key, endpoint);
    if (text === null) return undefined;
    try {
      const parsed = JSON.parse(text) as Partial<LastCaller>;
      return typeof parsed.number === 'string' && typeof parsed.at === 'number' ? { number: parsed.number, at: parsed.at } : undefined;
    } catch {
      // Edited by hand: as if none was recorded; the next answered call overwrites it.
      return undefined;
    }
  }
}
