import { describe, expect, it } from 'vitest';
import type { ChannelSnapshot, StasisStart } from '../../src/calls/ari-events.js';
import {
  ADOPT_GRACE_MS,
  STASIS_DECISION_BOUND_MS,
  StasisSweep,
  sweepStep,
  type FoundChannel,
  type SweepView,
  type SweptApp,
} from '../../src/calls/stasis-sweep.js';
import { capturedLogger } from '../helpers/log-capture.js';

const NOW = 1_000_000;

function found(args: string[], overrides: Partial<FoundChannel> = {}): FoundChannel {
  return { start: { channelId: 'c1', callerNumber: '+4930111111', args }, firstSeenAt: NOW - ADOPT_GRACE_MS, claimed: false, bridged: false, ...overrides };
}

describe('what a sweep does with a channel this process does not handle', () => {
  it('an inbound channel nobody alive handles is adopted, once its grace has passed', () => {
    expect(sweepStep(found(['inbound', 'support'], { firstSeenAt: NOW }), NOW)).toEqual({ kind: 'wait' });
    expect(sweepStep(found(['inbound', 'support']), NOW)).toEqual({ kind: 'adopt' });
  });

  it('a channel a live instance handles is left to it', () => {
    expect(sweepStep(found(['inbound', 'support'], { claimed: true }), NOW)).toEqual({ kind: 'leave' });
    expect(sweepStep(found(['outbound', 'default'], { claimed: true, firstSeenAt: NOW - 10 * STASIS_DECISION_BOUND_MS }), NOW)).toEqual({ kind: 'leave' });
  });

  it('a channel in a bridge is never touched: an agent is talking', () => {
    expect(sweepStep(found(['outbound', 'default'], { bridged: true }), NOW)).toEqual({ kind: 'leave' });
    expect(sweepStep(found(['inbound', 'support'], { bridged: true, firstSeenAt: 0 }), NOW)).toEqual({ kind: 'leave' });
  });

  it('an agent call nobody handles goes to the dialplan fallback (not dialled), never dialled again', () => {
    expect(sweepStep(found(['outbound', 'default']), NOW)).toMatchObject({ kind: 'release' });
  });

  it('a leg callguard originated into the app is left to its originator', () => {
    expect(sweepStep(found(['dialer', 'request-1'], { firstSeenAt: 0 }), NOW)).toEqual({ kind: 'leave' });
  });

  it('a channel with arguments nobody handles goes to the dialplan fallback', () => {
    expect(sweepStep(found(['surprise']), NOW)).toMatchObject({ kind: 'release' });
  });

  it('an inbound channel a live instance claims but has not decided within the bound goes to the fallback', () => {
    const stale = found(['inbound', 'support'], { claimed: true, firstSeenAt: NOW - STASIS_DECISION_BOUND_MS });
    expect(sweepStep(stale, NOW)).toMatchObject({ kind: 'release-if-undecided' });
    expect(sweepStep({ ...stale, firstSeenAt: NOW - STASIS_DECISION_BOUND_MS + 1 }, NOW)).toEqual({ kind: 'leave' });
  });
});

/** Asterisk as a sweep sees it: the app's channels, their snapshots, bridges and verdicts. */
function fakeView(channels: Record<string, { args: string[]; bridged?: boolean; verdict?: string }>) {
  const asked: string[] = [];
  const view: SweepView = {
    channelsInApp: async () => Object.keys(channels),
    channel: async (channelId): Promise<ChannelSnapshot | undefined> => {
      asked.push(channelId);
      const channel = channels[channelId];
      if (!channel) return undefined;
      return { channelId, callerNumber: '+4930111111', exten: '+4930555000', appName: 'Stasis', appData: ['callguard', ...channel.args].join(',') };
    },
    bridgedChannels: async () => new Set(Object.entries(channels).filter(([, channel]) => channel.bridged).map(([id]) => id)),
    verdict: async (channelId) => channels[channelId]?.verdict ?? '',
  };
  return { view, asked };
}

function fakeApp(known: string[] = []) {
  const adopted: StasisStart[] = [];
  const released: string[] = [];
  const app: SweptApp = {
    knows: (channelId) => known.includes(channelId) || adopted.some((start) => start.channelId === channelId),
    adopt: (start) => {
      adopted.push(start);
      return true;
    },
    release: async (channelId) => void released.push(channelId),
  };
  return { app, adopted, released };
}

describe('a sweep of the shared app', () => {
  it('adopts a channel nobody handles at the second look, rebuilt from its dialplan position', async () => {
    const { view } = fakeView({ left: { args: ['inbound', 'support', 'allowed'] } });
    const { app, adopted } = fakeApp();
    let now = NOW;
    const sweep = new StasisSweep({ app: 'callguard', view, census: async () => new Set(), stasis: app, log: capturedLogger().log, now: () => now });
    expect(await sweep.pass()).toBe('soon');
    expect(adopted).toEqual([]);
    now += ADOPT_GRACE_MS;
    expect(await sweep.pass()).toBe('later');
    expect(adopted).toEqual([{ channelId: 'left', callerNumber: '+4930111111', args: ['inbound', 'support', 'allowed'], exten: '+4930555000' }]);
  });

  it('does not even look at the channels this process handles', async () => {
    const { view, asked } = fakeView({ mine: { args: ['inbound', 'support'] } });
    const { app, adopted } = fakeApp(['mine']);
    const sweep = new StasisSweep({ app: 'callguard', view, census: async () => new Set(), stasis: app, log: capturedLogger().log });
    expect(await sweep.pass(0)).toBe('later');
    expect(asked).toEqual([]);
    expect(adopted).toEqual([]);
  });

  it('leaves what a live instance claims and what is bridged, and adopts the rest', async () => {
    const { view } = fakeView({ theirs: { args: ['inbound', 'support'] }, talking: { args: ['outbound', 'default'], bridged: true }, orphan: { args: ['inbound', 'support'] } });
    const { app, adopted, released } = fakeApp();
    const sweep = new StasisSweep({ app: 'callguard', view, census: async () => new Set(['theirs']), stasis: app, log: capturedLogger().log });
    await sweep.pass(0);
    expect(adopted.map((start) => start.channelId)).toEqual(['orphan']);
    expect(released).toEqual([]);
  });

  it('adopts nothing when the other instances cannot be asked', async () => {
    const { view } = fakeView({ orphan: { args: ['inbound', 'support'] } });
    const { app, adopted } = fakeApp();
    const sweep = new StasisSweep({
      app: 'callguard',
      view,
      census: async () => {
        throw new Error('ARI did not answer');
      },
      stasis: app,
      log: capturedLogger().log,
    });
    await expect(sweep.pass(0)).rejects.toThrow('ARI did not answer');
    expect(adopted).toEqual([]);
  });

  it('sends a claimed inbound channel still undecided past the bound to the fallback, and leaves a decided one', async () => {
    const { view } = fakeView({ stuck: { args: ['inbound', 'support'] }, deciding: { args: ['inbound', 'support'], verdict: 'blocked' } });
    const { app, released } = fakeApp();
    let now = NOW;
    const sweep = new StasisSweep({ app: 'callguard', view, census: async () => new Set(['stuck', 'deciding']), stasis: app, log: capturedLogger().log, now: () => now });
    await sweep.pass();
    expect(released).toEqual([]);
    now += STASIS_DECISION_BOUND_MS;
    await sweep.pass();
    expect(released).toEqual(['stuck']);
  });

  it('ignores channels of other apps and channels gone before it looked', async () => {
    const { view } = fakeView({ other: { args: ['inbound', 'support'] } });
    const { app, adopted } = fakeApp();
    const elsewhere: SweepView = { ...view, channel: async (channelId) => ({ channelId, callerNumber: '', exten: '', appName: 'Stasis', appData: 'someone-else,inbound' }) };
    const sweep = new StasisSweep({ app: 'callguard', view: elsewhere, census: async () => new Set(), stasis: app, log: capturedLogger().log });
    expect(await sweep.pass(0)).toBe('later');
    const gone: SweepView = { ...view, channel: async () => undefined };
    expect(await new StasisSweep({ app: 'callguard', view: gone, census: async () => new Set(), stasis: app, log: capturedLogger().log }).pass(0)).toBe('later');
    expect(adopted).toEqual([]);
  });
});
