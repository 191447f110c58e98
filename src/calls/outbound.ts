import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { hangupCauseOfOutcome, outcomeOfHangupCause } from '../dialer/outcome.js';
import type { Logger } from '../log.js';
import { formatAction } from '../screening/actions.js';
import type { Campaign, DialOutcome } from '../screening/campaign.js';
import type { PickedCallerId } from '../screening/caller-ids.js';
import type { CampaignLookup } from '../screening/campaigns.js';
import type { CallLogEntry } from '../screening/call-log.js';
import { CAUSES } from '../screening/causes.js';
import { withDeadline, type DeadlineOutcome } from '../screening/deadline.js';
import { CHANNEL_VARIABLES, screeningVariables } from '../screening/channel-variables.js';
import { decideAgentCall, describeStale, screenAttempt, staleBlockLists, type AttemptRulesDeps, type BlockListReader } from '../screening/outbound.js';
import type { Action, LoggedVerdict, Screening } from '../screening/types.js';
import { DONE, type Acted, type CallControl } from './call-control.js';
import { endpointOfChannel } from './channel-endpoint.js';
import { watchInCallBlock, type InCallBlockEvents, type InCallBlockOptions } from './in-call-block.js';
import { AGENT_CALL_LEG, originateLeg, timeoutSecondsOf, type LegEvents, type LegResult } from './originated-leg.js';
import { setVariablesAndAct } from './run-action.js';

/** An agent's call whose campaign cannot be used (SIP 503): the agent may try again. */
export const CAUSE_CAMPAIGN_UNUSABLE = CAUSES.noCircuitAvailable;

/** An agent's call that entered `Stasis(callguard,outbound,<campaign>)`. */
export interface AgentCall {
  channelId: string;
  /** the channel's dialplan extension: the number the agent dialled, untouched */
  dialled: string;
  campaignName: string;
  /** the channel's name (`PJSIP/agent-1-0000001a`): the agent's endpoint, for an in-call block */
  channelName?: string;
}

export interface AgentCallSettings {
  /** for the campaign read and the list check together */
  deadlineMs: number;
  defaultRegion: string;
}

export interface AgentCallDeps {
  calls: CallControl;
  events: LegEvents & InCallBlockEvents;
  campaigns: { get(name: string): Promise<CampaignLookup> };
  /** the agent's sequence (*9) that lists the far end during the call; absent: none */
  inCallBlock?: InCallBlockOptions;
  /** the caller id of the far end's leg (a campaign's caller id list); the campaign's --caller-id when absent */
  callerIds?: { pick(campaign: Campaign): Promise<PickedCallerId> };
  lists: BlockListReader;
  /** calling-hours policies and attempt caps, as the dialer has them */
  rules: Omit<AttemptRulesDeps, 'lists'>;
  settings: AgentCallSettings;
  log: Logger;
  graceMs?: number;
  /** the schedule clock (calling hours, caps); Date.now when absent */
  clock?: () => number;
}

/** What an agent's call came to, once it is known (before a bridged conversation ends). */
export interface AgentCallOutcome {
  call: AgentCall;
  receivedAt: number;
  screening: Screening;
  verdict: LoggedVerdict;
  /** `dial:<outcome>` for a call that was dialled (`dial:CANCELLED`: the agent hung up first), else the action in its written form */
  action: string;
  /** set when the far end was dialled and the agent waited for the end of the dial */
  dialOutcome?: DialOutcome;
  /** from StasisStart to the decision, before any dial */
  decisionMs: number;
  /** the agent hung up (or left) before the refusal was done or the far end was dialled */
  gone: boolean;
}

/**
 * One agent dialling out: read the campaign, screen the dialled number against its block
 * lists as they are now, and either refuse (announcement or hangup, the campaign's action
 * for the verdict) or originate the far end itself and bridge the two legs when it
 * answers. Fails closed: a campaign that cannot be read means not dialled. `record` is
 * called once the outcome is known; the returned promise resolves when the call is over.
 * Never rejects.
 */
export async function handleAgentCall(
  call: AgentCall,
  deps: AgentCallDeps,
  record: (outcome: AgentCallOutcome) => Promise<void>,
): Promise<void> {
  const log = deps.log.child({ channel: call.channelId, campaign: call.campaignName });
  const receivedAt = Date.now();
  const started = performance.now();
  let decisionMs = 0;
  const outcome = (
    screening: Screening,
    verdict: LoggedVerdict,
    action: string,
    gone: boolean,
    dialOutcome?: DialOutcome,
  ): AgentCallOutcome => ({
    call,
    receivedAt,
    screening,
    verdict,
    action,
    ...(dialOutcome === undefined ? {} : { dialOutcome }),
    decisionMs,
    gone,
  });

  const lookup = await withDeadline(() => deps.campaigns.get(call.campaignName), deps.settings.deadlineMs);
  const campaign = usableCampaign(lookup, call.campaignName, log);
  if (!campaign.ok) {
    decisionMs = performance.now() - started;
    const action: Action = { type: 'hangup', cause: CAUSE_CAMPAIGN_UNUSABLE };
    const unusable: Screening = { verdict: 'unavailable', detail: campaign.reason };
    const refused = await refuse(call.channelId, 'unavailable', unusable, action, deps.calls, log);
    await record(outcome(unusable, 'unavailable', formatAction(action), !refused.ok));
    return;
  }

  const stale = await withDeadline(() => staleBlockLists(campaign.campaign, deps.lists, Date.now()), deps.settings.deadlineMs);
  // Unread data dates (only read with --max-list-age) dial nothing, whatever --fail says,
  // as at the dialer's attempts: the age of the copy is what that rule is about.
  if (!stale.ok || stale.value.length > 0) {
    decisionMs = performance.now() - started;
    const detail = stale.ok
      ? `LIST_STALE: ${describeStale(stale.value, campaign.campaign.maxListAgeMs as number)}`
      : `block lists' data dates could not be read: ${stale.reason}`;
    if (stale.ok) log.warn({ stale: stale.value.map((entry) => entry.list) }, 'agent call not dialled: a block list is too old');
    else log.warn({ reason: stale.reason }, "agent call not dialled: the block lists' data dates could not be read");
    const action = campaign.campaign.actions.unavailable;
    const staleLists: Screening = { verdict: 'unavailable', detail };
    const refused = await refuse(call.channelId, 'unavailable', staleLists, action, deps.calls, log);
    await record(outcome(staleLists, 'unavailable', formatAction(action), !refused.ok));
    return;
  }
  const remaining = Math.max(1, deps.settings.deadlineMs - (performance.now() - started));
  // An agent's call counts against the number's cap like a campaign's attempt, by its channel.
  const screening = await screenAttempt(call.dialled, campaign.campaign, { lists: deps.lists, ...deps.rules }, {
    defaultRegion: deps.settings.defaultRegion,
    deadlineMs: remaining,
    now: (deps.clock ?? Date.now)(),
    attempt: call.channelId,
  });
  const decision = decideAgentCall(screening, campaign.campaign);
  decisionMs = performance.now() - started;

  if (decision.kind === 'refuse') {
    log.info({ verdict: decision.verdict, list: screening.match?.list, number: screening.e164 }, 'agent call not dialled');
    const refused = await refuse(call.channelId, decision.verdict, screening, decision.action, deps.calls, log);
    await record(outcome(screening, decision.verdict, formatAction(decision.action), !refused.ok));
    return;
  }
  if (decision.verdict === 'unavailable') log.warn({ reason: screening.detail }, 'a rule could not be read; campaign fails open, dialling');
  if (decision.verdict === 'would-block') log.info({ wouldBlock: screening.wouldBe, list: screening.match?.list }, 'would not be dialled, but the campaign observes: dialling');
  await dialAndBridge(call, campaign.campaign, decision, deps, log, async (dialOutcome) => {
    const reached = dialOutcome === 'CANCELLED' ? undefined : dialOutcome;
    await record(outcome(screening, decision.verdict, `dial:${dialOutcome}`, dialOutcome === 'CANCELLED', reached));
  });
}

function usableCampaign(
  lookup: DeadlineOutcome<CampaignLookup>,
  name: string,
  log: Logger,
): { ok: true; campaign: Campaign } | { ok: false; reason: string } {
  if (!lookup.ok) {
    log.warn({ reason: lookup.reason }, 'campaign could not be read; agent call not dialled');
    return { ok: false, reason: `campaign "${name}" could not be read: ${lookup.reason}` };
  }
  const found = lookup.value;
  if (found.kind === 'found') return { ok: true, campaign: found.campaign };
  const reason = found.kind === 'missing' ? `campaign "${name}" does not exist` : `campaign "${name}" is invalid: ${found.reason}`;
  log.error({ reason }, 'campaign unusable; agent call not dialled');
  return { ok: false, reason };
}

/**
 * Sets the four verdict variables (for the dialplan and the CDR: the verdict, the list,
 * why, the number; as inbound) and runs the campaign's action; GONE when the agent left first.
 */
async function refuse(
  channelId: string,
  verdict: LoggedVerdict,
  screening: Screening,
  action: Action,
  calls: CallControl,
  log: Logger,
): Promise<Acted> {
  try {
    return await setVariablesAndAct(channelId, screeningVariables(verdict, screening), action, calls, log);
  } catch (error) {
    // The call must not be dialled and must not stay in silence: end it.
    log.error({ err: error }, 'refusal failed; hanging up');
    return calls.hangup(channelId, CAUSE_CAMPAIGN_UNUSABLE).catch((hangupError: unknown) => {
      log.error({ err: hangupError }, 'hangup failed too');
      // Asterisk refused without saying the agent left: only GONE makes an entry caller-gone.
      return DONE;
    });
  }
}

/**
 * Originates the far end; on its answer, answers the agent and bridges both, then ends
 * each side when the other leaves. Not answered: the agent's leg is hung up with the
 * cause of the outcome (busy 17 -> SIP 486, no answer 19 -> 480, failed 34 -> 503).
 */
async function dialAndBridge(
  call: AgentCall,
  campaign: Campaign,
  { endpoint, e164 }: { endpoint: string; e164: string },
  deps: AgentCallDeps,
  log: Logger,
  dialled: (outcome: DialOutcome | 'CANCELLED') => Promise<void>,
): Promise<void> {
  const { calls, events } = deps;
  const legId = randomUUID();
  const legLog = log.child({ leg: legId });
  const agentLeft = firstEnd(events, [call.channelId]);
  let agentGone = false;
  void agentLeft.ended.then(() => {
    agentGone = true;
  });
  const legLeft = firstEnd(events, [legId]);
  // An instance that starts takes the shared app, and the agent's events with it; followed
  // from this process's own app, the agent hanging up still ends the far end here.
  void calls.follow(call.channelId).catch((error: unknown) => {
    log.warn({ err: error }, 'could not follow the agent channel: its hangup may go unseen once another instance holds the app');
  });
  try {
    if (!(await ringAgent(call.channelId, calls, log))) {
      log.info('agent hung up before the far end was dialled');
      await dialled('CANCELLED');
      return;
    }
    const presented = deps.callerIds === undefined ? { callerId: campaign.callerId } : await deps.callerIds.pick(campaign);
    if (presented.fallback !== undefined) log.warn({ reason: presented.fallback }, 'caller id list gave no number; presenting the campaign caller id');
    let result: LegResult;
    try {
      result = await originateLeg(
        calls,
        events,
        {
          channelId: legId,
          endpoint,
          ...(presented.callerId === undefined ? {} : { callerId: presented.callerId }),
          timeoutSeconds: timeoutSecondsOf(campaign.dialTimeoutMs),
          appArgs: [AGENT_CALL_LEG, call.channelId],
          variables: { [CHANNEL_VARIABLES.verdict]: 'clear', [CHANNEL_VARIABLES.campaign]: campaign.name },
        },
        { cancelled: agentLeft.ended, log: legLog, ...(deps.graceMs === undefined ? {} : { graceMs: deps.graceMs }) },
      );
    } catch (error) {
      legLog.error({ err: error }, 'originate failed');
      result = { kind: 'refused', status: 0, reason: error instanceof Error ? error.message : String(error) };
    }

    if (result.kind !== 'answered' && agentGone) {
      legLog.info('agent hung up before the far end answered');
      await dialled('CANCELLED');
      return;
    }
    if (result.kind !== 'answered') {
      const outcome = result.kind === 'ended' ? outcomeOfHangupCause(result.cause) : result.kind === 'silent' ? 'NO_ANSWER' : 'FAILED';
      if (result.kind === 'refused') legLog.warn({ status: result.status, reason: result.reason }, 'originate refused');
      const cause = hangupCauseOfOutcome(outcome);
      await calls.hangup(call.channelId, cause).catch((error: unknown) => {
        log.error({ err: error }, 'could not hang up the agent after an unanswered dial');
      });
      legLog.info({ outcome, cause }, 'agent call not answered by the far end');
      await dialled(outcome);
      return;
    }

    const bridged = await bridge(call.channelId, legId, deps.inCallBlock !== undefined, calls, legLog);
    await dialled('ANSWERED');
    if (bridged.ok) {
      legLog.info('agent call answered and bridged');
      const stopWatching =
        deps.inCallBlock === undefined
          ? () => undefined
          : watchInCallBlock(
              { agentId: call.channelId, endpoint: endpointOfChannel(call.channelName ?? ''), farEndId: legId, farEndNumber: e164 },
              deps.inCallBlock,
              calls,
              events,
              legLog,
            );
      const first = await Promise.race([agentLeft.ended.then(() => 'agent'), legLeft.ended.then(() => 'far end')]);
      stopWatching();
      legLog.info({ hungUp: first }, 'agent call ended');
    }
    await Promise.all([
      endQuietly(calls.hangup(call.channelId, CAUSES.normalClearing), legLog),
      endQuietly(calls.hangup(legId, CAUSES.normalClearing), legLog),
      ...(bridged.bridgeId === undefined ? [] : [endQuietly(calls.destroyBridge(bridged.bridgeId), legLog)]),
    ]);
  } finally {
    agentLeft.stop();
    legLeft.stop();
  }
}

/**
 * Lets the agent hear ringing while the far end is dialled; false when the agent is gone.
 * Ringing is a courtesy: when Asterisk refuses it, the number is dialled all the same.
 */
async function ringAgent(agentId: string, calls: CallControl, log: Logger): Promise<boolean> {
  try {
    return (await calls.ring(agentId)).ok;
  } catch (error) {
    log.warn({ err: error }, 'could not indicate ringing to the agent; dialling anyway');
    return true;
  }
}

/**
 * Answers the agent and puts both legs into a new mixing bridge; not ok when either was
 * gone. With `absorbAgentKeys` the agent's keys do not reach the far end by themselves:
 * callguard passes on those that are not the in-call block.
 */
async function bridge(
  agentId: string,
  legId: string,
  absorbAgentKeys: boolean,
  calls: CallControl,
  log: Logger,
): Promise<{ ok: boolean; bridgeId?: string }> {
  try {
    const answered = await calls.answer(agentId);
    if (!answered.ok) return { ok: false };
    const bridgeId = randomUUID();
    await calls.createBridge(bridgeId);
    if (!absorbAgentKeys) return { ok: (await calls.addToBridge(bridgeId, [agentId, legId])).ok, bridgeId };
    const far = await calls.addToBridge(bridgeId, [legId]);
    const added = far.ok ? await calls.addToBridge(bridgeId, [agentId], { absorbDtmf: true }) : far;
    return { ok: added.ok, bridgeId };
  } catch (error) {
    log.error({ err: error }, 'could not bridge the agent with the far end; ending both');
    return { ok: false };
  }
}

async function endQuietly(work: Promise<unknown>, log: Logger): Promise<void> {
  try {
    await work;
  } catch (error) {
    log.warn({ err: error }, 'could not end a leg or bridge of a finished call');
  }
}

/** Resolves when any of the channels leaves Stasis or is destroyed. */
function firstEnd(events: LegEvents, channelIds: string[]): { ended: Promise<void>; stop(): void } {
  const ids = new Set(channelIds);
  let stop = (): void => undefined;
  const ended = new Promise<void>((resolve) => {
    const onEnd = (channelId: string): void => {
      if (ids.has(channelId)) resolve();
    };
    const onDestroyed = (event: { channelId: string }): void => onEnd(event.channelId);
    events.on('stasisEnd', onEnd);
    events.on('channelDestroyed', onDestroyed);
    stop = () => {
      events.off('stasisEnd', onEnd);
      events.off('channelDestroyed', onDestroyed);
    };
  });
  return { ended, stop: () => stop() };
}

/** The call-log entry of an agent's outbound call. */
export function agentCallLogEntry(outcome: AgentCallOutcome): CallLogEntry {
  const { screening } = outcome;
  return {
    time: outcome.receivedAt,
    channel: outcome.call.channelId,
    direction: 'outbound',
    raw: outcome.call.dialled,
    ...(screening.e164 === undefined ? {} : { e164: screening.e164 }),
    campaign: outcome.call.campaignName,
    verdict: outcome.verdict,
    ...(screening.wouldBe === undefined ? {} : { wouldBe: screening.wouldBe }),
    ...(screening.match?.list === undefined ? {} : { list: screening.match.list }),
    ...((screening.match?.reason ?? screening.detail) === undefined ? {} : { reason: screening.match?.reason ?? screening.detail }),
    action: outcome.action,
    outcome: outcome.gone ? 'caller-gone' : 'done',
    decisionMs: outcome.decisionMs,
  };
}
