import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testNamespace, testRedis } from './redis.js';

describe('test redis', () => {
  let client: Redis | undefined;
  afterEach(() => client?.quit());

  it('answers on the url the global setup provides', async () => {
    client = testRedis();
    const key = `${testNamespace()}:probe`;
    await client.set(key, 'ok', 'EX', 10);
    expect(await client.get(key)).toBe('ok');
  });
});
