/**
 * The few things callguard does to a live channel, behind one small interface, so the
 * call logic runs against real Asterisk (ari-call-control.ts) or a fake in unit tests.
 *
 * A channel that hung up while we were deciding, or that already left our Stasis app,
 * is normal telephony, not a failure: every operation returns it as the value GONE.
 * Anything else (Asterisk refused the request, the HTTP request failed) is thrown as a
 * CallControlError that keeps the HTTP status.
 *
 * originate and bridge (outbound) are not part of it yet: they come with the outbound
 * guard, so that no unused code ships before then.
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

export interface CallControl {
  answer(channelId: string): Promise<Acted>;
  /** Hangs up with a Q.850 cause (21 rejected: SIP 403; 17 busy: SIP 486). */
  hangup(channelId: string, cause: number): Promise<Acted>;
  /**
   * Leaves the Stasis app and continues in the dialplan at `target`; without a target,
   * at the priority after Stasis(), which is where the dialplan keeps its fallback.
   */
  continueInDialplan(channelId: string, target?: DialplanTarget): Promise<Acted>;
  setVariable(channelId: string, name: string, value: string): Promise<Acted>;
  /** Reads a variable or a dialplan function such as CALLERID(pres). */
  getVariable(channelId: string, name: string): Promise<ReadValue>;
  /**
   * Plays `media` (e.g. `sound:ss-noservice`) and resolves once it finished: DONE also
   * when a hangup cut it short (Asterisk reports the playback finished before the channel
   * leaves Stasis), GONE when the channel was gone before it started or left meanwhile.
   */
  play(channelId: string, media: string): Promise<Acted>;
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
