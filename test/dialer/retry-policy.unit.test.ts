import { describe, expect, it } from 'vitest';
import { nextStep } from '../../src/dialer/retry-policy.js';
import type { AttemptOutcome } from '../../src/dialer/types.js';

const campaign = { maxAttempts: 3, retry: { BUSY: 300_000, NO_ANSWER: 1_800_000, FAILED: null } };
const now = 1_000_000;

describe('nextStep', () => {
  it.each<[AttemptOutcome, number, ReturnType<typeof nextStep>]>([
    ['ANSWERED', 1, { final: true }],
    ['BLACKLISTED', 1, { final: true }],
    ['INVALID_NUMBER', 1, { final: true }],
    ['REJECTED', 0, { final: true }],
    ['BUSY', 1, { final: false, retryAt: now + 300_000 }],
    ['NO_ANSWER', 2, { final: false, retryAt: now + 1_800_000 }],
    ['BUSY', 3, { final: true }],
    ['NO_ANSWER', 4, { final: true }],
    ['FAILED', 1, { final: true }],
  ])('%s after attempt %i gives %j', (outcome, attempt, expected) => {
    expect(nextStep(campaign, attempt, outcome, now)).toEqual(expected);
  });

  it('a campaign of one attempt never retries', () => {
    expect(nextStep({ ...campaign, maxAttempts: 1 }, 1, 'BUSY', now)).toEqual({ final: true });
  });

  it('a zero delay retries at once', () => {
    expect(nextStep({ ...campaign, retry: { ...campaign.retry, FAILED: 0 } }, 1, 'FAILED', now)).toEqual({ final: false, retryAt: now });
  });
});
