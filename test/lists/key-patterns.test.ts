import { afterAll, describe, expect, it } from 'vitest';
import { denseGenerationKeys, denseRootPattern, listKeys, stagingKeys, stagingPattern } from '../../src/lists/keys.js';
import { testNamespace, testRedis } from '../helpers/redis.js';

const redis = testRedis();
afterAll(() => redis.quit());

/** Every key SCAN MATCH finds for a pattern, sorted. */
async function matching(pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

describe('the key patterns a walk of the keyspace matches', () => {
  // `[x]` matches one x and `?` any character, read as globs: so would the other namespace's keys.
  const base = testNamespace();
  const spelled = `${base}[x]?*\\`;
  const other = `${base}xy-and-more\\`;

  it("a dense root's pattern finds its own bitmaps whatever the namespace's characters, and none of another namespace's", async () => {
    const own = denseGenerationKeys(listKeys(spelled, 'us').dense, 'g1');
    const theirs = denseGenerationKeys(listKeys(other, 'us').dense, 'g1');
    await redis.mset(own.block(1415555), '1', own.index, '1', theirs.block(1415555), '1');
    expect(await matching(denseRootPattern(listKeys(spelled, 'us').dense))).toEqual([own.index, own.block(1415555)].sort());
  });

  it("a list's staging pattern finds its own staging keys whatever the namespace's characters, and none of another namespace's", async () => {
    const own = stagingKeys(spelled, 'dnc', 'run1');
    const theirs = stagingKeys(other, 'dnc', 'run1');
    await redis.mset(own.exact, '1', theirs.exact, '1', theirs.timed, '1');
    expect(await matching(stagingPattern(spelled, 'dnc'))).toEqual([own.exact]);
  });
});
