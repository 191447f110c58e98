import { afterAll, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { configureList } from '../../src/lists/list-settings.js';
import { ListStore } from '../../src/lists/store.js';
import { createServiceRedis } from '../../src/redis/process-connection.js';
import { AuditTrim } from '../../src/service/audit-trim.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { redisUrl, standaloneTarget, testNamespace, testRedis } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const redis = testRedis();
afterAll(async () => {
  await redis.quit();
});

const DAY_MS = 86_400_000;
/** More than one stream node (100 entries): XTRIM MINID ~ removes whole nodes only. */
const OLD_EVENTS = 250;

describe("serve's audit trim", () => {
  it('trims at start on a connection that is still connecting, without a failure logged', async () => {
    const namespace = testNamespace();
    const actor = { by: 'test', reason: 'audit trim' };
    // Events of a year ago first: a stream takes ids in order only.
    const audit = listKeys(namespace, 'harassment').audit;
    const old = Date.now() - 400 * DAY_MS;
    for (let i = 0; i < OLD_EVENTS; i += 1) await redis.xadd(audit, `${old + i}-0`, 'action', 'add', 'by', 'test');
    await new ListStore(redis, namespace).createList('harassment', actor);
    await configureList(redis, namespace, 'harassment', { auditRetentionMs: 90 * DAY_MS }, actor);
    const before = await redis.xlen(audit);

    const { log, lines } = capturedLogger();
    // As serve makes it: no offline queue, so a command sent while it connects fails.
    const connecting = createServiceRedis(standaloneTarget(redisUrl()), log);
    expect(connecting.status).not.toBe('ready');
    const trim = new AuditTrim(connecting, namespace, log);
    trim.start();
    try {
      await until(async () => (await redis.xlen(audit)) < before, 'the old audit events trimmed');
      expect(lines().filter((line) => String(line.msg).startsWith('audit trim failed'))).toEqual([]);
      expect(lines().some((line) => line.msg === 'audit events past the list retention trimmed')).toBe(true);
    } finally {
      await trim.stop();
      connecting.disconnect();
    }
  });
});
