import { describe, expect, it } from 'vitest';
import { queueCall } from '../../src/dialer/queue-call.js';
import { configureList } from '../../src/lists/list-settings.js';
import { parseRate } from '../../src/screening/rate.js';
import { HoursStore } from '../../src/screening/hours/store.js';
import { dialerFixtures, DialerFixture } from './fixture.js';

const { next } = dialerFixtures();
let fixture: DialerFixture;
const setup = () => (fixture = next());

const HOUR = 3_600_000;
const NEW_YORK = '+12125550100';
const FLORIDA = '+13055550100';
/** Monday 2026-11-23, 20:59 in New York (UTC-5) */
const NY_20_59 = Date.parse('2026-11-24T01:59:00Z');
const NY_21_00 = Date.parse('2026-11-24T02:00:00Z');
const NY_NEXT_08_00 = Date.parse('2026-11-24T13:00:00Z');
/** Tuesday 2026-11-24, 10:00 in Florida */
const FL_10_00 = Date.parse('2026-11-24T15:00:00Z');

describe('calling hours at the callee', () => {
  it('a campaign at 20:59 New York time dials the New York number', async () => {
    setup();
    fixture.now = NY_20_59;
    await fixture.campaign('us-leads', { hours: 'us', region: 'US' });
    await fixture.queue.enqueue({ campaign: 'us-leads', number: NEW_YORK, id: 'r1' });
    await fixture.round(fixture.dialer(fixture.answering('ANSWERED')));
    expect(fixture.dials).toHaveLength(1);
    expect(await fixture.results()).toMatchObject([{ outcome: 'ANSWERED', attempt: 1, final: true }]);
  });

  it('at 21:00 it is not dialled: OUTSIDE_HOURS, due again at 08:00, and the attempt is not used up', async () => {
    setup();
    fixture.now = NY_21_00;
    await fixture.campaign('us-leads', { hours: 'us', region: 'US', maxAttempts: 1 });
    await fixture.queue.enqueue({ campaign: 'us-leads', number: NEW_YORK, id: 'r1' });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(0);
    expect(await fixture.results()).toMatchObject([
      { outcome: 'OUTSIDE_HOURS', attempt: 1, final: false, retryAt: NY_NEXT_08_00, reason: 'outside calling hours (us, America/New_York)' },
    ]);

    fixture.now = NY_NEXT_08_00 - 1;
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(0);
    fixture.now = NY_NEXT_08_00;
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(1);
    expect((await fixture.results()).map((r) => [r.outcome, r.attempt, r.final])).toEqual([
      ['OUTSIDE_HOURS', 1, false],
      ['ANSWERED', 1, true],
    ]);
  });

  it("a request's tz attribute reads the window in the callee's own zone", async () => {
    setup();
    fixture.now = NY_21_00;
    await fixture.campaign('us-leads', { hours: 'us', region: 'US' });
    await fixture.queue.enqueue({ campaign: 'us-leads', number: NEW_YORK, attrs: { tz: 'America/Los_Angeles' } });
    await fixture.round(fixture.dialer(fixture.answering('ANSWERED')));
    expect(fixture.dials).toHaveLength(1);
  });

  it('a campaign naming a policy that does not exist dials nothing (the lists count as unreadable)', async () => {
    setup();
    fixture.now = NY_20_59;
    await fixture.campaign('us-leads', { hours: 'gone', region: 'US' });
    await fixture.queue.enqueue({ campaign: 'us-leads', number: NEW_YORK });
    await fixture.round(fixture.dialer(fixture.answering('ANSWERED')));
    expect(fixture.dials).toHaveLength(0);
    expect(await fixture.results()).toEqual([]);
  });

  it('call --at into a closed window is accepted and moved to the window start', async () => {
    setup();
    const campaign = await fixture.campaign('us-leads', { hours: 'us', region: 'US' });
    const hours = new HoursStore(fixture.redis, fixture.namespace);
    const queued = await queueCall(fixture.queue, { campaign, number: NEW_YORK, attrs: {}, at: NY_21_00 }, (name) => hours.get(name));
    expect(queued).toMatchObject({ at: NY_NEXT_08_00, movedFrom: NY_21_00 });
    const open = await queueCall(fixture.queue, { campaign, number: NEW_YORK, attrs: {}, at: NY_20_59 }, (name) => hours.get(name));
    expect(open.at).toBe(NY_20_59);
    expect(open.movedFrom).toBeUndefined();
  });
});

describe('attempts per number across campaigns', () => {
  it("a Florida number's 4th attempt in 24 h is CAPPED, whichever campaigns made the others, and dialled once the window slides", async () => {
    setup();
    fixture.now = FL_10_00;
    await fixture.campaign('renewals', { hours: 'us', region: 'US', maxPerNumber: parseRate('3/24h') });
    await fixture.campaign('surveys', { region: 'US' });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    const requests: [string, number][] = [
      ['renewals', 0],
      ['surveys', 1],
      ['renewals', 2],
      ['renewals', 3],
    ];
    for (const [campaign, hours] of requests) {
      fixture.now = FL_10_00 + hours * HOUR;
      await fixture.queue.enqueue({ campaign, number: FLORIDA, id: `${campaign}-${hours}` });
      await fixture.round(dialer);
    }
    expect(fixture.dials).toHaveLength(3);
    const capped = (await fixture.results()).at(-1);
    expect(capped).toMatchObject({ request: 'renewals-3', outcome: 'CAPPED', attempt: 1, final: false, retryAt: FL_10_00 + 24 * HOUR });
    expect(capped?.reason).toBe('capped: 3 attempts to the number within 1d');

    fixture.now = FL_10_00 + 24 * HOUR;
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(4);
    expect((await fixture.results()).at(-1)).toMatchObject({ request: 'renewals-3', outcome: 'ANSWERED', attempt: 1, final: true });
  });

  it('without a cap anywhere, attempts are not kept', async () => {
    setup();
    fixture.now = FL_10_00;
    await fixture.campaign('surveys', { region: 'US' });
    await fixture.queue.enqueue({ campaign: 'surveys', number: FLORIDA });
    await fixture.round(fixture.dialer(fixture.answering('ANSWERED')));
    expect(fixture.dials).toHaveLength(1);
    expect(await fixture.redis.keys(`${fixture.namespace}:*caps*`)).toEqual([]);
  });
});

describe('consent lists', () => {
  it('a campaign with --require-consent dials only consented numbers: NO_CONSENT for the others, final', async () => {
    setup();
    await fixture.lists.createList('consent-de', { by: 'test' });
    await configureList(fixture.redis, fixture.namespace, 'consent-de', { consent: true }, { by: 'test' });
    await expect(fixture.lists.add('consent-de', [{ member: '+49301111111' }], { by: 'test' })).rejects.toMatchObject({ code: 'invalid-value' });
    await fixture.lists.add('consent-de', [{ member: '+49301111111' }], { by: 'test', ref: 'crm-4711', source: 'web-form' });
    await fixture.campaign('promo', { requireConsent: 'consent-de' });
    await fixture.queue.enqueue({ campaign: 'promo', number: '+49301111111', id: 'consented' });
    await fixture.queue.enqueue({ campaign: 'promo', number: '+49302222222', id: 'not-consented' });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    // One attempt at a time (the campaign's max concurrent): a round each.
    await fixture.round(dialer);
    await fixture.round(dialer);
    expect(fixture.dials.map((dial) => dial.e164)).toEqual(['+49301111111']);
    const results = await fixture.results();
    expect(results.find((r) => r.request === 'not-consented')).toMatchObject({ outcome: 'NO_CONSENT', final: true, reason: 'no consent: not on list consent-de' });
    expect(results.find((r) => r.request === 'consented')).toMatchObject({ outcome: 'ANSWERED' });
    expect((await fixture.lists.history('+49301111111'))[0]).toMatchObject({ action: 'add', details: { ref: 'crm-4711', source: 'web-form' } });
  });

  it("a person's main number without consent is passed over for an alternate that has it (MULTINUM); none with consent is NO_CONSENT", async () => {
    setup();
    await fixture.lists.createList('consent-de', { by: 'test' });
    await configureList(fixture.redis, fixture.namespace, 'consent-de', { consent: true }, { by: 'test' });
    await fixture.lists.add('consent-de', [{ member: '+4915144444444' }], { by: 'test', ref: 'crm-4712', source: 'web-form' });
    await fixture.campaign('promo', { requireConsent: 'consent-de' });
    await fixture.queue.enqueue({ campaign: 'promo', number: '+49304444444', alternates: ['+4915144444444'], id: 'mobile-consented' });
    await fixture.queue.enqueue({ campaign: 'promo', number: '+49305555555', alternates: ['+4915155555555'], id: 'none-consented' });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    await fixture.round(dialer);
    await fixture.round(dialer);
    expect(fixture.dials.map((dial) => dial.e164)).toEqual(['+4915144444444']);
    const results = await fixture.results();
    expect(results.find((r) => r.request === 'mobile-consented')).toMatchObject({ outcome: 'ANSWERED', number: '+4915144444444', main: '+49304444444' });
    expect(results.find((r) => r.request === 'none-consented')).toMatchObject({ outcome: 'NO_CONSENT', final: true });
  });
});

describe('observe mode', () => {
  it('a number on an observed block list is dialled, and the result records what would have blocked it', async () => {
    setup();
    await fixture.block('dnc-2027', '+49303333333', 'new national file');
    await fixture.campaign('sales', { block: ['dnc-2027'], observe: ['dnc-2027'] });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49303333333' });
    await fixture.round(fixture.dialer(fixture.answering('ANSWERED')));
    expect(fixture.dials).toHaveLength(1);
    expect(await fixture.results()).toMatchObject([{ outcome: 'ANSWERED', wouldBlock: 'BLACKLISTED', list: 'dnc-2027', reason: 'new national file' }]);
  });

  it('observe all: outside the hours the number is dialled all the same, recorded would-block OUTSIDE_HOURS', async () => {
    setup();
    fixture.now = NY_21_00;
    await fixture.campaign('us-trial', { hours: 'us', region: 'US', observe: 'all' });
    await fixture.queue.enqueue({ campaign: 'us-trial', number: NEW_YORK });
    await fixture.round(fixture.dialer(fixture.answering('ANSWERED')));
    expect(fixture.dials).toHaveLength(1);
    expect(await fixture.results()).toMatchObject([{ outcome: 'ANSWERED', wouldBlock: 'OUTSIDE_HOURS' }]);
  });
});

describe('a campaign that fails open, its block list missing', () => {
  it('outside the calling hours it is not dialled (OUTSIDE_HOURS, due at the window), and dialled once the window opens', async () => {
    setup();
    fixture.now = NY_21_00;
    await fixture.campaign('us-leads', { block: ['dnc-gone'], fail: 'open', hours: 'us', region: 'US' });
    await fixture.queue.enqueue({ campaign: 'us-leads', number: NEW_YORK, id: 'r1' });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(0);
    expect(await fixture.results()).toMatchObject([{ outcome: 'OUTSIDE_HOURS', final: false, retryAt: NY_NEXT_08_00 }]);

    fixture.now = NY_NEXT_08_00;
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(1);
  });

  it('the number is CAPPED past its cap, counted in Redis while the list cannot be read', async () => {
    setup();
    fixture.now = FL_10_00;
    await fixture.campaign('renewals', { block: ['dnc-gone'], fail: 'open', region: 'US', maxPerNumber: parseRate('1/24h') });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    await fixture.queue.enqueue({ campaign: 'renewals', number: FLORIDA, id: 'first' });
    await fixture.round(dialer);
    fixture.now = FL_10_00 + HOUR;
    await fixture.queue.enqueue({ campaign: 'renewals', number: FLORIDA, id: 'second' });
    await fixture.round(dialer);
    expect(fixture.dials.map((dial) => dial.request.id)).toEqual(['first']);
    expect((await fixture.results()).at(-1)).toMatchObject({ request: 'second', outcome: 'CAPPED', final: false, retryAt: FL_10_00 + 24 * HOUR });
  });
});
