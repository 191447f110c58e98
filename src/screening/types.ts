import type { Match } from '../lists/types.js';

/** What callguard concluded about one number. */
export type Verdict = 'blocked' | 'allowed' | 'clear' | 'hidden' | 'malformed' | 'unavailable';

export const VERDICTS: readonly Verdict[] = ['blocked', 'allowed', 'clear', 'hidden', 'malformed', 'unavailable'];

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
  updatedAt?: number;
  updatedBy?: string;
}

/** The outcome of screening one number, before any call is touched. */
export interface Screening {
  verdict: Verdict;
  /** E.164 when the number normalized */
  e164?: string;
  /** the list entry behind `blocked` or `allowed` */
  match?: Match;
  /** why a number is malformed, or why the store was unavailable */
  detail?: string;
}

/** The action to run and the channel variables to set before it. */
export interface Decision {
  verdict: Verdict;
  action: Action;
  variables: Record<string, string>;
}
