import { describe, expect, it } from 'vitest';
import { StasisApp } from '../../src/calls/stasis-app.js';
import { FakeCallControl } from './fake-call-control.js';
import { capturedLogger } from '../helpers/log-capture.js';

describe('the Stasis app dispatcher', () => {
  function app(calls: FakeCallControl, inbound: (channelId: string, route: string) => Promise<void>) {
    const { log, lines } = capturedLogger();
    const stasis = new StasisApp({ calls, log, inbound: (call) => inbound(call.channelId, call.routeName) });
    return { stasis, lines };
  }

  it('an inbound channel goes to the inbound handler with its route', async () => {
    const calls = new FakeCallControl();
    const seen: string[] = [];
    const { stasis } = app(calls, async (channel, route) => void seen.push(`${channel}:${route}`));
    const channel = calls.addChannel();
    stasis.onStasisStart({ channelId: channel, callerNumber: '+4930111111', args: ['inbound', 'sales'] });
    await stasis.drain();
    expect(seen).toEqual([`${channel}:sales`]);
  });

  it('a third Stasis argument is the presentation the dialplan read; an empty one is none', async () => {
    const calls = new FakeCallControl();
    const { log } = capturedLogger();
    const seen: (string | undefined)[] = [];
    const stasis = new StasisApp({ calls, log, inbound: async (call) => void seen.push(call.presentation) });
    stasis.onStasisStart({ channelId: calls.addChannel(), callerNumber: '+4930111111', args: ['inbound', 'sales', 'prohib'] });
    stasis.onStasisStart({ channelId: calls.addChannel(), callerNumber: '+4930111111', args: ['inbound', 'sales', ''] });
    await stasis.drain();
    expect(seen).toEqual(['prohib', undefined]);
  });

  it('a channel with Stasis arguments it has no handler for goes on in the dialplan, never parked', async () => {
    const calls = new FakeCallControl();
    const { stasis, lines } = app(calls, async () => undefined);
    const channel = calls.addChannel();
    stasis.onStasisStart({ channelId: channel, callerNumber: '', args: ['surprise'] });
    await stasis.drain();
    expect(calls.channel(channel).continuedTo).toBe('next');
    expect(lines().find((line) => line.level === 40)).toMatchObject({ channel });
  });

  it('draining waits for the calls in flight and sends new ones to the dialplan fallback', async () => {
    const calls = new FakeCallControl();
    let finish: () => void = () => undefined;
    const handled: string[] = [];
    const { stasis } = app(calls, (channel) => {
      handled.push(channel);
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    const first = calls.addChannel();
    stasis.onStasisStart({ channelId: first, callerNumber: '+4930111111', args: ['inbound', 'support'] });
    let drained = false;
    const draining = stasis.drain().then((result) => {
      drained = true;
      return result;
    });
    const late = calls.addChannel();
    stasis.onStasisStart({ channelId: late, callerNumber: '+4930222222', args: ['inbound', 'support'] });
    await expect.poll(() => calls.channel(late).continuedTo).toBe('next');
    expect(drained).toBe(false);
    expect(handled).toEqual([first]);
    finish();
    expect(await draining).toEqual({ unfinished: 0 });
  });

  it('a drain that passes its limit reports the calls still unfinished', async () => {
    const calls = new FakeCallControl();
    const { stasis } = app(calls, () => new Promise<void>(() => undefined));
    stasis.onStasisStart({ channelId: calls.addChannel(), callerNumber: '+4930111111', args: ['inbound', 'support'] });
    expect(await stasis.drain(20)).toEqual({ unfinished: 1 });
  });
});

describe('channels the Stasis app finds without a StasisStart', () => {
  it('an adopted channel is handled like a new call, and its StasisStart arriving late does not handle it twice', async () => {
    const calls = new FakeCallControl();
    const { log } = capturedLogger();
    const handled: string[] = [];
    const stasis = new StasisApp({ calls, log, inbound: async (call) => void handled.push(`${call.channelId}:${call.routeName}`) });
    const channel = calls.addChannel();
    const start = { channelId: channel, callerNumber: '+4930111111', args: ['inbound', 'support'] };
    expect(stasis.adopt(start)).toBe(true);
    stasis.onStasisStart(start);
    await stasis.drain();
    expect(handled).toEqual([`${channel}:support`]);
  });

  it('a channel finished a moment ago is known, and not adopted again', async () => {
    const calls = new FakeCallControl();
    const { log } = capturedLogger();
    let now = 1_000_000;
    const handled: string[] = [];
    const stasis = new StasisApp({ calls, log, inbound: async (call) => void handled.push(call.channelId) }, () => now);
    const channel = calls.addChannel();
    const start = { channelId: channel, callerNumber: '+4930111111', args: ['inbound', 'support'] };
    stasis.onStasisStart(start);
    await stasis.drain();
    expect(stasis.knows(channel)).toBe(true);
    expect(stasis.adopt(start)).toBe(false);
    now += 120_000;
    expect(stasis.knows(channel)).toBe(false);
    expect(handled).toEqual([channel]);
  });

  it('tells which of the channels another instance asks about it handles right now', async () => {
    const calls = new FakeCallControl();
    const { log } = capturedLogger();
    let finish: () => void = () => undefined;
    const stasis = new StasisApp({ calls, log, inbound: () => new Promise<void>((resolve) => (finish = resolve)) });
    const busy = calls.addChannel();
    stasis.onStasisStart({ channelId: busy, callerNumber: '+4930111111', args: ['inbound', 'support'] });
    expect(stasis.handling([busy, 'someone-else'])).toEqual([busy]);
    finish();
    await stasis.drain();
    expect(stasis.handling([busy])).toEqual([]);
  });

  it('while draining, an adopted channel goes to the dialplan fallback', async () => {
    const calls = new FakeCallControl();
    const { log } = capturedLogger();
    const stasis = new StasisApp({ calls, log, inbound: async () => undefined });
    await stasis.drain();
    const channel = calls.addChannel();
    expect(stasis.adopt({ channelId: channel, callerNumber: '+4930111111', args: ['inbound', 'support'] })).toBe(true);
    await stasis.drain();
    expect(calls.channel(channel).continuedTo).toBe('next');
  });
});
