import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { count } from '../../src/front-door/format.js';
import { testRedis } from '../helpers/redis.js';
import { callguard, namespaceWithLists } from './run-cli.js';

const redis = testRedis();
afterAll(() => redis.quit());

describe('one of a thing is said in the singular', () => {
  it('count', () => {
    expect([0, 1, 2].map((n) => count(n, 'entry', 'entries'))).toEqual(['0 entries', '1 entry', '2 entries']);
  });

  it('the import summary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'callguard-plurals-'));
    try {
      const file = join(dir, 'one.txt');
      await writeFile(file, '+4930123456\n\n+4930123457\n');
      const ns = await namespaceWithLists(redis, 'dnc', 'vip');
      const two = await callguard(ns, 'import', file, '--list', 'dnc');
      expect(two.out).toMatch(/1 blank line ignored/);
      expect(two.out).toMatch(/list now: +2 entries/);
      await writeFile(file, '+4930123456\n');
      const one = await callguard(ns, 'import', file, '--list', 'vip');
      expect(one.out).toMatch(/list now: +1 entry \(/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
