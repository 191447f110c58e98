import { describe, expect, it } from 'vitest';
import type { AriResponse, Query } from '../../src/calls/ari-rest.js';
import { isOwnAppOf, ownAppName, PEER_EVENTS, PeerMessenger, type UserEventSender } from '../../src/calls/peers.js';
import { capturedLogger } from '../helpers/log-capture.js';

/**
 * Asterisk as user events see it: an event for an app goes to the messenger holding it
 * (404 when none does). A registered app without a live messenger swallows what it gets.
 */
function fakeAsterisk() {
  const holders = new Map<string, PeerMessenger | undefined>();
  const sender: UserEventSender = {
    async request(_method: string, path: string, query: Query = {}, body?: unknown): Promise<AriResponse> {
      const app = String(query.application);
      if (!holders.has(app)) return { status: 404, message: 'Application not found', body: undefined };
      const name = decodeURIComponent(path.replace('/events/user/', ''));
      const fields = (body as { variables: Record<string, string> }).variables;
      const holder = holders.get(app);
      // Asterisk answers the POST before it writes the event to the websocket.
      setImmediate(() => holder?.onUserEvent({ name, fields: { ...fields, eventname: name } }));
      return { status: 204, message: '', body: undefined };
    },
  };
  return { sender, holders };
}

describe('messages between serve instances', () => {
  it('an own app name is recognised as one, other names are not', () => {
    const name = ownAppName('callguard');
    expect(isOwnAppOf('callguard', name)).toBe(true);
    expect(isOwnAppOf('callguard', 'callguard')).toBe(false);
    expect(isOwnAppOf('callguard', 'callguard-sales')).toBe(false);
    expect(isOwnAppOf('other', name)).toBe(false);
  });

  it('a request is answered by the handler of the instance holding the app it names', async () => {
    const { sender, holders } = fakeAsterisk();
    const { log } = capturedLogger();
    const asking = new PeerMessenger(sender, 'callguard-aaaaaaaa', log);
    const asked = new PeerMessenger(sender, 'callguard-bbbbbbbb', log);
    holders.set('callguard-aaaaaaaa', asking);
    holders.set('callguard-bbbbbbbb', asked);
    asked.answer(PEER_EVENTS.census, (fields) => ({ channels: (fields.channels ?? '').split(',').filter((id) => id.startsWith('b')).join(',') }));
    const answer = await asking.request('callguard-bbbbbbbb', PEER_EVENTS.census, { channels: 'a1,b1,b2' }, 1_000);
    expect(answer).toMatchObject({ kind: 'answered', fields: { channels: 'b1,b2' } });
  });

  it('an app nobody registered is gone; a registered one nobody answers for is silent after the timeout', async () => {
    const { sender, holders } = fakeAsterisk();
    const { log } = capturedLogger();
    const asking = new PeerMessenger(sender, 'callguard-aaaaaaaa', log);
    holders.set('callguard-aaaaaaaa', asking);
    holders.set('callguard', undefined);
    expect(await asking.request('callguard-cccccccc', PEER_EVENTS.ping, {}, 1_000)).toEqual({ kind: 'gone' });
    expect(await asking.request('callguard', PEER_EVENTS.ping, {}, 20)).toEqual({ kind: 'silent' });
  });

  it('a handler that has no answer sends none, and the asker hears silence', async () => {
    const { sender, holders } = fakeAsterisk();
    const { log } = capturedLogger();
    const asking = new PeerMessenger(sender, 'callguard-aaaaaaaa', log);
    const standby = new PeerMessenger(sender, 'callguard-bbbbbbbb', log);
    holders.set('callguard-aaaaaaaa', asking);
    holders.set('callguard', standby);
    standby.answer(PEER_EVENTS.ping, () => undefined);
    expect(await asking.request('callguard', PEER_EVENTS.ping, {}, 50)).toEqual({ kind: 'silent' });
  });
});
