import { ListError, type Actor, type EntryToAdd, type Match } from '../lists/types.js';
import { normalize } from '../numbers/normalize.js';
import type { CallLogEntry } from './call-log.js';
import { withDeadline } from './deadline.js';
import { mayUseFeatureCode, type FeatureCode, type FeaturePermission } from './feature-permissions.js';
import type { Verdict } from './types.js';

/**
 * What agents do to a list from their phones: `block-call` (*9 during a call: the other
 * party), and the feature codes `list` (*30<number>), `cancel` (*31<number>) and
 * `list-last-caller` (*32). The FastAGI entry and the Stasis app's bridged calls both
 * run them here, so each is audited and logged the same way whichever way it came.
 */
export type AgentFeature = 'block-call' | 'list' | 'cancel' | 'list-last-caller';

/** The feature code each feature is permitted by; *9 is the dialplan's to give (DYNAMIC_FEATURES). */
const PERMISSION_CODES: Readonly<Record<AgentFeature, FeatureCode | undefined>> = {
  'block-call': undefined,
  list: '30',
  cancel: '31',
  'list-last-caller': '32',
};

/** The reason stored with the entry (or the cancellation), as the issue words them. */
export const FEATURE_REASONS: Readonly<Record<AgentFeature, string>> = {
  'block-call': 'agent: asked not to be called',
  list: 'feature code',
  cancel: 'feature code',
  'list-last-caller': 'feature code',
};

/** The audit's `source` of each change, beside `cli`, `import`... */
const FEATURE_SOURCES: Readonly<Record<AgentFeature, string>> = {
  'block-call': 'in-call-dtmf',
  list: 'feature-code',
  cancel: 'feature-code',
  'list-last-caller': 'feature-code',
};

/**
 * A feature writes while an agent waits for the confirmation (and, for *9, a customer in
 * silence): past this the agent hears the error tone. The write may still land after it.
 */
export const FEATURE_DEADLINE_MS = 2_000;

export type FeatureResult =
  | 'listed'
  | 'cancelled'
  | 'not-listed'
  | 'not-permitted'
  | 'no-number'
  | 'invalid-number'
  | 'no-such-list'
  | 'failed';

export interface AgentFeatureRequest {
  feature: AgentFeature;
  /** what the agent pressed or dialled, for the call log: `*9`, `*30` */
  code: string;
  /** the number as given: dialled after *30/*31, the other party's, the last caller's */
  number: string;
  /** the agent's endpoint as Asterisk names it, `PJSIP/1001` */
  endpoint: string;
  list: string;
  /** the channel the agent pressed or dialled on */
  channelId: string;
}

export interface AgentFeatureOutcome {
  request: AgentFeatureRequest;
  /** ms since epoch */
  at: number;
  result: FeatureResult;
  e164?: string;
  /** the number's verdict on the list once the feature ran (for the call log) */
  verdict: Verdict;
  /** why it failed or was refused */
  detail?: string;
  durationMs: number;
}

/** The part of ListStore a feature needs. */
export interface FeatureLists {
  add(list: string, entries: EntryToAdd[], actor: Actor): Promise<unknown>;
  cancel(list: string, members: string[], actor: Actor & { reason: string }): Promise<{ cancelled: string[] }>;
  check(e164: string, lists: string[]): Promise<Match | null>;
}

export interface AgentFeatureDeps {
  lists: FeatureLists;
  permissions: readonly FeaturePermission[];
  defaultRegion: string;
  deadlineMs?: number;
}

/** Runs one feature; never rejects (a failure is the result `failed`, with the reason). */
export async function runAgentFeature(request: AgentFeatureRequest, deps: AgentFeatureDeps): Promise<AgentFeatureOutcome> {
  const at = Date.now();
  const started = performance.now();
  const outcome = (result: FeatureResult, verdict: Verdict, extra: { e164?: string; detail?: string } = {}): AgentFeatureOutcome => ({
    request,
    at,
    result,
    verdict,
    ...extra,
    durationMs: performance.now() - started,
  });
  const deadlineMs = deps.deadlineMs ?? FEATURE_DEADLINE_MS;

  const normalized = normalize(request.number, deps.defaultRegion);
  const e164 = normalized.kind === 'e164' ? normalized.e164 : undefined;
  const code = PERMISSION_CODES[request.feature];
  if (code !== undefined && !mayUseFeatureCode(deps.permissions, request.endpoint, code)) {
    const detail = `${request.endpoint || 'this endpoint'} may not use *${code} (CALLGUARD_FEATURE_CODES)`;
    if (e164 === undefined) return outcome('not-permitted', normalized.kind === 'hidden' ? 'hidden' : 'malformed', { detail });
    const now = await withDeadline(() => deps.lists.check(e164, [request.list]), deadlineMs);
    const verdict: Verdict = !now.ok ? 'unavailable' : now.value ? 'blocked' : 'clear';
    return outcome('not-permitted', verdict, { e164, detail });
  }
  if (normalized.kind === 'hidden') return outcome('no-number', 'hidden', { detail: 'no number to act on' });
  if (normalized.kind === 'malformed') return outcome('invalid-number', 'malformed', { detail: normalized.reason });

  const actor = { by: request.endpoint || 'unknown endpoint', reason: FEATURE_REASONS[request.feature], source: FEATURE_SOURCES[request.feature] };
  const member = e164 as string;
  const written = await withDeadline(async (): Promise<FeatureResult> => {
    try {
      if (request.feature !== 'cancel') {
        await deps.lists.add(request.list, [{ member }], actor);
        return 'listed';
      }
      const { cancelled } = await deps.lists.cancel(request.list, [member], actor);
      return cancelled.length > 0 ? 'cancelled' : 'not-listed';
    } catch (error) {
      if (error instanceof ListError && error.code === 'no-such-list') return 'no-such-list';
      throw error;
    }
  }, deadlineMs);
  if (!written.ok) return outcome('failed', 'unavailable', { e164, detail: written.reason });
  const result = written.value;
  if (result === 'no-such-list') return outcome(result, 'unavailable', { e164, detail: `list ${request.list} does not exist` });
  return outcome(result, result === 'listed' ? 'blocked' : 'clear', { e164 });
}

/** The call-log entry of a feature use: direction `feature`, the action its result. */
export function featureCallLogEntry(outcome: AgentFeatureOutcome): CallLogEntry {
  const { request, result } = outcome;
  const withList = result === 'listed' || result === 'cancelled' || result === 'not-listed' || result === 'no-such-list';
  return {
    time: outcome.at,
    channel: request.channelId,
    direction: 'feature',
    raw: request.number,
    ...(outcome.e164 === undefined ? {} : { e164: outcome.e164 }),
    verdict: outcome.verdict,
    list: request.list,
    reason: outcome.detail ?? FEATURE_REASONS[request.feature],
    action: withList ? `${FEATURE_ACTIONS[result]}:${request.list}` : result,
    feature: request.code,
    ...(request.endpoint === '' ? {} : { endpoint: request.endpoint }),
    outcome: 'done',
    decisionMs: outcome.durationMs,
  };
}

/** The written action of a result that changed (or meant to change) the list. */
const FEATURE_ACTIONS: Readonly<Partial<Record<FeatureResult, string>>> = {
  listed: 'list',
  cancelled: 'cancel',
  'not-listed': 'not-listed',
  'no-such-list': 'no-such-list',
};
