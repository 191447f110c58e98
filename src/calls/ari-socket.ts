import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ARI_FRAME_TRACE, type AriFrameTrace } from './call-trace.js';

/** Longest the websocket handshake may take; Asterisk answers it in milliseconds. */
export const ARI_SOCKET_OPEN_TIMEOUT_MS = 5_000;
/**
 * How often an open websocket is pinged. A connection that died without a close (the
 * Asterisk host lost, a firewall dropping an idle flow) shows as a missing pong at the
 * next ping and is ended, so the reconnect starts instead of waiting for TCP to notice.
 */
export const ARI_KEEPALIVE_INTERVAL_MS = 5_000;

export interface AriSocketOptions {
  /** e.g. http://127.0.0.1:8088 */
  url: string;
  username: string;
  password: string;
  /** the Stasis apps this websocket registers */
  apps: readonly string[];
}

/** Asterisk refused the websocket: the HTTP status of its answer (401 wrong login, 404 no ARI). */
export class AriSocketRefused extends Error {
  constructor(readonly status: number) {
    super(`ARI refused the events websocket with HTTP ${status}`);
    this.name = 'AriSocketRefused';
  }
}

export interface AriSocketHandlers {
  /** one ARI event, parsed; what it holds is untrusted and read field by field */
  message(socket: AriSocket, event: Record<string, unknown>): void;
  /** the websocket ended without close() being called */
  lost(socket: AriSocket, reason: string): void;
}

/**
 * One ARI events websocket (`/ari/events?app=...`), opened with `ws` directly. Why not
 * ari-client: it reconnects a dropped websocket by itself on a backoff that grows to
 * 10 s and cannot be cancelled (stop() leaves a scheduled retry that opens a websocket
 * again, registering the apps behind our back); reconnecting is AriConnection's job.
 * The login goes in the Authorization header, so no URL carries the password.
 */
export class AriSocket {
  private readonly keepalive: NodeJS.Timeout;
  private ended = false;

  private constructor(
    private readonly ws: WebSocket,
    private readonly handlers: AriSocketHandlers,
  ) {
    let answered = true;
    ws.on('pong', () => {
      answered = true;
    });
    this.keepalive = setInterval(() => {
      if (!answered) {
        ws.terminate();
        return;
      }
      answered = false;
      ws.ping();
    }, ARI_KEEPALIVE_INTERVAL_MS);
    ws.on('message', (data) => {
      const receivedAt = ARI_FRAME_TRACE.hasSubscribers ? performance.now() : 0;
      const text = String(data);
      const event = parseEvent(text);
      if (!event || this.ended) return;
      if (ARI_FRAME_TRACE.hasSubscribers) ARI_FRAME_TRACE.publish({ receivedAt, parsedAt: performance.now(), bytes: text.length, event } satisfies AriFrameTrace);
      this.handlers.message(this, event);
    });
    ws.on('close', (code, reason) => this.end(`closed with code ${code}${reason.length > 0 ? `: ${reason.toString('utf8')}` : ''}`));
    // 'close' always follows an error on an open websocket; that is where it is reported.
    ws.on('error', () => undefined);
  }

  /**
   * Opens the websocket; rejects with AriSocketRefused on an HTTP error, or the network
   * error. The handlers are in place before the first event can arrive.
   */
  static open(options: AriSocketOptions, handlers: AriSocketHandlers): Promise<AriSocket> {
    const base = new URL(options.url);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    const address = `${base.origin}/ari/events?app=${options.apps.map(encodeURIComponent).join(',')}`;
    const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    const ws = new WebSocket(address, { headers: { authorization }, handshakeTimeout: ARI_SOCKET_OPEN_TIMEOUT_MS, perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      const fail = (error: Error): void => {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(error);
      };
      ws.once('open', () => {
        ws.removeAllListeners();
        resolve(new AriSocket(ws, handlers));
      });
      ws.once('unexpected-response', (request, response) => {
        response.resume();
        request.destroy();
        fail(new AriSocketRefused(response.statusCode ?? 0));
      });
      ws.once('error', fail);
    });
  }

  /** Closes the websocket on purpose: no `lost` event follows. */
  close(): void {
    this.ended = true;
    clearInterval(this.keepalive);
    this.ws.close();
    // A websocket whose peer does not answer the close handshake is cut after a moment.
    setTimeout(() => this.ws.terminate(), ARI_SOCKET_OPEN_TIMEOUT_MS).unref();
  }

  private end(reason: string): void {
    clearInterval(this.keepalive);
    if (this.ended) return;
    this.ended = true;
    this.handlers.lost(this, reason);
  }
}

function parseEvent(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    // Asterisk sends JSON only; a frame that is not is dropped like an event we do not know.
    return undefined;
  }
}
