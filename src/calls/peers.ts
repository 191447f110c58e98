import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import type { AriRest } from './ari-rest.js';

/** The one request a messenger makes: POST /events/user/{name}. */
export type UserEventSender = Pick<AriRest, 'request'>;
import type { UserEvent } from './ari-events.js';

/**
 * serve instances sharing one Asterisk talk to each other through it, with ARI user
 * events (POST /events/user/{name}?application=...): Asterisk hands such an event to the
 * websocket that holds the named app, and answers 404 when no websocket registered it.
 * Each instance has an app of its own (`<app>-<8 hex digits>`, see ownAppName), so a
 * request can name its receiver, and the shared app's holder can be asked too.
 *
 * Why Asterisk and not Redis: what the messages settle (who holds the shared app, which
 * channels a live instance handles) is ARI state, and it must keep working while Redis
 * is down. An instance that does not answer within the timeout counts as gone.
 */
export const PEER_EVENTS = {
  /** to the shared app: is its holder alive? (a dead holder's app lingers while channels are in it) */
  ping: 'callguard-ping',
  /** to an instance's own app: which of these channels do you handle? */
  census: 'callguard-census',
  /** to a standby's own app: take the shared app now (the sender stops) */
  takeOver: 'callguard-take-over',
} as const;
export type PeerEventName = (typeof PEER_EVENTS)[keyof typeof PEER_EVENTS];

const REPLY_SUFFIX = '-reply';

export type PeerFields = Record<string, string>;
/** Answers a request; undefined: no answer (the sender's timeout then speaks). */
export type PeerHandler = (fields: PeerFields) => PeerFields | undefined;

export type PeerAnswer =
  | { kind: 'answered'; fields: PeerFields }
  /** nobody answered within the timeout: the receiving app has no live websocket */
  | { kind: 'silent' }
  /** Asterisk has no such app (404) */
  | { kind: 'gone' };

/** The own app of one serve process: `<app>-<8 hex digits>`. */
export function ownAppName(app: string): string {
  return `${app}-${randomBytes(4).toString('hex')}`;
}

/** Whether `name` is the own app of some serve instance sharing `app`. */
export function isOwnAppOf(app: string, name: string): boolean {
  return name.length === app.length + 9 && name.startsWith(`${app}-`) && /^[0-9a-f]{8}$/.test(name.slice(app.length + 1));
}

/** Requests to other instances and answers to theirs, over ARI user events. */
export class PeerMessenger {
  private readonly pending = new Map<string, (fields: PeerFields) => void>();
  private readonly handlers = new Map<string, PeerHandler>();
  private sent = 0;
  private readonly log: Logger;

  constructor(
    private readonly rest: UserEventSender,
    private readonly ownApp: string,
    log: Logger,
  ) {
    this.log = log.child({ component: 'peers' });
  }

  /** Registers the answer to one kind of request (the last registered wins). */
  answer(name: PeerEventName, handler: PeerHandler): void {
    this.handlers.set(name, handler);
  }

  /**
   * Sends a request to the websocket holding `toApp` and waits up to `timeoutMs` for
   * its answer. Rejects when Asterisk cannot be reached or refuses otherwise than 404.
   */
  async request(toApp: string, name: PeerEventName, fields: PeerFields, timeoutMs: number): Promise<PeerAnswer> {
    this.sent += 1;
    const id = `${this.ownApp}.${this.sent}`;
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<PeerAnswer>((resolve) => {
      this.pending.set(id, (reply) => resolve({ kind: 'answered', fields: reply }));
      timer = setTimeout(() => resolve({ kind: 'silent' }), timeoutMs);
    });
    try {
      const sent = await this.send(toApp, name, { ...fields, from: this.ownApp, id });
      if (sent === 'gone') return { kind: 'gone' };
      return await answered;
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  /** A user event from this process's websocket: an answer to one of our requests, or a request. */
  onUserEvent(event: UserEvent): void {
    const { name, fields } = event;
    const { id, from } = fields;
    if (id === undefined) return;
    if (name.endsWith(REPLY_SUFFIX)) {
      this.pending.get(id)?.(fields);
      return;
    }
    const handler = this.handlers.get(name);
    if (!handler || from === undefined) return;
    const reply = handler(fields);
    if (reply === undefined) return;
    void this.send(from, `${name}${REPLY_SUFFIX}`, { ...reply, id }).catch((error: unknown) => {
      this.log.debug({ to: from, event: name, err: error }, 'answer to an instance not delivered');
    });
  }

  private async send(toApp: string, name: string, fields: PeerFields): Promise<'sent' | 'gone'> {
    const response = await this.rest.request('POST', `/events/user/${encodeURIComponent(name)}`, { application: toApp }, { variables: fields });
    if (response.status === 404) return 'gone';
    if (response.status < 200 || response.status >= 300) {
      throw new Error(`user event ${name} to ${toApp}: HTTP ${response.status} ${response.message}`);
    }
    return 'sent';
  }
}
