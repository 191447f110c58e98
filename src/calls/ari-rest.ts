/**
 * ARI's REST side, over Node's fetch.
 *
 * Why not ari-client's operations: ari-client 2.2.0 (lib/client.js, swaggerError)
 * replaces swagger-client's error response `{ status, data }` with `new Error(data)`,
 * so the HTTP status is lost and a caller could only guess from the message text.
 * The REST calls are plain HTTP; doing them here keeps the status on every response.
 * ari-client still owns the websocket (events, reconnection): see ari-connection.ts.
 */

/** How long one REST request may take before it counts as failed (Asterisk answers in ms). */
export const ARI_REQUEST_TIMEOUT_MS = 5_000;

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
  private readonly base: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(options: AriRestOptions) {
    this.base = `${options.url.replace(/\/+$/, '')}/ari`;
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? ARI_REQUEST_TIMEOUT_MS;
  }

  async request(method: 'GET' | 'POST' | 'DELETE', path: string, query: Query = {}): Promise<AriResponse> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) search.set(name, String(value));
    }
    const qs = search.size > 0 ? `?${search.toString()}` : '';
    let response: Response;
    let raw: string;
    try {
      response = await fetch(`${this.base}${path}${qs}`, {
        method,
        headers: { authorization: this.authorization },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      raw = await response.text();
    } catch (error) {
      throw new AriTransportError(method, path, error instanceof Error ? error.message : String(error));
    }
    const body = parseJson(raw);
    const message = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : raw;
    return { status: response.status, message, body };
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
