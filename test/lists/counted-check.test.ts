import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { callCounterKey } from '../../src/lists/keys.js';
import type { CallCounter } from '../../src/lists/types.js';
import { testRedis } from '../helpers/redis.js';
import { ALICE, CHECK_MODES, MINUTE, useStore, type StoreFixture } from './fixture.js';

const CALLER = '+4915112345678';
const WINDOWS = [15 * MINUTE, 24 * 60 * MINUTE];

function counter(member: string): CallCounter {
  return { list: 'harassment', scope: 'support', member, keep: 15, windowsMs: WINDOWS };
}

async function lists(t: StoreFixture): Promise<void> {
  await t.store.createList('dnc', ALICE);
  await t.store.createList('harassment', ALICE);
}

describe.each(CHECK_MODES)('a check that counts the call for auto-block rules (%s)', (checkMode) => {
  const t = useStore({ checkMode });

  it('counts each call of a number in every window, this one included, and forgets calls past the window', async () => {
    await lists(t);
    const seen: number[][] = [];
    for (let call = 1; call <= 7; call++) {
      const { results, counts } = await t.store.checkCounting(CALLER, ['dnc', 'harassment'], [counter(`channel-${call}`)]);
      expect(results).toEqual([null, null]);
      seen.push(counts[0] ?? []);
      t.now += MINUTE;
    }
    expect(seen.map((counts) => counts[0])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    t.now += 15 * MINUTE;
    const later = await t.store.checkCounting(CALLER, ['dnc', 'harassment'], [counter('channel-8')]);
    expect(later.counts).toEqual([[1, 8]]);
  });

  it('the same call counted twice counts once', async () => {
    await lists(t);
    await t.store.checkCounting(CALLER, ['harassment'], [counter('channel-1')]);
    expect((await t.store.checkCounting(CALLER, ['harassment'], [counter('channel-1')])).counts).toEqual([[1, 1]]);
  });

  it('still reports the matches of every list', async () => {
    await lists(t);
    await t.store.add('harassment', [{ member: CALLER }], ALICE);
    const { results } = await t.store.checkCounting(CALLER, ['dnc', 'harassment'], [counter('channel-1')]);
    expect(results[0]).toBeNull();
    expect(results[1]).toMatchObject({ list: 'harassment', member: CALLER });
  });

  it("finds a dense list's number in its bitmap in the same call that counts", async () => {
    const american = '+12025550143';
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.createList('harassment', ALICE);
    await t.store.add('us', [{ member: american }], ALICE);
    const { results, counts } = await t.store.checkCounting(american, ['us', 'harassment'], [counter('channel-1')]);
    expect(results[0]).toMatchObject({ list: 'us', member: american });
    expect(results[1]).toBeNull();
    expect(counts).toEqual([[1, 1]]);
  });

  it('keeps no more calls than the largest limit, and the counter expires after the longest window', async () => {
    await lists(t);
    for (let call = 1; call <= 20; call++) await t.store.checkCounting(CALLER, ['harassment'], [counter(`c${call}`)]);
    const key = callCounterKey(t.namespace, 'harassment', 'support', CALLER);
    expect(await t.redis.zcard(key)).toBe(15);
    expect(await t.redis.pttl(key)).toBeGreaterThan(0);
    expect(await t.redis.pttl(key)).toBeLessThanOrEqual(Math.max(...WINDOWS));
  });
});

describe('counting stays in the check script call', () => {
  let monitorClient: Redis | undefined;
  afterEach(() => {
    monitorClient?.disconnect();
  });

  async function received(t: StoreFixture, listsChecked: string[]): Promise<{ command: string; args: string[] }[]> {
    await t.store.checkCounting(CALLER, listsChecked, [counter('warm-up')]);
    const monitor = await (monitorClient = testRedis()).monitor();
    const seen: { command: string; args: string[]; source: string }[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const [command = '', ...rest] = args;
      seen.push({ command: command.toLowerCase(), args: rest, source });
    });
    const socket = t.redis.stream;
    const client = `${socket.localAddress}:${socket.localPort}`;
    await t.store.checkCounting(CALLER, listsChecked, [counter('channel-1')]);
    await t.redis.echo('end');
    while (!seen.some((r) => r.command === 'echo' && r.source === client)) await new Promise((resolve) => setImmediate(resolve));
    monitor.disconnect();
    return seen.filter((r) => r.source === client && r.command !== 'echo');
  }

  describe('one-call', () => {
    const t = useStore({ checkMode: 'one-call' });
    it('one script call checks both lists and counts the call: nothing else reaches Redis', async () => {
      await lists(t);
      const calls = await received(t, ['dnc', 'harassment']);
      expect(calls.map((call) => call.command)).toEqual(['evalsha']);
      expect(calls[0]?.args).toContain(callCounterKey(t.namespace, 'harassment', 'support', CALLER));
    });
  });

  describe('per-list', () => {
    const t = useStore({ checkMode: 'per-list' });
    it('one script call a list, the counter counted by the call of the list it fills', async () => {
      await lists(t);
      const calls = await received(t, ['dnc', 'harassment']);
      expect(calls.map((call) => [call.command, call.args[1]])).toEqual([
        ['evalsha', '5'],
        ['evalsha', '6'],
      ]);
      expect(calls[1]?.args).toContain(callCounterKey(t.namespace, 'harassment', 'support', CALLER));
    });
  });
});
