import { EventEmitter } from 'node:events';
import { format } from 'node:util';
import ari, { type Client } from 'ari-client';
import type { Logger } from '../log.js';
import { AriRest } from './ari-rest.js';
import { applicationOf, channelIdOf, parseChannelEnded, parseStasisStart, playbackIdOf, type AriEventMap } from './ari-events.js';

/**
 * First and longest wait between two attempts to reach ARI from scratch. ari-client
 * reconnects a dropped websocket itself, but gives up after 10 tries (about 45 s,
 * backoff-func's default) and cannot load the API while Asterisk is down; this loop
 * takes over then, and never gives up.
 */
export const ARI_RETRY_MIN_MS = 500;
export const ARI_RETRY_MAX_MS = 10_000;

/**
 * How often a standby asks Asterisk whether the shared app still has an owner. One GET
 * a second is nothing for Asterisk, and bounds the takeover after the owner stops.
 */
export const STANDBY_POLL_MS = 1_000;
/**
 * How long a replaced websocket stays open after its successor registered, so events
 * Asterisk wrote to it just before (for channels of the own app) are still read.
 */
export const HANDOVER_GRACE_MS = 2_000;

/**
 * `standby`: the websocket is up (the own app works), but another websocket registered
 * the shared app after this one, so Asterisk sends the shared app's calls there; this
 * connection takes the app over once nobody holds it any more.
 */
export type ConnectionState = 'connecting' | 'connected' | 'standby' | 'reconnecting' | 'closed';

export interface AriConnectionOptions {
  url: string;
  username: string;
  password: string;
  app: string;
  /**
   * A second app only this process registers. Asterisk sends an app's events to the
   * websocket that registered it last, so with several serve instances sharing `app`,
   * a channel one of them originates into `app` would report to another; originated
   * into `ownApp`, it reports back to its own process.
   */
  ownApp?: string;
  log: Logger;
}

type ConnectionEventMap = AriEventMap & { state: [state: ConnectionState] };

/**
 * The ARI websocket: connects, registers the Stasis app, reconnects by itself, and
 * re-emits the few events callguard acts on in a parsed form.
 */
export class AriConnection extends EventEmitter<ConnectionEventMap> {
  private client: Client | undefined;
  /** the websocket a takeover replaces: kept open until its successor holds both apps */
  private retiring: Client | undefined;
  /** clients that received ApplicationReplaced for the shared app */
  private readonly replaced = new WeakSet<Client>();
  private standbyTimer: NodeJS.Timeout | undefined;
  private standbyRest: AriRest | undefined;
  /** clients whose websocket opened once: from then on ari-client reconnects them */
  private readonly opened = new WeakSet<Client>();
  private current: ConnectionState = 'connecting';
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private readonly log: Logger;

  constructor(private readonly options: AriConnectionOptions) {
    super();
    this.setMaxListeners(0);
    this.log = options.log.child({ component: 'ari' });
  }

  get state(): ConnectionState {
    return this.current;
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

  /** Closes the websocket: Asterisk stops sending calls to the app. */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    this.stopWatching();
    this.retire();
    this.dropClient();
    this.setState('closed');
  }

  private async connectUntilDone(): Promise<void> {
    let delay = ARI_RETRY_MIN_MS;
    while (!this.closed) {
      try {
        await this.connectOnce();
        return;
      } catch (error) {
        this.dropClient();
        if (this.closed) return;
        // A takeover that cannot reach Asterisk: the standby websocket is no help either then.
        if (this.current === 'standby') this.setState('reconnecting');
        this.log.warn({ error: this.describe(error), retryInMs: delay }, 'ARI not reachable, retrying');
        await this.sleep(delay);
        delay = Math.min(delay * 2, ARI_RETRY_MAX_MS);
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const { url, username, password, app } = this.options;
    await this.checkLogin();
    const client = await this.quietly(() => ari.connect(url, username, password));
    if (this.closed) {
      return;
    }
    this.client = client;
    this.wire(client);
    const { ownApp } = this.options;
    await client.start(ownApp === undefined ? app : [app, ownApp]);
    this.opened.add(client);
    if (this.closed) {
      this.dropClient();
      return;
    }
    this.retireAfterHandover();
    if (this.replaced.has(client)) return;
    this.log.info({ app, ownApp, url }, 'ARI connected');
    this.setState('connected');
  }

  /**
   * Another websocket registered the shared app: Asterisk now sends its calls there, and
   * drops the app for everyone when that websocket closes. Standing by, this connection
   * watches for that moment and registers the app again.
   */
  private onApplicationReplaced(client: Client, application: string | undefined): void {
    const { app, ownApp } = this.options;
    if (client !== this.client) return; // the retiring websocket handing the own app to its successor
    if (application !== app) {
      this.log.error({ application, ownApp }, 'another websocket registered this process\'s own app');
      return;
    }
    this.replaced.add(client);
    this.log.warn({ app }, 'another instance registered the shared app: standing by to take it over');
    this.setState('standby');
    this.watchSharedApp();
  }

  private watchSharedApp(): void {
    this.stopWatching();
    const { url, username, password, app } = this.options;
    const rest = new AriRest({ url, username, password });
    this.standbyRest = rest;
    const poll = async (): Promise<void> => {
      const response = await rest.request('GET', `/applications/${encodeURIComponent(app)}`).catch((error: unknown) => {
        this.log.debug({ error: this.describe(error) }, 'shared app check failed, asking again');
        return undefined;
      });
      if (this.standbyRest !== rest) return;
      // 404 is Asterisk's answer once the websocket that held the app closed (measured on Asterisk 22).
      if (response?.status === 404) {
        this.takeOver();
        return;
      }
      this.standbyTimer = setTimeout(() => void poll(), STANDBY_POLL_MS);
    };
    this.standbyTimer = setTimeout(() => void poll(), STANDBY_POLL_MS);
  }

  private stopWatching(): void {
    if (this.standbyTimer) clearTimeout(this.standbyTimer);
    this.standbyTimer = undefined;
    this.standbyRest?.close();
    this.standbyRest = undefined;
  }

  /**
   * Registers the shared app again on a new websocket. The standby websocket stays open
   * until the new one holds the own app too, so the own app's channels never lose their events.
   */
  private takeOver(): void {
    this.stopWatching();
    if (this.closed || this.current !== 'standby') return;
    this.log.info({ app: this.options.app }, 'the shared app has no websocket any more: taking it over');
    this.retire();
    this.retiring = this.client;
    this.client = undefined;
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
    if (old) this.stopClient(old);
  }

  /**
   * Asks Asterisk once with plain HTTP before ari-client does: swagger-client (inside
   * ari-client) throws a string from an HTTP callback when the API description answers
   * an error such as 401, which no caller can catch and which ends the process.
   */
  private async checkLogin(): Promise<void> {
    const { url, username, password } = this.options;
    const rest = new AriRest({ url, username, password });
    const response = await rest.request('GET', '/asterisk/info').finally(() => rest.close());
    if (response.status === 401 || response.status === 403) {
      throw new Error(`ARI refused the login of user "${username}" (HTTP ${response.status}): check ARI_USERNAME and ARI_PASSWORD`);
    }
    if (response.status !== 200) throw new Error(`ARI answered HTTP ${response.status}: ${response.message}`);
  }

  private wire(client: Client): void {
    client.on('StasisStart', (raw: unknown) => {
      const event = parseStasisStart(raw);
      if (event) this.emit('stasisStart', event);
      else this.log.warn('StasisStart without a channel id ignored');
    });
    client.on('StasisEnd', (raw: unknown) => {
      const channelId = channelIdOf(raw);
      if (channelId) this.emit('stasisEnd', channelId);
    });
    client.on('ChannelDestroyed', (raw: unknown) => {
      const event = parseChannelEnded(raw);
      if (event) this.emit('channelDestroyed', event);
    });
    client.on('ChannelHangupRequest', (raw: unknown) => {
      const event = parseChannelEnded(raw);
      if (event) this.emit('channelHangupRequest', event);
    });
    client.on('PlaybackFinished', (raw: unknown) => {
      const playbackId = playbackIdOf(raw);
      if (playbackId) this.emit('playbackFinished', playbackId);
    });
    client.on('ApplicationReplaced', (raw: unknown) => this.onApplicationReplaced(client, applicationOf(raw)));
    client.on('WebSocketConnected', () => {
      if (client !== this.client) return;
      // Reconnected, ari-client registers both apps again: a standby takes the shared app back with it.
      if (this.current === 'reconnecting') {
        this.stopWatching();
        this.log.info('ARI reconnected');
        this.setState('connected');
      }
    });
    client.on('WebSocketReconnecting', (error: unknown) => {
      if (client !== this.client) return;
      this.stopWatching();
      // ari-client retries with a growing delay, so one line per attempt stays readable;
      // a refused login (HTTP 401) only ever shows here.
      const message = this.current === 'connected' ? 'ARI websocket lost, reconnecting' : 'ARI websocket not open, retrying';
      this.log.warn({ error: this.describe(error) }, message);
      this.setState('reconnecting');
    });
    client.on('WebSocketMaxRetries', () => {
      // Before the first open, start() rejects too and connectUntilDone retries from there.
      if (this.closed || this.client !== client || !this.opened.has(client)) return;
      this.log.warn('ARI websocket did not come back, connecting from scratch');
      this.dropClient();
      this.setState('reconnecting');
      void this.connectUntilDone();
    });
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    if (client) this.stopClient(client);
  }

  private stopClient(client: Client): void {
    client.removeAllListeners();
    try {
      client.stop();
    } catch (error) {
      // stop() throws when the websocket was never opened; nothing is left to close then.
      this.log.debug({ error: this.describe(error) }, 'ARI client had no websocket to close');
    }
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

  /**
   * ari-client's swagger-client prints "This API is using a deprecated version of
   * Swagger!" with console.log while it loads the API. stdout carries only our JSON
   * lines, so console output is routed to the log at debug level for that moment.
   */
  private async quietly<T>(work: () => Promise<T>): Promise<T> {
    const saved = { log: console.log, info: console.info, warn: console.warn };
    const route = (...args: unknown[]): void => {
      this.log.debug({ text: format(...args) }, 'ari-client output');
    };
    console.log = route;
    console.info = route;
    console.warn = route;
    try {
      return await work();
    } finally {
      console.log = saved.log;
      console.info = saved.info;
      console.warn = saved.warn;
    }
  }

  /** An error's message with the ARI password taken out (the websocket URL carries it). */
  private describe(error: unknown): string {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const { password } = this.options;
    if (password === '') return message;
    return message.split(password).join('***').split(encodeURIComponent(password)).join('***');
  }
}
