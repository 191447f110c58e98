import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { ListStore } from '../../src/lists/store.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import { startService, type RunningService } from '../../src/service/service.js';
import { testNamespace } from '../helpers/redis.js';
import { freePort, startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { until } from '../helpers/until.js';

const BLOCKED = '+493012345678';
const RECONNECT_TIMEOUT_MS = 15_000;
const POLL_MS = 50;

/**
 * Asterisk's side of one FastAGI screening request: the environment, then `200 result=1`
 * to every command until callguard closes. Returns the commands it sent.
 */
async function screenOverAgi(port: number, channel: string): Promise<string[]> {
  const socket = connect(port, '127.0.0.1');
  const commands: string[] = [];
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      commands.push(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      socket.write('200 result=1\n');
    }
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const env = { network_script: 'screen?route=support', callerid: BLOCKED, uniqueid: channel, channel: `PJSIP/test-${channel}` };
  socket.write(`${Object.entries(env).map(([name, value]) => `agi_${name}: ${value}`).join('\n')}\n\n`);
  await closed;
  return commands;
}

function commandStats(info: string): Map<string, string> {
  const stats = new Map<string, string>();
  for (const line of info.split('\r\n')) {
    const match = /^cmdstat_([^:]+):(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) stats.set(match[1], match[2]);
  }
  return stats;
}

/**
 * A Redis restart empties its script cache. serve loads its scripts again when its
 * connections are ready, so the first call screened afterwards runs the check by
 * EVALSHA at once, rather than failing with NOSCRIPT and shipping the whole body
 * (EVAL) inside the call's deadline. Screened over FastAGI: no Asterisk needed.
 */
describe('serve after a Redis restart', () => {
  let redisServer: RunningRedis;
  let service: RunningService;
  const namespace = testNamespace();

  beforeAll(async () => {
    redisServer = await startRedisServer(undefined, ['--appendonly', 'yes']);
    const seeding = new Redis(redisServer.url);
    const lists = new ListStore(seeding, namespace);
    await lists.createList('dnc', { by: 'test' });
    await lists.add('dnc', [{ member: BLOCKED }], { by: 'test' });
    await new RouteStore(seeding, namespace).set({ ...newRoute('support'), block: ['dnc'] });
    await seeding.quit();
    service = await startService(
      parseServeConfig({
        // Nothing listens there: the Stasis side is not what this test is about.
        ariUrl: `http://127.0.0.1:${await freePort()}`,
        ariUsername: 'callguard',
        ariPassword: 'callguard',
        redisUrl: redisServer.url,
        namespace,
        region: 'DE',
        health: '127.0.0.1:0',
        agiListen: '127.0.0.1:0',
        deadlineMs: '1000',
      }),
      createLogger({ level: 'silent' }),
    );
  });

  afterAll(async () => {
    await service?.stop();
    await redisServer?.stop();
  });

  it('screens the first call after the restart with EVALSHA hits only: no NOSCRIPT, no script body sent', async () => {
    const port = service.agi?.port ?? 0;
    // A call before the restart: the call log's script is in use too, as in production.
    expect((await screenOverAgi(port, 'before')).join('\n')).toMatch(/"blocked,/);

    await redisServer.restart();
    let screened: string[] = [];
    let attempt = 0;
    // While serve's connections are not ready, a check fails at once without reaching Redis.
    await until(
      async () => {
        screened = await screenOverAgi(port, `after-${(attempt += 1)}`);
        return screened.some((command) => command.includes('"blocked,'));
      },
      'a call screened as blocked after the restart',
      { timeoutMs: RECONNECT_TIMEOUT_MS, pollMs: POLL_MS },
    );

    const stats = new Redis(redisServer.url);
    try {
      const commands = commandStats(await stats.info('commandstats'));
      expect(commands.get('evalsha')).toMatch(/failed_calls=0/);
      expect(commands.has('eval')).toBe(false);
      expect(commands.get('script|load') ?? commands.get('script')).toBeDefined();
    } finally {
      await stats.quit();
    }
  });
});
