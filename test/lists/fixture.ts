import type { Redis } from 'ioredis';
import { afterEach, beforeEach } from 'vitest';
import { ListStore, type CheckMode, type ListStoreOptions } from '../../src/lists/store.js';
import { testNamespace, testRedis } from '../helpers/redis.js';

export const T0 = Date.UTC(2026, 0, 1);
export const MINUTE = 60_000;
export const ALICE = { by: 'alice', reason: 'harassing caller', source: 'cli' };

export interface StoreFixture {
  redis: Redis;
  namespace: string;
  store: ListStore;
  /** the store's clock, in ms since epoch; tests move it instead of sleeping */
  now: number;
}

/** Both ways a store can check; suites whose tests check run once in each. */
export const CHECK_MODES: readonly CheckMode[] = ['per-list', 'one-call'];

/** A store on its own namespace and a clock the test controls, fresh for each test. */
export function useStore(options: ListStoreOptions = {}): StoreFixture {
  const fixture = { now: T0 } as StoreFixture;
  beforeEach(() => {
    fixture.now = T0;
    fixture.redis = testRedis();
    fixture.namespace = testNamespace();
    fixture.store = new ListStore(fixture.redis, fixture.namespace, () => fixture.now, options);
  });
  afterEach(async () => {
    await fixture.redis.quit();
  });
  return fixture;
}
