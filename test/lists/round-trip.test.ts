import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { ListStore, type CheckMode } from '../../src/lists/store.js';
import type { Match } from '../../src/lists/types.js';
import { testRedis } from '../helpers/redis.js';
import { ALICE, useStore, type StoreFixture } from './fixture.js';
import { until } from '../helpers/until.js';

const LISTS = ['l1', 'l2', 'l3', 'l4', 'l5'];

interface Received {
  command: string;
  args: string[];
  source: string;
}

interface Observed {
  match: Match | null;
  /**
   * In order: 'command' when ioredis hands a command to the socket, 'batch' when the
   * socket hands bytes to the OS (_write/_writev, once per write syscall), 'reply' when
   * bytes arrive from Redis.
   */
  events: string[];
  /** what Redis received from the store's connection during the check, as MONITOR reports it */
  received: Received[];
}

/** One check of a number against LISTS (l4 holds `+49*`), watched from both ends. */
async function observeCheck(t: StoreFixture, monitorClient: Redis): Promise<Observed> {
  for (const name of LISTS) await t.store.createList(name, ALICE);
  await t.store.add('l4', [{ member: '+49*' }], ALICE);
  // The first script call on a connection sends the script body (EVAL); measure the steady state.
  await t.store.check('+4930123456', LISTS);

  const monitor = await monitorClient.monitor();
  const all: Received[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const [command = '', ...rest] = args;
    all.push({ command: command.toLowerCase(), args: rest, source });
  });
  const socket = t.redis.stream;
  const clientAddress = `${socket.localAddress}:${socket.localPort}`;
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
  await t.redis.echo('end-of-check');
  await until(() => all.some((r) => r.command === 'echo' && r.source === clientAddress), 'MONITOR to report the echo', { pollMs: 0 });
  monitor.disconnect();
  const received = all.filter((r) => r.source === clientAddress && r.command !== 'echo');
  return { match, events, received };
}

function commandsBeforeFirstReply(events: string[]): string[] {
  const firstReply = events.indexOf('reply');
  expect(firstReply).toBeGreaterThan(0);
  expect(events.slice(firstReply)).not.toContain('command');
  expect(events.slice(firstReply)).not.toContain('batch');
  return events.slice(0, firstReply).filter((e) => e === 'command');
}

describe('check is one round trip', () => {
  let monitorClient: Redis | undefined;
  afterEach(() => {
    monitorClient?.disconnect();
  });

  describe('one-call (standalone Redis)', () => {
    const t = useStore({ checkMode: 'one-call' });

    it('a store on a standalone Redis checks in one call unless told otherwise', () => {
      expect(t.redis.isCluster).toBe(false);
      expect(new ListStore(t.redis, t.namespace).checkMode).toBe<CheckMode>('one-call');
    });

    it('checking against 5 lists sends ONE script call with the 5 keys of each list, in one write', async () => {
      const { match, events, received } = await observeCheck(t, (monitorClient = testRedis()));
      expect(match).toMatchObject({ list: 'l4', member: '+49*' });
      expect(commandsBeforeFirstReply(events)).toHaveLength(1);
      expect(events.filter((e) => e === 'batch')).toHaveLength(1);
      expect(received.map((r) => r.command)).toEqual(['evalsha']);
      const [call] = received;
      expect(call?.args[1]).toBe(String(5 * LISTS.length));
      expect(call?.args.slice(2, 2 + 5 * LISTS.length)).toEqual(
        LISTS.flatMap((name) => {
          const keys = listKeys(t.namespace, name);
          return [keys.info, keys.exact, keys.timed, keys.meta, keys.dense];
        }),
      );
    });
  });

  describe('per-list (Redis Cluster: a slot a list)', () => {
    const t = useStore({ checkMode: 'per-list' });

    it('checking against 5 lists sends all 5 commands in one write before reading any reply', async () => {
      const { match, events, received } = await observeCheck(t, (monitorClient = testRedis()));
      expect(match).toMatchObject({ list: 'l4', member: '+49*' });
      expect(commandsBeforeFirstReply(events)).toHaveLength(LISTS.length);
      expect(events.filter((e) => e === 'batch')).toHaveLength(1);
      expect(received.map((r) => r.command)).toEqual(LISTS.map(() => 'evalsha'));
      expect(received.map((r) => r.args[1])).toEqual(LISTS.map(() => '5'));
      expect(received.map((r) => r.args[2])).toEqual(LISTS.map((name) => listKeys(t.namespace, name).info));
    });
  });
});
