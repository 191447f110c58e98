import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { testRedis } from '../helpers/redis.js';
import { ALICE, useStore } from './fixture.js';

const LISTS = ['l1', 'l2', 'l3', 'l4', 'l5'];

interface Received {
  command: string;
  args: string[];
  source: string;
}

/** What Redis received from every client, as MONITOR reports it. */
async function watch(redis: Redis): Promise<{ monitor: Redis; received: Received[] }> {
  const monitor = await redis.monitor();
  const received: Received[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const [command = '', ...rest] = args;
    received.push({ command: command.toLowerCase(), args: rest, source });
  });
  return { monitor, received };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('check is one round trip', () => {
  const t = useStore();
  let monitorClient: Redis | undefined;
  afterEach(async () => {
    monitorClient?.disconnect();
  });

  it('checking against 5 lists sends all 5 commands in one write before reading any reply', async () => {
    for (const name of LISTS) await t.store.createList(name, ALICE);
    await t.store.add('l4', [{ member: '+49*' }], ALICE);
    // The first script call on a connection sends the script body (EVAL); measure the steady state.
    await t.store.check('+4930123456', LISTS);

    const { monitor, received } = await watch((monitorClient = testRedis()));
    const socket = t.redis.stream;
    const clientAddress = `${socket.localAddress}:${socket.localPort}`;
    // 'command': ioredis hands a command to the socket; 'batch': the socket hands bytes to
    // the OS (_write/_writev, once per write syscall); 'reply': bytes arrive from Redis.
    const events: string[] = [];
    const internals = socket as unknown as Record<'write' | '_write' | '_writev', (...args: unknown[]) => unknown>;
    const originals = { write: internals.write, _write: internals._write, _writev: internals._writev };
    for (const [name, event] of [['write', 'command'], ['_write', 'batch'], ['_writev', 'batch']] as const) {
      const original = originals[name];
      internals[name] = (...args: unknown[]) => {
        events.push(event);
        return original.apply(socket, args);
      };
    }
    const onData = () => events.push('reply');
    socket.prependListener('data', onData);

    const match = await t.store.check('+4930123456', LISTS);

    socket.removeListener('data', onData);
    Object.assign(internals, originals);
    expect(match).toMatchObject({ list: 'l4', member: '+49*' });
    const firstReply = events.indexOf('reply');
    expect(firstReply).toBeGreaterThan(0);
    expect(events.slice(0, firstReply).filter((e) => e === 'command')).toHaveLength(LISTS.length);
    expect(events.filter((e) => e === 'batch')).toHaveLength(1);
    expect(events.slice(firstReply)).not.toContain('command');
    expect(events.slice(firstReply)).not.toContain('batch');

    await t.redis.echo('end-of-check');
    await until(() => received.some((r) => r.command === 'echo' && r.source === clientAddress));
    const fromStore = received.filter((r) => r.source === clientAddress && r.command !== 'echo');
    expect(fromStore.map((r) => r.command)).toEqual(LISTS.map(() => 'evalsha'));
    expect(fromStore.map((r) => r.args[2])).toEqual(LISTS.map((name) => listKeys(t.namespace, name).info));
    monitor.disconnect();
  });
});
