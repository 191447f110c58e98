import type { Logger } from '../log.js';
import type { AgentFeature } from '../screening/agent-features.js';
import type { LastCaller } from '../screening/last-callers.js';
import { CHANNEL_VARIABLES } from '../screening/channel-variables.js';
import { identitySources } from '../screening/stir-shaken.js';
import type { UseAgentFeature } from './agent-feature.js';
import type { AgiHandler, AgiSession } from './agi-server.js';
import { endpointOfChannel } from './channel-endpoint.js';
import { readIdentityOverAgi } from './identity-headers.js';
import { arrayAssignment } from './array-assignment.js';
import {
  decideInboundCall,
  inboundOutcome,
  screenedLogFields,
  type InboundCall,
  type InboundOutcome,
  type InboundScreeningDeps,
} from './inbound.js';

/**
 * The FastAGI requests `serve` answers (docs/asterisk.md):
 *
 *   AGI(agi://127.0.0.1:4573/screen?route=support[,<P-Asserted-Identity>,<From>[,<verify_result>,<attestation>]])
 *                                                      screen the caller; the call stays in the dialplan
 *                                                      (a route with a STIR/SHAKEN rule reads the headers
 *                                                      itself when the arguments carry none)
 *   AGI(agi://127.0.0.1:4573/answered,<number>)        an agent answered this caller (for *32)
 *   AGI(agi://127.0.0.1:4573/block-call[?list=dnc])    *9: list the other party of the agent's call
 *   AGI(agi://127.0.0.1:4573/feature?code=30,<number>) *30 list, *31 cancel; code=32 lists the last caller
 */
export const AGI_SCRIPTS = { screen: 'screen', answered: 'answered', blockCall: 'block-call', feature: 'feature' } as const;

/** Asterisk's number of the other party of a bridged channel, when the dialplan gave none. */
const CONNECTED_NUMBER = 'CONNECTEDLINE(num)';

const FEATURE_CODE_FEATURES: Readonly<Record<string, AgentFeature>> = {
  '30': 'list',
  '31': 'cancel',
  '32': 'list-last-caller',
};

export interface AgiAppDeps {
  screening: InboundScreeningDeps;
  /** the metrics and the call log of a screened call */
  recordCall(outcome: InboundOutcome): void;
  useFeature: UseAgentFeature;
  lastCallers: { record(endpoint: string, caller: LastCaller): Promise<void>; get(endpoint: string): Promise<LastCaller | undefined> };
  /** the list features write to when the request names none */
  featureList: string;
  /** the keys of the in-call block as features.conf has them (CALLGUARD_BLOCK_DIGITS), for the call log */
  blockCode: string;
  log: Logger;
}

/** Sends each FastAGI session to its request's handler; an unknown request returns at once. */
export function agiApp(deps: AgiAppDeps): AgiHandler {
  return async (session) => {
    switch (session.script) {
      case AGI_SCRIPTS.screen:
        return screenOverAgi(session, deps);
      case AGI_SCRIPTS.answered:
        return answeredOverAgi(session, deps);
      case AGI_SCRIPTS.blockCall:
        return blockCallOverAgi(session, deps);
      case AGI_SCRIPTS.feature:
        return featureCodeOverAgi(session, deps);
      default:
        deps.log.warn(
          { channel: session.env.uniqueid, script: session.script.slice(0, 64) },
          'FastAGI request for an unknown script; nothing done',
        );
    }
  };
}

/**
 * Screens the caller exactly as the Stasis app does, then sets the CALLGUARD_* variables
 * and CALLGUARD_ACTION instead of acting: the call never leaves the dialplan, which
 * carries the action out. Variables that cannot be set leave CALLGUARD_ACTION empty, so
 * the dialplan queues the call unscreened. A caller found gone by the identity read gets no
 * command at all.
 */
async function screenOverAgi(session: AgiSession, deps: AgiAppDeps): Promise<void> {
  const call: InboundCall = {
    channelId: session.env.uniqueid ?? '',
    callerNumber: session.env.callerid ?? '',
    routeName: session.params.get('route') ?? '',
    presentation: presentationName(session.env.callingpres),
    via: 'agi',
  };
  const identity = identitySources(session.env.arg_1, session.env.arg_2, session.env.arg_3, session.env.arg_4);
  if (identity !== undefined) call.identity = identity;
  const log = deps.log.child({ channel: call.channelId, route: call.routeName, via: 'agi' });
  const decided = await decideInboundCall(call, deps.screening, log, { identity: () => readIdentityOverAgi(session, log) });
  let gone = decided.callerGone;
  try {
    // One command for all (each costs a round trip the caller waits); ARRAY() sets them
    // in order, the action last. The session ends right behind it: nothing after it
    // (the log line, an auto-block listing, the call log) keeps the dialplan waiting.
    const assignment = arrayAssignment({ ...decided.decision.variables, [CHANNEL_VARIABLES.action]: decided.action });
    if (!gone && assignment !== undefined && !(await session.setVariableAndEnd(assignment.name, assignment.value)).ok) gone = true;
    if (gone) log.debug(screenedLogFields(decided), 'caller hung up while the variables were set');
    else log.info(screenedLogFields(decided), 'call screened');
  } catch (error) {
    log.error({ err: error, ...screenedLogFields(decided) }, 'variables not set; the dialplan goes on unscreened');
  }
  await decided.listed;
  deps.recordCall(inboundOutcome(call, decided, gone));
}

/** An agent answered: the caller (the first argument) becomes the endpoint's last caller. */
async function answeredOverAgi(session: AgiSession, deps: AgiAppDeps): Promise<void> {
  const channelId = session.env.uniqueid ?? '';
  const number = session.env.arg_1 ?? '';
  if (number === '') return;
  const endpoint = endpointOfChannel(session.env.channel ?? '');
  try {
    await deps.lastCallers.record(endpoint, { number, at: Date.now() });
    deps.log.debug({ channel: channelId, endpoint }, 'last caller recorded');
  } catch (error) {
    deps.log.warn({ channel: channelId, endpoint, err: error }, 'last caller not recorded: *32 will not find it');
  }
}

/** *9: the other party's number from the agent's channel, listed with by = the agent's endpoint. */
async function blockCallOverAgi(session: AgiSession, deps: AgiAppDeps): Promise<void> {
  const channelId = session.env.uniqueid ?? '';
  try {
    const peer = await session.getVariable(CHANNEL_VARIABLES.peerNumber);
    if (!peer.ok) return;
    let number = peer.value ?? '';
    if (number === '') {
      const connected = await session.getVariable(CONNECTED_NUMBER);
      if (!connected.ok) return;
      number = connected.value ?? '';
    }
    const outcome = await deps.useFeature({
      feature: 'block-call',
      code: deps.blockCode,
      number,
      endpoint: endpointOfChannel(session.env.channel ?? ''),
      list: session.params.get('list') ?? deps.featureList,
      channelId,
    });
    await session.setVariable(CHANNEL_VARIABLES.featureResult, outcome.result);
  } catch (error) {
    deps.log.error({ channel: channelId, err: error }, 'in-call block over FastAGI failed');
  }
}

/** *30<number>, *31<number> (the number is the first argument), *32 (the endpoint's last caller). */
async function featureCodeOverAgi(session: AgiSession, deps: AgiAppDeps): Promise<void> {
  const channelId = session.env.uniqueid ?? '';
  const code = session.params.get('code') ?? '';
  const feature = FEATURE_CODE_FEATURES[code];
  const endpoint = endpointOfChannel(session.env.channel ?? '');
  try {
    if (feature === undefined) {
      deps.log.warn({ channel: channelId, code: code.slice(0, 16) }, 'FastAGI feature request with an unknown code; nothing done');
      await session.setVariable(CHANNEL_VARIABLES.featureResult, 'failed');
      return;
    }
    const number = feature === 'list-last-caller' ? ((await deps.lastCallers.get(endpoint))?.number ?? '') : (session.env.arg_1 ?? '');
    const outcome = await deps.useFeature({
      feature,
      code: `*${code}`,
      number,
      endpoint,
      list: session.params.get('list') ?? deps.featureList,
      channelId,
    });
    await session.setVariable(CHANNEL_VARIABLES.featureResult, outcome.result);
  } catch (error) {
    deps.log.error({ channel: channelId, err: error }, 'feature code over FastAGI failed');
  }
}

/**
 * `agi_callingpres` is the number Asterisk keeps (0x20 and up: withheld); screening reads
 * the names CALLERID(pres) shows (`prohib_not_screened`), so the same route rules apply.
 */
export function presentationName(value: string | undefined): string | undefined {
  if (value === undefined || !/^\d{1,3}$/.test(value)) return undefined;
  const code = Number(value);
  const screening = ['not_screened', 'passed_screen', 'failed_screen', ''][code & 0x03] ?? '';
  switch (code & 0x60) {
    case 0x00:
      return screening === '' ? 'allowed' : `allowed_${screening}`;
    case 0x20:
      return screening === '' ? 'prohib' : `prohib_${screening}`;
    default:
      return 'unavailable';
  }
}
