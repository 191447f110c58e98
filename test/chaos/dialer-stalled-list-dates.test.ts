import { afterEach, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { createServiceRedis } from '../../src/redis/process-connection.js';
import type { BlockListReader } from '../../src/screening/outbound.js';
import { DialerFixture, START, waitFor } from '../dialer/fixture.js';
import { importText } from '../import/helpers.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { standaloneTarget, testNamespace } from '../helpers/redis.js';
import { startRedisServer } from '../helpers/redis-server.js';

const DAY = 86_400_000;
/** Well under the connection's command timeout (2 s), so an end by the deadline cannot be the timeout's. */
const CHECK_DEADLINE_MS = 300;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it("a Redis that stalls (SIGSTOP) while an attempt reads its lists' data dates: not dialled by the check deadline, even for a campaign that fails open, and dialled once Redis answers", async () => {
  const server = await startRedisServer();
  cleanups.push(() => server.stop());
  const { log: logger, lines } = capturedLogger();
  // The connection serve's dialer uses: no offline queue, a command timeout.
  const redis = createServiceRedis(standaloneTarget(server.url), logger);
  cleanups.push(() => redis.disconnect());
  await waitFor(() => redis.status === 'ready', 'the client to connect');
  const fixture = new DialerFixture(redis, testNamespace());
  cleanups.push(() => fixture.stopAll());
  await fixture.lists.createList('us-dnc', { by: 'ops' });
  await importText(redis, fixture.namespace, 'us-dnc', '2015550100\n', { country: 'US', sourceDate: START - DAY });
  await fixture.campaign('sales', { block: ['us-dnc'], region: 'US', maxListAgeMs: 31 * DAY, fail: 'open', unavailableRetryMs: 60_000 });
  await fixture.queue.enqueue({ campaign: 'sales', number: '+14155550100', id: 'r1' });

  // Redis stops answering the moment the attempt asks for the data dates, so the read is surely in the stall.
  const store = new ListStore(redis, fixture.namespace, fixture.clock);
  let stall = true;
  const lists: BlockListReader = {
    checkEach: (e164, names) => store.checkEach(e164, names),
    sources: (names) => {
      if (stall) {
        stall = false;
        server.pause();
      }
      return store.sources(names);
    },
  };
  const dialer = fixture.dialer(fixture.answering('ANSWERED'), { lists, logger, checkDeadlineMs: CHECK_DEADLINE_MS });
  await dialer.poll();

  const notDialled = "block lists' data dates unavailable; not dialled, tried again later";
  await waitFor(() => lines().some((line) => line.msg === notDialled || line.msg === 'dial attempt crashed'), 'the attempt to end');
  expect(lines().find((line) => line.msg === notDialled)).toMatchObject({ reason: `no answer within ${CHECK_DEADLINE_MS} ms`, request: 'r1' });
  expect(fixture.dials).toHaveLength(0);

  server.resume();
  await dialer.settled();
  expect(lines().some((line) => line.msg === 'dial attempt crashed')).toBe(false);
  // Not dialled, not counted: no result, and the request due again after --unavailable-retry.
  expect(await fixture.results()).toEqual([]);
  fixture.now += 60_000;
  await fixture.round(dialer);
  expect(fixture.dials.map((dial) => dial.request.id)).toEqual(['r1']);
  expect(await fixture.results()).toMatchObject([{ request: 'r1', attempt: 1, outcome: 'ANSWERED' }]);
});
