import { describe, expect, it } from 'vitest';
import { DialQueue } from '../../src/dialer/queue.js';
import { ListStore } from '../../src/lists/store.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import { applyCampaignChanges } from '../../src/screening/campaign-syntax.js';
import { testApi } from './helpers.js';

describe('WombatDialer-compatible endpoints', () => {
  const api = testApi({ region: 'DE' });

  it('adds to a list with addToList, the token in the URL, REASON from the number line', async () => {
    const { request, tokens, redis, namespace } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc' } });
    const numbers = encodeURIComponent('+4930111222,REASON:recalled\n030 333444,NAME:Joe');
    const answer = await request('GET', `/wombat/api/lists/?op=addToList&list=DNC&numbers=${numbers}&token=${tokens.operator}`);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({ status: 'OK', op: 'addToList', list: 'dnc', added: 2, entries: ['+4930111222', '+4930333444'] });
    const checked = await request('POST', '/v1/check', { token: tokens.viewer, json: { number: '+4930111222', lists: ['dnc'] } });
    expect(checked.json.match).toMatchObject({ reason: 'recalled', by: 'operator' });
    const audit = await new ListStore(redis, namespace).audit('dnc', 5);
    expect(audit.filter((event) => event.action === 'add').map((event) => [event.by, event.details?.source])).toEqual([['operator', 'api'], ['operator', 'api']]);
  });

  it('refuses a Wombat call without a token, or with a viewer token, and one bad number adds none', async () => {
    const { request, tokens } = api();
    expect((await request('GET', '/wombat/api/lists/?op=addToList&list=dnc&numbers=%2B4930999')).status).toBe(401);
    const forbidden = await request('GET', `/wombat/api/lists/?op=addToList&list=dnc&numbers=%2B4930999&token=${tokens.viewer}`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.instance).toBe('/wombat/api/lists/');
    expect(forbidden.text).not.toContain(tokens.viewer);
    const bad = await request('GET', `/wombat/api/lists/?op=addToList&list=dnc&numbers=${encodeURIComponent('+4930555\nxyz')}&token=${tokens.operator}`);
    expect(bad.status).toBe(422);
    expect(bad.json.errors[0]).toMatchObject({ field: 'query/numbers/1', value: 'xyz' });
    expect((await request('POST', '/v1/check', { token: tokens.viewer, json: { number: '+4930555', lists: ['dnc'] } })).json.verdict).toBe('clear');
    expect((await request('GET', `/wombat/api/lists/?op=removeFromList&list=dnc&numbers=1&token=${tokens.operator}`)).status).toBe(422);
  });

  it('cancels with cancelBlacklist on a list, and with campaign= on every block list of the campaign', async () => {
    const { request, tokens, redis, namespace } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'national' } });
    await request('POST', '/v1/lists/national/entries', { token: tokens.operator, json: { numbers: ['+4930777888'] } });
    await request('POST', '/v1/lists/dnc/entries', { token: tokens.operator, json: { numbers: ['+4930777888'] } });
    await new CampaignStore(redis, namespace).set(
      applyCampaignChanges('website', undefined, { block: ['dnc', 'national'], endpoint: 'PJSIP/${NUMBER}@t', agent: { context: 'agents', extension: 's', priority: 1 } }, { at: Date.now(), by: 'test' }),
    );
    const onList = await request('GET', `/wombat/api/calls/?op=cancelBlacklist&list=DNC&numbers=%2B4930111222&reason=NEWCASE`, { token: tokens.operator });
    expect(onList.json).toMatchObject({ status: 'OK', list: 'dnc', cancelled: ['+4930111222'], notListed: [] });
    const onCampaign = await request('GET', `/wombat/api/calls/?op=cancelBlacklist&campaign=WEBSITE&numbers=030777888&reason=NEWCASE&token=${tokens.operator}`);
    expect(onCampaign.json).toMatchObject({
      status: 'OK',
      campaign: 'website',
      lists: [
        { list: 'dnc', cancelled: ['+4930777888'] },
        { list: 'national', cancelled: ['+4930777888'] },
      ],
      missingLists: [],
    });
    expect((await request('GET', `/wombat/api/calls/?op=cancelBlacklist&list=dnc&numbers=1&token=${tokens.operator}`)).status).toBe(422);
  });

  it('queues a call with addcall, its attributes and a Wombat schedule time', async () => {
    const { request, tokens, redis, namespace } = api();
    const answer = await request('GET', `/wombat/api/calls/?op=addcall&campaign=WEBSITE&number=030123456&attrs=NAME:John,CRM:4711&schedule=2030-03-18.14:00:00&token=${tokens.operator}`);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({ status: 'OK', op: 'addcall', campaign: 'website', e164: '+4930123456', at: new Date(2030, 2, 18, 14, 0, 0).toISOString().replace('.000Z', 'Z') });
    const [entry] = await redis.xrange(`${namespace}:{${namespace}:dial}:requests`, answer.json.entry, answer.json.entry);
    expect(entry?.[1]).toEqual(expect.arrayContaining(['campaign', 'website', 'number', '030123456', 'attrs', JSON.stringify({ NAME: 'John', CRM: '4711' })]));
    expect(await new DialQueue(redis, namespace).counts('website')).toEqual({ waiting: 0, inFlight: 0 });
    expect((await request('GET', `/wombat/api/calls/?op=addcall&campaign=nope&number=1&token=${tokens.operator}`)).status).toBe(404);
    expect((await request('GET', `/wombat/api/calls/?op=addcall&campaign=website&number=anonymous&token=${tokens.operator}`)).status).toBe(422);
  });
});
