import type { FallbackAction } from '../config.js';
import type { Acted, CallControl } from './call-control.js';

/**
 * Sets the channel variables in one write, then runs the action: how an inbound call and
 * an agent's refused call are acted on. Not ok when the channel was gone.
 */
export async function setVariablesAndAct(
  channelId: string,
  variables: Readonly<Record<string, string>>,
  action: FallbackAction,
  calls: CallControl,
): Promise<Acted> {
  const set = await calls.setVariables(channelId, variables);
  if (!set.ok) return set;
  return runAction(channelId, action, calls);
}

/** Runs one action on a channel in our Stasis app. */
async function runAction(channelId: string, action: FallbackAction, calls: CallControl): Promise<Acted> {
  switch (action.type) {
    case 'fallback':
      return calls.continueInDialplan(channelId);
    case 'continue':
      return calls.continueInDialplan(channelId, action);
    case 'hangup':
      return calls.hangup(channelId, action.cause);
    case 'announce': {
      const answered = await calls.answer(channelId);
      if (!answered.ok) return answered;
      const played = await calls.play(channelId, `sound:${action.sound}`);
      if (!played.ok) return played;
      return calls.hangup(channelId, action.cause);
    }
  }
}
