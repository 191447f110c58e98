import type { AriEventMap } from './ari-events.js';
import type { Logger } from '../log.js';
import { CAUSES } from '../screening/causes.js';
import type { CallControl, OriginateRequest } from './call-control.js';

/**
 * First Stasis() argument of the channels callguard originates itself. Whoever
 * originated such a channel waits for its StasisStart; the Stasis app leaves it alone.
 */
export const DIALER_LEG = 'dialer';
export const AGENT_CALL_LEG = 'outbound-leg';
/** A channel created only to ask the dialplan something (dialplan-check.ts); never dialled. */
export const DIALPLAN_CHECK_LEG = 'dialplan-check';
export const ORIGINATED_LEGS: ReadonlySet<string> = new Set([DIALER_LEG, AGENT_CALL_LEG, DIALPLAN_CHECK_LEG]);

/**
 * How long past its originate timeout a leg may stay silent before we stop waiting and
 * hang it up ourselves: Asterisk reports the timeout within milliseconds (cause 19), but
 * events sent while the websocket reconnects are lost, and a dial must end.
 */
export const LEG_EVENT_GRACE_MS = 5_000;

type Listener<K extends keyof AriEventMap> = (...args: AriEventMap[K]) => void;

/** The events a leg is followed by (AriConnection, or the fake in unit tests). */
export interface LegEvents {
  on(event: 'stasisStart', listener: Listener<'stasisStart'>): unknown;
  on(event: 'stasisEnd', listener: Listener<'stasisEnd'>): unknown;
  on(event: 'channelDestroyed', listener: Listener<'channelDestroyed'>): unknown;
  off(event: 'stasisStart', listener: Listener<'stasisStart'>): unknown;
  off(event: 'stasisEnd', listener: Listener<'stasisEnd'>): unknown;
  off(event: 'channelDestroyed', listener: Listener<'channelDestroyed'>): unknown;
}

/** How an originated leg came out before or at its answer. */
export type LegResult =
  | { kind: 'answered' }
  /** destroyed before it was answered, with Asterisk's Q.850 cause (17 busy, 19 no answer, 0 unknown...) */
  | { kind: 'ended'; cause: number }
  /** Asterisk did not take the originate: no such endpoint (500), bad dial string (400)... */
  | { kind: 'refused'; status: number; reason: string }
  /** no event within the timeout and its grace; the leg was hung up */
  | { kind: 'silent' };

/**
 * Originates one leg and resolves once it is answered (it is then in our Stasis app)
 * or ended. Listens before it asks: the StasisStart of a quickly answered channel can
 * arrive before the HTTP answer to the originate. When `cancelled` resolves, the leg is
 * hung up (it then ends as `ended`, or, answered already, leaves Stasis). A
 * CallControlError (Asterisk not reachable) rejects.
 */
export async function originateLeg(
  calls: CallControl,
  events: LegEvents,
  request: OriginateRequest,
  options: { graceMs?: number; cancelled?: Promise<unknown>; log?: Logger } = {},
): Promise<LegResult> {
  const graceMs = options.graceMs ?? LEG_EVENT_GRACE_MS;
  const { channelId } = request;
  let settle: (result: LegResult) => void = () => undefined;
  const settled = new Promise<LegResult>((resolve) => {
    settle = resolve;
  });
  const onStart = (event: AriEventMap['stasisStart'][0]): void => {
    if (event.channelId === channelId) settle({ kind: 'answered' });
  };
  const onDestroyed = (event: AriEventMap['channelDestroyed'][0]): void => {
    if (event.channelId === channelId) settle({ kind: 'ended', cause: event.cause });
  };
  events.on('stasisStart', onStart);
  events.on('channelDestroyed', onDestroyed);
  let timer: NodeJS.Timeout | undefined;
  try {
    const originated = await calls.originate(request);
    if (!originated.ok) return { kind: 'refused', status: originated.status, reason: originated.reason };
    // Only now does the leg exist to be hung up: a cancel that came first takes effect here.
    void options.cancelled
      ?.then(() => calls.hangup(channelId, CAUSES.normalClearing))
      .catch((error: unknown) => options.log?.warn({ channel: channelId, err: error }, 'could not hang up a cancelled leg'));
    const silent = new Promise<LegResult>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'silent' }), request.timeoutSeconds * 1000 + graceMs);
    });
    const result = await Promise.race([settled, silent]);
    if (result.kind === 'silent') await calls.hangup(channelId, CAUSES.noAnswer);
    return result;
  } finally {
    clearTimeout(timer);
    events.off('stasisStart', onStart);
    events.off('channelDestroyed', onDestroyed);
  }
}

/** Whole seconds Asterisk lets a leg ring (it takes no fractions); at least 1. */
export function timeoutSecondsOf(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
