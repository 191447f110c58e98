import { CallControlError, DONE, GONE, type Acted, type CallControl, type DialplanTarget, type ReadValue } from '../../src/calls/call-control.js';

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
}

export type FakeOperation =
  | { op: 'answer'; channel: string }
  | { op: 'hangup'; channel: string; cause: number }
  | { op: 'continue'; channel: string; target: DialplanTarget | 'next' }
  | { op: 'set'; channel: string; name: string; value: string }
  | { op: 'get'; channel: string; name: string }
  | { op: 'play'; channel: string; media: string };

/**
 * CallControl without Asterisk, behaving as the contract suite proves Asterisk does:
 * 404/409 become GONE; a channel that left Stasis can still be read and hung up, but
 * not answered, played to or continued; variables read back; play waits.
 */
export class FakeCallControl implements CallControl {
  readonly channels = new Map<string, FakeChannel>();
  readonly operations: FakeOperation[] = [];
  private nextId = 1;

  /** `mediaMs` gives a playing time per media; others play for `defaultPlaybackMs`. */
  constructor(
    private readonly mediaMs: Record<string, number> = {},
    private readonly defaultPlaybackMs = 5,
  ) {}

  /** A channel that just entered Stasis; `variables` as the dialplan set them. */
  addChannel(variables: Record<string, string> = {}, id = `fake-${this.nextId++}`): string {
    this.channels.set(id, {
      place: 'stasis',
      answered: false,
      variables: new Map(Object.entries(variables)),
      played: [],
      onGone: [],
    });
    return id;
  }

  /** The caller hangs up. */
  farEndHangup(channelId: string): void {
    const channel = this.channels.get(channelId);
    if (channel) this.leave(channel, 'gone');
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
    if (!channel || channel.place === 'gone') return GONE;
    channel.hangupCause = cause;
    this.leave(channel, 'gone');
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

  private inStasis(channelId: string): FakeChannel | undefined {
    const channel = this.channels.get(channelId);
    return channel?.place === 'stasis' ? channel : undefined;
  }

  private leave(channel: FakeChannel, place: Place): void {
    channel.place = place;
    for (const notify of channel.onGone.splice(0)) notify();
  }
}
