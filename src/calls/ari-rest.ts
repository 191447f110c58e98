import { Client } from 'undici';

/**
 * ARI's REST side, over undici with a small fixed set of kept-alive, pipelined connections.
 *
 * Why not ari-client's operations: ari-client 2.2.0 (lib/client.js, swaggerError)
 * replaces swagger-client's error response `{ status, data }` with `new Error(data)`,
 * so the HTTP status is lost and a caller could only guess from the message text.
 * The REST calls are plain HTTP; doing them here keeps the status on every response.
 * ari-client still owns the websocket (events, reconnection): see ari-connection.ts.
 *
 * Why a bounded set of connections: a burst of calls without a bound opens connections
 * faster than Asterisk's HTTP server accepts them (it serves at most `session_limit`,
 * 100 by default), and a refused connection costs the caller a one-second TCP
 * retransmission. Queued on a few kept-alive connections, requests wait microseconds.
 *
 * Why pipelined, and one connection a channel: a call's variables and its action are two
 * requests, and the action must not overtake the variables (the dialplan it continues in
 * reads them). Asterisk's HTTP server (main/http.c, httpd_helper_thread) serves one
 * connection on one thread, reading and answering its requests one after the other, so
 * requests written back to back on one connection are carried out in the order written.
 * A request about a channel (`/channels/<id>...`) goes on the connection that channel's
 * unanswered requests are on (the least busy when it has none), so CallControl can send a
 * channel's requests without waiting for each answer: the action leaves behind the
 * variables instead of a round trip and an event-loop turn later. The least busy is the
 * first idle connection, so a quiet PBX keeps reusing a warm one.
 * undici's Client is one connection with HTTP/1.1 pipelining (not hand-written parsing).
 */

/** How long a request may wait for Asterisk's answer before it counts as failed (Asterisk answers in ms). */
export const ARI_REQUEST_TIMEOUT_MS = 5_000;
/** Connections kept open to Asterisk's HTTP server; well under its default session_limit of 100. */
export const ARI_MAX_CONNECTIONS = 16;
/**
 * Requests one connection carries unanswered at once. A call sends two back to back;
 * more wait in order in the connection's queue.
 */
export const ARI_PIPELINING = 8;

export interface AriResponse {
  status: number;
  /** Asterisk's `message` on an error response, or the raw body when it is not JSON */
  message: string;
  body: unknown;
}

/** No HTTP response at all: connection refused, timeout. */
export class AriTransportError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${method} ${path}: ${detail}`);
    this.name = 'AriTransportError';
  }
}

export interface AriRestOptions {
  /** e.g. http://127.0.0.1:8088 (the /ari prefix is added here) */
  url: string;
  username: string;
  password: string;
  timeoutMs?: number;
}

export type Query = Record<string, string | number | undefined>;

/** The channel id of a path about one channel: `/channels/<id>` and everything under it. */
const CHANNEL_PATH = /^\/channels\/([^/?]+)/;

export class AriRest {
  private readonly connections: Client[];
  /** requests sent on each connection and not answered yet */
  private readonly unanswered: number[];
  /** the connection of each channel with unanswered requests, and how many */
  private readonly channels = new Map<string, { connection: number; requests: number }>();
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(options: AriRestOptions) {
    const origin = new URL(options.url).origin;
    this.timeoutMs = options.timeoutMs ?? ARI_REQUEST_TIMEOUT_MS;
    const clientOptions = {
      pipelining: ARI_PIPELINING,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connect: { timeout: this.timeoutMs },
    };
    this.connections = Array.from({ length: ARI_MAX_CONNECTIONS }, () => new Client(origin, clientOptions));
    this.unanswered = this.connections.map(() => 0);
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  }

  /**
   * `body`, when given, is sent as JSON (ARI takes channel variables of an originate only
   * there). Requests about one channel are carried out by Asterisk in the order made.
   */
  async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, query: Query = {}, body?: unknown): Promise<AriResponse> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) search.set(name, String(value));
    }
    const qs = search.size > 0 ? `?${search.toString()}` : '';
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: this.authorization };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const channelId = CHANNEL_PATH.exec(path)?.[1];
    const connection = this.take(channelId);
    try {
      const response = await (this.connections[connection] as Client).request({
        method,
        path: `/ari${path}${qs}`,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        // A request about a channel is pipelined like a GET: Asterisk answers each in order
        // and at once, and one still unanswered when a connection closes is sent again on
        // the next, which about a channel that is gone answers 404/409 (the channel gone).
        // Anything else (an originate above all) waits for its connection to be idle and is
        // never sent twice: a second originate would dial the callee twice.
        idempotent: channelId !== undefined,
        blocking: false,
      });
      const raw = await response.body.text();
      const parsed = parseJson(raw);
      const message = typeof parsed === 'object' && parsed !== null && 'message' in parsed ? String(parsed.message) : raw;
      return { status: response.statusCode, message, body: parsed };
    } catch (error) {
      throw new AriTransportError(method, path, transportDetail(error, this.timeoutMs));
    } finally {
      this.release(connection, channelId);
    }
  }

  /** Closes the kept-alive connections. */
  close(): void {
    for (const connection of this.connections) void connection.destroy();
  }

  /** The connection a request goes on: its channel's while that has requests unanswered, else the least busy. */
  private take(channelId: string | undefined): number {
    const lane = channelId === undefined ? undefined : this.channels.get(channelId);
    const connection = lane?.connection ?? this.leastBusy();
    if (lane) lane.requests += 1;
    else if (channelId !== undefined) this.channels.set(channelId, { connection, requests: 1 });
    this.unanswered[connection] = (this.unanswered[connection] ?? 0) + 1;
    return connection;
  }

  private release(connection: number, channelId: string | undefined): void {
    this.unanswered[connection] = (this.unanswered[connection] ?? 1) - 1;
    const lane = channelId === undefined ? undefined : this.channels.get(channelId);
    if (lane && --lane.requests === 0) this.channels.delete(channelId as string);
  }

  /** The first idle connection, else the one with the fewest requests unanswered. */
  private leastBusy(): number {
    let best = 0;
    for (let index = 0; index < this.unanswered.length; index++) {
      const count = this.unanswered[index] ?? 0;
      if (count === 0) return index;
      if (count < (this.unanswered[best] ?? 0)) best = index;
    }
    return best;
  }
}

/** undici words its timeouts by kind; callers read one sentence, as node:http gave. */
function transportDetail(error: unknown, timeoutMs: number): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `no answer within ${timeoutMs} ms`;
  }
  return error instanceof Error ? error.message : String(error);
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    // Asterisk answers JSON; anything else is kept as the message text above.
    return undefined;
  }
}
