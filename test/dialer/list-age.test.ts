import { describe, expect, it } from 'vitest';
import { importText } from '../import/helpers.js';
import { callguard, callguardJson } from '../cli/run-cli.js';
import { dialerFixtures, START } from './fixture.js';

const { redis, next } = dialerFixtures();
const DAY = 86_400_000;

describe('a campaign with --max-list-age', () => {
  it('dials nothing while a block list is older (LIST_STALE, tried again later), and dials once it is loaded fresh', async () => {
    const fixture = next();
    await fixture.lists.createList('us-dnc', { by: 'ops' }, { dense: 'nanp' });
    await importText(redis, fixture.namespace, 'us-dnc', '2015550100\n', { country: 'US', sourceDate: START - 40 * DAY });
    await fixture.campaign('sales', { block: ['us-dnc'], region: 'US', maxListAgeMs: 31 * DAY, unavailableRetryMs: 60_000 });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+14155550100', id: 'r1' });
    const dialer = fixture.dialer(fixture.answering('ANSWERED'));
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(0);
    const [stale] = await fixture.results();
    expect(stale).toMatchObject({ outcome: 'LIST_STALE', list: 'us-dnc', final: false, retryAt: START + 60_000 });
    expect(stale?.reason).toMatch(/us-dnc is 40\.0 days old: older than --max-list-age 31d; nothing is dialled/);

    const shown = await callguardJson<{ stale: boolean; lists: { list: string; stale: boolean; ageSeconds: number }[] }>(fixture.namespace, 'campaign', 'show', 'sales');
    expect(shown.json).toMatchObject({ stale: true, lists: [{ list: 'us-dnc', stale: true }] });
    expect((await callguard(fixture.namespace, 'campaign', 'show', 'sales')).out).toMatch(/NOT DIALLING: +us-dnc is \d+\.\d days old/);

    await importText(redis, fixture.namespace, 'us-dnc', '2015550101\n', { country: 'US', sourceDate: START - DAY });
    fixture.now += 60_000;
    await fixture.round(dialer);
    expect(fixture.dials).toHaveLength(1);
    expect((await fixture.results()).map((r) => [r.attempt, r.outcome])).toEqual([[1, 'LIST_STALE'], [1, 'ANSWERED']]);
  });

  it("dials nothing when one area code's file is fresh but the rest of the registry is old, and every command names that area code (measured: dialled against 40-day-old data)", async () => {
    const fixture = next();
    await fixture.lists.createList('us-dnc', { by: 'ops' }, { dense: 'nanp' });
    await importText(redis, fixture.namespace, 'us-dnc', '2015550100\n4155550100\n', { country: 'US', sourceDate: START - 40 * DAY });
    await importText(redis, fixture.namespace, 'us-dnc', '2015550101\n', { country: 'US', sourceDate: START });
    await fixture.campaign('sales', { block: ['us-dnc'], region: 'US', maxListAgeMs: 31 * DAY, unavailableRetryMs: 60_000 });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+12015550199', id: 'r1' });
    await fixture.round(fixture.dialer(fixture.answering('ANSWERED')));
    expect(fixture.dials).toHaveLength(0);
    const [stale] = await fixture.results();
    expect(stale).toMatchObject({ outcome: 'LIST_STALE', list: 'us-dnc' });
    expect(stale?.reason).toMatch(/^us-dnc is 40\.0 days old \(area code 415\): older than --max-list-age 31d/);

    const oldest = { dataDate: new Date(START - 40 * DAY).toISOString().replace('.000Z', 'Z'), oldest: { part: '415', parts: 1 } };
    const shown = await callguardJson<{ lists: unknown[] }>(fixture.namespace, 'campaign', 'show', 'sales');
    expect(shown.json.lists).toMatchObject([{ list: 'us-dnc', stale: true, ...oldest }]);
    expect((await callguard(fixture.namespace, 'campaign', 'show', 'sales')).out).toMatch(/data of us-dnc: +data of \S+ \(area code 415, \d+d[^)]* old\), from stdin/);
    const lists = await callguardJson<{ lists: { name: string; data: unknown }[] }>(fixture.namespace, 'lists');
    expect(lists.json.lists.find((list) => list.name === 'us-dnc')?.data).toMatchObject(oldest);
    expect((await callguard(fixture.namespace, 'lists')).out).toContain(`${oldest.dataDate} (area code 415)`);
  });

  it('a list never imported (kept by hand) has no age and does not stop the campaign', async () => {
    const fixture = next();
    await fixture.block('own-dnc', '+14155550199', 'asked');
    await fixture.campaign('sales', { block: ['own-dnc'], region: 'US', maxListAgeMs: 31 * DAY });
    await fixture.queue.enqueue({ campaign: 'sales', number: '+14155550100' });
    await fixture.round(fixture.dialer(fixture.answering('ANSWERED')));
    expect(fixture.dials).toHaveLength(1);
  });
});
