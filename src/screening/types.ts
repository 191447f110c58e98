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

/** The outcome of screening one number, before any call is touched. */
export interface Screening {
  verdict: LoggedVerdict;
  /** E.164 when the number normalized */
  e164?: string;
  /** the list entry behind `blocked` or `allowed` (or what would have blocked) */
  match?: Match;
  /** why a number is malformed, or why the store was unavailable, or why a rule refused it */
  detail?: string;
  /** for `would-block`: the verdict the rule in observe mode would have given */
  wouldBe?: Exclude<LoggedVerdict, 'would-block' | 'allowed' | 'clear' | 'hidden' | 'malformed' | 'unavailable'>;
  /** outside-hours, capped: when the number may be tried again (ms since epoch); absent: no window ahead */
  retryAt?: number;
  /** the caller id's STIR/SHAKEN verification, when the call reported one */
  identity?: CallerIdentity;
  /** an auto-block rule was crossed: the number to add to this list until then, with this reason */
  autoBlock?: { list: string; expiresAt: number; reason: string };
}

/** The action to run and the channel variables to set before it. */
export interface Decision {
  verdict: LoggedVerdict;
  action: Action;
  variables: Record<string, string>;
}
