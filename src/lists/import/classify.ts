import { normalize, normalizePattern } from '../../numbers/index.js';
import { prefixMember } from '../keys.js';
import { readExpiryCell, type ExpiryArg } from './expiry.js';
import type { RowChunk } from './rows.js';

/** What every row of one import is read with. */
export interface RowRules {
  numberIndex: number;
  /** column of per-row expiries; when absent every row gets `expiry` */
  expiresIndex: number | undefined;
  expiry: ExpiryArg;
  region: string | undefined;
  now: number;
}

export type RowVerdict =
  | { ok: true; member: string; expiry: ExpiryArg }
  | { ok: false; raw: string; reason: string };

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
    if (!read.ok) return { ok: false, raw, reason: read.reason };
    member = read.pattern.kind === 'exact' ? read.pattern.e164 : prefixMember(read.pattern.prefix);
  } else {
    const read = normalize(raw, rules.region);
    if (read.kind === 'hidden') return { ok: false, raw, reason: 'a hidden or empty caller ID is not a number to list' };
    if (read.kind === 'malformed') return { ok: false, raw, reason: read.reason };
    member = read.e164;
  }
  if (expiryCell === undefined) return { ok: true, member, expiry: rules.expiry };
  const expiry = readExpiryCell(expiryCell, rules.now);
  if (!expiry.ok) return { ok: false, raw, reason: expiry.reason };
  return { ok: true, member, expiry: expiry.expiry };
}

/** A chunk of rows read: the members in row order, and the rows that are not members. */
export interface ClassifiedChunk {
  members: string[];
  /** the expiry of each member, in order */
  expiries: ExpiryArg[];
  /** rows refused, by their index in the chunk */
  rejects: { index: number; raw: string; reason: string }[];
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
    } else {
      result.rejects.push({ index: i, raw: verdict.raw, reason: verdict.reason });
    }
  }
  return result;
}
