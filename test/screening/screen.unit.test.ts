import { describe, expect, it } from 'vitest';
import type { Match } from '../../src/lists/types.js';
import { newRoute } from '../../src/screening/route.js';
import { isWithheld, screenNumber, type CheckLists } from '../../src/screening/screen.js';
import type { Route } from '../../src/screening/types.js';

const CALLER = '+4930123456';

function route(overrides: Partial<Route> = {}): Route {
  return { ...newRoute('support'), block: ['dnc', 'spam'], allow: ['vip'], region: 'DE', ...overrides };
}

function match(list: string, member = CALLER): Match {
  return { list, member, kind: 'exact', expiresAt: null, reason: `on ${list}` };
}

/** A check that answers from a table of list -> listed numbers, and records what it was asked. */
function tableCheck(listed: Record<string, string[]>) {
  const calls: { e164: string; lists: string[] }[] = [];
  const check: CheckLists = async (e164, lists) => {
    calls.push({ e164, lists });
    return lists.map((list) => (listed[list]?.includes(e164) ? match(list, e164) : null));
  };
  return { check, calls };
}

const never: CheckLists = () => new Promise(() => undefined);

function screen(raw: string, check: CheckLists, extra: { presentation?: string; route?: Route; deadlineMs?: number } = {}) {
  return screenNumber({
    raw,
    check,
    route: extra.route ?? route(),
    defaultRegion: 'US',
    deadlineMs: extra.deadlineMs ?? 150,
    ...(extra.presentation === undefined ? {} : { presentation: extra.presentation }),
  });
}

describe('screenNumber', () => {
  it.each(['', 'anonymous', 'Restricted', 'unknown'])('a caller shown as %j is hidden, without asking the store', async (raw) => {
    const { check, calls } = tableCheck({});
    expect(await screen(raw, check)).toEqual({ verdict: 'hidden' });
    expect(calls).toHaveLength(0);
  });

  it('a withheld number is hidden when the route treats withheld numbers as hidden', async () => {
    const { check, calls } = tableCheck({ dnc: [CALLER] });
    const screening = await screen(CALLER, check, { presentation: 'prohib_not_screened', route: route({ withheld: 'hidden' }) });
    expect(screening.verdict).toBe('hidden');
    expect(screening.e164).toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it('a withheld but present number is screened by default, so a blocked caller cannot hide behind it', async () => {
    const { check } = tableCheck({ dnc: [CALLER] });
    expect(await screen(CALLER, check, { presentation: 'prohib_passed_screen' })).toMatchObject({
      verdict: 'blocked',
      match: { list: 'dnc' },
    });
  });

  it('an allowed presentation is screened even when the route hides withheld numbers', async () => {
    const { check } = tableCheck({ dnc: [CALLER] });
    const screening = await screen(CALLER, check, { presentation: 'allowed_not_screened', route: route({ withheld: 'hidden' }) });
    expect(screening.verdict).toBe('blocked');
  });

  it('a number that cannot be a phone number is malformed, with the reason, without asking the store', async () => {
    const { check, calls } = tableCheck({});
    const screening = await screen('12', check);
    expect(screening.verdict).toBe('malformed');
    expect(screening.detail).toEqual(expect.any(String));
    expect(screening.detail?.length).toBeGreaterThan(0);
    expect(calls).toHaveLength(0);
  });

  it('a national number is read with the route region, not the default region', async () => {
    const { check, calls } = tableCheck({ dnc: [CALLER] });
    expect((await screen('030 123456', check)).verdict).toBe('blocked');
    expect(calls[0]?.e164).toBe(CALLER);
  });

  it('a route without a region reads national numbers with the default region', async () => {
    const { check, calls } = tableCheck({});
    await screen('(415) 555-0100', check, { route: route({ region: undefined }) });
    expect(calls[0]?.e164).toBe('+14155550100');
  });

  it('asks every allow and block list in ONE check, allow lists first', async () => {
    const { check, calls } = tableCheck({});
    expect(await screen(CALLER, check)).toEqual({ verdict: 'clear', e164: CALLER });
    expect(calls).toEqual([{ e164: CALLER, lists: ['vip', 'dnc', 'spam'] }]);
  });

  it('an allowed (VIP) caller who is also on a block list is allowed', async () => {
    const { check } = tableCheck({ vip: [CALLER], spam: [CALLER] });
    expect(await screen(CALLER, check)).toEqual({ verdict: 'allowed', e164: CALLER, match: match('vip') });
  });

  it('a blocked caller names the first block list, in the route order', async () => {
    const { check } = tableCheck({ dnc: [CALLER], spam: [CALLER] });
    expect(await screen(CALLER, check)).toEqual({ verdict: 'blocked', e164: CALLER, match: match('dnc') });
  });

  it('a route with no lists clears the caller without asking the store', async () => {
    const { check, calls } = tableCheck({});
    expect(await screen(CALLER, check, { route: route({ block: [], allow: [] }) })).toEqual({ verdict: 'clear', e164: CALLER });
    expect(calls).toHaveLength(0);
  });

  it('a check that does not answer within the deadline is unavailable, never clear', async () => {
    const started = Date.now();
    const screening = await screen(CALLER, never, { deadlineMs: 20 });
    expect(screening).toEqual({ verdict: 'unavailable', e164: CALLER, detail: 'no answer within 20 ms' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a check that rejects is unavailable, with the error as detail', async () => {
    const failing: CheckLists = async () => {
      throw new Error('Connection is closed.');
    };
    expect(await screen(CALLER, failing)).toEqual({ verdict: 'unavailable', e164: CALLER, detail: 'Connection is closed.' });
  });

  it('a check that throws before returning a promise is unavailable too', async () => {
    const throwing: CheckLists = () => {
      throw new Error('bad list name');
    };
    expect((await screen(CALLER, throwing)).verdict).toBe('unavailable');
  });

  it('a check that rejects after the deadline leaves no unhandled rejection behind', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let rejectLate: (error: Error) => void = () => undefined;
      const late: CheckLists = () => new Promise((_, reject) => (rejectLate = reject));
      expect((await screen(CALLER, late, { deadlineMs: 5 })).verdict).toBe('unavailable');
      rejectLate(new Error('too late'));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a check that answers the wrong number of results is unavailable', async () => {
    const short: CheckLists = async () => [null];
    expect((await screen(CALLER, short)).verdict).toBe('unavailable');
  });
});

describe('isWithheld', () => {
  it.each([
    ['prohib', true],
    ['prohib_not_screened', true],
    ['prohib_passed_screen', true],
    ['allowed_not_screened', false],
    ['allowed', false],
    [undefined, false],
  ])('%j withholds the number: %s', (presentation, withheld) => {
    expect(isWithheld(presentation)).toBe(withheld);
  });
});
