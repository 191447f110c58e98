import type { Campaign } from '../screening/campaign.js';
import type { AttemptOutcome } from './types.js';

export type NextStep = { final: true } | { final: false; retryAt: number };

/**
 * What follows an attempt. ANSWERED, BLACKLISTED, INVALID_NUMBER and REJECTED end the
 * request; BUSY, NO_ANSWER and FAILED are tried again after the campaign's delay for that
 * outcome, unless the campaign does not retry it or `attempt` was the last one allowed.
 */
export function nextStep(campaign: Pick<Campaign, 'maxAttempts' | 'retry'>, attempt: number, outcome: AttemptOutcome, now: number): NextStep {
  if (outcome !== 'BUSY' && outcome !== 'NO_ANSWER' && outcome !== 'FAILED') return { final: true };
  if (attempt >= campaign.maxAttempts) return { final: true };
  const delay = campaign.retry[outcome];
  if (delay === null) return { final: true };
  return { final: false, retryAt: now + delay };
}
