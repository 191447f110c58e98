import { describe, expect, it } from 'vitest';
import { numberForAttempt } from '../../src/dialer/alternates.js';
import type { Screening } from '../../src/screening/types.js';
import { dialerFixtures, DialerFixture } from './fixture.js';

const { next } = dialerFixtures();
let fixture: DialerFixture;
const setup = () => (fixture = next());
const MINUTE = 60_000;
const MAIN = '+4930111001';
const MOBILE = '+4915111002';
const OFFICE = '+4940111003';

describe('numberForAttempt: which of a person\'s numbers an attempt dials', () => {
  const clear = (e164: string): Screening => ({ verdict: 'clear', e164 });
  const blocked = (e164: string): Screening => ({ verdict: 'blocked', e164, match: { list: 'dnc', member: e164, kind: 'exact', expiresAt: null } });

  it.each([
    [1, 0],
    [2, 1],
    [3, 2],
    [4, 0],
  ])('attempt %i of three clear numbers dials number %i', (attempt, index) => {
    const numbers = [clear(MAIN), clear(MOBILE), clear(OFFICE)];
    expect(numberForAttempt(numbers, attempt, 'closed')).toEqual({ index, screening: numbers[index], skipped: [] });
  });

  it('a blocked or unreadable alternate is passed over for the next one; unreadable is dialled when the campaign fails open', () => {
    const unreadable: Screening = { verdict: 'unavailable', e164: OFFICE, detail: 'timeout' };
    expect(numberForAttempt([clear(MAIN), blocked(MOBILE), unreadable], 2, 'closed')).toEqual({ index: 0, screening: clear(MAIN), skipped: [1, 2] });
    expect(numberForAttempt([clear(MAIN), blocked(MOBILE), unreadable], 2, 'open')).toEqual({ index: 2, screening: unreadable, skipped: [1] });
  });

  it('none of the numbers dialable: no number for the attempt', () => {
    const noConsent: Screening = { verdict: 'no-consent', e164: MAIN, detail: 'no consent: not on list consent' };
    expect(numberForAttempt([noConsent, blocked(MOBILE)], 1, 'open')).toBeUndefined();
  });
});

describe('a dial request with alternates (MULTINUM)', () => {
  it('attempts rotate through the main number and its alternates, each result naming the number dialled and the main one', async () => {
    setup();
    await fixture.campaign('sales', { block: [], maxAttempts: 3, retry: { NO_ANSWER: MINUTE } });
    await fixture.queue.enqueue({ campaign: 'sales', number: MAIN, alternates: [MOBILE, '040 111003'], id: 'p1' });
    const dialer = fixture.dialer(fixture.answering('NO_ANSWER'));
    for (let round = 0; round < 3; round++) {
      await fixture.round(dialer);
      fixture.now += MINUTE;
    }
    expect(fixture.dials.map((dial) => dial.e164)).toEqual([MAIN, MOBILE, OFFICE]);
    expect((await fixture.results()).map((result) => [result.attempt, result.number, result.main, result.outcome, result.final])).toEqual([
      [1, MAIN, MAIN, 'NO_ANSWER', false],
      [2, MOBILE, MAIN, 'NO_ANSWER', false],
      [3, '040 111003', MAIN, 'NO_ANSWER', true],
    ]);
  });

  it('every number is checked at every attempt: an alternate blocked meanwhile is passed over, and named in skipped', async () => {
    setup();
    await fixture.lists.createList('dnc', { by: 'test' });
    await fixture.campaign('sales', { block: ['dnc'], maxAttempts: 3, retry: { BUSY: MINUTE } });
    await fixture.queue.enqueue({ campaign: 'sales', number: MAIN, alternates: [MOBILE, OFFICE], id: 'p2' });
    const dialer = fixture.dialer(fixture.answering('BUSY'));
    await fixture.round(dialer);
    await fixture.block('dnc', MOBILE, 'mobile: asked not to be called');
    fixture.now += MINUTE;
    await fixture.round(dialer);
    expect(fixture.dials.map((dial) => dial.e164)).toEqual([MAIN, OFFICE]);
    expect((await fixture.results())[1]).toMatchObject({ attempt: 2, number: OFFICE, skipped: `${MOBILE} blocked dnc` });
  });

  it('a block on the main number stops every further attempt on all numbers: BLACKLISTED naming the main number', async () => {
    setup();
    await fixture.lists.createList('dnc', { by: 'test' });
    await fixture.campaign('sales', { block: ['dnc'], maxAttempts: 5, retry: { NO_ANSWER: MINUTE } });
    await fixture.queue.enqueue({ campaign: 'sales', number: MAIN, alternates: [MOBILE, OFFICE], id: 'p3' });
    const dialer = fixture.dialer(fixture.answering('NO_ANSWER'));
    await fixture.round(dialer);
    await fixture.block('dnc', MAIN, 'asked not to be called');
    for (let round = 0; round < 3; round++) {
      fixture.now += MINUTE;
      await fixture.round(dialer);
    }
    expect(fixture.dials.map((dial) => dial.e164)).toEqual([MAIN]);
    const results = await fixture.results();
    expect(results).toHaveLength(2);
    expect(results[1]).toMatchObject({ attempt: 2, outcome: 'BLACKLISTED', number: MAIN, e164: MAIN, main: MAIN, list: 'dnc', final: true });
  });

  it('alternates that are not a JSON array of numbers reject the request', async () => {
    setup();
    await fixture.campaign('sales', { block: [] });
    await fixture.redis.xadd(`${fixture.namespace}:{${fixture.namespace}:dial}:requests`, '*', 'campaign', 'sales', 'number', MAIN, 'alternates', '+4930,+4931');
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    await fixture.round(dialer);
    expect(await fixture.results()).toMatchObject([{ outcome: 'REJECTED', reason: expect.stringContaining('alternates is not JSON') }]);
  });
});

describe("a campaign's caller id from a list", () => {
  it('round-robin presents the list numbers in turn, skipping prefixes; random picks one of them', async () => {
    setup();
    await fixture.lists.createList('dids', { by: 'test' });
    await fixture.lists.add('dids', [{ member: '+4930900002' }, { member: '+4930900001' }, { member: '+49309*' }], { by: 'test' });
    await fixture.campaign('sales', { block: [], callerIdList: { list: 'dids', order: 'round-robin' } });
    for (let n = 0; n < 3; n++) await fixture.queue.enqueue({ campaign: 'sales', number: `+493011100${n}` });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'), { maxInFlight: 1 });
    for (let round = 0; round < 3; round++) await fixture.round(dialer);
    expect(fixture.dials.map((dial) => dial.callerId)).toEqual(['+4930900001', '+4930900002', '+4930900001']);

    await fixture.campaign('random', { block: [], callerIdList: { list: 'dids', order: 'random' } });
    await fixture.queue.enqueue({ campaign: 'random', number: '+4930111009' });
    await fixture.round(dialer);
    expect(['+4930900001', '+4930900002']).toContain(fixture.dials.at(-1)?.callerId);
  });

  it('a caller id list that does not exist or is empty falls back to the campaign caller id', async () => {
    setup();
    await fixture.campaign('sales', { block: [], callerId: '+4930555000', callerIdList: { list: 'nope', order: 'random' } });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+4930111010' });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    await fixture.round(dialer);
    expect(fixture.dials[0]?.callerId).toBe('+4930555000');
  });
});
