/**
 * The limits a replace must stay within to be swapped in: a weekly file that lost most
 * of its rows, or whose rows mostly did not read, is a broken file in disguise. Without
 * `force` such a replace is refused and the list keeps its entries.
 */

/** At most this many rows rejected, or this share (percent) of the rows read. */
export type RejectLimit = { kind: 'count'; count: number } | { kind: 'percent'; percent: number };

export interface ReplaceGuards {
  /** the largest share (percent) of the list's live entries the replace may take away */
  maxShrinkPercent: number;
  maxRejects: RejectLimit;
  /** swap in even past the limits (a broken file is never swapped in) */
  force: boolean;
}

export const DEFAULT_MAX_SHRINK_PERCENT = 10;
export const DEFAULT_MAX_REJECTS: RejectLimit = { kind: 'percent', percent: 10 };
export const DEFAULT_REPLACE_GUARDS: ReplaceGuards = {
  maxShrinkPercent: DEFAULT_MAX_SHRINK_PERCENT,
  maxRejects: DEFAULT_MAX_REJECTS,
  force: false,
};

/** A change made to a list's entries (an audit event's action and who) while a replace read its file. */
export interface ListChange {
  action: string;
  by: string;
}

/** The swap counts the changes up to this many (swap-7.lua). */
export const MAX_COUNTED_CHANGES = 1000;

/**
 * Why a replace was not swapped in, with the figures that decided it. `list-changed` is
 * no limit: --force does not override it, as swapping would drop those changes unseen.
 */
export type Refusal =
  | { guard: 'max-shrink'; sizeBefore: number; sizeAfter: number; maxShrinkPercent: number }
  | { guard: 'max-rejects'; rejected: number; rows: number; maxRejects: RejectLimit }
  | { guard: 'list-changed'; source: string; changes: number; first: ListChange[]; bulk: boolean };

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A share, the % sign optional: `10%`, `2.5`. */
const SHARE = /^(\d+(?:\.\d+)?)%?$/;
const COUNT = /^\d+$/;

/** `10%` or `10`: a share in percent, 0 to 100. */
export function parsePercent(text: string): Parsed<number> {
  const match = SHARE.exec(text.trim());
  const percent = match ? Number(match[1]) : Number.NaN;
  if (!(percent >= 0 && percent <= 100)) return { ok: false, reason: `"${text}" is not a share from 0% to 100%` };
  return { ok: true, value: percent };
}

/** `250` (rows) or `2%` (of the rows read). */
export function parseRejectLimit(text: string): Parsed<RejectLimit> {
  const trimmed = text.trim();
  if (COUNT.test(trimmed)) return { ok: true, value: { kind: 'count', count: Number(trimmed) } };
  if (trimmed.endsWith('%')) {
    const percent = parsePercent(trimmed);
    return percent.ok ? { ok: true, value: { kind: 'percent', percent: percent.value } } : percent;
  }
  return { ok: false, reason: `"${text}" is neither a number of rows (250) nor a share of them (2%)` };
}

export function rejectsOverLimit(limit: RejectLimit, rejected: number, rows: number): boolean {
  return limit.kind === 'count' ? rejected > limit.count : rejected * 100 > limit.percent * rows;
}

/** The rule the swap script applies (swap-7.lua), for a dry run, which swaps nothing. */
export function shrinksPastLimit(sizeBefore: number, sizeAfter: number, maxShrinkPercent: number): boolean {
  return sizeBefore > 0 && (sizeBefore - sizeAfter) * 100 > maxShrinkPercent * sizeBefore;
}

export function describeRejectLimit(limit: RejectLimit): string {
  return limit.kind === 'count' ? `${limit.count} rows` : `${limit.percent}%`;
}

/** A share as people read it: `99.99%`, `10%`. */
export function percentOf(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${Number(((part * 100) / whole).toFixed(2))}%`;
}

export function describeRefusal(list: string, refusal: Refusal): string {
  if (refusal.guard === 'max-shrink') {
    const lost = refusal.sizeBefore - refusal.sizeAfter;
    return `list ${list} would shrink from ${refusal.sizeBefore} to ${refusal.sizeAfter} entries (-${percentOf(lost, refusal.sizeBefore)}), more than --max-shrink ${refusal.maxShrinkPercent}%`;
  }
  if (refusal.guard === 'list-changed') {
    const named = refusal.first.map((change) => `${change.action} by ${change.by}`);
    if (refusal.changes > refusal.first.length) named.push('...');
    const count = `${refusal.changes >= MAX_COUNTED_CHANGES ? 'at least ' : ''}${refusal.changes} ${refusal.changes === 1 ? 'change' : 'changes'}`;
    // An import still running has no audit event yet; its batches alone tell.
    const why = refusal.changes > 0 ? `${count}: ${named.join(', ')}` : 'by an import still writing into it';
    return `list ${list} changed while ${refusal.source} was read (${why})`;
  }
  return `${refusal.rejected} of ${refusal.rows} rows were rejected (${percentOf(refusal.rejected, refusal.rows)}), more than --max-rejects ${describeRejectLimit(refusal.maxRejects)}`;
}
