import { afterEach, expect, it } from 'vitest';
import { handleAgentCall, type AgentCallOutcome } from '../../src/calls/outbound.js';
import { ListStore } from '../../src/lists/store.js';
import { createServiceRedis } from '../../src/redis/process-connection.js';
import { applyCampaignChanges, parseDialplanTarget } from '../../src/screening/campaign-syntax.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import { CapCounter } from '../../src/screening/caps.js';
import { HoursStore } from '../../src/screening/hours/store.js';
import type { BlockListReader } from '../../src/screening/outbound.js';
import { FakeCallControl } from '../calls/fake-call-control.js';
import { importText } from '../import/helpers.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { standaloneTarget, testNamespace } from '../helpers/redis.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { until } from '../helpers/until.js';

const DAY = 86_400_000;
/** Well under the connection's command timeout (2 s), so an end by the deadline cannot be the timeout's. */
const DEADLINE_MS = 300;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it("an agent's call on a campaign that fails open, with --max-list-age, while Redis stalls (SIGSTOP) on its lists' data dates: not dialled, as the dialer does", async () => {
  const server = await startRedisServer();
  cleanups.push(() => server.stop());
  const { log } = capturedLogger();
  const redis = createServiceRedis(standaloneTarget(server.url), log);
  cleanups.push(() => redis.disconnect());
  await until(() => redis.status === 'ready', 'the client to connect');
  const namespace = testNamespace();
  const store = new ListStore(redis, namespace);
  await store.createList('us-dnc', { by: 'ops' });
  await importText(redis, namespace, 'us-dnc', '2015550100\n', { country: 'US', sourceDate: Date.now() - DAY });
  const campaigns = new CampaignStore(redis, namespace);
  await campaigns.set(
    applyCampaignChanges(
      'sales',
      undefined,
      { block: ['us-dnc'], endpoint: 'PJSIP/${NUMBER}@trunk', agent: parseDialplanTarget('agents'), region: 'US', maxListAgeMs: 31 * DAY, fail: 'open' },
      { at: 0, by: 'test' },
    ),
  );
  const hours = new HoursStore(redis, namespace);

  // Redis stops answering the moment the call asks for the data dates, and stays stopped.
  let stalled = false;
  const lists: BlockListReader = {
    checkEach: (e164, names) => store.checkEach(e164, names),
    sources: (names) => {
      if (!stalled) {
        stalled = true;
        server.pause();
        cleanups.push(() => server.resume());
      }
      return store.sources(names);
    },
  };
  const calls = new FakeCallControl();
  // A busy far end ends a dial by itself, so a call that was dialled ends too.
  calls.farEnds.set('PJSIP/+14155550100@trunk', { kind: 'end', cause: 17 });
  const agent = calls.addChannel();
  const recorded: AgentCallOutcome[] = [];
  await handleAgentCall(
    { channelId: agent, dialled: '4155550100', campaignName: 'sales' },
    {
      calls,
      events: calls,
      campaigns,
      lists,
      rules: { policy: (name) => hours.get(name), caps: new CapCounter(redis, namespace) },
      settings: { deadlineMs: DEADLINE_MS, defaultRegion: 'US' },
      log,
      graceMs: 50,
    },
    async (outcome) => void recorded.push(outcome),
  );

  expect(stalled).toBe(true);
  expect(calls.operations.some((op) => op.op === 'originate')).toBe(false);
  expect(recorded[0]).toMatchObject({ verdict: 'unavailable' });
  expect(recorded[0]?.screening.detail).toContain('data dates');
});
