import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import { AriRest } from './ari-rest.js';
import { AriSocket } from './ari-socket.js';
import {
  applicationOf,
  channelIdOf,
  parseChannelDtmf,
  parseChannelEnded,
  parseStasisStart,
  parseUserEvent,
  playbackIdOf,
  type AriEventMap,
} from './ari-events.js';
import { isOwnAppOf, PEER_EVENTS, PeerMessenger } from './peers.js';

/**
 * How often a lost ARI is asked again whether it answers (GET /asterisk/info). A fixed
 * short interval instead of a growing backoff: a refused connection costs nothing, and
 * every second without the websocket is a second of calls taking the dialplan fallback
 * unscreened. The websocket opens within one interval of Asterisk answering again.
 */
export const ARI_PROBE_INTERVAL_MS = 250;
/** How long one probe (and one message to another instance) waits for Asterisk's answer. */
export const ARI_PROBE_TIMEOUT_MS = 1_000;
/** While ARI stays unreachable, the warning is repeated this often rather than at every probe. */
export const ARI_DOWN_LOG_INTERVAL_MS = 10_000;

/**
 * How often a standby asks whether the shared app's holder is still alive. One request
 * a second is nothing for Asterisk, and bounds the takeover after the holder dies.
 */
export const STANDBY_POLL_MS = 1_000;
/**
 * How long a standby waits for the holder's answer to its ping before it takes the app
 * over. A holder that died leaves the app registered (and Stasis() failing) for as long
 * as channels are still in it, so "the app exists" does not mean "someone holds it".
 */
export const OWNER_PING_TIMEOUT_MS = 1_500;
/**
 * How long a replaced websocket stays open after its successor registered, so events
 * Asterisk wrote to it just before (for channels of the own app) are still read.
 */
export const HANDOVER_GRACE_MS = 2_000;
/** How long a stopping instance waits for one standby to take the shared app before it tries the next. */
export const HANDOVER_WAIT_MS = 1_000;

/**
 * `standby`: the websocket is up (the own app works), but another websocket registered
 * the shared app after this one, so Asterisk sends the shared app's calls there; this
 * connection takes the app over once nobody alive holds it any more.
 */
export type ConnectionState = 'connecting' | 'connected' | 'standby' | 'reconnecting' | 'closed';

/** The ARI event types AriConnection reads (onMessage); the apps' event filter allows these only. */
export const SUBSCRIBED_EVENT_TYPES = [
  'StasisStart',
  'StasisEnd',
  'ChannelDestroyed',
  'ChannelDtmfReceived',
  'PlaybackFinished',
  'ApplicationReplaced',
  'ChannelUserevent',
] as const;

export interface AriConnectionOptions {
  url: string;
  username: string;
  password: string;
  app: string;
  /**
   * A second app only this process registers (ownAppName()). Asterisk sends an app's
   * events to the websocket that registered it last, so with several serve instances
   * sharing `app`, a channel one of them originates into `app` would report to another;
   * originated into `ownApp`, it reports back to its own process. It is also where other
   * instances reach this one (peers.ts); without it, a standby only notices a holder
   * that left no channel behind.
   */
  ownApp?: string;
  log: Logger;
}

type ConnectionEventMap = AriEventMap & { state: [state: ConnectionState] };

/**
 * The ARI websocket: connects, registers the Stasis apps, reconnects by itself within a
 * probe interval of Asterisk answering again, stands by while another instance holds
 * the shared app and takes it over when that one dies or hands it over, and re-emits
 * the few events callguard acts on in a parsed form.
 */
export class AriConnection extends EventEmitter<ConnectionEventMap> {
  private socket: AriSocket | undefined;
  /** the websocket a takeover replaces: kept open until its successor holds both apps */
  private retiring: AriSocket | undefined;
  /** websockets that received ApplicationReplaced for the shared app */
  private readonly replaced = new WeakSet<AriSocket>();
  /** for probes, pings and messages to other instances */
  private readonly control: AriRest;
  private readonly messenger: PeerMessenger | undefined;
  private standbyTimer: NodeJS.Timeout | undefined;
  private watching = 0;
  private current: ConnectionState = 'connecting';
  private closed = false;
  /** set once this instance handed the shared app over (or began to): it never takes it again */
  private yielding = false;
  private connecting = false;
  private downSince: number | undefined;
  private lastDownLog: number | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private readonly log: Logger;

  constructor(private readonly options: AriConnectionOptions) {
    super();
    this.setMaxListeners(0);
    this.log = options.log.child({ component: 'ari' });
    const { url, username, password, ownApp } = options;
    this.control = new AriRest({ url, username, password, timeoutMs: ARI_PROBE_TIMEOUT_MS });
    if (ownApp !== undefined) {
      this.messenger = new PeerMessenger(this.control, ownApp, options.log);
      // Only the shared app's holder receives pings (they are addressed to the shared app).
      this.messenger.answer(PEER_EVENTS.ping, () => (this.current === 'connected' ? {} : undefined));
      this.messenger.answer(PEER_EVENTS.takeOver, () => {
        if (this.current !== 'standby' || this.yielding || this.closed) return { accepted: 'no' };
        setImmediate(() => this.takeOver('the instance holding it asked, it is stopping'));
        return { accepted: 'yes' };
      });
    }
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** Requests to and answers for the other instances; undefined without an own app. */
  get peers(): PeerMessenger | undefined {
    return this.messenger;
  }

  /** Starts connecting in the background; watch `state` or wait with connected(). */
  start(): void {
    void this.connectUntilDone();
  }

  /**
   * Resolves once the websocket is up (now, if it already is): the apps registered, or
   * standing by for the shared one, which leaves the own app working.
   */
  connected(): Promise<void> {
    if (this.current === 'connected' || this.current === 'standby') return Promise.resolve();
    return new Promise((resolve) => {
      const onState = (state: ConnectionState): void => {
        if (state === 'connected' || state === 'standby') {
          this.off('state', onState);
          resolve();
        }
      };
      this.on('state', onState);
    });
  }

  /** The own apps of the other serve instances registered on this Asterisk (alive or not). */
  async peerApps(): Promise<string[]> {
    const { app, ownApp } = this.options;
    const response = await this.control.request('GET', '/applications');
    if (response.status !== 200 || !Array.isArray(response.body)) throw new Error(`GET /applications answered HTTP ${response.status}`);
    return response.body
      .map((entry: unknown) => (typeof entry === 'object' && entry !== null ? (entry as { name?: unknown }).name : undefined))
      .filter((name): name is string => typeof name === 'string' && name !== ownApp && isOwnAppOf(app, name));
  }

  /**
   * At the start of a shutdown: asks a standby to take the shared app now, and resolves
   * 'handed-over' once one did (Asterisk then sends new calls there). Meanwhile, and
   * when no standby takes it ('kept'), this instance keeps the app and screens the calls
   * itself; 'not-held' when it did not hold the app. From here on this connection never
   * takes the shared app again.
   */
  async handOver(): Promise<'handed-over' | 'kept' | 'not-held'> {
    this.yielding = true;
    this.stopWatching();
    const messenger = this.messenger;
    if (this.current !== 'connected') return 'not-held';
    if (!messenger) return 'kept';
    const peers = await this.peerApps().catch((error: unknown) => {
      this.log.warn({ err: error }, 'could not list the other instances; keeping the shared app');
      return [];
    });
    for (const peer of peers) {
      const replaced = this.reaches('standby', HANDOVER_WAIT_MS);
      const answer = await messenger.request(peer, PEER_EVENTS.takeOver, {}, HANDOVER_WAIT_MS).catch((error: unknown) => {
        this.log.debug({ peer, err: error }, 'take-over request not delivered');
        return undefined;
      });
      if (answer?.kind === 'answered' && answer.fields.accepted === 'yes' && (await replaced)) {
        this.log.info({ app: this.options.app, to: peer }, 'handed the shared app over to a standby');
        return 'handed-over';
      }
    }
    // Another instance may have registered the app meanwhile on its own: handed over all the same.
    return this.standingBy() ? 'handed-over' : 'kept';
  }

  private standingBy(): boolean {
    return this.current === 'standby';
  }

  /** Closes the websocket: Asterisk stops sending calls to the app. */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    this.stopWatching();
    this.retire();
    this.socket?.close();
    this.socket = undefined;
    this.control.close();
    this.setState('closed');
  }

  private async connectUntilDone(): Promise<void> {
    if (this.connecting) return;
    this.connecting = true;
    try {
      while (!this.closed) {
        try {
          await this.connectOnce();
          return;
        } catch (error) {
          if (this.closed) return;
          // A takeover that cannot reach Asterisk: the standby websocket is no help either then.
          if (this.current === 'standby') this.setState('reconnecting');
          this.reportDown(error);
          await this.sleep(ARI_PROBE_INTERVAL_MS);
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private async connectOnce(): Promise<void> {
    const { url, username, password, app, ownApp } = this.options;
    await this.probe();
    // A stopping instance that lost its websocket comes back for its own app only.
    const apps = [...(this.yielding ? [] : [app]), ...(ownApp === undefined ? [] : [ownApp])];
    const socket = await AriSocket.open(
      { url, username, password, apps },
      { message: (from, event) => this.onMessage(from, event), lost: (from, reason) => this.onLost(from, reason) },
    );
    if (this.closed) {
      socket.close();
      return;
    }
    this.socket = socket;
    this.retireAfterHandover();
    const downMs = this.downSince === undefined ? undefined : Date.now() - this.downSince;
    this.downSince = undefined;
    this.lastDownLog = undefined;
    void this.filterEvents(apps);
    if (this.replaced.has(socket)) return;
    this.log.info({ app, ownApp, url, downMs }, 'ARI connected');
    this.setState(apps.includes(app) ? 'connected' : 'standby');
  }

  /**
   * GET /asterisk/info: answers in milliseconds once Asterisk is up, and tells a refused
   * login (401) apart from an Asterisk that is not there.
   */
  private async probe(): Promise<void> {
    const response = await this.control.request('GET', '/asterisk/info');
    if (response.status === 401 || response.status === 403) {
      throw new Error(`ARI refused the login of user "${this.options.username}" (HTTP ${response.status}): check ARI_USERNAME and ARI_PASSWORD`);
    }
    if (response.status !== 200) throw new Error(`ARI answered HTTP ${response.status}: ${response.message}`);
  }

  /**
   * Asks Asterisk to send the apps only the events onMessage reads. Every variable a
   * call's ARRAY() sets, every dialplan step and state change of a channel in the app is
   * otherwise an event Asterisk writes to the websocket and serve parses to drop. Events
   * that arrive before the filter holds are dropped by onMessage as before; a filter
   * Asterisk refuses only costs those events.
   */
  private async filterEvents(apps: string[]): Promise<void> {
    const allowed = SUBSCRIBED_EVENT_TYPES.map((type) => ({ type }));
    for (const name of apps) {
      try {
        const response = await this.control.request('PUT', `/applications/${encodeURIComponent(name)}/eventFilter`, {}, { allowed, disallowed: [] });
        if (response.status !== 200) this.log.warn({ app: name, status: response.status, detail: response.message }, 'Asterisk refused the event filter: the app gets every event');
      } catch (error) {
        this.log.warn({ app: name, err: error }, 'event filter not set: the app gets every event');
      }
    }
  }

  private reportDown(error: unknown): void {
    const now = Date.now();
    this.downSince ??= now;
    const fields = { err: error, downMs: now - this.downSince, retryEveryMs: ARI_PROBE_INTERVAL_MS };
    if (this.lastDownLog !== undefined && now - this.lastDownLog < ARI_DOWN_LOG_INTERVAL_MS) {
      this.log.debug(fields, 'ARI still not reachable');
      return;
    }
    this.lastDownLog = now;
    this.log.warn(fields, 'ARI not reachable, retrying');
  }

  /** Every event type read here is in SUBSCRIBED_EVENT_TYPES, the only ones Asterisk sends. */
  private onMessage(socket: AriSocket, event: Record<string, unknown>): void {
    switch (event.type) {
      case 'StasisStart': {
        const start = parseStasisStart(event);
        if (start) this.emit('stasisStart', start);
        else this.log.warn('StasisStart without a channel id ignored');
        return;
      }
      case 'StasisEnd': {
        const channelId = channelIdOf(event);
        if (channelId) this.emit('stasisEnd', channelId);
        return;
      }
      case 'ChannelDestroyed': {
        const ended = parseChannelEnded(event);
        if (ended) this.emit('channelDestroyed', ended);
        return;
      }
      case 'ChannelDtmfReceived': {
        const dtmf = parseChannelDtmf(event);
        if (dtmf) this.emit('channelDtmf', dtmf);
        return;
      }
      case 'PlaybackFinished': {
        const playbackId = playbackIdOf(event);
        if (playbackId) this.emit('playbackFinished', playbackId);
        return;
      }
      case 'ApplicationReplaced':
        this.onApplicationReplaced(socket, applicationOf(event));
        return;
      case 'ChannelUserevent': {
        const userEvent = parseUserEvent(event);
        if (userEvent) this.messenger?.onUserEvent(userEvent);
        return;
      }
    }
  }

  private onLost(socket: AriSocket, reason: string): void {
    if (socket === this.retiring) {
      this.retiring = undefined;
      return;
    }
    if (socket !== this.socket || this.closed) return;
    this.socket = undefined;
    this.stopWatching();
    this.log.warn({ reason }, 'ARI websocket lost, reconnecting');
    this.downSince = Date.now();
    this.setState('reconnecting');
    void this.connectUntilDone();
  }

  /**
   * Another websocket registered the shared app: Asterisk now sends its calls there.
   * Standing by, this connection watches the holder and registers the app again once
   * the holder is gone; unless it is stopping, and asked for exactly this.
   */
  private onApplicationReplaced(socket: AriSocket, application: string | undefined): void {
    const { app, ownApp } = this.options;
    if (socket !== this.socket) return; // the retiring websocket handing the own app to its successor
    if (application !== app) {
      this.log.error({ application, ownApp }, "another websocket registered this process's own app");
      return;
    }
    this.replaced.add(socket);
    this.setState('standby');
    if (this.yielding) {
      this.log.info({ app }, 'another instance holds the shared app now');
      return;
    }
    this.log.warn({ app }, 'another instance registered the shared app: standing by to take it over');
    this.watchSharedApp();
  }

  private watchSharedApp(): void {
    this.stopWatching();
    this.watching += 1;
    const round = this.watching;
    const poll = async (): Promise<void> => {
      const gone = await this.holderGone().catch((error: unknown) => {
        this.log.debug({ err: error }, 'shared app check failed, asking again');
        return undefined;
      });
      if (round !== this.watching) return;
      if (gone !== undefined) {
        this.takeOver(gone);
        return;
      }
      this.standbyTimer = setTimeout(() => void poll(), STANDBY_POLL_MS);
    };
    this.standbyTimer = setTimeout(() => void poll(), STANDBY_POLL_MS);
  }

  /** Why the shared app has no live holder any more, or undefined while it has one. */
  private async holderGone(): Promise<string | undefined> {
    const { app } = this.options;
    if (!this.messenger) {
      // 404 is Asterisk's answer once the websocket that held the app closed and no channel is left in it.
      const response = await this.control.request('GET', `/applications/${encodeURIComponent(app)}`);
      return response.status === 404 ? 'the shared app has no websocket any more' : undefined;
    }
    const answer = await this.messenger.request(app, PEER_EVENTS.ping, {}, OWNER_PING_TIMEOUT_MS);
    if (answer.kind === 'gone') return 'the shared app has no websocket any more';
    if (answer.kind === 'silent') return 'the instance holding the shared app does not answer';
    return undefined;
  }

  private stopWatching(): void {
    this.watching += 1;
    if (this.standbyTimer) clearTimeout(this.standbyTimer);
    this.standbyTimer = undefined;
  }

  /**
   * Registers the shared app again on a new websocket. The standby websocket stays open
   * until the new one holds the own app too, so the own app's channels never lose their events.
   */
  private takeOver(reason: string): void {
    this.stopWatching();
    if (this.closed || this.yielding || this.current !== 'standby') return;
    this.log.info({ app: this.options.app, reason }, 'taking the shared app over');
    this.retire();
    this.retiring = this.socket;
    this.socket = undefined;
    void this.connectUntilDone();
  }

  /** The new websocket holds both apps: the one it replaces closes after a grace for events in transit. */
  private retireAfterHandover(): void {
    const old = this.retiring;
    if (!old) return;
    const timer = setTimeout(() => {
      if (this.retiring === old) this.retire();
    }, HANDOVER_GRACE_MS);
    timer.unref();
  }

  private retire(): void {
    const old = this.retiring;
    this.retiring = undefined;
    old?.close();
  }

  /** Resolves true once the state is `state`, false when `timeoutMs` passed first. */
  private reaches(state: ConnectionState, timeoutMs: number): Promise<boolean> {
    if (this.current === state) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onState = (next: ConnectionState): void => {
        if (next !== state) return;
        clearTimeout(timer);
        this.off('state', onState);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.off('state', onState);
        resolve(false);
      }, timeoutMs);
      this.on('state', onState);
    });
  }

  private setState(state: ConnectionState): void {
    if (this.current === state) return;
    if (this.current === 'closed') return;
    this.current = state;
    this.emit('state', state);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = setTimeout(resolve, ms);
    });
  }
}
