import { afterEach, describe, expect, it } from 'vitest';
import { CampaignStore } from '../../src/screening/campaigns.js';
import { freePort } from '../helpers/redis-server.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { callguard } from './run-cli.js';

const ARI_VARIABLES = ['ARI_URL', 'ARI_USERNAME', 'ARI_PASSWORD'] as const;
const saved = Object.fromEntries(ARI_VARIABLES.map((name) => [name, process.env[name]]));

afterEach(() => {
  for (const name of ARI_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

const SET = ['campaign', 'set', 'sales', '--endpoint', 'PJSIP/${NUMBER}@trunk', '--context', 'queues,sales,1'];

/** Without an Asterisk to ask; the checks that do ask one are in test/e2e/outbound-example.test.ts. */
describe('campaign set --context, when Asterisk cannot be asked', () => {
  it('saves and warns that the context was not checked when no ARI login is set', async () => {
    for (const name of ARI_VARIABLES) delete process.env[name];
    const namespace = testNamespace();
    const run = await callguard(namespace, ...SET);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/^callguard: warning: --context queues,sales,1 not checked against Asterisk \(set ARI_USERNAME and ARI_PASSWORD/m);
    const redis = testRedis();
    expect((await new CampaignStore(redis, namespace).get('sales')).kind).toBe('found');
    await redis.quit();
  });

  it('saves and warns, naming the address, when Asterisk does not answer', async () => {
    const port = await freePort();
    Object.assign(process.env, { ARI_URL: `http://127.0.0.1:${port}`, ARI_USERNAME: 'callguard', ARI_PASSWORD: 'secret' });
    const run = await callguard(testNamespace(), ...SET);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(new RegExp(`^callguard: warning: --context queues,sales,1 not checked: cannot reach ARI at http://127\\.0\\.0\\.1:${port}`, 'm'));
    expect(run.err).not.toContain('secret');
  });

  it('refuses a bad --ari-url before anything is saved', async () => {
    Object.assign(process.env, { ARI_USERNAME: 'callguard', ARI_PASSWORD: 'secret' });
    const namespace = testNamespace();
    const run = await callguard(namespace, ...SET, '--ari-url', 'ftp://pbx');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--ari-url \(ARI_URL\): "ftp:\/\/pbx" must start with http/);
    const redis = testRedis();
    expect((await new CampaignStore(redis, namespace).get('sales')).kind).toBe('missing');
    await redis.quit();
  });
});
