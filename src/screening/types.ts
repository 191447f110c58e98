import type { Match } from '../lists/types.js';
import type { AutoBlockRule } from './auto-block.js';
import type { Observe } from './observe.js';
import type { Attestation, CallerIdentity } from './stir-shaken.js';

/** What a route does with the caller's verification: the action for `unverified`, and the least attestation it accepts. */
export interface StirRule {
  onUnverified: Action;
  minAttestation?: Attestation;
}

/** What callguard concluded about one number. */
export type Verdict = 'blocked' | 'allowed' | 'clear' | 'hidden' | 'malformed' | 'unavailable';

export const VERDICTS: readonly Verdict[] = ['blocked', 'allowed', 'clear', 'hidden', 'malformed', 'unavailable'];

/** Why a campaign does not dial a number it may otherwise call (calling hours, the number's cap, consent). */
export type ComplianceVerdict = 'outside-hours' | 'capped' | 'no-consent';
export const COMPLIANCE_VERDICTS: readonly ComplianceVerdict[] = ['outside-hours', 'capped', 'no-consent'];

/**
 * What screening an inbound call can conclude: a route verdict, `unverified` (the caller
 * id failed the route's STIR/SHAKEN rule), or `would-block` (a rule in observe mode would
 * have blocked; the call goes on as clear).
 */
export type ScreenVerdict = Verdict | 'unverified' | 'would-block';

/** Every verdict the call log records, inbound and outbound. */
export type LoggedVerdict = ScreenVerdict | ComplianceVerdict;
export const LOGGED_VERDICTS: readonly LoggedVerdict[] = [...VERDICTS, 'unverified', 'would-block', ...COMPLIANCE_VERDICTS];

/** What happens to the call. Causes are Q.850 codes (21 = call rejected). */
export type Action =
  | { type: 'hangup'; cause: number }
  | { type: 'announce'; sound: string; cause: number }
  | { type: 'continue'; context: string; extension: string; priority: number };

/** Inbound screening rules, stored in Redis and read at every call. */
export interface Route {
  name: string;
  /** lists that block, checked in this order */
  block: string[];
  /** lists that let through (VIP); an allow match wins over any block match */
  allow: string[];
  /** region for national numbers (ISO 3166 alpha-2); the service default when absent */
  region?: string;
  /** a number presented but withheld (Privacy: id + asserted identity): screen it, or treat the caller as hidden */
  withheld: 'screen' | 'hidden';
  /** queue priority handed to the dialplan for allowed callers (CALLGUARD_QUEUE_PRIORITY) */
  vipPriority?: number;
  actions: Record<Verdict, Action>;
  /** repeat callers blocked and listed automatically; the lists they fill block on this route too */
  autoBlock?: AutoBlockRule[];
  /** what a caller whose id fails STIR/SHAKEN verification gets (verdict `unverified`) */
  stir?: StirRule;
  /** rules computed and logged as would-block, but not acted on */
  observe?: Observe;
  updatedAt?: number;
  updatedBy?: string;
}

/** The rule a would-block call would have been refused by. */
export type WouldBe = 'blocked' | 'unverified' | ComplianceVerdict;

/** Every field a screening can carry; which of them a verdict has, Screening says. */
interface ScreeningFields {
  /** E.164 when the number normalized */
  e164: string;
  /** the list entry behind `blocked` or `allowed` (or what would have blocked) */
  match: Match;
  /** why a number is malformed, or why the store was unavailable, or why a rule refused it */
  detail: string;
  /** for `would-block`: the verdict the rule in observe mode would have given */
  wouldBe: WouldBe;
  /** outside-hours, capped: when the number may be tried again (ms since epoch); absent: no window ahead */
  retryAt: number;
  /** an auto-block rule was crossed: the number to add to this list until then, with this reason */
  autoBlock: { list: string; expiresAt: number; reason: string };
}

/**
 * One verdict's shape: the fields it must have, those it may have, and none of the
 * others (each typed `never`, so reading one on any screening is allowed and is
 * undefined, but a screening that carries it does not compile).
 */
type Shaped<V extends LoggedVerdict, Required extends keyof ScreeningFields, Optional extends keyof ScreeningFields = never> = {
  verdict: V;
  /** the caller id's STIR/SHAKEN verification, when the call reported one */
  identity?: CallerIdentity;
} & Pick<ScreeningFields, Required> &
  Partial<Pick<ScreeningFields, Optional>> & { [Field in Exclude<keyof ScreeningFields, Required | Optional>]?: never };

/**
 * The outcome of screening one number, before any call is touched; the verdict decides
 * which fields exist. A number that normalized is always there, except when the store
 * (or the route or campaign) could not be read before the number was looked at.
 */
export type Screening =
  | Shaped<'hidden', never, 'detail'>
  | Shaped<'malformed', 'detail'>
  | Shaped<'unavailable', 'detail', 'e164'>
  | Shaped<'clear', 'e164'>
  | Shaped<'allowed', 'e164' | 'match'>
  | Shaped<'blocked', 'e164' | 'match', 'autoBlock'>
  | Shaped<'unverified', 'e164' | 'detail'>
  | Shaped<'would-block', 'e164' | 'wouldBe', 'match' | 'detail' | 'retryAt'>
  | Shaped<'outside-hours', 'e164' | 'detail', 'retryAt'>
  | Shaped<'capped', 'e164' | 'detail', 'retryAt'>
  | Shaped<'no-consent', 'e164' | 'detail'>;

/** The screening of one verdict, with the fields that verdict has. */
export type ScreeningOf<V extends LoggedVerdict> = Extract<Screening, { verdict: V }>;

/** A screening of a number that normalized: every verdict but hidden and malformed, and unavailable with its number. */
export type NumberedScreening = Screening & { e164: string };

/** The action to run and the channel variables to set before it. */
export interface Decision {
  verdict: LoggedVerdict;
  action: Action;
  variables: Record<string, string>;
}
