import http from 'node:http';
import https from 'node:https';

/**
 * ARI's REST side, over node:http with a small pool of kept-alive connections.
 *
 * Why not ari-client's operations: ari-client 2.2.0 (lib/client.js, swaggerError)
 * replaces swagger-client's error response `{ status, data }` with `new Error(data)`,
 * so the HTTP status is lost and a caller could only guess from the message text.
 * The REST calls are plain HTTP; doing them here keeps the status on every response.
 * ari-client still owns the websocket (events, reconnection): see ari-connection.ts.
 *
 * Why a bounded pool: a call makes six or seven requests, several at once. Without a
 * bound, a burst of calls opens connections faster than Asterisk's HTTP server accepts
 * them (it serves at most `session_limit`, 100 by default), and a refused connection
 * costs the caller a one-second TCP retransmission. Queued on a few kept-alive
 * connections, requests wait microseconds instead.
 */

/** How long a request may wait for Asterisk's answer before it counts as failed (Asterisk answers in ms). */
export const ARI_REQUEST_TIMEOUT_MS = 5_000;
/** Connections kept open to Asterisk's HTTP server; well under its default session_limit of 100. */
export const ARI_MAX_CONNECTIONS = 16;

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

export class AriRest {
  private readonly base: URL;
  private readonly client: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(options: AriRestOptions) {
    this.base = new URL(options.url);
    const secure = this.base.protocol === 'https:';
    this.client = secure ? https : http;
    const agentOptions = { keepAlive: true, maxSockets: ARI_MAX_CONNECTIONS, scheduling: 'fifo' as const };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? ARI_REQUEST_TIMEOUT_MS;
  }

  /** `body`, when given, is sent as JSON (ARI takes channel variables of an originate only there). */
  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, query: Query = {}, body?: unknown): Promise<AriResponse> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) search.set(name, String(value));
    }
    const qs = search.size > 0 ? `?${search.toString()}` : '';
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: http.OutgoingHttpHeaders = { authorization: this.authorization };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const fail = (error: Error): void => reject(new AriTransportError(method, path, error.message));
      const request = this.client.request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port,
          method,
          path: `/ari${path}${qs}`,
          agent: this.agent,
          headers,
          timeout: this.timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', fail);
          response.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            const body = parseJson(raw);
            const message = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : raw;
            resolve({ status: response.statusCode ?? 0, message, body });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      request.on('error', fail);
      request.end(payload);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
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
