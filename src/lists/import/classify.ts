import { normalize, normalizePattern } from '../../numbers/index.js';
import { prefixMember } from '../keys.js';
import { readExpiryCell, type ExpiryArg } from './expiry.js';
import { areaCodeJoined } from './national.js';
import type { RowChunk } from './rows.js';

/** What every row of one import is read with. */
export interface RowRules {
  numberIndex: number;
  /** column of per-row expiries; when absent every row gets `expiry` */
  expiresIndex: number | undefined;
  expiry: ExpiryArg;
  region: string | undefined;
  now: number;
  /** a NANP national file (--country US): a cell in its `201,5550100` layout is one number */
  areaCodeLayout?: boolean;
}

export type RowVerdict =
  | { ok: true; member: string; expiry: ExpiryArg }
  | { ok: false; raw: string; reason: string; needsRegion?: boolean }
  /** the row shows the file's structure broke (see BrokenFileError), not just a bad row */
  | { ok: false; raw: string; breaks: string };

/**
 * How numbers/ says a national number could not be read for want of a region. (A code
 * on its malformed result would be sturdier than the text; numbers/ has none yet.)
 */
const NEEDS_REGION = /without a region/;

/** A reason a number was not read that a region would have read: a national number. */
export function readsWithRegion(reason: string): boolean {
  return NEEDS_REGION.test(reason);
}

/** What a decoder puts for bytes that are not UTF-8. */
const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * One row to one list member, or the reason it cannot be one. The number is read once:
 * normalize() (with its fast path for input already in E.164) for numbers, and
 * normalizePattern() only for the rare cell with a `*`.
 */
export function classifyRow(fields: string[], rules: RowRules): RowVerdict {
  const raw = fields[rules.numberIndex];
  if (raw === undefined) {
    return { ok: false, raw: fields.join(','), reason: `no column ${rules.numberIndex + 1} in this row` };
  }
  if (raw.includes('\n')) {
    // Only a quote left open can put a line break into a phone number: the "lines" it
    // holds are rows of the file, which one reject would silently swallow.
    return { ok: false, raw, breaks: 'the number cell runs over several lines: a quote opened in it closes only rows later' };
  }
  if (rules.expiresIndex === undefined) return classifyCells(raw, undefined, rules);
  const expiryCell = fields[rules.expiresIndex];
  if (expiryCell === undefined) {
    return { ok: false, raw: raw.trim(), reason: `no column ${rules.expiresIndex + 1} (the expiry) in this row` };
  }
  return classifyCells(raw, expiryCell, rules);
}

/** The number cell (and expiry cell, with an expiry column) of one row to a member. */
export function classifyCells(numberCell: string, expiryCell: string | undefined, rules: RowRules): RowVerdict {
  const raw = numberCell.trim();
  let member: string;
  if (raw.includes('*')) {
    const read = normalizePattern(raw, rules.region);
    if (!read.ok) return malformed(raw, read.reason, rules);
    member = read.pattern.kind === 'exact' ? read.pattern.e164 : prefixMember(read.pattern.prefix);
  } else {
    const read = normalize((rules.areaCodeLayout && areaCodeJoined(raw)) || raw, rules.region);
    if (read.kind === 'hidden') return { ok: false, raw, reason: 'a hidden or empty caller ID is not a number to list' };
    if (read.kind === 'malformed') return malformed(raw, read.reason, rules);
    member = read.e164;
  }
  if (expiryCell === undefined) return { ok: true, member, expiry: rules.expiry };
  const expiry = readExpiryCell(expiryCell, rules.now);
  if (!expiry.ok) return { ok: false, raw, reason: expiry.reason };
  return { ok: true, member, expiry: expiry.expiry };
}

/**
 * A cell that is no number. Bytes that are not UTF-8 only spoil the cells they are in
 * (every byte below 0x80, delimiters, quotes and line ends included, means the same in
 * UTF-8 and the 8-bit encodings spreadsheets save), so they reject that row and the
 * reason says why; in cells the import does not read they are harmless.
 */
function malformed(raw: string, reason: string, rules: RowRules): RowVerdict {
  if (raw.includes(REPLACEMENT_CHARACTER)) {
    return { ok: false, raw, reason: 'holds bytes that are not UTF-8 (is the file saved in another encoding? save it as UTF-8)' };
  }
  if (rules.region === undefined && readsWithRegion(reason)) return { ok: false, raw, reason, needsRegion: true };
  return { ok: false, raw, reason };
}

/** A chunk of rows read: the members in row order, and the rows that are not members. */
export interface ClassifiedChunk {
  members: string[];
  /** the expiry of each member, in order */
  expiries: ExpiryArg[];
  /** rows refused, by their index in the chunk */
  rejects: { index: number; raw: string; reason: string; needsRegion?: boolean }[];
  /** the row where the file's structure broke; the rows after it were not classified */
  broken?: { index: number; problem: string };
}

/**
 * Classifies rows `from` to the end of a chunk. (Worker threads doing this beside the
 * main thread were measured on 2 cores: no faster, and 60-130 MB more RSS a thread.)
 */
export function classifyChunk(chunk: RowChunk, rules: RowRules, from = 0): ClassifiedChunk {
  const result: ClassifiedChunk = { members: [], expiries: [], rejects: [] };
  const count = chunk.lines.length;
  for (let i = from; i < count; i += 1) {
    const verdict =
      'values' in chunk
        ? classifyCells(chunk.values[i] as string, undefined, rules)
        : classifyRow(chunk.records[i] as string[], rules);
    if (verdict.ok) {
      result.members.push(verdict.member);
      result.expiries.push(verdict.expiry);
    } else if ('breaks' in verdict) {
      result.broken = { index: i, problem: verdict.breaks };
      break;
    } else {
      result.rejects.push({ index: i, raw: verdict.raw, reason: verdict.reason, needsRegion: verdict.needsRegion });
    }
  }
  return result;
}
