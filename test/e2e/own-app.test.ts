import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriCallControl } from '../../src/calls/ari-call-control.js';
import { AriConnection, SUBSCRIBED_EVENT_TYPES } from '../../src/calls/ari-connection.js';
import type { StasisStart } from '../../src/calls/ari-events.js';
import { AriRest } from '../../src/calls/ari-rest.js';
import { createLogger } from '../../src/log.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';

const availability = await e2eAvailability();
const APP = 'callguard';

/**
 * Two callguard processes on one Asterisk, both registering the dialplan's app. Asterisk
 * sends an app's events to the websocket that registered it last, so what one process
 * originates must enter an app of its own to report back to it.
 */
describe.skipIf(!availability.run)('channels a process originates report back to it', () => {
  let asterisk: E2eAsterisk;
  let rest: AriRest;
  const connections: AriConnection[] = [];
  const endpoint = 'Local/park@cg-own-app';

  function connect(ownApp: string): AriConnection {
    const connection = new AriConnection({
      url: asterisk.ariUrl,
      username: asterisk.ariUser,
      password: asterisk.ariPassword,
      app: APP,
      ownApp,
      log: createLogger({ level: 'silent' }),
    });
    connections.push(connection);
    return connection;
  }

  /** Which of the connections gets the StasisStart of `channelId` first. */
  function firstToSee(channelId: string): Promise<number> {
    return new Promise((resolve) => {
      connections.forEach((connection, index) => {
        const listener = (event: StasisStart): void => {
          if (event.channelId !== channelId) return;
          connection.off('stasisStart', listener);
          resolve(index);
        };
        connection.on('stasisStart', listener);
      });
    });
  }

  beforeAll(async () => {
    asterisk = await useAsterisk();
    if (!asterisk.cli) throw new Error('this test adds a dialplan context through the Asterisk CLI (sandbox only)');
    await asterisk.cli('dialplan add extension park,1,Answer, into cg-own-app');
    await asterisk.cli('dialplan add extension park,2,Wait,5 into cg-own-app');
    rest = new AriRest({ url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword });
    // The first registers before the second, as two serve instances started one after the other.
    const first = connect('callguard-first');
    first.start();
    await first.connected();
    const second = connect('callguard-second');
    second.start();
    await second.connected();
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const connection of connections) connection.close();
    rest?.close();
    await asterisk?.stop();
  });

  it('a channel originated into the shared app reports to the process that registered it last', async () => {
    const channelId = randomUUID();
    const seen = firstToSee(channelId);
    const calls = new AriCallControl({ rest, events: connections[0] as AriConnection, app: APP });
    expect(await calls.originate({ channelId, endpoint, timeoutSeconds: 5, appArgs: ['dialer', 'r'] })).toEqual({ ok: true, channelId });
    expect(await seen).toBe(1);
    await calls.hangup(channelId, 16);
  });

  it('a channel originated into its own app reports to the process that originated it', async () => {
    const channelId = randomUUID();
    const seen = firstToSee(channelId);
    const calls = new AriCallControl({ rest, events: connections[0] as AriConnection, app: 'callguard-first' });
    expect(await calls.originate({ channelId, endpoint, timeoutSeconds: 5, appArgs: ['dialer', 'r'] })).toEqual({ ok: true, channelId });
    expect(await seen).toBe(0);
    await calls.hangup(channelId, 16);
  });

  it('the apps are sent only the event types callguard reads (no ChannelVarset for every variable a call sets)', async () => {
    const allowedTypes = async (app: string): Promise<string[]> => {
      const response = await rest.request('GET', `/applications/${app}`);
      const allowed = (response.body as { events_allowed?: { type: string }[] }).events_allowed ?? [];
      return allowed.map((event) => event.type).sort();
    };
    for (const app of [APP, 'callguard-first', 'callguard-second']) {
      await expect.poll(() => allowedTypes(app)).toEqual([...SUBSCRIBED_EVENT_TYPES].sort());
    }
  });

  it('once the process holding the shared app closes, the standby takes it over and keeps its own app', async () => {
    const [first, second] = connections as [AriConnection, AriConnection];
    await expect.poll(() => first.state).toBe('standby');
    second.close();
    try {
      await expect.poll(() => first.state, { timeout: 10_000 }).toBe('connected');
      for (const app of [APP, 'callguard-first']) {
        const channelId = randomUUID();
        const seen = firstToSee(channelId);
        const calls = new AriCallControl({ rest, events: first, app });
        expect(await calls.originate({ channelId, endpoint, timeoutSeconds: 5, appArgs: ['dialer', 'r'] })).toEqual({ ok: true, channelId });
        expect(await seen).toBe(0);
        await calls.hangup(channelId, 16);
      }
    } finally {
      // The tests after this one, in any order, count on a second process registered last.
      const again = connect('callguard-second');
      connections.splice(connections.indexOf(second), 1);
      again.start();
      await again.connected();
      await expect.poll(() => first.state, { timeout: 10_000 }).toBe('standby');
    }
  });
});
