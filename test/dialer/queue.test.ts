import { afterAll, describe, expect, it } from 'vitest';
import { DialQueue } from '../../src/dialer/queue.js';
import type { RequestState } from '../../src/dialer/types.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { waitFor } from './fixture.js';

const redis = testRedis();
afterAll(async () => {
  await redis.quit();
});

async function queueWithOneRequest(): Promise<{ queue: DialQueue; state: RequestState }> {
  const queue = new DialQueue(redis, testNamespace());
  await queue.ensureGroup();
  await queue.enqueue({ campaign: 'sales', number: '+49301234567', id: 'r1' });
  const [entry] = await queue.readNew('me', 1);
  if (!entry) throw new Error('nothing read');
  const state: RequestState = { id: 'r1', campaign: 'sales', number: '+49301234567', attrs: {}, createdAt: 0, attempts: 0 };
  await queue.take(entry.id, state, 0);
  return { queue, state };
}

const result = { request: 'r1', campaign: 'sales', number: '+49301234567', attempt: 1, outcome: 'BUSY' as const, at: 5, final: false, retryAt: 100, attrs: {} };

describe('DialQueue', () => {
  it('a campaign never has more leases than its concurrency, and a released slot is taken again', async () => {
    const queue = new DialQueue(redis, testNamespace());
    await queue.ensureGroup();
    for (const id of ['a', 'b', 'c']) {
      await queue.enqueue({ campaign: 'sales', number: '+49301234567', id });
      const [entry] = await queue.readNew('me', 1);
      await queue.take(entry?.id ?? '', { id, campaign: 'sales', number: '+49301234567', attrs: {}, createdAt: 0, attempts: 0 }, 0);
    }
    const options = { now: 10, maxConcurrent: 2, limit: 10, leaseMs: 60_000, nonce: 'n' };
    const first = await queue.claim('sales', options);
    expect(first.map((lease) => lease.state.id)).toEqual(['a', 'b']);
    expect(await queue.claim('sales', { ...options, nonce: 'm' })).toEqual([]);
    await queue.finish(first[0]!, { final: true }, first[0]!.state);
    expect((await queue.claim('sales', { ...options, nonce: 'o' })).map((lease) => lease.state.id)).toEqual(['c']);
  });

  it('finishing with a retry makes the request due at that time with its new state', async () => {
    const { queue, state } = await queueWithOneRequest();
    const [lease] = await queue.claim('sales', { now: 0, maxConcurrent: 1, limit: 1, leaseMs: 60_000, nonce: 'n' });
    expect(await queue.finish(lease!, { final: false, retryAt: 100 }, { ...state, attempts: 1 }, result)).toBe(true);
    expect(await queue.claim('sales', { now: 99, maxConcurrent: 1, limit: 1, leaseMs: 60_000, nonce: 'm' })).toEqual([]);
    const [again] = await queue.claim('sales', { now: 100, maxConcurrent: 1, limit: 1, leaseMs: 60_000, nonce: 'o' });
    expect(again?.state.attempts).toBe(1);
  });

  it('an attempt that ends after its lease was taken over writes a stale result and changes nothing else', async () => {
    const { queue, state } = await queueWithOneRequest();
    const [old] = await queue.claim('sales', { now: 0, maxConcurrent: 1, limit: 1, leaseMs: 50, nonce: 'old' });
    let taken: Awaited<ReturnType<DialQueue['claim']>> = [];
    await waitFor(async () => (taken = await queue.claim('sales', { now: 0, maxConcurrent: 1, limit: 1, leaseMs: 60_000, nonce: 'new' })).length === 1, 'the lease to run out');
    expect(await queue.finish(old!, { final: true }, state, { ...result, final: true })).toBe(false);
    expect(await queue.results({ scan: 10 })).toMatchObject([{ request: 'r1', stale: true }]);
    expect(await queue.state('r1')).toEqual(state);
    expect(await queue.counts('sales')).toEqual({ waiting: 0, inFlight: 1 });
    expect(await queue.finish(taken[0]!, { final: true }, state, { ...result, final: true })).toBe(true);
    expect(await queue.state('r1')).toBeUndefined();
  });

  it('renewing keeps a lease that would have run out', async () => {
    const { queue } = await queueWithOneRequest();
    const [lease] = await queue.claim('sales', { now: 0, maxConcurrent: 1, limit: 1, leaseMs: 60_000, nonce: 'n' });
    expect(await queue.renew('sales', [lease!.lease, 'r9|gone'], 60_000)).toEqual(['r9|gone']);
  });
});
