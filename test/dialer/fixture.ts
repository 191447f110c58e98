import type { Redis } from 'ioredis';
import { afterAll, afterEach } from 'vitest';
import { Dialer, type DialerOptions } from '../../src/dialer/dialer.js';
import { DialQueue } from '../../src/dialer/queue.js';
import type { RedisClient } from '../../src/redis/connect.js';
import type { AttemptResult, DialAttempt, DialFunction } from '../../src/dialer/types.js';
import { ListStore } from '../../src/lists/store.js';
import type { Campaign, DialOutcome } from '../../src/screening/campaign.js';
import { applyCampaignChanges, parseDialplanTarget, type CampaignChanges } from '../../src/screening/campaign-syntax.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

export const START = Date.parse('2026-11-23T09:00:00Z');

/**
 * For one test file: a Redis client, quit after the file, and `next()`, a fresh fixture
 * in a namespace of its own whose dialers are stopped after each test.
 */
export function dialerFixtures(): { redis: Redis; next: () => DialerFixture } {
  const redis = testRedis();
  let current: DialerFixture | undefined;
  afterEach(async () => {
    await current?.stopAll();
  });
  afterAll(async () => {
    await redis.quit();
  });
  return { redis, next: () => (current = new DialerFixture(redis, testNamespace())) };
}

/** A namespace with its stores, a clock the test moves, and a record of every dial. */
export class DialerFixture {
  readonly queue: DialQueue;
  readonly lists: ListStore;
  readonly campaigns: CampaignStore;
  now = START;
  readonly clock = () => this.now;
  readonly dials: DialAttempt[] = [];
  private readonly dialers: Dialer[] = [];

  constructor(
    readonly redis: RedisClient,
    readonly namespace: string,
  ) {
    this.queue = new DialQueue(redis, namespace);
    this.lists = new ListStore(redis, namespace, this.clock);
    this.campaigns = new CampaignStore(redis, namespace);
  }

  async campaign(name: string, changes: CampaignChanges = {}): Promise<Campaign> {
    const campaign = applyCampaignChanges(
      name,
      undefined,
      { endpoint: 'PJSIP/${NUMBER}@trunk', agent: parseDialplanTarget('agents'), region: 'DE', ...changes },
      { at: this.now, by: 'test' },
    );
    await this.campaigns.set(campaign);
    return campaign;
  }

  async block(list: string, e164: string, reason: string): Promise<void> {
    if (!(await this.lists.hasList(list))) await this.lists.createList(list, { by: 'test' });
    await this.lists.add(list, [{ member: e164 }], { by: 'test', reason });
  }

  /** A dial function answering with `outcomes` in turn (the last one repeats). */
  answering(...outcomes: DialOutcome[]): DialFunction {
    let next = 0;
    return async (attempt) => {
      this.dials.push(attempt);
      const outcome = outcomes[Math.min(next, outcomes.length - 1)] ?? 'ANSWERED';
      next += 1;
      return outcome;
    };
  }

  dialer(dial: DialFunction, options: Partial<DialerOptions> = {}): Dialer {
    const dialer = new Dialer({ redis: this.redis, namespace: this.namespace, dial, clock: this.clock, pollIntervalMs: 10, ...options });
    this.dialers.push(dialer);
    return dialer;
  }

  /** Polls once and waits for the attempts it started. */
  async round(dialer: Dialer): Promise<void> {
    await dialer.poll();
    await dialer.settled();
  }

  async results(campaign?: string): Promise<AttemptResult[]> {
    const newestFirst = await this.queue.results({ scan: 10_000, ...(campaign === undefined ? {} : { campaign }) });
    return newestFirst.reverse();
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.dialers.map((dialer) => dialer.stop()));
  }
}

/** Waits for `condition` to hold, checking every 10 ms, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  await until(condition, what, { timeoutMs, pollMs: 10 });
}
