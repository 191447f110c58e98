/** Output helpers for people; `--json` output uses `isoTime` so both show the same instants. */

import { describeOldestPart, listAgeMs, type ListSource } from '../lists/source-date.js';
import { causeName, formatAction } from '../screening/actions.js';
import type { Action } from '../screening/types.js';

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text with every control character written as an escape (`\n`, `\u001b`), so that text
 * from outside (a caller ID, a stored reason, a mistyped argument) cannot move the cursor,
 * recolour or clear the terminal of the person reading it.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (c) => NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** ms since epoch as ISO 8601 UTC to the second, or null when unknown. */
export function isoTime(at: number | null | undefined): string | null {
  if (at === null || at === undefined || !Number.isFinite(at)) return null;
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const SPANS: [string, number][] = [
  ['y', 365 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** A span in its two largest units: `29d 23h`, `12h`, `45s`. */
export function humanSpan(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1_000) * 1_000);
  const parts: string[] = [];
  for (const [unit, size] of SPANS) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    } else if (parts.length > 0) {
      break;
    }
  }
  return parts.length > 0 ? parts.join(' ') : '0s';
}

const YEAR_MS = 365.25 * 86_400_000;
const DAY_MS = 86_400_000;

/** How long an audit is kept: `5y` for a span of whole calendar years (as --audit-retention 5y gives it), else humanSpan. */
export function retentionText(ms: number): string {
  const years = Math.round(ms / YEAR_MS);
  return years >= 1 && Math.abs(ms - years * YEAR_MS) < 2 * DAY_MS ? `${years}y` : humanSpan(ms);
}

/** `forever`, or the time and how far off it is: `2026-12-23T10:00:00Z (in 30d)`. */
export function describeExpiry(expiresAt: number | null | undefined, now: number): string {
  if (expiresAt === null || expiresAt === undefined || !Number.isFinite(expiresAt)) return 'forever';
  const when = isoTime(expiresAt);
  return expiresAt > now ? `${when} (in ${humanSpan(expiresAt - now)})` : `${when} (expired)`;
}

/** Rows under a header, columns padded to line up; empty cells show as `-`, control characters escaped. */
export function table(header: string[], rows: (string | undefined)[][]): string[] {
  const cells = [header, ...rows.map((row) => header.map((_, i) => escapeControlCharacters(row[i] || '-')))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** `label: value` lines with the values aligned; absent values are left out, control characters escaped. */
export function fields(pairs: [string, string | undefined][]): string[] {
  const present = pairs.filter((pair): pair is [string, string] => pair[1] !== undefined && pair[1] !== '');
  const width = Math.max(0, ...present.map(([label]) => label.length + 1));
  return present.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${escapeControlCharacters(value)}`);
}

/** A match or entry as JSON: times as ISO strings, absent fields as null (a stable shape). */
export function entryJson(entry: {
  list: string;
  member: string;
  expiresAt: number | null;
  reason?: string;
  by?: string;
  addedAt?: number;
}): Record<string, string | null> {
  return {
    list: entry.list,
    member: entry.member,
    kind: entry.member.endsWith('*') ? 'prefix' : 'exact',
    expiresAt: isoTime(entry.expiresAt),
    reason: entry.reason ?? null,
    by: entry.by ?? null,
    addedAt: isoTime(entry.addedAt),
  };
}

/** `1 entry`, `2 entries`. */
export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * `data of 2026-11-30T00:00:00Z (3d 4h old), from dnc.zip`, naming the oldest part when
 * others are newer (`data of … (area code 415, 40d old)`); `-` for a list never imported.
 */
export function describeListAge(source: ListSource | undefined, now: number): string {
  const age = listAgeMs(source, now);
  if (!source || age === undefined) return '-';
  const part = source.oldest ? `${describeOldestPart(source.oldest)}, ` : '';
  return `data of ${isoTime(source.dataDate) ?? '?'} (${part}${humanSpan(age)} old), from ${escapeControlCharacters(source.name)}`;
}

/** An action in its written form, with the name of its cause when it has one: `hangup:17  (busy)`. */
export function describeAction(action: Action): string {
  const name = action.type === 'continue' ? undefined : causeName(action.cause);
  return name ? `${formatAction(action)}  (${name})` : formatAction(action);
}
