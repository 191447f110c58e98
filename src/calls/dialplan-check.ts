import { randomBytes, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { formatDialplanTarget } from '../screening/campaign-syntax.js';
import { AriRest } from './ari-rest.js';
import type { DialplanTarget } from './call-control.js';
import { DIALPLAN_CHECK_LEG } from './originated-leg.js';

/** Whether Asterisk's dialplan has a context,extension,priority; `unknown` when Asterisk cannot say. */
export type DialplanAnswer = { kind: 'exists' } | { kind: 'missing' } | { kind: 'unknown'; reason: string };
export type DialplanCheck = (target: DialplanTarget) => Promise<DialplanAnswer>;

/** Longest a one-off check (the CLI's) waits to log in to ARI and register its app; Asterisk does it in milliseconds. */
export const DIALPLAN_CHECK_CONNECT_TIMEOUT_MS = 5_000;
/** How often a one-off check asks whether its app is registered yet. */
const APP_POLL_INTERVAL_MS = 20;
/** The never-dialled channel the check reads on; its dialplan is never run. */
const CHECK_ENDPOINT = 'Local/dialplan-check@callguard';

export class DialplanCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DialplanCheckError';
  }
}

/**
 * Asks Asterisk whether `target` exists, with DIALPLAN_EXISTS() (func_dialplan.so).
 * ARI evaluates a dialplan function only on a channel in a Stasis app: GET
 * /asterisk/variable reads global variables only (measured on Asterisk 22.10: it gives
 * "" for LEN(abc) too). So each check creates a Local channel in `app` that is never
 * dialled (nothing rings, no dialplan runs), reads the function on it, and hangs it up.
 * Three requests on loopback, a few milliseconds.
 */
export function ariDialplanCheck(rest: AriRest, app: string): DialplanCheck {
  return async (target) => {
    const channelId = `dialplan-check-${randomUUID()}`;
    const created = await rest.request('POST', '/channels/create', {
      endpoint: CHECK_ENDPOINT,
      app,
      appArgs: DIALPLAN_CHECK_LEG,
      channelId,
    });
    if (created.status < 200 || created.status >= 300) {
      throw new DialplanCheckError(`Asterisk would not create a channel to check the dialplan (HTTP ${created.status}: ${created.message})`);
    }
    try {
      const read = await rest.request('GET', `/channels/${encodeURIComponent(channelId)}/variable`, {
        variable: `DIALPLAN_EXISTS(${formatDialplanTarget(target)})`,
      });
      const value = (read.body as { value?: unknown } | undefined)?.value;
      if (read.status === 200 && value === '1') return { kind: 'exists' };
      if (read.status === 200 && value === '0') return { kind: 'missing' };
      return {
        kind: 'unknown',
        reason: `DIALPLAN_EXISTS() answered HTTP ${read.status} ${JSON.stringify(value ?? read.message)}: is func_dialplan.so loaded (modules.conf)?`,
      };
    } finally {
      // A hangup that fails leaves a channel that was never dialled; Asterisk drops it with the app.
      await rest.request('DELETE', `/channels/${encodeURIComponent(channelId)}`).catch(() => undefined);
    }
  };
}

export interface AriLogin {
  url: string;
  username: string;
  password: string;
}

/**
 * One check for a process that has no ARI connection of its own (the CLI): registers a
 * throwaway Stasis app over a websocket for the time of the check, asks, closes.
 */
export async function checkDialplanOnce(login: AriLogin, target: DialplanTarget): Promise<DialplanAnswer> {
  const app = `callguard-check-${randomBytes(4).toString('hex')}`;
  const rest = new AriRest(login);
  const socket = new WebSocket(`${login.url.replace(/^http/, 'ws')}/ari/events?app=${app}&subscribeAll=false`, {
    headers: { authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}` },
    handshakeTimeout: DIALPLAN_CHECK_CONNECT_TIMEOUT_MS,
  });
  // The check channel's events arrive here; nothing needs them.
  socket.on('message', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_request, response) =>
        reject(new DialplanCheckError(`ARI refused the websocket (HTTP ${response.statusCode}): check ARI_USERNAME and ARI_PASSWORD`)),
      );
      socket.once('error', (error) => reject(new DialplanCheckError(`cannot reach ARI at ${login.url}: ${error.message}`)));
    });
    await appRegistered(rest, app);
    return await ariDialplanCheck(rest, app)(target);
  } finally {
    socket.terminate();
    rest.close();
  }
}

/** Asterisk registers the app of a websocket right after the upgrade; wait until it answers for it. */
async function appRegistered(rest: AriRest, app: string): Promise<void> {
  const deadline = Date.now() + DIALPLAN_CHECK_CONNECT_TIMEOUT_MS;
  for (;;) {
    const response = await rest.request('GET', `/applications/${encodeURIComponent(app)}`);
    if (response.status === 200) return;
    if (Date.now() > deadline) throw new DialplanCheckError(`Asterisk did not register the Stasis app ${app} (HTTP ${response.status})`);
    await new Promise((resolve) => setTimeout(resolve, APP_POLL_INTERVAL_MS));
  }
}
