import { randomUUID } from 'node:crypto';
import type { PlaybackEvents } from './ari-events.js';
import { AriRest, AriTransportError, type AriResponse, type Query } from './ari-rest.js';
import {
  CallControlError,
  DONE,
  GONE,
  type Acted,
  type CallControl,
  type DialplanTarget,
  type OriginateRequest,
  type Originated,
  type ReadValue,
} from './call-control.js';
import { arrayAssignment } from './array-assignment.js';

/**
 * Longest a playback may run before we stop waiting for its PlaybackFinished: events
 * are lost while the websocket reconnects, and a channel must never stay parked.
 */
export const PLAYBACK_LIMIT_MS = 120_000;
/**
 * How often a playback is looked up while we wait for its PlaybackFinished. The event
 * goes to the websocket holding the shared app, which is another instance's once a
 * standby took the app over (or lost while the websocket reconnects); a playback
 * Asterisk no longer knows (404) has finished.
 */
export const PLAYBACK_CHECK_MS = 1_000;

/**
 * Asterisk's answers that mean "this channel is not ours to act on any more":
 * 404 (hung up; "Channel not found") and 409 (left the Stasis app; "Channel not in
 * Stasis application"). GET variable is the one 404 with two meanings: the channel
 * ("Provided channel was not found") or an unset variable ("Provided variable was
 * not found"); only there is the message read.
 */
const GONE_STATUSES = new Set([404, 409]);
const UNSET_VARIABLE_MESSAGE = /variable was not found/i;
/**
 * A bridge operation on a channel that hung up or left Stasis: 400 ("Channel not
 * found" in a list of channels), 404 (the bridge is gone), 422 (channel not in Stasis).
 */
const BRIDGE_GONE_STATUSES = new Set([400, 404, 409, 422]);

export interface AriCallControlOptions {
  rest: AriRest;
  events: PlaybackEvents;
  /** the Stasis app originated channels enter when answered */
  app?: string;
  playbackLimitMs?: number;
}

/** The app name the shipped dialplan uses: Stasis(callguard,...). */
export const DEFAULT_APP = 'callguard';

export class AriCallControl implements CallControl {
  private readonly rest: AriRest;
  private readonly events: PlaybackEvents;
  private readonly playbackLimitMs: number;
  private readonly app: string;

  constructor(options: AriCallControlOptions) {
    this.rest = options.rest;
    this.app = options.app ?? DEFAULT_APP;
    this.events = options.events;
    this.playbackLimitMs = options.playbackLimitMs ?? PLAYBACK_LIMIT_MS;
  }

  answer(channelId: string): Promise<Acted> {
    return this.act('answer', 'POST', `${channelPath(channelId)}/answer`);
  }

  hangup(channelId: string, cause: number): Promise<Acted> {
    return this.act('hangup', 'DELETE', channelPath(channelId), { reason_code: cause });
  }

  continueInDialplan(channelId: string, target?: DialplanTarget): Promise<Acted> {
    return this.act('continue', 'POST', `${channelPath(channelId)}/continue`, {
      context: target?.context,
      extension: target?.extension,
      priority: target?.priority,
    });
  }

  setVariable(channelId: string, name: string, value: string): Promise<Acted> {
    return this.act('set variable', 'POST', `${channelPath(channelId)}/variable`, { variable: name, value });
  }

  async setVariables(channelId: string, variables: Readonly<Record<string, string>>): Promise<Acted> {
    const assignment = arrayAssignment(variables);
    if (assignment === undefined) return DONE;
    return this.setVariable(channelId, assignment.name, assignment.value);
  }

  async getVariable(channelId: string, name: string): Promise<ReadValue> {
    const response = await this.send('get variable', 'GET', `${channelPath(channelId)}/variable`, { variable: name });
    if (response.status === 200) {
      const value = (response.body as { value?: unknown } | undefined)?.value;
      return { ok: true, value: typeof value === 'string' ? value : undefined };
    }
    if (response.status === 404 && UNSET_VARIABLE_MESSAGE.test(response.message)) return { ok: true, value: undefined };
    if (GONE_STATUSES.has(response.status)) return GONE;
    throw new CallControlError('get variable', response.status, response.message);
  }

  async play(channelId: string, media: string): Promise<Acted> {
    const playbackId = randomUUID();
    // Listen before asking: PlaybackFinished can arrive before the HTTP answer does.
    const finished = this.waitForPlayback(channelId, playbackId);
    try {
      const started = await this.act('play', 'POST', `${channelPath(channelId)}/play/${encodeURIComponent(playbackId)}`, {
        media,
      });
      if (!started.ok) return started;
      finished.checkFromNowOn();
      return await finished.promise;
    } finally {
      finished.cancel();
    }
  }

  ring(channelId: string): Promise<Acted> {
    return this.act('ring', 'POST', `${channelPath(channelId)}/ring`);
  }

  async follow(channelId: string): Promise<Acted> {
    const path = `/applications/${encodeURIComponent(this.app)}/subscription`;
    const response = await this.send('follow', 'POST', path, { eventSource: `channel:${channelId}` });
    if (response.status >= 200 && response.status < 300) return DONE;
    // 422: "Event source does not exist", the channel is gone.
    if (response.status === 422 || GONE_STATUSES.has(response.status)) return GONE;
    throw new CallControlError('follow', response.status, response.message);
  }

  async originate(request: OriginateRequest): Promise<Originated> {
    const query: Query = {
      endpoint: request.endpoint,
      app: this.app,
      appArgs: request.appArgs.join(','),
      callerId: request.callerId,
      timeout: request.timeoutSeconds,
      channelId: request.channelId,
    };
    const body = request.variables && Object.keys(request.variables).length > 0 ? { variables: request.variables } : undefined;
    const response = await this.send('originate', 'POST', '/channels', query, body);
    if (response.status >= 200 && response.status < 300) return { ok: true, channelId: request.channelId };
    // Asterisk answers a dial string it cannot use with a 4xx or a 500 ("Allocation failed").
    if (response.status >= 400) return { ok: false, status: response.status, reason: errorText(response) };
    throw new CallControlError('originate', response.status, response.message);
  }

  async createBridge(bridgeId: string): Promise<void> {
    const response = await this.send('create bridge', 'POST', `/bridges/${encodeURIComponent(bridgeId)}`, { type: 'mixing' });
    if (response.status < 200 || response.status >= 300) throw new CallControlError('create bridge', response.status, response.message);
  }

  async addToBridge(bridgeId: string, channelIds: string[], options: { absorbDtmf?: boolean } = {}): Promise<Acted> {
    const response = await this.send('add to bridge', 'POST', `${bridgePath(bridgeId)}/addChannel`, {
      channel: channelIds.join(','),
      ...(options.absorbDtmf ? { absorbDTMF: 'true' } : {}),
    });
    if (response.status >= 200 && response.status < 300) return DONE;
    if (BRIDGE_GONE_STATUSES.has(response.status)) return GONE;
    throw new CallControlError('add to bridge', response.status, response.message);
  }

  sendDtmf(channelId: string, digits: string): Promise<Acted> {
    return this.act('send dtmf', 'POST', `${channelPath(channelId)}/dtmf`, { dtmf: digits });
  }

  destroyBridge(bridgeId: string): Promise<Acted> {
    return this.act('destroy bridge', 'DELETE', bridgePath(bridgeId));
  }

  private waitForPlayback(
    channelId: string,
    playbackId: string,
  ): { promise: Promise<Acted>; cancel: () => void; checkFromNowOn: () => void } {
    let cancel = (): void => undefined;
    let checkFromNowOn = (): void => undefined;
    const promise = new Promise<Acted>((resolve) => {
      let settled = false;
      let check: NodeJS.Timeout | undefined;
      const onFinished = (id: string): void => {
        if (id === playbackId) done(DONE);
      };
      const onEnd = (id: string): void => {
        if (id === channelId) done(GONE);
      };
      const timer = setTimeout(() => done(DONE), this.playbackLimitMs);
      const done = (outcome: Acted): void => {
        cancel();
        resolve(outcome);
      };
      checkFromNowOn = () => {
        check = setTimeout(() => {
          void this.playbackGone(playbackId).then((gone) => {
            if (gone) done(DONE);
            else if (!settled) checkFromNowOn();
          });
        }, PLAYBACK_CHECK_MS);
      };
      cancel = () => {
        settled = true;
        clearTimeout(timer);
        clearTimeout(check);
        this.events.off('playbackFinished', onFinished);
        this.events.off('stasisEnd', onEnd);
      };
      this.events.on('playbackFinished', onFinished);
      this.events.on('stasisEnd', onEnd);
    });
    return { promise, cancel: () => cancel(), checkFromNowOn: () => checkFromNowOn() };
  }

  /** Whether Asterisk no longer knows the playback (it finished, or its channel went). */
  private async playbackGone(playbackId: string): Promise<boolean> {
    try {
      const response = await this.rest.request('GET', `/playbacks/${encodeURIComponent(playbackId)}`);
      return response.status === 404;
    } catch (error) {
      // Asterisk did not answer: nothing is known, and the next check asks again.
      if (error instanceof AriTransportError) return false;
      throw error;
    }
  }

  private async act(operation: string, method: 'POST' | 'DELETE', path: string, query?: Query): Promise<Acted> {
    const response = await this.send(operation, method, path, query);
    if (response.status >= 200 && response.status < 300) return DONE;
    if (GONE_STATUSES.has(response.status)) return GONE;
    throw new CallControlError(operation, response.status, response.message);
  }

  private async send(
    operation: string,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query?: Query,
    body?: unknown,
  ): Promise<AriResponse> {
    try {
      return await this.rest.request(method, path, query, body);
    } catch (error) {
      if (error instanceof AriTransportError) throw new CallControlError(operation, undefined, error.detail);
      throw error;
    }
  }
}

/** Asterisk words a failed originate as `{"error": ...}` (500) or `{"message": ...}` (4xx). */
function errorText(response: AriResponse): string {
  const error = (response.body as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' ? error : response.message;
}

function bridgePath(bridgeId: string): string {
  return `/bridges/${encodeURIComponent(bridgeId)}`;
}

function channelPath(channelId: string): string {
  return `/channels/${encodeURIComponent(channelId)}`;
}
