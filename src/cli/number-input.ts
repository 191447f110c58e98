import { prefixMember } from '../lists/keys.js';
import type { EntryMember } from '../lists/types.js';
import { normalizePattern } from '../numbers/index.js';
import { UsageError } from './errors.js';

/** A command-line argument read as a list entry. */
export interface EntryInput {
  input: string;
  member: EntryMember;
  kind: 'exact' | 'prefix';
}

const REGION_HINT = 'give the region of national numbers with --region or CALLGUARD_REGION';

type Reading = { ok: true; entry: EntryInput } | { ok: false; input: string; reason: string };

/** One argument: ending in `*` it is a prefix (`+1900*`, `0900*`), otherwise one number. */
export function readEntry(input: string, region: string | undefined): Reading {
  const result = normalizePattern(input, region);
  if (!result.ok) return { ok: false, input, reason: result.reason };
  const { pattern } = result;
  return pattern.kind === 'prefix'
    ? { ok: true, entry: { input, member: prefixMember(pattern.prefix), kind: 'prefix' } }
    : { ok: true, entry: { input, member: pattern.e164, kind: 'exact' } };
}

/**
 * Every argument as an entry, or a UsageError naming each bad one, so that one typo
 * rejects the whole command before anything is written. Two arguments that normalize
 * to the same entry count once.
 */
export function readEntries(inputs: string[], region: string | undefined): EntryInput[] {
  const readings = inputs.map((input) => readEntry(input, region));
  const bad = readings.flatMap((reading) => (reading.ok ? [] : [reading]));
  if (bad.length > 0) {
    const needsRegion = region === undefined && bad.some((reading) => reading.reason.includes('without a region'));
    const hint = needsRegion ? ` (${REGION_HINT})` : '';
    const [only] = bad;
    if (inputs.length === 1 && only) {
      throw new UsageError(`${JSON.stringify(only.input)} is not a valid number: ${only.reason}; nothing was written${hint}`);
    }
    // One line each, so every bad argument of a long command line is named at once.
    const lines = bad.map((reading) => `  ${JSON.stringify(reading.input)}: ${reading.reason}`);
    const what = `${bad.length} of ${inputs.length} numbers ${bad.length === 1 ? 'is' : 'are'}`;
    throw new UsageError([`${what} not valid, nothing was written${hint}:`, ...lines].join('\n'));
  }
  const byMember = new Map<EntryMember, EntryInput>();
  for (const reading of readings) {
    if (reading.ok && !byMember.has(reading.entry.member)) byMember.set(reading.entry.member, reading.entry);
  }
  return [...byMember.values()];
}
