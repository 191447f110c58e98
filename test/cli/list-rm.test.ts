import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { redisUrl, testNamespace, testRedis } from '../helpers/redis.js';
import { callguard, callguardJson, callguardOnTerminal, namespaceWithLists, spawnCallguard, spawnCallguardOnTerminal } from './run-cli.js';

const redis = testRedis();
afterAll(() => redis.quit());

let ns: string;
beforeEach(async () => {
  ns = await namespaceWithLists(redis, 'dnc');
  await callguard(ns, 'add', '+4930123456', '+4930654321', '--list', 'dnc');
});

async function entriesOfDnc(): Promise<number> {
  return redis.scard(listKeys(ns, 'dnc').exact);
}

describe('list rm', () => {
  it('asks on a terminal, naming the entries it removes, and removes the list when told yes', async () => {
    const run = await callguardOnTerminal(ns, ['y'], 'list', 'rm', 'dnc');
    expect(run.questions).toEqual(['remove list dnc and its 2 entries? Its cancellations go too; its audit stays. [y/N] ']);
    expect(run.code).toBe(0);
    expect(run.out).toBe('list dnc removed\n');
    expect(await entriesOfDnc()).toBe(0);
  });

  it.each(['', 'n', 'no', 'maybe'])('keeps the list when the answer is %j', async (answer) => {
    const run = await callguardOnTerminal(ns, [answer], 'list', 'rm', 'dnc');
    expect(run.code).toBe(1);
    expect(run.err).toBe('callguard: list dnc was not removed\n');
    expect(await entriesOfDnc()).toBe(2);
  });

  it('needs --yes when stdin is not a terminal, and removes nothing without it', async () => {
    const run = await callguard(ns, 'list', 'rm', 'dnc');
    expect(run.code).toBe(2);
    expect(run.err).toBe(
      'callguard: list rm removes list dnc and its 2 entries: confirm with --yes (stdin is not a terminal, so callguard cannot ask); nothing was removed\n',
    );
    expect(await entriesOfDnc()).toBe(2);
    const confirmed = await callguardJson(ns, 'list', 'rm', 'dnc', '--yes');
    expect(confirmed.json).toEqual({ list: 'dnc', action: 'removed' });
    expect(await entriesOfDnc()).toBe(0);
  });

  it('refuses while a route or campaign names the list, naming them, without asking', async () => {
    await callguard(ns, 'route', 'set', 'support', '--block', 'dnc');
    await callguard(ns, 'route', 'set', 'vips', '--allow', 'dnc');
    await callguard(ns, 'campaign', 'set', 'sales', '--block', 'dnc', '--endpoint', 'PJSIP/${NUMBER}@trunk', '--context', 'agents');
    const run = await callguardOnTerminal(ns, ['y'], 'list', 'rm', 'dnc');
    expect(run.questions).toEqual([]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^callguard: list dnc is named by route support \(block\), route vips \(allow\), campaign sales \(block\): take it out of them first .* or pass --force; nothing was removed\n$/);
    expect(await entriesOfDnc()).toBe(2);
  });

  it('--force removes a list that is named, and warns what each route and campaign now does', async () => {
    await callguard(ns, 'route', 'set', 'support', '--block', 'dnc');
    await callguard(ns, 'campaign', 'set', 'sales', '--block', 'dnc', '--endpoint', 'PJSIP/${NUMBER}@trunk', '--context', 'agents');
    const run = await callguard(ns, 'list', 'rm', 'dnc', '--force', '--yes');
    expect(run.code).toBe(0);
    expect(run.err.trimEnd().split('\n')).toEqual([
      'callguard: warning: route support still names list dnc as a block list; it matches nothing there until the list exists again',
      'callguard: warning: campaign sales still names list dnc as a block list; it dials nothing until the list exists again',
    ]);
    expect(await entriesOfDnc()).toBe(0);
  });

  it('keeps the audit stream, with the remove event last, as its help says', async () => {
    await callguard(ns, 'list', 'rm', 'dnc', '--yes', '--by', 'ops', '--reason', 'trial over');
    const [last] = await redis.xrevrange(listKeys(ns, 'dnc').audit, '+', '-', 'COUNT', 1);
    expect(last?.[1]).toEqual(expect.arrayContaining(['action', 'remove', 'by', 'ops', 'reason', 'trial over']));
    const help = await callguard(ns, 'list', 'rm', '--help');
    expect(help.out).toContain('(its audit stream stays)');
  });
});

describe('list rm, the real binary', () => {
  it('asks on a terminal and removes the list when the answer typed is y', async () => {
    const env = { REDIS_URL: redisUrl(), CALLGUARD_NAMESPACE: ns };
    const run = await spawnCallguardOnTerminal(['list', 'rm', 'dnc'], env, 'y\n');
    expect(run.out).toContain('remove list dnc and its 2 entries? Its cancellations go too; its audit stays. [y/N] ');
    expect(run.out).toContain('list dnc removed');
    expect(run.code).toBe(0);
    expect(await entriesOfDnc()).toBe(0);
  });

  it('refuses without --yes when stdin is not a terminal', async () => {
    const namespace = testNamespace();
    const env = { REDIS_URL: redisUrl(), CALLGUARD_NAMESPACE: namespace };
    await callguard(namespace, 'list', 'create', 'dnc');
    const run = await spawnCallguard(['list', 'rm', 'dnc'], env);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^callguard: list rm removes list dnc and its 0 entries: confirm with --yes/);
    expect(await redis.exists(listKeys(namespace, 'dnc').info)).toBe(1);
  });
});
