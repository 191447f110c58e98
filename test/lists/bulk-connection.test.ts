import { describe, expect, it } from 'vitest';
import { bulkConnectionOf } from '../../src/lists/bulk-connection.js';
import { ALICE, useStore } from './fixture.js';

const CLIENT_ID = Buffer.from('*2\r\n$6\r\nCLIENT\r\n$2\r\nID\r\n', 'latin1');
/** A request Redis answers only after the connection is killed: the batch read queued behind it is in flight when it dies. */
const blockingPop = (key: string): Buffer => Buffer.from(`*3\r\n$5\r\nBLPOP\r\n$${key.length}\r\n${key}\r\n$1\r\n0\r\n`, 'latin1');

async function connectionIds(redis: { client: (subcommand: 'LIST') => Promise<unknown> }): Promise<number[]> {
  return String(await redis.client('LIST'))
    .split('\n')
    .map((line) => Number(/(?:^| )id=(\d+)/.exec(line)?.[1]))
    .filter((id) => Number.isInteger(id));
}

describe('the connection of the scrub’s batch reads', () => {
  const t = useStore();

  it('a batch read in flight when its connection is killed fails instead of answering "not listed", and the next batch reads on a new connection', async () => {
    const listed = '+12015550123';
    await t.store.createList('own', ALICE);
    await t.store.add('own', [{ member: listed }], ALICE);
    expect(await t.store.checkMany([listed], ['own'])).toEqual([{ list: 'own', member: listed }]);
    const connection = await bulkConnectionOf(t.redis);
    const [id] = await connection.send([CLIENT_ID], 1);
    const waiting = connection.send([blockingPop(`${t.namespace}:never`)], 1);
    waiting.catch(() => undefined);
    const inFlight = t.store.checkMany([listed], ['own']);
    inFlight.catch(() => undefined);
    await t.redis.client('KILL', 'ID', String(id));
    await expect(waiting).rejects.toThrow(/closed/);
    await expect(inFlight).rejects.toThrow(/closed/);
    expect(await t.store.checkMany([listed], ['own'])).toEqual([{ list: 'own', member: listed }]);
    expect(await bulkConnectionOf(t.redis)).not.toBe(connection);
  });

  it('fails a batch read that gets no answer within the client\'s command timeout, rather than waiting for ever', async () => {
    const client = t.redis.duplicate({ commandTimeout: 200 });
    try {
      const connection = await bulkConnectionOf(client);
      await expect(connection.send([blockingPop(`${t.namespace}:never`)], 1)).rejects.toThrow(/got no answer in 200 ms/);
      expect(connection.failed).toBe(true);
    } finally {
      await client.quit();
    }
  });

  it('is closed when its client ends, so no connection is left open', async () => {
    const client = t.redis.duplicate();
    const connection = await bulkConnectionOf(client);
    const [id] = await connection.send([CLIENT_ID], 1);
    expect(await connectionIds(t.redis)).toContain(id);
    await client.quit();
    for (let tries = 0; (await connectionIds(t.redis)).includes(id as number); tries += 1) {
      expect(tries).toBeLessThan(100);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(connection.failed).toBe(true);
  });
});
