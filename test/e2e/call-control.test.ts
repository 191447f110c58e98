import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AriCallControl } from '../../src/calls/ari-call-control.js';
import { AriConnection } from '../../src/calls/ari-connection.js';
import type { StasisStart } from '../../src/calls/ari-events.js';
import { AriRest } from '../../src/calls/ari-rest.js';
import { createLogger } from '../../src/log.js';
import { callControlContract } from '../calls/call-control-contract.js';
import { e2eAvailability, useAsterisk } from '../helpers/asterisk.js';
import { placeCall } from '../helpers/sipp.js';

const availability = await e2eAvailability();
const APP = 'callguard';
const DIALLED = '+4930555000';

/** The events websocket (not started) and the REST client of the app on a sandbox Asterisk. */
function ariClientsOf(asterisk: { ariUrl: string; ariUser: string; ariPassword: string }): { connection: AriConnection; rest: AriRest } {
  const login = { url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword };
  return { connection: new AriConnection({ ...login, app: APP, log: createLogger({ level: 'silent' }) }), rest: new AriRest(login) };
}

/**
 * The contract the fake follows, against real Asterisk and real SIP calls: each channel
 * is a sipp call through the shipped dialplan into Stasis(callguard,inbound,contract).
 * The far end hangs up through the Asterisk CLI (`channel request hangup`), or through
 * ARI for an Asterisk without CLI access. Continued channels park in a context added
 * at run time (Answer, Wait), since the shipped queue has no members and ends at once.
 */
describe.skipIf(!availability.run)('real Asterisk', () => {
  callControlContract('ari-client over real Asterisk', async () => {
    const asterisk = await useAsterisk();
    const { connection, rest } = ariClientsOf(asterisk);
    connection.start();
    await connection.connected();
    const calls = new AriCallControl({ rest, events: connection });
    const placed: Promise<unknown>[] = [];
    let parking = { context: 'announcements', extension: 'blocked', priority: 1 };
    // Without CLI access the shipped queue is what answers an originate.
    let answeringEndpoint = 'Local/support@queues';
    let unansweredEndpoint: string | undefined;
    if (asterisk.cli) {
      await asterisk.cli('dialplan add extension park,1,Answer, into cg-contract');
      await asterisk.cli('dialplan add extension park,2,Wait,60 into cg-contract');
      await asterisk.cli('dialplan add extension ring,1,Ringing, into cg-contract');
      await asterisk.cli('dialplan add extension ring,2,Wait,60 into cg-contract');
      parking = { context: 'cg-contract', extension: 'park', priority: 1 };
      answeringEndpoint = 'Local/park@cg-contract';
      unansweredEndpoint = 'Local/ring@cg-contract';
    }

    const stasisStartFrom = (number: string): Promise<string> =>
      new Promise((resolve) => {
        const listener = (event: StasisStart): void => {
          if (event.callerNumber !== number) return;
          connection.off('stasisStart', listener);
          resolve(event.channelId);
        };
        connection.on('stasisStart', listener);
      });
    const stasisEnd = (channelId: string): Promise<void> =>
      new Promise((resolve) => {
        const listener = (id: string): void => {
          if (id !== channelId) return;
          connection.off('stasisEnd', listener);
          resolve();
        };
        connection.on('stasisEnd', listener);
      });

    return {
      calls,
      async newChannel() {
        const from = `+49301${String(randomInt(1_000_000, 9_999_999))}`;
        const started = stasisStartFrom(from);
        placed.push(
          placeCall({ from, to: DIALLED, route: 'contract', target: asterisk.sipTarget }).catch((error: unknown) => error),
        );
        return started;
      },
      leftStasis: stasisEnd,
      async farEndHangup(channelId) {
        const ended = stasisEnd(channelId);
        if (asterisk.cli) {
          const channel = await rest.request('GET', `/channels/${encodeURIComponent(channelId)}`);
          const name = (channel.body as { name?: string } | undefined)?.name;
          if (name) await asterisk.cli(`channel request hangup ${name}`);
        } else {
          await rest.request('DELETE', `/channels/${encodeURIComponent(channelId)}`);
        }
        await ended;
      },
      shortMedia: 'sound:beep',
      longMedia: 'sound:silence/10',
      parking,
      events: connection,
      answeringEndpoint,
      ...(unansweredEndpoint === undefined ? {} : { unansweredEndpoint }),
      refusedEndpoint: 'PJSIP/+4930123456@no-such-endpoint',
      async close() {
        await Promise.all(placed);
        connection.close();
        rest.close();
        await asterisk.stop();
      },
    };
  });
});

describe.skipIf(!availability.run)("the shipped ari.conf's channelvars", () => {
  it("puts the caller's presentation in StasisStart, so a Stasis() line without the third argument costs no request", async () => {
    const asterisk = await useAsterisk();
    const { connection, rest } = ariClientsOf(asterisk);
    try {
      connection.start();
      await connection.connected();
      const from = `+49301${String(randomInt(1_000_000, 9_999_999))}`;
      const started = new Promise<StasisStart>((resolve) => {
        connection.on('stasisStart', (event) => {
          if (event.callerNumber === from) resolve(event);
        });
      });
      const placed = placeCall({ from, to: DIALLED, route: 'contract', target: asterisk.sipTarget }).catch((error: unknown) => error);
      const event = await started;
      expect(event.presentation).toBe('allowed_not_screened');
      await rest.request('DELETE', `/channels/${encodeURIComponent(event.channelId)}`);
      await placed;
    } finally {
      connection.close();
      rest.close();
      await asterisk.stop();
    }
  });
});

describe.skipIf(!availability.run)('requests about one channel, sent without waiting for each answer', () => {
  it('reach Asterisk in the order made: the dialplan a call is continued in reads the variables set just before', async (context) => {
    const asterisk = await useAsterisk();
    const { connection, rest } = ariClientsOf(asterisk);
    const calls = new AriCallControl({ rest, events: connection });
    const placed: Promise<unknown>[] = [];
    try {
      // The dialplan this needs is added at run time.
      const cli = asterisk.cli;
      if (!cli) return context.skip();
      // Back in Stasis with what the dialplan reads: the variables it was continued with.
      await cli('dialplan add extension seen,1,Stasis(callguard,seen,${CALLGUARD_VERDICT},${CALLGUARD_LIST}) into cg-order');
      connection.start();
      await connection.connected();
      const firstEntries = new Map<string, (channelId: string) => void>();
      const seen = new Map<string, (args: string[]) => void>();
      connection.on('stasisStart', (event) => {
        if (event.args[0] === 'seen') seen.get(event.channelId)?.(event.args.slice(1));
        else firstEntries.get(event.callerNumber)?.(event.channelId);
      });
      // Several calls at once, so their requests share and cross the connections.
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, async (_, index) => {
          const from = `+49301${String(randomInt(1_000_000, 9_999_999))}`;
          const entered = new Promise<string>((resolve) => firstEntries.set(from, resolve));
          placed.push(placeCall({ from, to: DIALLED, route: 'contract', target: asterisk.sipTarget }).catch((error: unknown) => error));
          const channelId = await entered;
          const read = new Promise<string[]>((resolve) => seen.set(channelId, resolve));
          const list = `list-${index}`;
          const [set, continued] = await Promise.all([
            calls.setVariables(channelId, { CALLGUARD_VERDICT: 'blocked', CALLGUARD_LIST: list }),
            calls.continueInDialplan(channelId, { context: 'cg-order', extension: 'seen', priority: 1 }),
          ]);
          const args = await read;
          await calls.hangup(channelId, 16);
          return { set, continued, args, list };
        }),
      );
      for (const outcome of outcomes) {
        expect(outcome).toEqual({ set: { ok: true }, continued: { ok: true }, args: ['blocked', outcome.list], list: outcome.list });
      }
    } finally {
      await Promise.all(placed);
      connection.close();
      rest.close();
      await asterisk.stop();
    }
  });
});
