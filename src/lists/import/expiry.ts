/**
 * Expiries as the import writes them: `inf` for forever, or ms since epoch as text,
 * which is what the list scripts read (ZADD takes both).
 */
export type ExpiryArg = string;

export const FOREVER: ExpiryArg = 'inf';

/** Cells of an expiry column that mean "never expires". */
const FOREVER_WORDS = new Set(['', 'never', 'forever', 'inf', 'infinity', '-']);

/** An ISO 8601 date, or date and time (seconds, fraction and zone optional). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export type ExpiryCell = { ok: true; expiry: ExpiryArg } | { ok: false; reason: string };

/**
 * Reads one cell of `--expires-column`: empty or `never` is forever, otherwise an ISO
 * 8601 time (as `callguard export` writes). A time already past is refused rather than
 * imported as an entry that would never match.
 */
export function readExpiryCell(cell: string, now: number): ExpiryCell {
  const text = cell.trim();
  if (FOREVER_WORDS.has(text.toLowerCase())) return { ok: true, expiry: FOREVER };
  const at = ISO_TIME.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return { ok: false, reason: `expiry "${text}" is not an ISO 8601 time` };
  if (at <= now) return { ok: false, reason: `expiry ${new Date(at).toISOString()} is already past` };
  return { ok: true, expiry: String(at) };
}
