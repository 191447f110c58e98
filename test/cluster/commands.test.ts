import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialQueue } from '../../src/dialer/queue.js';
import { denseGenerationKeys, denseGensKey, listKeys, stagingKeys } from '../../src/lists/keys.js';
import { appendCallLog } from '../helpers/call-log.js';
import { callguardArgs, spawnCallguard, type CliRun } from '../cli/run-cli.js';
import { numberLines } from '../import/helpers.js';
import { startRedisCluster, type RunningCluster } from '../helpers/redis-cluster.js';
import { freePort } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';

/** Starting six redis-servers and letting them agree takes a few seconds on a busy machine. */
const CLUSTER_START_TIMEOUT_MS = 60_000;

/**
 * Every command of the CLI against a real Redis Cluster: three primaries that share the
 * slots, each with a replica (so adds and cancels wait for one, as they do by default on
 * a cluster). Lists of one namespace land in different slots on different nodes, so
 * every command that reads or writes several lists crosses nodes.
 */
describe('the commands on a 3-primary Redis Cluster', () => {
  let cluster: RunningCluster;
  let client: Cluster;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'callguard-cluster-'));
    cluster = await startRedisCluster({ primaries: 3, replicas: 3 });
    client = new Cluster(cluster.nodes.split(',').map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })));
  }, CLUSTER_START_TIMEOUT_MS);
  afterAll(async () => {
    await client?.quit();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const on = (namespace: string, ...args: string[]): Promise<CliRun> =>
    callguardArgs(['--redis-cluster', cluster.nodes, '--namespace', namespace, ...args]);
  const json = async <T>(namespace: string, ...args: string[]): Promise<CliRun & { json: T }> => {
    const run = await on(namespace, '--json', ...args);
    return { ...run, json: JSON.parse(run.out) as T };
  };
  /** The primary (host:port) that serves a key, as the cluster says. */
  const primaryOf = async (key: string): Promise<string> => {
    const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
    return client.slots[slot]?.[0] ?? 'unknown';
  };

  it('lists on different primaries: create, add, check, show, lists, disable, enable, cancel, rm', async () => {
    const names = ['dnc', 'harassment', 'vip', 'spam'];
    // A namespace is random, and so are its lists' slots: in about 4 % of namespaces all four
    // land on one primary, which would not test what this test is about. Pick one that spreads.
    let ns = testNamespace();
    while (new Set(await Promise.all(names.map((name) => primaryOf(listKeys(ns, name).info)))).size < 2) ns = testNamespace();
    for (const name of names) expect((await on(ns, 'list', 'create', name, '--by', 'alice')).code).toBe(0);
    const primaries = new Set(await Promise.all(names.map((name) => primaryOf(listKeys(ns, name).info))));
    expect(primaries.size).toBeGreaterThan(1);

    const added = await json<{ added: number; replicas: { wanted: number; confirmed: number } }>(
      ns, 'add', '+4930123456', '--list', 'harassment', '--reason', 'threats', '--by', 'bob',
    );
    expect(added.code).toBe(0);
    expect(added.json).toMatchObject({ added: 1, replicas: { wanted: 1, confirmed: 1 } });
    expect((await on(ns, 'add', '+4930123456', '+49301*', '--list', 'dnc')).code).toBe(0);

    const checked = await json<{ verdict: string; match: { list: string } }>(ns, 'check', '+4930123456', '--list', 'vip,harassment,dnc');
    expect(checked.code).toBe(10);
    expect(checked.json.match.list).toBe('harassment');

    const shown = await json<{ listed: { list: string }[] }>(ns, 'show', '+4930123456');
    expect(shown.json.listed.map((entry) => entry.list).sort()).toEqual(['dnc', 'harassment']);

    expect((await on(ns, 'list', 'disable', 'harassment', '--reason', 'review')).code).toBe(0);
    const lists = await json<{ lists: { name: string; enabled: boolean; size: number }[] }>(ns, 'lists');
    expect(lists.json.lists.map(({ name, enabled, size }) => [name, enabled, size])).toEqual([
      ['dnc', true, 2],
      ['harassment', false, 1],
      ['spam', true, 0],
      ['vip', true, 0],
    ]);
    expect((await json<{ match: { list: string } }>(ns, 'check', '+4930123456', '--list', 'harassment,dnc')).json.match.list).toBe('dnc');
    expect((await on(ns, 'list', 'enable', 'harassment')).code).toBe(0);

    const cancelled = await json<{ cancelled: string[]; replicas: { confirmed: number } }>(
      ns, 'cancel', '+4930123456', '--list', 'harassment', '--reason', 'resolved',
    );
    expect(cancelled.code).toBe(0);
    expect(cancelled.json).toMatchObject({ cancelled: ['+4930123456'], replicas: { confirmed: 1 } });
    const afterCancel = await json<{ cancelled: { list: string }[]; history: { action: string }[] }>(ns, 'show', '+4930123456');
    expect(afterCancel.json.cancelled.map((entry) => entry.list)).toEqual(['harassment']);
    expect(afterCancel.json.history.map((event) => event.action)).toContain('cancel');

    expect((await on(ns, 'list', 'rm', 'spam', '--yes')).code).toBe(0);
    expect((await json<{ lists: { name: string }[] }>(ns, 'lists')).json.lists.map((list) => list.name)).toEqual(['dnc', 'harassment', 'vip']);
  });

  it('an add that fewer replicas confirm than asked is live, and exits 5 saying so', async () => {
    const ns = testNamespace();
    await on(ns, 'list', 'create', 'dnc');
    const run = await on(ns, '--redis-wait-replicas', '2', 'add', '+4930123456', '--list', 'dnc');
    expect(run.code).toBe(5);
    expect(run.err).toMatch(/^callguard: dnc: written on the Redis primary, but 1 of 2 replicas confirmed it/);
    expect((await on(ns, 'check', '+4930123456', '--list', 'dnc')).code).toBe(10);
  });

  it('export, and import --replace, which removes the leftovers of a crashed replace on whichever node holds them', async () => {
    const ns = testNamespace();
    await on(ns, 'list', 'create', 'dnc');
    await on(ns, 'add', '+4930999999', '--list', 'dnc');
    const leftovers = stagingKeys(ns, 'dnc', 'crashed-run');
    await client.sadd(leftovers.exact, '+4930111111');
    await client.zadd(leftovers.timed, 'inf', '+4930222*');

    const file = join(dir, `${ns}.txt`);
    await writeFile(file, numberLines(1_000_000, 2_000));
    const replaced = await json<{ imported: number; staleStagingKeysRemoved: number; listSize: { exact: number } }>(
      ns, 'import', file, '--list', 'dnc', '--replace',
    );
    expect(replaced.code).toBe(0);
    expect(replaced.json).toMatchObject({ imported: 2_000, staleStagingKeysRemoved: 2, listSize: { exact: 2_000 } });
    expect(await client.exists(leftovers.exact, leftovers.timed)).toBe(0);
    expect((await on(ns, 'check', '+4930999999', '--list', 'dnc')).code).toBe(0);

    const exported = join(dir, `${ns}.csv`);
    expect((await on(ns, 'export', '--list', 'dnc', '-o', exported)).code).toBe(0);
    const rows = (await readFile(exported, 'utf8')).trim().split('\n');
    expect(rows).toHaveLength(2_001);
    expect(rows.slice(1).map((row) => row.split(',')[0]).sort()).toEqual(numberLines(1_000_000, 2_000).trim().split('\n').sort());
  });

  it('a dense list created again over its lost info, on a primary other than the first, finds its bitmaps by name there; rm --left-behind removes them', async () => {
    const [first] = cluster.nodes.split(',');
    let ns = testNamespace();
    while ((await primaryOf(listKeys(ns, 'us').info)) === first) ns = testNamespace();
    const keys = listKeys(ns, 'us');
    expect((await on(ns, 'list', 'create', 'us', '--dense', 'nanp')).code).toBe(0);
    expect((await on(ns, 'add', '+14155550100', '--list', 'us')).code).toBe(0);
    const block = denseGenerationKeys(keys.dense, (await client.hget(keys.info, 'gen')) as string).block(1415555);
    await client.del(keys.info, denseGensKey(keys.dense));
    const refused = await on(ns, 'list', 'create', 'us');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/left behind bitmaps of plan nanp \(generation \w+, 1 block\)/);
    expect((await on(ns, 'list', 'create', 'us', '--dense', 'nanp')).out).toMatch(/^list us created, keeping the 1 entry its lost info left behind/);
    expect((await on(ns, 'check', '+14155550100', '--list', 'us')).code).toBe(10);
    await client.del(keys.info);
    expect((await on(ns, 'list', 'rm', 'us', '--left-behind', '--yes')).code).toBe(0);
    expect(await client.exists(block)).toBe(0);
  });

  it('routes, campaigns, call, cancel --campaign and report', async () => {
    const ns = testNamespace();
    await on(ns, 'list', 'create', 'dnc');
    await on(ns, 'list', 'create', 'national-dnc');
    expect((await on(ns, 'route', 'set', 'support', '--block', 'dnc', '--region', 'DE')).code).toBe(0);
    expect((await json<{ route: { block: string[] } }>(ns, 'route', 'show', 'support')).json.route.block).toEqual(['dnc']);
    expect((await json<{ routes: { name: string }[] }>(ns, 'route', 'list')).json.routes.map((route) => route.name)).toEqual(['support']);

    const campaign = ['campaign', 'set', 'sales', '--block', 'dnc,national-dnc', '--endpoint', 'PJSIP/${NUMBER}@trunk', '--context', 'agents', '--region', 'DE'];
    expect((await on(ns, ...campaign)).code).toBe(0);
    for (const list of ['dnc', 'national-dnc']) await on(ns, 'add', '+4930777777', '--list', list);
    const cancelled = await json<{ lists: { list: string; cancelled: string[] }[] }>(
      ns, 'cancel', '030 777777', '--campaign', 'sales', '--reason', 'consent given',
    );
    expect(cancelled.code).toBe(0);
    expect(cancelled.json.lists.map(({ list, cancelled: members }) => [list, members])).toEqual([
      ['dnc', ['+4930777777']],
      ['national-dnc', ['+4930777777']],
    ]);
    expect((await json<{ campaigns: { name: string }[] }>(ns, 'campaign', 'list')).json.campaigns.map((c) => c.name)).toEqual(['sales']);
    const queued = await json<{ id: string }>(ns, 'call', '030 1234567', '--campaign', 'sales', '--id', 'crm-1');
    expect(queued.code).toBe(0);
    const queue = new DialQueue(client, ns);
    await queue.ensureGroup();
    expect((await queue.readNew('cluster-test', 10)).map((entry) => entry.fields)).toEqual([
      expect.arrayContaining(['campaign', 'sales', 'number', '030 1234567', 'id', 'crm-1']),
    ]);
    expect((await on(ns, 'campaign', 'report', 'sales')).code).toBe(0);

    await appendCallLog(client, ns, {
      time: Date.now(), channel: 'chan-1', direction: 'inbound', raw: '+4930123456', e164: '+4930123456',
      route: 'support', verdict: 'blocked', list: 'dnc', action: 'hangup:21', decisionMs: 0.4,
    });
    const report = await json<{ total: number; counts: { blocked: number } }>(ns, 'report', '--since', '1h');
    expect(report.json).toMatchObject({ total: 1, counts: { blocked: 1 } });

    expect((await on(ns, 'campaign', 'rm', 'sales')).code).toBe(0);
    expect((await on(ns, 'route', 'rm', 'support')).code).toBe(0);
  });

  it('the binary reads CALLGUARD_REDIS_CLUSTER from the environment', async () => {
    const ns = testNamespace();
    await on(ns, 'list', 'create', 'dnc');
    await on(ns, 'add', '+4930123456', '--list', 'dnc');
    const env = { CALLGUARD_REDIS_CLUSTER: cluster.nodes, CALLGUARD_NAMESPACE: ns };
    expect((await spawnCallguard(['check', '+4930123456', '--list', 'dnc'], env)).code).toBe(10);
  });

  it('a cluster that does not answer is one line and exit 3', async () => {
    const run = await callguardArgs(['--redis-cluster', `127.0.0.1:${await freePort()}`, 'lists']);
    expect(run.code).toBe(3);
    expect(run.err).toMatch(/^callguard: cannot reach Redis at cluster nodes 127\.0\.0\.1:\d+: .+ \(set --redis-cluster or CALLGUARD_REDIS_CLUSTER\)\n$/);
  });
});
