import type { DialQueue } from './queue.js';
import type { AttemptOutcome, AttemptResult, RuleOutcome } from './types.js';

/** Results a report reads at most, newest first; older ones need `since` or the stream itself. */
export const DEFAULT_REPORT_SCAN = 10_000;

export interface CampaignReportQuery {
  /** only attempts at or after this time, ms since epoch */
  since?: number;
  outcome?: AttemptOutcome;
  /** attempts listed at most (the totals count every attempt read) */
  limit: number;
}

export interface CampaignReport {
  /** newest first, at most `limit` */
  attempts: AttemptResult[];
  totals: Partial<Record<AttemptOutcome, number>>;
  /** the final attempts among them: how requests ended */
  finished: Partial<Record<AttemptOutcome, number>>;
  /** observe mode: the attempts dialled that a rule would have stopped, by that rule's outcome */
  wouldBlock: Partial<Record<RuleOutcome, number>>;
  waiting: number;
  inFlight: number;
}

/** A campaign's attempts, newest first, with totals per outcome (`callguard campaign report`). */
export async function campaignReport(queue: DialQueue, campaign: string, query: CampaignReportQuery): Promise<CampaignReport> {
  const { since, outcome } = query;
  const read = await queue.results({ campaign, scan: DEFAULT_REPORT_SCAN, ...(since === undefined ? {} : { since }) });
  const attempts = read.filter((result) => (outcome === undefined || result.outcome === outcome) && (since === undefined || result.at >= since));
  const counts = await queue.counts(campaign);
  return {
    attempts: attempts.slice(0, query.limit),
    totals: countBy(attempts, () => true),
    finished: countBy(attempts, (result) => result.final),
    wouldBlock: wouldBlockCounts(attempts),
    ...counts,
  };
}

function countBy(results: AttemptResult[], include: (result: AttemptResult) => boolean): Partial<Record<AttemptOutcome, number>> {
  const counts: Partial<Record<AttemptOutcome, number>> = {};
  for (const result of results) if (include(result)) counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
  return counts;
}

function wouldBlockCounts(results: AttemptResult[]): Partial<Record<RuleOutcome, number>> {
  const counts: Partial<Record<RuleOutcome, number>> = {};
  for (const { wouldBlock } of results) if (wouldBlock !== undefined) counts[wouldBlock] = (counts[wouldBlock] ?? 0) + 1;
  return counts;
}
