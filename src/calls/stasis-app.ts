import type { Logger } from '../log.js';
import type { StasisStart } from './ari-events.js';
import type { CallControl } from './call-control.js';
import { describeError, type InboundCall } from './inbound.js';
import { ORIGINATED_LEGS } from './originated-leg.js';
import type { AgentCall } from './outbound.js';

/**
 * Longest a shutdown waits for the calls being decided. A decision takes milliseconds;
 * what can take longer is an announcement being played (the caller hears it to the end).
 */
export const DRAIN_LIMIT_MS = 30_000;

export interface StasisAppDeps {
  calls: CallControl;
  log: Logger;
  /** screens and acts on one inbound call; never rejects */
  inbound: (call: InboundCall) => Promise<void>;
  /** screens an agent's outbound call and dials or refuses it; never rejects. Absent: such calls go to the dialplan fallback (not dialled) */
  outbound?: (call: AgentCall) => Promise<void>;
}

/**
 * Sends each channel entering the Stasis app to its handler by the first Stasis()
 * argument, keeps count of the calls in flight, and, once draining, lets new calls go
 * on in the dialplan so its fallback (the line after Stasis()) routes them.
 */
export class StasisApp {
  private readonly inFlight = new Set<Promise<void>>();
  private draining = false;

  constructor(private readonly deps: StasisAppDeps) {}

  get callsInFlight(): number {
    return this.inFlight.size;
  }

  onStasisStart(event: StasisStart): void {
    this.track(this.route(event));
  }

  /** Stops taking calls and resolves when those in flight are done (or the limit passed). */
  async drain(limitMs = DRAIN_LIMIT_MS): Promise<{ unfinished: number }> {
    this.draining = true;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        resolve();
      }, limitMs);
    });
    // Calls that arrive while draining are added to inFlight too: wait until none is left.
    while (this.inFlight.size > 0 && !timedOut) {
      await Promise.race([Promise.all([...this.inFlight]), limit]);
    }
    clearTimeout(timer);
    return { unfinished: this.inFlight.size };
  }

  private async route(event: StasisStart): Promise<void> {
    const [kind, name = '', presentation] = event.args;
    // A leg callguard originated: whoever originated it is waiting for this StasisStart.
    if (kind !== undefined && ORIGINATED_LEGS.has(kind)) return;
    if (this.draining) {
      await this.release(event.channelId, 'shutting down: call left to the dialplan fallback');
      return;
    }
    if (kind === 'inbound') {
      await this.deps.inbound({
        channelId: event.channelId,
        callerNumber: event.callerNumber,
        routeName: name,
        presentation: presentation === '' ? undefined : presentation,
      });
      return;
    }
    if (kind === 'outbound' && this.deps.outbound) {
      await this.deps.outbound({ channelId: event.channelId, dialled: event.exten ?? '', campaignName: name });
      return;
    }
    await this.release(event.channelId, `no handler for Stasis argument "${kind ?? ''}": call left to the dialplan fallback`);
  }

  private async release(channelId: string, why: string): Promise<void> {
    const log = this.deps.log.child({ channel: channelId });
    try {
      await this.deps.calls.continueInDialplan(channelId);
      log.warn(why);
    } catch (error) {
      log.error({ error: describeError(error) }, 'could not hand the call back to the dialplan');
    }
  }

  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work
      .catch((error: unknown) => this.deps.log.error({ error: describeError(error) }, 'call handler failed'))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
