import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';
import { DialerFixture, waitFor } from './fixture.js';

let server: RunningRedis | undefined;
let client: Redis | undefined;
let fixture: DialerFixture | undefined;

afterEach(async () => {
  await fixture?.stopAll();
  client?.disconnect();
  await server?.stop();
});

/** Log lines of the dialer, parsed, so the test can wait for what it reports. */
function capturedLogger() {
  const lines: { msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as { msg: string });
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe('Dialer when Redis goes away', () => {
  it('dials nothing while Redis is down and dials requests once it is back', async () => {
    server = await startRedisServer();
    const port = server.port;
    client = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    client.on('error', () => undefined);
    fixture = new DialerFixture(client, testNamespace());
    await fixture.campaign('sales');
    const { lines, logger } = capturedLogger();
    const dialer = fixture.dialer(fixture.answering('ANSWERED'), { logger });
    dialer.start();

    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234567', id: 'before' });
    await waitFor(() => fixture?.dials.length === 1, 'the first request dialled');

    await server.stop();
    await waitFor(() => lines.some((line) => line.msg === 'dialer poll failed'), 'the dialer to notice');
    expect(fixture.dials).toHaveLength(1);

    server = await startRedisServer(port);
    await waitFor(() => client?.status === 'ready', 'the client to reconnect');
    // The restarted server is empty (no persistence in tests): the campaign comes back with the next set.
    await fixture.campaign('sales');
    await fixture.queue.enqueue({ campaign: 'sales', number: '+49301234568', id: 'after' });
    await waitFor(() => fixture?.dials.length === 2, 'the request sent after the outage dialled');
    expect(fixture.dials.map((d) => d.request.id)).toEqual(['before', 'after']);
    await waitFor(() => lines.some((line) => line.msg === 'dialer polling again'), 'the dialer to report recovery');
  });
});
