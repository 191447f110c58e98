import type { Logger } from '../log.js';
import type { UseAgentFeature } from './agent-feature.js';
import type { ChannelDtmf } from './ari-events.js';
import type { CallControl } from './call-control.js';

/**
 * How long a begun sequence waits for its next key before the keys held back are passed
 * on: Asterisk's own featuredigittimeout (features.conf), so *9 feels the same in a call
 * callguard bridged and in a queue call.
 */
export const FEATURE_DIGIT_TIMEOUT_MS = 1_000;
/** What the agent hears: a beep once the other party is listed, the error tone otherwise. */
export const LISTED_SOUND = 'sound:beep';
export const NOT_LISTED_SOUND = 'sound:beeperr';

/**
 * The keys of one channel against one sequence, as Asterisk's feature detection treats
 * them: keys that may begin the sequence are held back; the sequence complete is the
 * feature (nothing passed on); anything else is passed on, held keys first.
 */
export class DtmfSequence {
  private held = '';

  constructor(private readonly sequence: string) {}

  get holding(): boolean {
    return this.held !== '';
  }

  /** One key: what to pass on now, and whether it completed the sequence. */
  press(digit: string): { passOn: string; matched: boolean } {
    const candidate = this.held + digit;
    if (candidate === this.sequence) {
      this.held = '';
      return { passOn: '', matched: true };
    }
    if (this.sequence.startsWith(candidate)) {
      this.held = candidate;
      return { passOn: '', matched: false };
    }
    this.held = '';
    // The key that broke a begun sequence may begin it anew (** then 9 is *9 after a *).
    if (this.sequence.startsWith(digit)) {
      this.held = digit;
      return { passOn: candidate.slice(0, -1), matched: false };
    }
    return { passOn: candidate, matched: false };
  }

  /** The next key did not come in time: the keys held back are passed on. */
  timeout(): string {
    const held = this.held;
    this.held = '';
    return held;
  }
}

export interface InCallBlockEvents {
  on(event: 'channelDtmf', listener: (event: ChannelDtmf) => void): unknown;
  off(event: 'channelDtmf', listener: (event: ChannelDtmf) => void): unknown;
}

export interface InCallBlockOptions {
  /** the sequence, `*9` */
  digits: string;
  list: string;
  use: UseAgentFeature;
}

export interface InCallBlockWatch {
  agentId: string;
  /** the agent's endpoint, `PJSIP/1001` */
  endpoint: string;
  farEndId: string;
  /** the other party's number (E.164), as dialled */
  farEndNumber: string;
}

/**
 * Watches the keys an agent presses in a call callguard bridged (the agent's keys are
 * absorbed by the bridge): the sequence lists the far end's number, and the agent hears
 * the result; every other key is passed on to the far end, so an IVR there still works.
 * The far end hears none of the sequence. Returns the function that stops watching.
 */
export function watchInCallBlock(
  watch: InCallBlockWatch,
  options: InCallBlockOptions,
  calls: CallControl,
  events: InCallBlockEvents,
  log: Logger,
): () => void {
  const sequence = new DtmfSequence(options.digits);
  let lastKey = '';
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  // Keys are passed on in the order pressed, one request after another.
  let passing: Promise<unknown> = Promise.resolve();

  const passOn = (digits: string): void => {
    if (digits === '') return;
    passing = passing
      .then(() => calls.sendDtmf(watch.farEndId, digits))
      .catch((error: unknown) => log.warn({ err: error }, 'a key the agent pressed could not be passed on'));
  };
  const block = async (): Promise<void> => {
    busy = true;
    try {
      const outcome = await options.use({
        feature: 'block-call',
        code: options.digits,
        number: watch.farEndNumber,
        endpoint: watch.endpoint,
        list: options.list,
        channelId: watch.agentId,
      });
      await calls.play(watch.agentId, outcome.result === 'listed' ? LISTED_SOUND : NOT_LISTED_SOUND);
    } catch (error) {
      log.warn({ err: error }, 'the agent could not hear the result of the in-call block');
    } finally {
      busy = false;
    }
  };
  const onKey = (event: ChannelDtmf): void => {
    if (event.channelId !== watch.agentId) return;
    const key = `${event.timestamp}|${event.digit}`;
    if (key === lastKey) return;
    lastKey = key;
    clearTimeout(timer);
    const { passOn: digits, matched } = sequence.press(event.digit);
    passOn(digits);
    if (matched && !busy) void block();
    if (sequence.holding) timer = setTimeout(() => passOn(sequence.timeout()), FEATURE_DIGIT_TIMEOUT_MS);
  };
  events.on('channelDtmf', onKey);
  return () => {
    clearTimeout(timer);
    events.off('channelDtmf', onKey);
  };
}
