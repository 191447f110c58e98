import type { Logger } from '../log.js';
import {
  runAgentFeature,
  type AgentFeatureDeps,
  type AgentFeatureOutcome,
  type AgentFeatureRequest,
} from '../screening/agent-features.js';

/** Runs an agent's feature, logs it on the channel's line and records it; never rejects. */
export type UseAgentFeature = (request: AgentFeatureRequest) => Promise<AgentFeatureOutcome>;

export interface AgentFeatureUseDeps extends AgentFeatureDeps {
  /** the call log and the metrics */
  record(outcome: AgentFeatureOutcome): Promise<void>;
  log: Logger;
}

/** One place for the FastAGI entry (*9 in a queue call, *30/*31/*32) and the bridged calls callguard dials (*9). */
export function agentFeatureUse(deps: AgentFeatureUseDeps): UseAgentFeature {
  return async (request) => {
    const outcome = await runAgentFeature(request, deps);
    const fields = {
      channel: request.channelId,
      feature: request.code,
      endpoint: request.endpoint,
      list: request.list,
      number: outcome.e164,
      result: outcome.result,
      ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
    };
    if (outcome.result === 'failed' || outcome.result === 'no-such-list') deps.log.error(fields, 'agent feature failed');
    else if (outcome.result === 'not-permitted') deps.log.warn(fields, 'agent feature not permitted');
    else deps.log.info(fields, 'agent feature used');
    await deps.record(outcome);
    return outcome;
  };
}
