/**
 * The few things callguard does to a live channel, behind one small interface, so the
 * call logic runs against real Asterisk (ari-call-control.ts) or a fake in unit tests.
 *
 * A channel that hung up while we were deciding, or that already left our Stasis app,
 * is normal telephony, not a failure: every operation returns it as the value GONE.
 * Anything else (Asterisk refused the request, the HTTP request failed) is thrown as a
 * CallControlError that keeps the HTTP status.
 *
 * A channel's operations are carried out in the order they are called, also when the
 * caller does not wait for one before making the next (ari-rest.ts: one connection a
 * channel), so variables set and then an action made at once reach the dialplan first.
 *
 * originate and the bridge operations serve outbound calls: a refused originate is a
 * value (REFUSED with the status), since a trunk that does not exist is an outcome of
 * the dial (FAILED), not a bug.
 */

export const GONE = Object.freeze({ ok: false, reason: 'gone' } as const);
export type Gone = typeof GONE;

export const DONE = Object.freeze({ ok: true } as const);
export type Done = typeof DONE;

/** What an operation on a channel came to. */
export type Acted = Done | Gone;

/** A read from a channel; `value` is undefined when the variable is not set. */
export type ReadValue = { ok: true; value: string | undefined } | Gone;

/** Where a channel goes on in the dialplan. */
export interface DialplanTarget {
  context: string;
  extension: string;
  priority: number;
}

/** A new outbound channel; it enters our Stasis app with `appArgs` once answered. */
export interface OriginateRequest {
  /** chosen by the caller, so it can listen for the channel's events before they can arrive */
  channelId: string;
  /** Asterisk's dial string, e.g. `PJSIP/+4930123456@trunk` */
  endpoint: string;
  /** `+4930123456` or `"Sales" <+4930123456>`; the endpoint's default when absent */
  callerId?: string;
  /** seconds Asterisk lets it ring before it gives up */
  timeoutSeconds: number;
  /** the Stasis() arguments the channel arrives with */
  appArgs: string[];
  /** channel variables set before the dial */
  variables?: Record<string, string>;
}

/** What an originate came to: the channel is dialling, or Asterisk refused it (bad endpoint...). */
export type Originated = { ok: true; channelId: string } | { ok: false; status: number; reason: string };

export interface CallControl {
  answer(channelId: string): Promise<Acted>;
  /** Hangs up with a Q.850 cause (screening/causes.ts: 21 rejected, SIP 403; 17 busy, SIP 486). */
  hangup(channelId: string, cause: number): Promise<Acted>;
  /**
   * Leaves the Stasis app and continues in the dialplan at `target`; without a target,
   * at the priority after Stasis(), which is where the dialplan keeps its fallback.
   */
  continueInDialplan(channelId: string, target?: DialplanTarget): Promise<Acted>;
  setVariable(channelId: string, name: string, value: string): Promise<Acted>;
  /** Sets every variable given, in order, in one request (see channel-variables.ts). */
  setVariables(channelId: string, variables: Readonly<Record<string, string>>): Promise<Acted>;
  /** Reads a variable or a dialplan function such as CALLERID(pres). */
  getVariable(channelId: string, name: string): Promise<ReadValue>;
  /**
   * Plays `media` (e.g. `sound:ss-noservice`) and resolves once it finished: DONE also
   * when a hangup cut it short (Asterisk reports the playback finished before the channel
   * leaves Stasis), GONE when the channel was gone before it started or left meanwhile.
   */
  play(channelId: string, media: string): Promise<Acted>;
  /** Tells an unanswered caller the call is ringing (SIP 180) while callguard dials for it. */
  ring(channelId: string): Promise<Acted>;
  /**
   * Makes the channel's hangup and end reach this process for as long as it lives, also
   * once another instance holds the shared app (Asterisk sends a channel's events to
   * every app that subscribed to it: this subscribes the process's own app).
   */
  follow(channelId: string): Promise<Acted>;
  /** Dials a new channel; resolves as soon as Asterisk took (or refused) the request, before any answer. */
  originate(request: OriginateRequest): Promise<Originated>;
  /** Creates an empty mixing bridge with this id. */
  createBridge(bridgeId: string): Promise<void>;
  /**
   * Puts channels of our Stasis app into a bridge; GONE when a channel or the bridge no
   * longer exists. `absorbDtmf`: keys pressed on these channels do not reach the others
   * (callguard still hears them as events, and passes on what is not a feature).
   */
  addToBridge(bridgeId: string, channelIds: string[], options?: { absorbDtmf?: boolean }): Promise<Acted>;
  /** Sends DTMF digits (0-9 * # A-D) to a channel. */
  sendDtmf(channelId: string, digits: string): Promise<Acted>;
  /** Destroys a bridge (its channels stay up); GONE when it was already destroyed. */
  destroyBridge(bridgeId: string): Promise<Acted>;
}

/** Asterisk answered a request with an error other than "the channel is gone". */
export class CallControlError extends Error {
  constructor(
    readonly operation: string,
    /** HTTP status, or undefined when no response arrived (network, timeout) */
    readonly status: number | undefined,
    /** Asterisk's own message, or the transport error */
    readonly detail: string,
  ) {
    super(`${operation} failed${status === undefined ? '' : ` with HTTP ${status}`}: ${detail}`);
    this.name = 'CallControlError';
  }
}
