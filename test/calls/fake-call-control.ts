import { EventEmitter } from 'node:events';
import type { AriEventMap } from '../../src/calls/ari-events.js';
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
} from '../../src/calls/call-control.js';

/** Where a fake channel is: in our Stasis app, back in the dialplan, or hung up. */
type Place = 'stasis' | 'dialplan' | 'gone';

interface FakeChannel {
  place: Place;
  answered: boolean;
  variables: Map<string, string>;
  hangupCause?: number;
  continuedTo?: DialplanTarget | 'next';
  played: string[];
  onGone: (() => void)[];
  /** originated by us: Asterisk reports its ChannelDestroyed too (a dialplan channel's it does not) */
  originated: boolean;
  /** the bridge it is in */
  bridge?: string;
}

/**
 * What the far end of an originated channel does, as the contract suite shows Asterisk
 * reports it: `answer` enters Stasis with the app args; `end` is destroyed with the cause
 * before any answer (17 busy...); `ring` rings until the originate timeout (cause 19) or
 * a hangup; `refuse` is the HTTP error of an endpoint Asterisk cannot dial.
 */
export type FarEnd =
  | { kind: 'answer'; afterMs?: number }
  | { kind: 'end'; cause: number; afterMs?: number }
  | { kind: 'ring' }
  /** rings, and Asterisk's events about it are lost (websocket reconnecting): nothing is ever reported */
  | { kind: 'silent' }
  | { kind: 'refuse'; status: number; reason: string };

/** Asterisk's answer to an originate whose channel technology or endpoint does not exist. */
const ALLOCATION_FAILED: FarEnd = { kind: 'refuse', status: 500, reason: 'Allocation failed' };

export type FakeOperation =
  | { op: 'answer'; channel: string }
  | { op: 'hangup'; channel: string; cause: number }
  | { op: 'continue'; channel: string; target: DialplanTarget | 'next' }
  | { op: 'set'; channel: string; name: string; value: string }
  | { op: 'get'; channel: string; name: string }
  | { op: 'play'; channel: string; media: string }
  | { op: 'ring'; channel: string }
  | { op: 'follow'; channel: string }
  | { op: 'originate'; channel: string; request: OriginateRequest }
  | { op: 'create bridge'; bridge: string }
  | { op: 'add to bridge'; bridge: string; channels: string[]; absorbDtmf?: boolean }
  | { op: 'send dtmf'; channel: string; digits: string }
  | { op: 'destroy bridge'; bridge: string };

/**
 * CallControl without Asterisk, behaving as the contract suite proves Asterisk does:
 * 404/409 become GONE; a channel that left Stasis can still be read and hung up, but
 * not answered, played to or continued; variables read back; play waits.
 */
export class FakeCallControl extends EventEmitter<AriEventMap> implements CallControl {
  readonly channels = new Map<string, FakeChannel>();
  readonly operations: FakeOperation[] = [];
  /** bridge id -> the channels in it */
  readonly bridges = new Map<string, Set<string>>();
  /** what each originated endpoint does; an endpoint not listed is refused as Asterisk refuses an unknown one */
  readonly farEnds = new Map<string, FarEnd>();
  /** originates still ringing: channel id -> what ends the ringing */
  private readonly ringing = new Map<string, (cause: number) => void>();
  private nextId = 1;

  /** `mediaMs` gives a playing time per media; others play for `defaultPlaybackMs`. */
  constructor(
    private readonly mediaMs: Record<string, number> = {},
    private readonly defaultPlaybackMs = 5,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** A channel that just entered Stasis; `variables` as the dialplan set them. */
  addChannel(variables: Record<string, string> = {}, id = `fake-${this.nextId++}`): string {
    this.channels.set(id, {
      place: 'stasis',
      answered: false,
      variables: new Map(Object.entries(variables)),
      played: [],
      onGone: [],
      originated: false,
    });
    return id;
  }

  /** The caller hangs up (or, for an originated channel, the far end). */
  farEndHangup(channelId: string, cause = 16): void {
    const channel = this.channels.get(channelId);
    if (channel && channel.place !== 'gone') this.leave(channel, 'gone', cause);
  }

  /** Channels originated so far, by endpoint. */
  originatedTo(endpoint: string): string[] {
    return this.operations.flatMap((op) => (op.op === 'originate' && op.request.endpoint === endpoint ? [op.channel] : []));
  }

  channel(channelId: string): FakeChannel {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`no fake channel ${channelId}`);
    return channel;
  }

  async answer(channelId: string): Promise<Acted> {
    this.operations.push({ op: 'answer', channel: channelId });
    const channel = this.inStasis(channelId);
    if (!channel) return GONE;
    channel.answered = true;
    return DONE;
  }

  async hangup(channelId: string, cause: number): Promise<Acted> {
    this.operations.push({ op: 'hangup', channel: channelId, cause });
    const channel = this.channels.get(channelId);
    const ringing = this.ringing.get(channelId);
    if (ringing) {
      ringing(cause);
      return DONE;
    }
    if (!channel || channel.place === 'gone') return GONE;
    channel.hangupCause = cause;
    this.leave(channel, 'gone', cause);
    return DONE;
  }

  async continueInDialplan(channelId: string, target?: DialplanTarget): Promise<Acted> {
    this.operations.push({ op: 'continue', channel: channelId, target: target ?? 'next' });
    const channel = this.inStasis(channelId);
    if (!channel) return GONE;
    channel.continuedTo = target ?? 'next';
    this.leave(channel, 'dialplan');
    return DONE;
  }

  async setVariable(channelId: string, name: string, value: string): Promise<Acted> {
    this.operations.push({ op: 'set', channel: channelId, name, value });
    if (name === '') throw new CallControlError('set variable', 400, 'Variable name is required');
    const channel = this.inStasis(channelId);
    if (!channel) return GONE;
    channel.variables.set(name, value);
    return DONE;
  }

  async getVariable(channelId: string, name: string): Promise<ReadValue> {
    this.operations.push({ op: 'get', channel: channelId, name });
    const channel = this.channels.get(channelId);
    if (!channel || channel.place === 'gone') return GONE;
    return { ok: true, value: channel.variables.get(name) };
  }

  async play(channelId: string, media: string): Promise<Acted> {
    this.operations.push({ op: 'play', channel: channelId, media });
    const channel = this.inStasis(channelId);
    if (!channel) return GONE;
    channel.played.push(media);
    return new Promise<Acted>((resolve) => {
      const timer = setTimeout(() => resolve(DONE), this.mediaMs[media] ?? this.defaultPlaybackMs);
      // As Asterisk does: a hangup stops the playback, which then reports finished.
      channel.onGone.push(() => {
        clearTimeout(timer);
        resolve(DONE);
      });
    });
  }

  async ring(channelId: string): Promise<Acted> {
    this.operations.push({ op: 'ring', channel: channelId });
    return this.inStasis(channelId) ? DONE : GONE;
  }

  async follow(channelId: string): Promise<Acted> {
    this.operations.push({ op: 'follow', channel: channelId });
    const channel = this.channels.get(channelId);
    return channel && channel.place !== 'gone' ? DONE : GONE;
  }

  async originate(request: OriginateRequest): Promise<Originated> {
    const channelId = request.channelId;
    this.operations.push({ op: 'originate', channel: channelId, request });
    const farEnd = this.farEnds.get(request.endpoint) ?? ALLOCATION_FAILED;
    if (farEnd.kind === 'refuse') return { ok: false, status: farEnd.status, reason: farEnd.reason };
    if (this.channels.has(channelId) || this.ringing.has(channelId)) {
      return { ok: false, status: 409, reason: 'Channel with given unique ID already exists' };
    }
    // What the far end does once its time came; a hangup while it rings ends it with that cause.
    const settle = (hungUpWith?: number): void => {
      clearTimeout(timer);
      this.ringing.delete(channelId);
      if (hungUpWith === undefined && farEnd.kind === 'answer') {
        this.answerOriginated(request);
        return;
      }
      const cause = hungUpWith ?? (farEnd.kind === 'end' ? farEnd.cause : 19);
      if (farEnd.kind !== 'silent') this.emit('channelDestroyed', { channelId, cause });
    };
    const ringsFor = farEnd.kind === 'ring' || farEnd.kind === 'silent' ? request.timeoutSeconds * 1000 : (farEnd.afterMs ?? 0);
    const timer = setTimeout(() => settle(), ringsFor);
    this.ringing.set(channelId, (cause) => settle(cause));
    return { ok: true, channelId };
  }

  async createBridge(bridgeId: string): Promise<void> {
    this.operations.push({ op: 'create bridge', bridge: bridgeId });
    if (!this.bridges.has(bridgeId)) this.bridges.set(bridgeId, new Set());
  }

  async addToBridge(bridgeId: string, channelIds: string[], options: { absorbDtmf?: boolean } = {}): Promise<Acted> {
    this.operations.push({
      op: 'add to bridge',
      bridge: bridgeId,
      channels: [...channelIds],
      ...(options.absorbDtmf ? { absorbDtmf: true } : {}),
    });
    const bridge = this.bridges.get(bridgeId);
    const channels = channelIds.map((id) => this.inStasis(id));
    if (!bridge || channels.some((channel) => channel === undefined)) return GONE;
    for (const [index, id] of channelIds.entries()) {
      bridge.add(id);
      const channel = channels[index];
      if (channel) channel.bridge = bridgeId;
    }
    return DONE;
  }

  async sendDtmf(channelId: string, digits: string): Promise<Acted> {
    this.operations.push({ op: 'send dtmf', channel: channelId, digits });
    return this.inStasis(channelId) ? DONE : GONE;
  }

  /** A key pressed on a channel, as Asterisk reports it (ChannelDtmfReceived). */
  pressKey(channelId: string, digit: string, timestamp = `${Date.now()}-${this.nextId++}`): void {
    this.emit('channelDtmf', { channelId, digit, timestamp });
  }

  async destroyBridge(bridgeId: string): Promise<Acted> {
    this.operations.push({ op: 'destroy bridge', bridge: bridgeId });
    const bridge = this.bridges.get(bridgeId);
    if (!bridge) return GONE;
    for (const id of bridge) {
      const channel = this.channels.get(id);
      if (channel) channel.bridge = undefined;
    }
    this.bridges.delete(bridgeId);
    return DONE;
  }

  private answerOriginated(request: OriginateRequest): void {
    this.channels.set(request.channelId, {
      place: 'stasis',
      answered: true,
      variables: new Map(Object.entries(request.variables ?? {})),
      played: [],
      onGone: [],
      originated: true,
    });
    const exten = /^[^/]+\/([^@]+)/.exec(request.endpoint)?.[1] ?? '';
    // Asterisk reports the number of a caller id given as `"Name" <number>`.
    const callerNumber = /<([^>]*)>/.exec(request.callerId ?? '')?.[1] ?? request.callerId ?? '';
    this.emit('stasisStart', { channelId: request.channelId, callerNumber, args: request.appArgs, exten });
  }

  private inStasis(channelId: string): FakeChannel | undefined {
    const channel = this.channels.get(channelId);
    return channel?.place === 'stasis' ? channel : undefined;
  }

  private leave(channel: FakeChannel, place: Place, cause = 16): void {
    const id = [...this.channels.entries()].find(([, value]) => value === channel)?.[0] ?? '';
    const wasInStasis = channel.place === 'stasis';
    channel.place = place;
    if (channel.bridge !== undefined) {
      this.bridges.get(channel.bridge)?.delete(id);
      channel.bridge = undefined;
    }
    for (const notify of channel.onGone.splice(0)) notify();
    if (wasInStasis) this.emit('stasisEnd', id);
    if (place === 'gone' && channel.originated) this.emit('channelDestroyed', { channelId: id, cause });
  }
}
