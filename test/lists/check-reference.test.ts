import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denseGenerationKeys, listKeys } from '../../src/lists/keys.js';
import { defineListScripts } from '../../src/lists/scripts.js';
import { ListStore } from '../../src/lists/store.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { ALICE, MINUTE, T0 } from './fixture.js';

/**
 * The check scripts were made leaner for Redis' CPU (fewer functions defined a call, the
 * miss inline, the prefixes field read without a pattern): they must answer as the fifth
 * round's did, reply for reply. The reference (./reference/check-round5.lua) is that
 * round's check_list, run here as EVAL with that round's drivers; both are
 * asked the same numbers, on random ordinary and dense lists, after entries were lost
 * outside callguard, in the same Redis.
 */
const SCRIPTS = new URL('../../src/lists/scripts/', import.meta.url);
const REFERENCE = [readFileSync(new URL('dense-slot.lua', SCRIPTS), 'utf8'), readFileSync(new URL('./reference/check-round5.lua', import.meta.url), 'utf8')].join('\n');
/** The fifth round's drivers: every list of KEYS (5 keys each), or one, the candidates kept per prefixes field. */
const REFERENCE_MANY = `${REFERENCE}
local now, number, built, counts, replies = tonumber(ARGV[1]), ARGV[2], {}, {}, {}
local function candidates(field)
  if not built[field] then
    built[field], counts[field] = prefix_candidates(number, field)
  end
  return built[field], counts[field]
end
for first = 1, #KEYS, 5 do
  replies[#replies + 1] = check_list(KEYS[first], KEYS[first + 1], KEYS[first + 2], KEYS[first + 3], KEYS[first + 4], now, number, candidates)
end
return replies`;
const REFERENCE_ONE = `${REFERENCE}
local number = ARGV[2]
return check_list(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], tonumber(ARGV[1]), number, function(field)
  return prefix_candidates(number, field)
end)`;
const { callguardListCheckMany: MANY, callguardListCheck: ONE } = defineListScripts.sources;

const NAMES = ['plain', 'dense', 'other'];
/** NANP numbers in few blocks (a dense list's plan) and a few others, so that entries and probes meet. */
const number = fc.oneof(
  fc.tuple(fc.constantFrom('415555', '212555'), fc.integer({ min: 0, max: 6 })).map(([block, n]) => `+1${block}${String(n).padStart(4, '0')}`),
  fc.constantFrom('+4930123456', '+441632960000', '+1415555'),
);
const prefix = fc.tuple(number, fc.integer({ min: 2, max: 9 })).map(([n, length]) => `${n.slice(0, length)}*`);
const entry = fc.record({
  member: fc.oneof(number, number, prefix),
  expiresIn: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  /** a never-expiring number written straight into the SET, as a bulk import does */
  bulk: fc.boolean(),
});
const list = fc.record({
  state: fc.constantFrom('enabled', 'enabled', 'enabled', 'disabled', 'missing'),
  entries: fc.array(entry, { maxLength: 8 }),
  cancels: fc.array(number, { maxLength: 2 }),
  /** entries lost outside callguard: a member of each key, a dense list's block, or its index of blocks */
  lose: fc.constantFrom('nothing', 'nothing', 'exact', 'timed', 'block', 'index'),
});
const scenario = fc.record({
  lists: fc.tuple(list, list, list),
  probes: fc.array(number, { minLength: 1, maxLength: 5 }),
  at: fc.integer({ min: 0, max: 5 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function write(redis: Redis, store: ListStore, namespace: string, s: Scenario): Promise<void> {
  for (const [i, spec] of s.lists.entries()) {
    const name = NAMES[i] as string;
    if (spec.state === 'missing') continue;
    await store.createList(name, ALICE, name === 'dense' ? { dense: 'nanp' } : {});
    const keys = listKeys(namespace, name);
    for (const { member, expiresIn, bulk } of spec.entries) {
      if (bulk && expiresIn === undefined && !member.endsWith('*') && name !== 'dense') await redis.sadd(keys.exact, member);
      else await store.add(name, [{ member, ...(expiresIn === undefined ? {} : { expiresAt: T0 + expiresIn * MINUTE }) }], ALICE);
    }
    if (spec.cancels.length > 0) await store.cancel(name, spec.cancels, { by: 'bob', reason: 'consented' });
    if (spec.lose === 'exact') await redis.spop(keys.exact);
    if (spec.lose === 'timed') await redis.zpopmin(keys.timed);
    if (spec.lose === 'block') {
      const gen = denseGenerationKeys(keys.dense, (await redis.hget(keys.info, 'gen')) ?? '');
      const [block] = await redis.zrange(gen.index, '0', '0');
      if (block !== undefined) await redis.del(gen.block(block));
    }
    if (spec.lose === 'index') await redis.del(denseGenerationKeys(keys.dense, (await redis.hget(keys.info, 'gen')) ?? '').index);
    if (spec.state === 'disabled') await store.setEnabled(name, false, ALICE);
  }
}

/** A reply, or the error's message: both scripts must fail alike too. */
async function reply(ask: () => Promise<unknown>): Promise<unknown> {
  try {
    return await ask();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('the check scripts answer as the fifth round\'s did', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('on random ordinary and dense lists, disabled and missing lists, expired entries and entries lost outside callguard', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const namespace = testNamespace();
        await write(redis, new ListStore(redis, namespace, () => T0), namespace, s);
        const keys = NAMES.map((name) => listKeys(namespace, name)).map((k) => [k.info, k.exact, k.timed, k.meta, k.dense]);
        const now = T0 + s.at * MINUTE;
        for (const probe of s.probes) {
          const all = keys.flat();
          const expected = await reply(() => redis.eval(REFERENCE_MANY, all.length, ...all, now, probe));
          expect(await reply(() => redis.eval(MANY.lua, all.length, ...all, now, probe))).toEqual(expected);
          for (const [l, one] of keys.entries()) {
            const expectedOne = await reply(() => redis.eval(REFERENCE_ONE, 5, ...one, now, probe));
            expect(await reply(() => redis.eval(ONE.lua, 5, ...one, now, probe))).toEqual(expectedOne);
            seen.add(`${NAMES[l] as string} ${JSON.stringify(Array.isArray(expectedOne) ? expectedOne[1] === 'inf' ? 'listed' : 'timed' : expectedOne)}`);
          }
        }
      }),
      { numRuns: 200 },
    );
    // The random lists reached every answer, in the dense list as in the ordinary one.
    for (const name of ['plain', 'dense']) {
      for (const answer of ['"listed"', '"timed"', 'null', '-1', '-2']) expect(seen).toContain(`${name} ${answer}`);
    }
  });
});
