import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import { outcomeOfHangupCause } from '../dialer/outcome.js';
import { NotDialledError, type DialAttempt, type DialFunction } from '../dialer/types.js';
import type { DialOutcome } from '../screening/campaign.js';
import { CAUSES } from '../screening/causes.js';
import { CHANNEL_VARIABLES } from '../screening/channel-variables.js';
import { formatDialplanTarget } from '../screening/campaign-syntax.js';
import type { CallControl } from './call-control.js';
import type { DialplanCheck } from './dialplan-check.js';
import { DIALER_LEG, originateLeg, timeoutSecondsOf, type LegEvents } from './originated-leg.js';

const ATTR_NAME = /^[A-Za-z0-9_]{1,64}$/;

export interface DialerLegDeps {
  calls: CallControl;
  events: LegEvents;
  /** asked before each dial whether the campaign's context exists */
  dialplan: DialplanCheck;
  log: Logger;
  graceMs?: number;
}

/**
 * The Dialer's dial function over ARI: originates the campaign's endpoint with its caller
 * id and dial timeout; an answered call continues at the campaign's agent context with
 * the CALLGUARD_* variables set (they are set at the originate, so they are there before
 * the answer). Destroyed before an answer: the outcome of its cause (17 BUSY, 18/19
 * NO_ANSWER, else FAILED). Refused by Asterisk: rejects, which the Dialer records as FAILED
 * with the reason. A context the dialplan does not have: not dialled at all (NotDialledError),
 * since the callee would be hung up on the moment they answer.
 */
export function createDialerLeg(deps: DialerLegDeps): DialFunction {
  /** Contexts that could not be checked, logged once each rather than at every attempt. */
  const uncheckable = new Set<string>();
  return async (attempt: DialAttempt): Promise<DialOutcome> => {
    const channelId = randomUUID();
    const { request, campaign } = attempt;
    const log = deps.log.child({ channel: channelId, request: request.id, campaign: campaign.name, attempt: attempt.attempt });
    const context = formatDialplanTarget(campaign.agent);
    const where = await deps.dialplan(campaign.agent);
    if (where.kind === 'missing') {
      throw new NotDialledError(`not dialled: Asterisk's dialplan has no ${context} (the campaign's --context); fix it with callguard campaign set ${campaign.name} --context ...`);
    }
    if (where.kind === 'unknown' && !uncheckable.has(context)) {
      uncheckable.add(context);
      log.warn({ context, reason: where.reason }, 'could not check that the campaign context exists; dialling anyway');
    }
    const result = await originateLeg(
      deps.calls,
      deps.events,
      {
        channelId,
        endpoint: attempt.endpoint,
        ...(attempt.callerId === undefined ? {} : { callerId: attempt.callerId }),
        timeoutSeconds: timeoutSecondsOf(campaign.dialTimeoutMs),
        appArgs: [DIALER_LEG, request.id],
        variables: dialerVariables(attempt),
      },
      deps.graceMs === undefined ? {} : { graceMs: deps.graceMs },
    );
    switch (result.kind) {
      case 'refused':
        throw new Error(`originate refused with HTTP ${result.status}: ${result.reason}`);
      case 'silent':
        log.warn('no answer and no hangup reported within the dial timeout; hung up');
        return 'NO_ANSWER';
      case 'ended':
        return outcomeOfHangupCause(result.cause);
      case 'answered':
        await handToAgents(channelId, attempt, deps.calls, log);
        return 'ANSWERED';
    }
  };
}

/**
 * Sends the answered callee to the agents. A callee who hung up at once is still
 * ANSWERED (they were reached); a failure to continue hangs up rather than leave them
 * in silence, and is not retried: calling back someone who picked up would be worse.
 */
async function handToAgents(channelId: string, attempt: DialAttempt, calls: CallControl, log: Logger): Promise<void> {
  try {
    const continued = await calls.continueInDialplan(channelId, attempt.campaign.agent);
    if (continued.ok) log.info({ context: attempt.campaign.agent.context }, 'campaign call answered, sent to the agents');
    else log.info('campaign call answered, callee hung up before reaching the agents');
  } catch (error) {
    log.error({ err: error }, 'answered campaign call could not reach the agents; hung up');
    await calls.hangup(channelId, CAUSES.normalClearing).catch((hangupError: unknown) => {
      log.error({ err: hangupError }, 'hangup failed too');
    });
  }
}

function dialerVariables(attempt: DialAttempt): Record<string, string> {
  const variables: Record<string, string> = {
    [CHANNEL_VARIABLES.request]: attempt.request.id,
    [CHANNEL_VARIABLES.campaign]: attempt.campaign.name,
    [CHANNEL_VARIABLES.number]: attempt.e164,
    [CHANNEL_VARIABLES.attempt]: String(attempt.attempt),
  };
  for (const [name, value] of Object.entries(attempt.request.attrs)) {
    if (ATTR_NAME.test(name)) variables[`${CHANNEL_VARIABLES.attrPrefix}${name}`] = value;
  }
  return variables;
}
