import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallControlError, DONE, GONE, type CallControl } from '../../src/calls/call-control.js';

/**
 * What every CallControl must do, run against the fake (test/calls) and against real
 * Asterisk (test/e2e), so the fake the unit tests trust cannot drift from Asterisk.
 */
export interface CallControlHarness {
  calls: CallControl;
  /** a new channel that has entered our Stasis app and is not answered yet */
  newChannel(): Promise<string>;
  /** the far end hangs up; resolves once the channel has left Stasis */
  farEndHangup(channelId: string): Promise<void>;
  /** a sound that plays for well under a second */
  shortMedia: string;
  /** a sound that plays for several seconds */
  longMedia: string;
  /** a dialplan place a channel can be continued to and stay in for a few seconds */
  parking: { context: string; extension: string; priority: number };
  close(): Promise<void>;
}

export function callControlContract(name: string, makeHarness: () => Promise<CallControlHarness>): void {
  describe(`CallControl contract: ${name}`, () => {
    let harness: CallControlHarness;
    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('a variable set on a channel reads back', async () => {
      const channel = await harness.newChannel();
      expect(await harness.calls.setVariable(channel, 'CALLGUARD_VERDICT', 'clear')).toEqual(DONE);
      expect(await harness.calls.getVariable(channel, 'CALLGUARD_VERDICT')).toEqual({ ok: true, value: 'clear' });
      await harness.calls.hangup(channel, 16);
    });

    it('an unset variable reads as no value, not as a gone channel', async () => {
      const channel = await harness.newChannel();
      expect(await harness.calls.getVariable(channel, 'CALLGUARD_NEVER_SET')).toEqual({ ok: true, value: undefined });
      await harness.calls.hangup(channel, 16);
    });

    it('every operation on a channel whose caller hung up is GONE, not an error', async () => {
      const channel = await harness.newChannel();
      await harness.farEndHangup(channel);
      const { calls } = harness;
      expect(await calls.answer(channel)).toEqual(GONE);
      expect(await calls.setVariable(channel, 'CALLGUARD_VERDICT', 'blocked')).toEqual(GONE);
      expect(await calls.getVariable(channel, 'CALLERID(pres)')).toEqual(GONE);
      expect(await calls.play(channel, harness.shortMedia)).toEqual(GONE);
      expect(await calls.continueInDialplan(channel, harness.parking)).toEqual(GONE);
      expect(await calls.hangup(channel, 21)).toEqual(GONE);
    });

    it('a channel continued to the dialplan is no longer ours to answer, play to or continue', async () => {
      const channel = await harness.newChannel();
      expect(await harness.calls.continueInDialplan(channel, harness.parking)).toEqual(DONE);
      expect(await harness.calls.answer(channel)).toEqual(GONE);
      expect(await harness.calls.play(channel, harness.shortMedia)).toEqual(GONE);
      expect(await harness.calls.continueInDialplan(channel, harness.parking)).toEqual(GONE);
      expect(await harness.calls.hangup(channel, 16)).toEqual(DONE);
    });

    it('a request Asterisk refuses is an error that keeps the HTTP status, not GONE', async () => {
      const channel = await harness.newChannel();
      const refused = harness.calls.setVariable(channel, '', 'x');
      await expect(refused).rejects.toBeInstanceOf(CallControlError);
      await expect(refused).rejects.toMatchObject({ status: 400, operation: 'set variable' });
      await harness.calls.hangup(channel, 16);
    });

    it('a hung up channel cannot be hung up twice', async () => {
      const channel = await harness.newChannel();
      expect(await harness.calls.hangup(channel, 21)).toEqual(DONE);
      expect(await harness.calls.hangup(channel, 21)).toEqual(GONE);
    });

    it('play resolves once the sound has finished', async () => {
      const channel = await harness.newChannel();
      expect(await harness.calls.answer(channel)).toEqual(DONE);
      expect(await harness.calls.play(channel, harness.shortMedia)).toEqual(DONE);
      expect(await harness.calls.hangup(channel, 16)).toEqual(DONE);
    });

    // Asterisk stops the playback (PlaybackFinished) before the channel leaves Stasis,
    // so play itself may report DONE; what must hold is that it does not wait for the
    // whole sound and that the channel is GONE for whatever comes next.
    it('play resolves when the caller hangs up during the sound, and the channel is GONE after', async () => {
      const channel = await harness.newChannel();
      await harness.calls.answer(channel);
      const playing = harness.calls.play(channel, harness.longMedia);
      await harness.farEndHangup(channel);
      expect([DONE, GONE]).toContainEqual(await playing);
      expect(await harness.calls.hangup(channel, 21)).toEqual(GONE);
    });
  });
}
