import type { Logger } from '../log.js';
import { CHANNEL_VARIABLES } from '../screening/channel-variables.js';
import type { AriConnection } from './ari-connection.js';
import { parseChannelSnapshot, stasisStartOf, type ChannelSnapshot, type StasisStart } from './ari-events.js';
import type { AriRest } from './ari-rest.js';
import type { CallControl } from './call-control.js';
import { ORIGINATED_LEGS } from './originated-leg.js';
import { PEER_EVENTS } from './peers.js';

/**
 * Channels can be in the shared Stasis app with nobody handling them: an instance died
 * (kill -9, a crash) while deciding them, or Asterisk let a channel in while the
 * websocket that would have got its StasisStart was going away. Asterisk keeps such a
 * channel in Stasis, ringing, until the caller gives up; and while one is in it, the
 * app stays registered without a websocket, so Stasis() fails for every new call.
 *
 * The instance holding the shared app looks for them when it becomes the holder and
 * then every SWEEP_INTERVAL_MS (one GET of the app's channel ids when nothing is left
 * over). A channel it does not handle itself is asked about at the other live
 * instances (peers.ts); one nobody alive handles is adopted: decided as if its
 * StasisStart had just arrived. Never touched: the channels of the instances' own apps
 * (their originated legs), channels in a bridge (an agent's call in conversation), and
 * whatever a live instance says it handles.
 */

/** How often the shared app's holder looks for channels nobody handles. */
export const SWEEP_INTERVAL_MS = 2_000;
/**
 * How long a channel must have been seen unhandled before it is adopted: its
 * StasisStart may still be on its way to this very process.
 */
export const ADOPT_GRACE_MS = 300;
/** How long the other instances have to say which channels they handle; one that is silent is dead. */
export const CENSUS_TIMEOUT_MS = 500;
/** Channel ids asked about in one message (a user event is one HTTP request to Asterisk). */
export const CENSUS_BATCH = 100;
/**
 * The last resort: an inbound channel another instance claims, still without a decision
 * (no CALLGUARD_VERDICT) this long after it was first seen, goes to the dialplan
 * fallback. Longer than the longest decision deadline (10 s) a live instance can have.
 */
export const STASIS_DECISION_BOUND_MS = 15_000;

/** What Asterisk shows of the shared app and its channels. */
export interface SweepView {
  /** the ids of the channels in the shared app; none when Asterisk does not know the app */
  channelsInApp(): Promise<string[]>;
  /** the channel now; undefined once it is gone */
  channel(channelId: string): Promise<ChannelSnapshot | undefined>;
  /** every channel that is in a bridge now */
  bridgedChannels(): Promise<Set<string>>;
  /** CALLGUARD_VERDICT of the channel, '' while no decision set it; undefined once it is gone */
  verdict(channelId: string): Promise<string | undefined>;
}

/** The channels among `channelIds` a live instance other than this one handles. */
export type Census = (channelIds: string[]) => Promise<Set<string>>;

/** The part of the StasisApp a sweep works with. */
export interface SweptApp {
  knows(channelId: string): boolean;
  adopt(event: StasisStart): boolean;
  release(channelId: string, why: string): Promise<void>;
}

export interface FoundChannel {
  start: StasisStart;
  /** when a sweep first saw it unhandled by this process, ms */
  firstSeenAt: number;
  /** a live instance said it handles it */
  claimed: boolean;
  bridged: boolean;
}

export type SweepStep =
  | { kind: 'leave' }
  /** seen too recently: look again at the next pass */
  | { kind: 'wait' }
  | { kind: 'adopt' }
  | { kind: 'release'; why: string }
  /** release it unless a decision was made (CALLGUARD_VERDICT set) */
  | { kind: 'release-if-undecided'; why: string };

/** What to do with one channel found in the shared app that this process does not handle. */
export function sweepStep(channel: FoundChannel, now: number, graceMs = ADOPT_GRACE_MS): SweepStep {
  const [kind] = channel.start.args;
  if (channel.bridged) return { kind: 'leave' };
  const age = now - channel.firstSeenAt;
  if (channel.claimed) {
    if (kind === 'inbound' && age >= STASIS_DECISION_BOUND_MS) {
      return { kind: 'release-if-undecided', why: `no decision ${STASIS_DECISION_BOUND_MS} ms after the channel was found in the Stasis app: sent to the dialplan fallback` };
    }
    return { kind: 'leave' };
  }
  // A leg originated into this app: its originator waits for it, nobody else may act on it.
  if (kind !== undefined && ORIGINATED_LEGS.has(kind)) return { kind: 'leave' };
  if (age < graceMs) return { kind: 'wait' };
  if (kind === 'inbound') return { kind: 'adopt' };
  if (kind === 'outbound') {
    // Its instance may have dialled the far end already: dialling again could ring the callee twice.
    return { kind: 'release', why: 'agent call left by an instance that stopped: not dialled, sent to the dialplan fallback' };
  }
  return { kind: 'release', why: `channel left in the Stasis app with argument "${kind ?? ''}": sent to the dialplan fallback` };
}

export interface StasisSweepDeps {
  /** the shared app's name */
  app: string;
  view: SweepView;
  census: Census;
  stasis: SweptApp;
  log: Logger;
  now?: () => number;
}

/** Runs the sweep while this process holds the shared app (start/stop). */
export class StasisSweep {
  private readonly firstSeen = new Map<string, number>();
  private readonly now: () => number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private active = false;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: StasisSweepDeps) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log.child({ component: 'stasis-sweep' });
  }

  /** This process holds the shared app now: a pass at once, then one every interval. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.schedule(0);
  }

  stop(): void {
    this.active = false;
    clearTimeout(this.timer);
  }

  /**
   * One look at the app; resolves 'soon' when a channel waits for its grace to pass.
   * `graceMs` 0 at shutdown: the websocket is closed, no StasisStart is on its way.
   */
  async pass(graceMs = ADOPT_GRACE_MS): Promise<'soon' | 'later'> {
    const { view, stasis, app } = this.deps;
    const ids = await view.channelsInApp();
    const present = new Set(ids);
    for (const channelId of this.firstSeen.keys()) if (!present.has(channelId)) this.firstSeen.delete(channelId);
    const unknown = ids.filter((channelId) => !stasis.knows(channelId));
    if (unknown.length === 0) return 'later';
    const now = this.now();
    for (const channelId of unknown) if (!this.firstSeen.has(channelId)) this.firstSeen.set(channelId, now);
    const snapshots = await Promise.all(unknown.map((channelId) => view.channel(channelId)));
    const starts = snapshots.flatMap((snapshot) => {
      const start = snapshot && stasisStartOf(snapshot, app);
      return start ? [start] : [];
    });
    if (starts.length === 0) return 'later';
    const [claimed, bridged] = await Promise.all([this.deps.census(starts.map((start) => start.channelId)), view.bridgedChannels()]);
    const theirs = starts.filter((start) => claimed.has(start.channelId)).length;
    if (theirs > 0) this.log.debug({ channels: theirs }, 'channels in the Stasis app that other instances handle, left to them');
    let soon = false;
    const releases: Promise<void>[] = [];
    for (const start of starts) {
      const { channelId } = start;
      const found = { start, firstSeenAt: this.firstSeen.get(channelId) ?? now, claimed: claimed.has(channelId), bridged: bridged.has(channelId) };
      const step = sweepStep(found, this.now(), graceMs);
      switch (step.kind) {
        case 'wait':
          soon = true;
          break;
        case 'adopt':
          stasis.adopt(start);
          break;
        case 'release':
          releases.push(stasis.release(channelId, step.why));
          break;
        case 'release-if-undecided':
          releases.push(this.releaseIfUndecided(channelId, step.why));
          break;
        case 'leave':
          break;
      }
    }
    await Promise.all(releases);
    return soon ? 'soon' : 'later';
  }

  private async releaseIfUndecided(channelId: string, why: string): Promise<void> {
    const verdict = await this.deps.view.verdict(channelId);
    if (verdict === '') await this.deps.stasis.release(channelId, why);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), ms);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (!this.active || this.running) return;
    let next = SWEEP_INTERVAL_MS;
    this.running = this.pass()
      .then((result) => {
        if (result === 'soon') next = ADOPT_GRACE_MS;
      })
      .catch((error: unknown) => this.log.warn({ err: error }, 'looking for channels left in the Stasis app failed'));
    await this.running;
    this.running = undefined;
    if (this.active) this.schedule(next);
  }
}

/** The SweepView over ARI's REST interface. */
export function ariSweepView(rest: AriRest, calls: CallControl, app: string): SweepView {
  return {
    async channelsInApp() {
      const response = await rest.request('GET', `/applications/${encodeURIComponent(app)}`);
      if (response.status === 404) return [];
      if (response.status !== 200) throw new Error(`GET /applications/${app} answered HTTP ${response.status}`);
      const ids = (response.body as { channel_ids?: unknown } | undefined)?.channel_ids;
      return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
    },
    async channel(channelId) {
      const response = await rest.request('GET', `/channels/${encodeURIComponent(channelId)}`);
      if (response.status === 404) return undefined;
      if (response.status !== 200) throw new Error(`GET /channels/${channelId} answered HTTP ${response.status}`);
      return parseChannelSnapshot(response.body);
    },
    async bridgedChannels() {
      const response = await rest.request('GET', '/bridges');
      if (response.status !== 200 || !Array.isArray(response.body)) throw new Error(`GET /bridges answered HTTP ${response.status}`);
      const bridged = new Set<string>();
      for (const bridge of response.body as unknown[]) {
        const channels = (bridge as { channels?: unknown } | null)?.channels;
        if (Array.isArray(channels)) for (const id of channels) if (typeof id === 'string') bridged.add(id);
      }
      return bridged;
    },
    async verdict(channelId) {
      const read = await calls.getVariable(channelId, CHANNEL_VARIABLES.verdict);
      return read.ok ? (read.value ?? '') : undefined;
    },
  };
}

/** The Census over the other instances' own apps; an instance that does not answer in time claims nothing. */
export function peerCensus(connection: AriConnection): Census {
  return async (channelIds) => {
    const claimed = new Set<string>();
    const messenger = connection.peers;
    if (!messenger || channelIds.length === 0) return claimed;
    const batches: string[][] = [];
    for (let at = 0; at < channelIds.length; at += CENSUS_BATCH) batches.push(channelIds.slice(at, at + CENSUS_BATCH));
    const peers = await connection.peerApps();
    await Promise.all(
      peers.flatMap((peer) =>
        batches.map(async (batch) => {
          const answer = await messenger.request(peer, PEER_EVENTS.census, { channels: batch.join(',') }, CENSUS_TIMEOUT_MS);
          if (answer.kind !== 'answered') return;
          for (const channelId of (answer.fields.channels ?? '').split(',')) if (channelId !== '') claimed.add(channelId);
        }),
      ),
    );
    return claimed;
  };
}

/** The answer this process gives to a census: which of the asked channels it handles. */
export function answerCensus(handling: (channelIds: string[]) => string[]): (fields: Record<string, string>) => Record<string, string> {
  return (fields) => ({ channels: handling((fields.channels ?? '').split(',').filter((id) => id !== '')).join(',') });
}
