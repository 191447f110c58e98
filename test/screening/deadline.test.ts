import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { withDeadline } from '../../src/screening/deadline.js';
import { testRedis } from '../helpers/redis.js';

function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // A stalled event loop, as under CPU starvation.
  }
}

describe('withDeadline', () => {
  let redis: Redis | undefined;
  afterEach(async () => {
    await redis?.quit();
    redis = undefined;
  });

  it('settles with the value when the work answers in time', async () => {
    expect(await withDeadline(async () => 7, 50)).toEqual({ ok: true, value: 7 });
  });

  it('settles with a reason when the work does not answer in time', async () => {
    const outcome = await withDeadline(() => new Promise<never>(() => undefined), 10);
    expect(outcome).toEqual({ ok: false, reason: 'no answer within 10 ms' });
  });

  it('settles with the reason of a failed work', async () => {
    expect(await withDeadline(() => Promise.reject(new Error('READONLY')), 50)).toEqual({ ok: false, reason: 'READONLY' });
  });

  it('a reply already received when a stalled event loop fires the timer still wins', async () => {
    redis = testRedis();
    await redis.ping();
    const answered = withDeadline(() => redis!.ping(), 20);
    // Redis, another process, answers during the stall; the deadline passes during it too.
    blockEventLoop(100);
    expect(await answered).toEqual({ ok: true, value: 'PONG' });
  });
});
