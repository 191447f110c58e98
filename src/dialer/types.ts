import type { Campaign, DialOutcome } from '../screening/campaign.js';

/** One number a campaign should call, as taken from the requests stream. */
export interface DialRequest {
  /** the `id` field of the stream entry, or the entry's own stream id */
  id: string;
  campaign: string;
  /** as written by the requester; normalized with the campaign's region at each attempt */
  number: string;
  /**
   * Other numbers of the same person (home, mobile, office), as written: attempts rotate
   * through the main number and these, and a block on the main number stops them all.
   */
  alternates?: string[];
  /** free key/value pairs handed to the dial function and copied into every result */
  attrs: Record<string, string>;
  /** when the request was taken into work, ms since epoch */
  createdAt: number;
}

/** A request between attempts, as kept in the state hash. */
export interface RequestState extends DialRequest {
  /** attempts made so far (results written) */
  attempts: number;
}

/**
 * What one attempt ended with, as written to the results stream. OUTSIDE_HOURS and CAPPED
 * are not dialled and wait (retryAt: the next window start, the time the cap frees a
 * slot) without using up an attempt; NO_CONSENT is final, like BLACKLISTED. LIST_STALE: a
 * block list's data was older than the campaign's --max-list-age; not dialled, tried
 * again later.
 */
export type AttemptOutcome =
  | DialOutcome
  | 'BLACKLISTED'
  | 'INVALID_NUMBER'
  | 'REJECTED'
  | 'OUTSIDE_HOURS'
  | 'CAPPED'
  | 'NO_CONSENT'
  | 'LIST_STALE';
export const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = [
  'ANSWERED',
  'BUSY',
  'NO_ANSWER',
  'FAILED',
  'BLACKLISTED',
  'INVALID_NUMBER',
  'REJECTED',
  'OUTSIDE_HOURS',
  'CAPPED',
  'NO_CONSENT',
  'LIST_STALE',
];

/** The outcomes a rule gives a number it does not dial, which observe mode records as would-block instead. */
export type RuleOutcome = 'BLACKLISTED' | 'OUTSIDE_HOURS' | 'CAPPED' | 'NO_CONSENT';

/** One entry of the results stream. */
export interface AttemptResult {
  request: string;
  campaign: string;
  /** the number this attempt dialled (or that was blocked or invalid), as requested */
  number: string;
  e164?: string;
  /** the request's main number, when it has alternates */
  main?: string;
  /** alternates passed over at this attempt, as `<number> <verdict>[ <list>]`, comma-separated */
  skipped?: string;
  /** 1 for the first attempt; 0 for a request rejected before any attempt */
  attempt: number;
  outcome: AttemptOutcome;
  /** the list that blocked the number (BLACKLISTED) */
  list?: string;
  /** the list entry that matched: the number or a prefix pattern `+1900*` */
  member?: string;
  /** why: the block entry's reason, why a number is invalid, why a dial failed */
  reason?: string;
  /** ms since epoch */
  at: number;
  /** true when no further attempt follows */
  final: boolean;
  /** when the next attempt is due (not final) */
  retryAt?: number;
  /**
   * observe mode: the outcome a rule would have given; the number was dialled all the
   * same, and list, member and reason describe that rule's match
   */
  wouldBlock?: RuleOutcome;
  attrs: Record<string, string>;
  /**
   * Written by an attempt whose lease had run out (its instance lost Redis for longer
   * than the lease): the request may have been attempted again meanwhile.
   */
  stale?: true;
}

/** What the ARI side is asked to do: dial one clear, normalized number for a campaign. */
export interface DialAttempt {
  request: DialRequest;
  campaign: Campaign;
  /** 1-based */
  attempt: number;
  e164: string;
  /** the campaign's endpoint template with the number filled in */
  endpoint: string;
  /** the caller id to present (the campaign's, or one from its caller id list); the endpoint's own when absent */
  callerId?: string;
}

/**
 * Places one call and resolves with how it ended once that is known (answered and handed
 * to the agent context, busy, not answered within the campaign's dial timeout, failed).
 * A rejection counts as FAILED with the error's message as reason, except NotDialledError.
 */
export type DialFunction = (attempt: DialAttempt) => Promise<DialOutcome>;

/**
 * What a dial function throws when it did not dial because the campaign cannot work on
 * this PBX (its --context is not in the dialplan: an answered callee would be hung up on
 * at once). No one was called, so it is not an attempt: the result is FAILED, not final,
 * with this reason, and the request is tried again after the campaign's
 * unavailableRetryMs, until the campaign is fixed.
 */
export class NotDialledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotDialledError';
  }
}
