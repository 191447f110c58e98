import type { FallbackAction } from '../config.js';
import type { Logger } from '../log.js';
import { CallControlError, type Acted, type CallControl } from './call-control.js';

/**
 * Sets the channel variables in one write, then runs the action: how an inbound call and
 * an agent's refused call are acted on. Not ok when the channel was gone.
 *
 * The action is sent right behind the variables, without waiting for their answer: a
 * channel's requests are carried out in the order made (CallControl), so the dialplan
 * the call continues in, or its `h` extension, reads the variables all the same, and the
 * caller does not wait a round trip more. Variables Asterisk refused (not the channel
 * gone) are logged, and the action stands when it was carried out: the call got its
 * verdict's action without the variables. When neither got any answer (Asterisk closed
 * the kept-alive connection they were written on, as it did under overload at 300 calls/s:
 * the call then went to the dialplan fallback unscreened), both are sent once more.
 * An action carried out whose answer was lost answers 404/409 the second time: the channel
 * reads as gone. Throws when neither was done.
 */
export async function setVariablesAndAct(
  channelId: string,
  variables: Readonly<Record<string, string>>,
  action: FallbackAction,
  calls: CallControl,
  log: Logger,
): Promise<Acted> {
  const send = () => Promise.allSettled([calls.setVariables(channelId, variables), runAction(channelId, action, calls)]);
  let [set, acted] = await send();
  if (unanswered(set) && unanswered(acted)) {
    // Both settled: nothing of the channel is in flight, so sent again they keep their order.
    log.warn({ err: set.reason }, 'variables and action got no answer: sent once more');
    [set, acted] = await send();
  }
  if (set.status === 'rejected') {
    if (acted.status === 'rejected' || !acted.value.ok) throw set.reason;
    log.error({ err: set.reason }, 'variables not set; the action was carried out without them');
    return acted.value;
  }
  if (!set.value.ok) return set.value;
  if (acted.status === 'rejected') throw acted.reason;
  return acted.value;
}

/** No HTTP answer at all: the connection it was written on closed, or Asterisk did not answer in time. */
function unanswered(result: PromiseSettledResult<Acted>): result is PromiseRejectedResult {
  return result.status === 'rejected' && result.reason instanceof CallControlError && result.reason.status === undefined;
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
