import { describeOldestPart, staleLists, type ListSource, type StaleList } from '../lists/source-date.js';
import type { Match } from '../lists/types.js';
import { normalize } from '../numbers/normalize.js';
import type { Campaign, NotDialledVerdict } from './campaign.js';
import { formatDelay } from './campaign-syntax.js';
import type { CapOutcome } from './caps.js';
import { withDeadline, type DeadlineOutcome } from './deadline.js';
import { renderEndpoint } from './endpoint-template.js';
import type { HoursPolicy } from './hours/policy.js';
import type { PolicyLookup } from './hours/store.js';
import { hoursAt, NEXT_WINDOW_HORIZON_DAYS, placesFor } from './hours/window.js';
import { observes } from './observe.js';
import type { Rate } from './rate.js';
import type { Action, ComplianceVerdict, NumberedScreening, Screening, ScreeningOf } from './types.js';

/**
 * How long an outbound check waits for Redis. Nobody is ringing yet, so it can be more
 * patient than the inbound 150 ms; past it the verdict is `unavailable` and the campaign
 * fails closed (not dialled) unless it says otherwise.
 */
export const DEFAULT_OUTBOUND_CHECK_DEADLINE_MS = 2_000;

/** The part of ListStore a check needs: one result per list, in one round trip; and the lists' data dates. */
export interface BlockListReader {
  checkEach(e164: string, lists: string[]): Promise<(Match | null)[]>;
  sources(lists: string[]): Promise<Map<string, ListSource | undefined>>;
}

/**
 * The block lists of a campaign whose data is older than its --max-list-age, in campaign
 * order; empty without a limit. The law counts the age of the copy a number is dialled
 * against, so a stale list stops the campaign whatever it says of the number (fail
 * closed, also for a campaign that fails open when the lists cannot be read).
 */
export async function staleBlockLists(
  campaign: Pick<Campaign, 'block' | 'maxListAgeMs'>,
  lists: BlockListReader,
  now: number,
): Promise<StaleList[]> {
  if (campaign.maxListAgeMs === undefined || campaign.block.length === 0) return [];
  return staleLists(await lists.sources(campaign.block), campaign.block, campaign.maxListAgeMs, now);
}

/** Why a campaign does not dial now, for its result and `campaign show`. */
export function describeStale(stale: StaleList[], maxListAgeMs: number): string {
  const day = 86_400_000;
  const ages = stale
    .map(({ list, ageMs, oldest }) => `${list} is ${(ageMs / day).toFixed(1)} days old${oldest ? ` (${describeOldestPart(oldest)})` : ''}`)
    .join(', ');
  return `${ages}: older than --max-list-age ${(maxListAgeMs / day).toFixed(0)}d; nothing is dialled until it is loaded again`;
}

/** The campaign fields screening a callee reads. */
export type CalleeRules = Pick<Campaign, 'block' | 'region'> & Partial<Pick<Campaign, 'requireConsent' | 'observe'>>;

/**
 * Screens a callee against a campaign's block lists, and its consent list when it
 * requires one, as they are now, in one round trip. Outbound has no allow lists: the
 * verdict is clear, blocked (first list in campaign order that matches), no-consent,
 * hidden, malformed, or unavailable — when Redis fails or is late, and also when a list
 * does not exist, because dialling around a missing do-not-call list is the failure that
 * must not happen. A rule in observe mode gives `would-block` instead and the number is
 * dialled. Never rejects.
 */
export async function screenCallee(
  number: string,
  campaign: CalleeRules,
  lists: Pick<BlockListReader, 'checkEach'>,
  options: { defaultRegion?: string; deadlineMs?: number } = {},
): Promise<Screening> {
  const normalized = normalize(number, campaign.region ?? options.defaultRegion);
  if (normalized.kind === 'hidden') return { verdict: 'hidden' };
  if (normalized.kind === 'malformed') return { verdict: 'malformed', detail: normalized.reason };
  const e164 = normalized.e164;
  const consent = campaign.requireConsent;
  const asked = consent === undefined ? campaign.block : [...campaign.block, consent];
  if (asked.length === 0) return { verdict: 'clear', e164 };
  const checked = await withDeadline(() => lists.checkEach(e164, asked), options.deadlineMs ?? DEFAULT_OUTBOUND_CHECK_DEADLINE_MS);
  if (!checked.ok) return { verdict: 'unavailable', e164, detail: checked.reason };
  const blocks = checked.value.slice(0, campaign.block.length).filter((found): found is Match => found !== null);
  const enforced = blocks.find((match) => !observes(campaign.observe, match.list));
  if (enforced) return { verdict: 'blocked', e164, match: enforced };
  const observed: Screening | undefined = blocks[0] && { verdict: 'would-block', e164, match: blocks[0], wouldBe: 'blocked' };
  if (consent !== undefined && checked.value[campaign.block.length] === null) {
    const detail = `no consent: not on list ${consent}`;
    if (!observes(campaign.observe, consent)) return { verdict: 'no-consent', e164, detail };
    return observed ?? { verdict: 'would-block', e164, detail, wouldBe: 'no-consent' };
  }
  return observed ?? { verdict: 'clear', e164 };
}

/** What the rules of an attempt read besides the lists: the hours policy and the caps. */
export interface AttemptRulesDeps {
  lists: BlockListReader;
  /** the campaign's calling-hours policy by name */
  policy(name: string): Promise<PolicyLookup>;
  caps: { take(e164: string, now: number, attempt: string, cap: Rate | undefined): Promise<CapOutcome> };
}

export interface AttemptContext {
  defaultRegion?: string;
  deadlineMs?: number;
  /** the schedule clock's now (ms since epoch) */
  now: number;
  /** names this attempt among all that count against a cap (request and attempt, or channel) */
  attempt: string;
  /** the callee's zone when the requester knows it (the request's `tz` attribute) */
  tz?: string;
}

/**
 * Every rule of one attempt, in the order in which a refusal is final first: the lists and
 * consent (one round trip, with the hours policy read beside them), then the calling
 * hours at the callee, then the number's cap, which counts the attempt when it lets it
 * through. A rule in observe mode gives would-block and the attempt goes on (a cap then
 * counts it all the same: the number is called). Never rejects.
 */
export async function screenAttempt(number: string, campaign: Campaign, deps: AttemptRulesDeps, context: AttemptContext): Promise<Screening> {
  const deadlineMs = context.deadlineMs ?? DEFAULT_OUTBOUND_CHECK_DEADLINE_MS;
  const [screening, policy] = await Promise.all([
    screenCallee(number, campaign, deps.lists, { ...(context.defaultRegion === undefined ? {} : { defaultRegion: context.defaultRegion }), deadlineMs }),
    readPolicy(campaign, deps, deadlineMs),
  ]);
  return applyAttemptRules(screening, campaign, policy, deps, context);
}

/** The campaign's calling-hours policy as read for an attempt (undefined: it names none). */
export type PolicyForAttempt = DeadlineOutcome<PolicyLookup> | undefined;

/** Reads the campaign's policy within the deadline; undefined when it names none. */
export function readPolicy(campaign: Pick<Campaign, 'hours'>, deps: Pick<AttemptRulesDeps, 'policy'>, deadlineMs: number): Promise<PolicyForAttempt> {
  const name = campaign.hours;
  return name === undefined ? Promise.resolve(undefined) : withDeadline(() => deps.policy(name), deadlineMs);
}

/**
 * The rules after the lists, for the number the attempt dials (screened by screenCallee):
 * the calling hours at that callee, then its cap, which counts the attempt it lets
 * through. They apply as well to a number whose lists could not be read when the campaign
 * fails open, since it is dialled all the same: outside the hours or capped it is not
 * dialled; a rule observed gives would-block as for a clear number; when every rule lets
 * it through, or one cannot be read either, it stays unavailable (and is dialled). Any
 * other screening comes back as it is.
 */
export async function applyAttemptRules<S extends Screening>(
  screening: S,
  campaign: Campaign,
  policy: PolicyForAttempt,
  deps: Pick<AttemptRulesDeps, 'caps'>,
  context: AttemptContext,
): Promise<S | NumberedScreening> {
  const dialledUnread = screening.verdict === 'unavailable' && campaign.fail === 'open' ? screening : undefined;
  if (screening.verdict !== 'clear' && screening.verdict !== 'would-block' && dialledUnread === undefined) return screening;
  const { e164 } = screening;
  if (e164 === undefined) return screening;
  const deadlineMs = context.deadlineMs ?? DEFAULT_OUTBOUND_CHECK_DEADLINE_MS;
  let observed: NumberedScreening | undefined = screening.verdict === 'would-block' ? screening : undefined;
  const unavailable = (detail: string): NumberedScreening => ({
    verdict: 'unavailable',
    e164,
    detail: dialledUnread === undefined ? detail : `${dialledUnread.detail}; ${detail}`,
  });

  if (policy !== undefined) {
    if (!policy.ok) return unavailable(`calling-hours policy ${campaign.hours} could not be read: ${policy.reason}`);
    const lookup = policy.value;
    if (lookup.kind !== 'found') {
      const why = lookup.kind === 'missing' ? 'does not exist' : `is invalid: ${lookup.reason}`;
      return unavailable(`calling-hours policy ${campaign.hours} ${why}`);
    }
    const closed = outsideHours(lookup.policy, e164, context);
    if (closed) {
      if (!observes(campaign.observe)) return closed;
      observed ??= { ...closed, verdict: 'would-block', wouldBe: 'outside-hours' };
    }
  }

  const cap = campaign.maxPerNumber;
  const take = (rate: Rate | undefined) => withDeadline(() => deps.caps.take(e164, context.now, context.attempt, rate), deadlineMs);
  let taken = await take(cap);
  if (taken.ok && !taken.value.ok && observes(campaign.observe)) {
    observed ??= { verdict: 'would-block', e164, detail: capDetail(cap as Rate), retryAt: taken.value.retryAt, wouldBe: 'capped' };
    taken = await take(undefined);
  }
  if (!taken.ok) return unavailable(`attempts to the number could not be counted: ${taken.reason}`);
  if (!taken.value.ok) return { verdict: 'capped', e164, detail: capDetail(cap as Rate), retryAt: taken.value.retryAt };
  return observed ?? dialledUnread ?? { verdict: 'clear', e164 };
}

function capDetail(cap: Rate): string {
  return `capped: ${cap.count} attempts to the number within ${formatDelay(cap.windowMs)}`;
}

/** `outside-hours` with the next window start, or undefined when the callee may be called now. */
function outsideHours(policy: HoursPolicy, e164: string, context: AttemptContext): ScreeningOf<'outside-hours'> | undefined {
  const places = placesFor(policy, e164, context.tz);
  if (!places.ok) return { verdict: 'outside-hours', e164, detail: places.reason };
  const verdict = hoursAt(policy, places.places, context.now);
  if (verdict.open) return undefined;
  const zones = places.places.map((place) => place.zone).join(', ');
  if (verdict.nextOpen === undefined) {
    // Looked at again once the weeks searched have passed: the policy may have changed by then.
    const detail = `outside calling hours (${policy.name}, ${zones}): no window in the next ${NEXT_WINDOW_HORIZON_DAYS} days`;
    return { verdict: 'outside-hours', e164, detail, retryAt: context.now + NEXT_WINDOW_HORIZON_DAYS * 86_400_000 };
  }
  return { verdict: 'outside-hours', e164, detail: `outside calling hours (${policy.name}, ${zones})`, retryAt: verdict.nextOpen };
}

/** What an agent's outbound call gets: the channel to originate, or the action instead. */
export type AgentCallDecision =
  | { kind: 'dial'; e164: string; endpoint: string; verdict: 'clear' | 'unavailable' | 'would-block' }
  | { kind: 'refuse'; verdict: NotDialledVerdict; action: Action };

const REFUSED: readonly string[] = ['blocked', 'hidden', 'malformed', 'outside-hours', 'capped', 'no-consent'] satisfies (NotDialledVerdict | ComplianceVerdict)[];

/**
 * The pure decision for an agent dialling out through `Stasis(callguard,outbound,<campaign>)`:
 * dial a clear number (one only observed, and, when the campaign fails open, one whose
 * lists could not be read); otherwise the campaign's action for the verdict.
 */
export function decideAgentCall(screening: Screening, campaign: Pick<Campaign, 'endpoint' | 'fail' | 'actions'>): AgentCallDecision {
  const { verdict, e164 } = screening;
  if (e164 !== undefined && (verdict === 'clear' || verdict === 'would-block' || (verdict === 'unavailable' && campaign.fail === 'open'))) {
    return { kind: 'dial', e164, endpoint: renderEndpoint(campaign.endpoint, e164), verdict };
  }
  const refused = REFUSED.includes(verdict) ? (verdict as NotDialledVerdict) : 'unavailable';
  return { kind: 'refuse', verdict: refused, action: campaign.actions[refused] };
}
