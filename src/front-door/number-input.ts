import { prefixMember } from '../lists/keys.js';
import type { EntryMember } from '../lists/types.js';
import { extensionOf, normalizePattern } from '../numbers/index.js';
import { UsageError } from './errors.js';

/** A command-line argument read as a list entry. */
export interface EntryInput {
  input: string;
  member: EntryMember;
  kind: 'exact' | 'prefix';
}

export const REGION_HINT = 'give the region of national numbers with --region or CALLGUARD_REGION';

/** True when a number was refused only because it is national and no region was given. */
export function lacksRegion(reason: string, region: string | undefined): boolean {
  return region === undefined && reason.includes('without a region');
}

/** Why a number was refused, with the hint to give a region when the lack of one was the cause. */
export function withRegionHint(reason: string, region: string | undefined, hint = REGION_HINT): string {
  return lacksRegion(reason, region) ? `${reason} (${hint})` : reason;
}

/**
 * Says that a number written with an extension (`;ext=12`, `ext 12`) is read without it:
 * the extension is not part of the number that is dialled or presented.
 */
export function extensionNote(input: string, number: string): string | undefined {
  const extension = extensionOf(input);
  if (extension === undefined) return undefined;
  return `${JSON.stringify(input)} is read as ${number}: its extension ${extension} is not part of the number that is dialled`;
}

/** The extension notes of the entries read from the command line. */
export function extensionNotes(entries: EntryInput[]): string[] {
  return entries.flatMap((entry) => extensionNote(entry.input, entry.member) ?? []);
}

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

/** An input that is not a valid entry, by its position. */
export interface BadEntry {
  index: number;
  input: string;
  reason: string;
}

/**
 * Every input as an entry, or every input that is not one, so that one typo rejects the
 * whole change before anything is written (the CLI and the API alike). Two inputs that
 * normalize to the same entry count once.
 */
export function readEntryList(inputs: string[], region: string | undefined): { ok: true; entries: EntryInput[] } | { ok: false; bad: BadEntry[] } {
  const readings = inputs.map((input) => readEntry(input, region));
  const bad = readings.flatMap((reading, index) => (reading.ok ? [] : [{ index, input: reading.input, reason: reading.reason }]));
  if (bad.length > 0) return { ok: false, bad };
  const byMember = new Map<EntryMember, EntryInput>();
  for (const reading of readings) {
    if (reading.ok && !byMember.has(reading.entry.member)) byMember.set(reading.entry.member, reading.entry);
  }
  return { ok: true, entries: [...byMember.values()] };
}

/** readEntryList for the command line: a UsageError naming each bad argument. */
export function readEntries(inputs: string[], region: string | undefined): EntryInput[] {
  const read = readEntryList(inputs, region);
  if (read.ok) return read.entries;
  const { bad } = read;
  const [only] = bad;
  if (inputs.length === 1 && only) {
    throw new UsageError(`${JSON.stringify(only.input)} is not a valid number: ${withRegionHint(only.reason, region)}; nothing was written`);
  }
  const needsRegion = bad.some((reading) => lacksRegion(reading.reason, region));
  // One line each, so every bad argument of a long command line is named at once.
  const lines = bad.map((reading) => `  ${JSON.stringify(reading.input)}: ${reading.reason}`);
  const what = `${bad.length} of ${inputs.length} numbers ${bad.length === 1 ? 'is' : 'are'}`;
  throw new UsageError([`${what} not valid, nothing was written${needsRegion ? ` (${REGION_HINT})` : ''}:`, ...lines].join('\n'));
}
