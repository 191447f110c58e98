import { describe, expect, it } from 'vitest';
import { CallControlError, DONE, GONE, type Acted } from '../../src/calls/call-control.js';
import { setVariablesAndAct } from '../../src/calls/run-action.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { FakeCallControl } from './fake-call-control.js';

const VARIABLES = { CALLGUARD_VERDICT: 'blocked', CALLGUARD_LIST: 'dnc' };
const HANGUP = { type: 'hangup', cause: 21 } as const;

/** Asterisk's answer to the variables held back until the test lets it go. */
class HeldVariables extends FakeCallControl {
  private release: (() => void) | undefined;
  answerVariables(): void {
    this.release?.();
  }
  override async setVariables(channelId: string, variables: Readonly<Record<string, string>>): Promise<Acted> {
    const answered = super.setVariables(channelId, variables);
    await new Promise<void>((resolve) => {
      this.release = resolve;
    });
    return answered;
  }
}

/** Asterisk refuses the variables with an error that is not "the channel is gone". */
class RefusedVariables extends FakeCallControl {
  override async setVariables(): Promise<Acted> {
    throw new CallControlError('set variable', 500, 'Internal Server Error');
  }
}

/** The first `lost` requests get no answer: the connection they were written on closed (as Asterisk's did at 300 calls/s). */
class LostConnection extends FakeCallControl {
  constructor(private lost: number) {
    super();
  }
  private answerOrLose<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.lost === 0) return work();
    this.lost--;
    return Promise.reject(new CallControlError(operation, undefined, 'write EPIPE'));
  }
  override setVariables(channelId: string, variables: Readonly<Record<string, string>>): Promise<Acted> {
    return this.answerOrLose('set variable', () => super.setVariables(channelId, variables));
  }
  override hangup(channelId: string, cause: number): Promise<Acted> {
    return this.answerOrLose('hangup', () => super.hangup(channelId, cause));
  }
}

describe('setting the variables and acting', () => {
  it('sends the action right behind the variables, before their answer came back', async () => {
    const calls = new HeldVariables();
    const channel = calls.addChannel();
    const acted = setVariablesAndAct(channel, VARIABLES, HANGUP, calls, capturedLogger().log);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.operations.map((operation) => operation.op)).toEqual(['set variables', 'hangup']);
    calls.answerVariables();
    expect(await acted).toEqual(DONE);
    expect(calls.channel(channel).hangupCause).toBe(21);
  });

  it('a channel gone when the variables were set reads as gone', async () => {
    const calls = new FakeCallControl();
    const channel = calls.addChannel();
    calls.farEndHangup(channel);
    expect(await setVariablesAndAct(channel, VARIABLES, HANGUP, calls, capturedLogger().log)).toEqual(GONE);
  });

  it('variables Asterisk refused leave the action carried out standing, and are logged as an error', async () => {
    const calls = new RefusedVariables();
    const channel = calls.addChannel();
    const { log, lines } = capturedLogger();
    expect(await setVariablesAndAct(channel, VARIABLES, HANGUP, calls, log)).toEqual(DONE);
    expect(calls.channel(channel).hangupCause).toBe(21);
    expect(lines()).toContainEqual(
      expect.objectContaining({ level: 50, msg: 'variables not set; the action was carried out without them', err: expect.objectContaining({ message: expect.stringContaining('HTTP 500') }) }),
    );
  });

  it('variables and action that both got no answer are sent once more, in order, and the call gets its action', async () => {
    const calls = new LostConnection(2);
    const channel = calls.addChannel();
    const { log, lines } = capturedLogger();
    expect(await setVariablesAndAct(channel, VARIABLES, HANGUP, calls, log)).toEqual(DONE);
    expect(calls.operations.map((operation) => operation.op)).toEqual(['set variables', 'hangup']);
    expect(calls.channel(channel).hangupCause).toBe(21);
    expect(lines()).toContainEqual(expect.objectContaining({ level: 40, msg: 'variables and action got no answer: sent once more' }));
  });

  it('variables and action lost twice throw, for the caller to fall back, after one more try only', async () => {
    const calls = new LostConnection(4);
    const channel = calls.addChannel();
    await expect(setVariablesAndAct(channel, VARIABLES, HANGUP, calls, capturedLogger().log)).rejects.toThrow(/set variable failed: write EPIPE/);
    expect(calls.operations).toEqual([]);
  });

  it('variables refused and the action not carried out either throws the variables error, for the caller to fall back', async () => {
    const calls = new RefusedVariables();
    const channel = calls.addChannel();
    calls.farEndHangup(channel);
    await expect(setVariablesAndAct(channel, VARIABLES, HANGUP, calls, capturedLogger().log)).rejects.toThrow(/set variable failed with HTTP 500/);
  });
});
