import { describe, expect, it } from 'vitest';
import { NotDialledError } from '../../src/dialer/types.js';
import { dialerFixtures, DialerFixture, START } from './fixture.js';

const { redis, next } = dialerFixtures();
let fixture: DialerFixture;
const setup = () => (fixture = next());

const MINUTE = 60_000;

describe('Dialer attempts', () => {
  it('a clear number is dialled once at its endpoint and ends ANSWERED', async () => {
    setup();
    await fixture.campaign('sales', { block: [] });
    await fixture.queue.enqueue({ campaign: 'sales', number: '030 1234567', attrs: { crm: '42' }, id: 'crm-42' });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(1);
    expect(fixture.dials[0]).toMatchObject({ attempt: 1, e164: '+49301234567', endpoint: 'PJSIP/+49301234567@trunk', request: { id: 'crm-42', attrs: { crm: '42' } } });
    expect(await fixture.results()).toEqual([
      { request: 'crm-42', campaign: 'sales', number: '030 1234567', e164: '+49301234567', attempt: 1, outcome: 'ANSWERED', at: START, final: true, attrs: { crm: '42' } },
    ]);
    expect(await fixture.queue.state('crm-42')).toBeUndefined();
    expect(await fixture.queue.counts('sales')).toEqual({ waiting: 0, inFlight: 0 });
  });

  it('a blocked number is never dialled: BLACKLISTED with the list and its reason', async () => {
    setup();
    await fixture.block('national-dnc', '+49301234567', 'registered 2026-01');
    await fixture.campaign('sales', { block: ['dnc-empty', 'national-dnc'] });
    await fixture.lists.createList('dnc-empty', { by: 'test' });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567' });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(0);
    expect(await fixture.results()).toMatchObject([
      { outcome: 'BLACKLISTED', list: 'national-dnc', member: '+49301234567', reason: 'registered 2026-01', final: true, attempt: 1 },
    ]);
  });

  it('a number blacklisted after its first unanswered attempt is BLACKLISTED at the retry and never dialled again', async () => {
    setup();
    await fixture.lists.createList('dnc', { by: 'test' });
    await fixture.campaign('sales', { block: ['dnc'], retry: { NO_ANSWER: 30 * MINUTE } });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567', id: 'r1' });
    const dialer = fixture.dialer(fixture.answering('NO_ANSWER'));
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(1);

    await fixture.block('dnc', '+49301234567', 'asked not to be called');
    fixture.now += 30 * MINUTE;
    await fixture.round(dialer);
    fixture.now += 60 * MINUTE;
    await fixture.round(dialer);

    expect(fixture.dials).toHaveLength(1);
    expect((await fixture.results()).map((r) => [r.attempt, r.outcome, r.final, r.reason])).toEqual([
      [1, 'NO_ANSWER', false, undefined],
      [2, 'BLACKLISTED', true, 'asked not to be called'],
    ]);
  });

  it('busy and no answer are retried after their configured delays, not before', async () => {
    setup();
    await fixture.campaign('sales', { retry: { BUSY: 5 * MINUTE, NO_ANSWER: 30 * MINUTE }, maxAttempts: 3 });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567' });
    const dialer = fixture.dialer(fixture.answering('BUSY', 'NO_ANSWER', 'ANSWERED'));
    await fixture.round(dialer);
    expect((await fixture.results())[0]).toMatchObject({ outcome: 'BUSY', retryAt: START + 5 * MINUTE, final: false });

    fixture.now = START + 5 * MINUTE - 1;
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(1);
    fixture.now = START + 5 * MINUTE;
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(2);

    fixture.now += 30 * MINUTE - 1;
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(2);
    fixture.now += 1;
    await fixture.round(dialer);
    expect(fixture.dials.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect((await fixture.results()).map((r) => r.outcome)).toEqual(['BUSY', 'NO_ANSWER', 'ANSWERED']);
  });

  it('max attempts are honoured: the last busy attempt is final', async () => {
    setup();
    await fixture.campaign('sales', { maxAttempts: 2, retry: { BUSY: 0 } });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567', id: 'r1' });
    const dialer = fixture.dialer(fixture.answering('BUSY'));
    for (let round = 0; round < 4; round += 1) await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(2);
    expect((await fixture.results()).map((r) => [r.attempt, r.final])).toEqual([[1, false], [2, true]]);
    expect(await fixture.queue.state('r1')).toBeUndefined();
  });

  it('a failed outcome the campaign does not retry ends the request', async () => {
    setup();
    await fixture.campaign('sales', { retry: { FAILED: null } });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567' });
    await fixture.round(fixture.dialer(fixture.answering('FAILED')));
    expect(await fixture.results()).toMatchObject([{ outcome: 'FAILED', final: true }]);
  });

  it('a dial function that throws is a FAILED attempt with its message', async () => {
    setup();
    await fixture.campaign('sales', { retry: { FAILED: 10 * MINUTE } });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567' });
    await fixture.round(fixture.dialer(async () => Promise.reject(new Error('originate refused: 400'))));
    expect(await fixture.results()).toMatchObject([{ outcome: 'FAILED', reason: 'originate refused: 400', retryAt: START + 10 * MINUTE }]);
  });

  it('a request whose campaign context the PBX lacks is never final: FAILED, not counted, tried again until the campaign is fixed', async () => {
    setup();
    await fixture.campaign('sales', { maxAttempts: 1, unavailableRetryMs: MINUTE });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567', id: 'r1' });
    let contextExists = false;
    const dial = async (): Promise<'ANSWERED'> => {
      if (!contextExists) throw new NotDialledError("not dialled: Asterisk's dialplan has no agents,s,1");
      return 'ANSWERED';
    };
    const dialer = fixture.dialer(dial);
    await fixture.round(dialer);
    fixture.now += MINUTE;
    await fixture.round(dialer);
    expect(await fixture.results()).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'FAILED', reason: "not dialled: Asterisk's dialplan has no agents,s,1", final: false, retryAt: START + MINUTE }),
      expect.objectContaining({ attempt: 1, outcome: 'FAILED', final: false, retryAt: START + 2 * MINUTE }),
    ]);
    expect(await fixture.queue.state('r1')).toMatchObject({ attempts: 0 });

    contextExists = true;
    fixture.now += MINUTE;
    await fixture.round(dialer);
    expect((await fixture.results()).at(-1)).toMatchObject({ attempt: 1, outcome: 'ANSWERED', final: true });
  });

  it.each([
    ['malformed', '12'],
    ['hidden', 'anonymous'],
  ])('a %s number is INVALID_NUMBER and never dialled', async (_, number) => {
    setup();
    await fixture.campaign('sales');
    await fixture.queue.enqueue({ campaign: 'sales', number });
    await fixture.round(fixture.dialer(fixture.answering('ANSWERED')));
    expect(fixture.dials).toHaveLength(0);
    expect(await fixture.results()).toMatchObject([{ outcome: 'INVALID_NUMBER', final: true, number }]);
  });

  it('a request for a campaign that does not exist is REJECTED and acknowledged', async () => {
    setup();
    await fixture.queue.enqueue({ campaign: 'nowhere', number: '+49301234567', id: 'r9' });
    await fixture.round(fixture.dialer(fixture.answering('ANSWERED')));
    expect(await fixture.results()).toMatchObject([{ request: 'r9', outcome: 'REJECTED', attempt: 0, reason: 'no such campaign: nowhere' }]);
    expect(await pendingCount()).toBe(0);
  });

  it('a request with --at waits until its time', async () => {
    setup();
    await fixture.campaign('sales');
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567', at: START + 60 * MINUTE });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(0);
    expect(await fixture.queue.counts('sales')).toEqual({ waiting: 1, inFlight: 0 });
    fixture.now = START + 60 * MINUTE;
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(1);
  });

  it('the same request id sent twice while in work is dialled once', async () => {
    setup();
    await fixture.campaign('sales');
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567', id: 'dup' });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567', id: 'dup' });
    await fixture.round(fixture.dialer(fixture.answering('ANSWERED')));
    expect(fixture.dials).toHaveLength(1);
    expect(await pendingCount()).toBe(0);
  });

  it('a block list that cannot be read fails closed: not dialled, tried again later, dialled once it can be read', async () => {
    setup();
    await fixture.campaign('sales', { block: ['dnc'], unavailableRetryMs: MINUTE });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567', id: 'r1' });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(0);
    expect(await fixture.results()).toEqual([]);
    expect(await fixture.queue.state('r1')).toMatchObject({ attempts: 0 });

    await fixture.lists.createList('dnc', { by: 'test' });
    fixture.now += MINUTE;
    await fixture.round(dialer);
    expect(fixture.dials.map((d) => d.attempt)).toEqual([1]);
  });

  it('a campaign that fails open dials when its block list cannot be read', async () => {
    setup();
    await fixture.campaign('sales', { block: ['dnc'], fail: 'open' });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567' });
    await fixture.round(fixture.dialer(fixture.answering('ANSWERED')));
    expect(fixture.dials).toHaveLength(1);
  });

  it('a campaign change applies to the next attempt', async () => {
    setup();
    await fixture.campaign('sales', { retry: { BUSY: 0 } });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567' });
    const dialer = fixture.dialer(fixture.answering('BUSY', 'ANSWERED'));
    await fixture.round(dialer);
    await fixture.campaign('sales', { retry: { BUSY: 0 }, endpoint: 'PJSIP/${NATIONAL}@other' });
    await fixture.round(dialer);
    expect(fixture.dials.map((d) => d.endpoint)).toEqual(['PJSIP/+49301234567@trunk', 'PJSIP/0301234567@other']);
  });
});

describe('Dialer and a corrupt campaign', () => {
  it('requests of an invalid campaign wait, undialled, until it is set again', async () => {
    setup();
    await fixture.campaign('sales');
    const { globalKeys } = await import('../../src/lists/keys.js');
    await redis.hset(globalKeys(fixture.namespace).campaigns, 'sales', '{"name":"sales"}');
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567' });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(0);
    expect(await fixture.queue.counts('sales')).toEqual({ waiting: 1, inFlight: 0 });
    await fixture.campaign('sales');
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(1);
  });
});

async function pendingCount(): Promise<number> {
  const { dialKeys } = await import('../../src/lists/keys.js');
  const summary = (await redis.xpending(dialKeys(fixture.namespace).requests, 'dialers')) as [number, ...unknown[]];
  return summary[0];
}
