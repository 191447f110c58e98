import type { FastifyRequest } from 'fastify';
import { inScope } from '../access/roles.js';
import type { Actor } from '../lists/types.js';
import { addDuration, parseDuration, parseIsoTime } from '../front-door/duration.js';
import { readEntryList, type EntryInput } from '../front-door/number-input.js';
import { parseRegion } from '../numbers/region.js';
import { forbidden, principalOf } from './auth.js';
import { ApiProblem, invalid } from './problem.js';

/**
 * Request values read with the CLI's own parsers, so the API accepts and refuses the
 * same things with the same words; a refusal names the field and the value (422).
 */

/** Who makes a change: the token's name, never a value the request sends. */
export function actorOf(request: FastifyRequest, reason?: string): Actor {
  return { by: principalOf(request).name, ...(reason === undefined || reason === '' ? {} : { reason }), source: 'api' };
}

/** The region of a request, else the API's default; undefined when neither. */
export function regionOf(text: string | undefined, field: string, fallback: string | undefined): string | undefined {
  if (text === undefined || text === '') return fallback;
  const result = parseRegion(text);
  if (!result.ok) throw invalid(field, text, result.reason);
  return result.region;
}

/** Numbers and prefixes as list entries; one bad input refuses them all, each bad one named. */
export function entriesOf(inputs: string[], region: string | undefined, field: string): EntryInput[] {
  const read = readEntryList(inputs, region);
  if (read.ok) return read.entries;
  const what = inputs.length === 1 ? 'the number is' : `${read.bad.length} of ${inputs.length} numbers ${read.bad.length === 1 ? 'is' : 'are'}`;
  const hint = region === undefined && read.bad.some((bad) => bad.reason.includes('without a region')) ? ' (give "region" for national numbers)' : '';
  const first = read.bad[0];
  throw new ApiProblem(
    422,
    'invalid-value',
    `${what} not valid, nothing was written: ${JSON.stringify(first?.input)}: ${first?.reason}${read.bad.length > 1 ? ', ...' : ''}${hint}`,
    read.bad.map((bad) => ({ field: `${field}/${bad.index}`, value: bad.input, reason: bad.reason })),
  );
}

/** An expiry from `for` (30d) or `until` (ISO 8601, in the future); undefined: forever. */
export function expiryOf(input: { for?: string; until?: string }, now: number): number | undefined {
  if (input.for !== undefined && input.until !== undefined) throw invalid('body/until', input.until, 'give "for" or "until", not both');
  if (input.for !== undefined) return addDuration(now, parsed('body/for', input.for, parseDuration));
  if (input.until === undefined) return undefined;
  const until = parsed('body/until', input.until, parseIsoTime);
  if (until <= now) throw invalid('body/until', input.until, `${new Date(until).toISOString()} is in the past`);
  return until;
}

/** `30m`, `12h`, `7d` back from now, or an ISO 8601 time; undefined when not given. */
export function sinceOf(text: string | undefined, field: string, now: number): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (/^\d+[smhdwy]$/.test(text.trim())) return now - (addDuration(now, parsed(field, text, parseDuration)) - now);
  return parsed(field, text, parseIsoTime);
}

/** `30m`, `2h` from now, or an ISO 8601 time; undefined when not given. */
export function atOf(text: string | undefined, field: string, now: number): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (/^\d+[smhdwy]$/.test(text.trim())) return addDuration(now, parsed(field, text, parseDuration));
  return parsed(field, text, parseIsoTime);
}

/** `parse(text)`, its error a 422 naming the field. */
export function parsed<T>(field: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (error) {
    throw invalid(field, text, error instanceof Error ? error.message : String(error));
  }
}

/** 403 unless the token may touch every one of `lists` (for lists known only inside a handler). */
export function requireScope(request: FastifyRequest, lists: readonly string[]): void {
  if (!inScope(principalOf(request), lists)) throw forbidden();
}

/** The lists of `all` the token may see. */
export function visibleLists<T extends { list: string }>(request: FastifyRequest, all: T[]): T[] {
  const scope = principalOf(request).lists;
  return scope === null ? all : all.filter((item) => scope.includes(item.list));
}
