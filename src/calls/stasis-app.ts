import type { Logger } from '../log.js';
import type { StasisStart } from './ari-events.js';
import type { CallControl } from './call-control.js';
import type { InboundCall } from './inbound.js';
import { ORIGINATED_LEGS } from './originated-leg.js';
import type { AgentCall } from './outbound.js';

/**
 * Longest a shutdown waits for the calls being decided. A decision takes milliseconds;
 * what can take longer is an announcement being played (the caller hears it to the end).
 */
export const DRAIN_LIMIT_MS = 30_000;
/**
 * How long a channel this process finished stays known as handled, so a sweep that
 * listed it just before it left the app does not take it for one left behind.
 */
export const FINISHED_MEMORY_MS = 60_000;

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
 * on in the dialplan so its fallback (the line after Stasis()) routes them. Channels
 * found in the app without a StasisStart (left by an instance that died) are adopted
 * the same way.
 */
export class StasisApp {
  /** the calls in flight by channel id */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** channel id -> when its handler finished, oldest first */
  private readonly finished = new Map<string, number>();
  private draining = false;

  constructor(
    private readonly deps: StasisAppDeps,
    private readonly now: () => number = Date.now,
  ) {}

  get callsInFlight(): number {
    return this.inFlight.size;
  }

  onStasisStart(event: StasisStart): void {
    // Adopted a moment before its StasisStart arrived: it is being handled already.
    if (this.inFlight.has(event.channelId)) return;
    this.track(event.channelId, this.route(event));
  }

  /** Whether this process handles the channel now or finished it a moment ago. */
  knows(channelId: string): boolean {
    this.forgetOldFinished();
    return this.inFlight.has(channelId) || this.finished.has(channelId);
  }

  /** The channels among `channelIds` this process handles now (another instance asks before adopting). */
  handling(channelIds: readonly string[]): string[] {
    return channelIds.filter((channelId) => this.inFlight.has(channelId));
  }

  /**
   * Takes over a channel found in the app that no live instance handles, as if its
   * StasisStart had just arrived; false when this process knows it already.
   */
  adopt(event: StasisStart): boolean {
    if (this.knows(event.channelId)) return false;
    this.deps.log.info({ channel: event.channelId, args: event.args }, 'channel left in the Stasis app adopted');
    this.track(event.channelId, this.route(event));
    return true;
  }

  /** Sends a channel on at the priority after Stasis(), where the dialplan keeps its fallback. */
  async release(channelId: string, why: string): Promise<void> {
    const log = this.deps.log.child({ channel: channelId });
    try {
      const released = await this.deps.calls.continueInDialplan(channelId);
      if (released.ok) log.warn(why);
      else log.debug('channel gone before it could be sent to the dialplan fallback');
    } catch (error) {
      log.error({ err: error }, 'could not hand the call back to the dialplan');
    }
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
      await Promise.race([Promise.all([...this.inFlight.values()]), limit]);
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
      await this.deps.outbound({
        channelId: event.channelId,
        dialled: event.exten ?? '',
        campaignName: name,
        ...(event.channelName ? { channelName: event.channelName } : {}),
      });
      return;
    }
    await this.release(event.channelId, `no handler for Stasis argument "${kind ?? ''}": call left to the dialplan fallback`);
  }

  private track(channelId: string, work: Promise<void>): void {
    const tracked: Promise<void> = work
      .catch((error: unknown) => this.deps.log.error({ channel: channelId, err: error }, 'call handler failed'))
      .finally(() => {
        if (this.inFlight.get(channelId) === tracked) this.inFlight.delete(channelId);
        this.finished.delete(channelId);
        this.finished.set(channelId, this.now());
        this.forgetOldFinished();
      });
    this.inFlight.set(channelId, tracked);
  }

  private forgetOldFinished(): void {
    const before = this.now() - FINISHED_MEMORY_MS;
    for (const [channelId, at] of this.finished) {
      if (at >= before) return;
      this.finished.delete(channelId);
    }
  }
}
