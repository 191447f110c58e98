import { isCampaignName } from '../screening/campaign.js';
import type { DialRequest } from './types.js';

/**
 * The requests stream's entry format, for `callguard call` and for other systems that
 * XADD to it directly (docs/outbound.md):
 *
 *   campaign  required  campaign name
 *   number    required  the callee as written (E.164, national with the campaign region...)
 *   at        optional  earliest first attempt: ms since epoch, or ISO 8601 with a zone
 *   attrs     optional  JSON object of string values, copied into every result
 *   id        optional  the requester's own request id; the stream entry id otherwise
 *   alternates optional JSON array of the person's other numbers, rotated per attempt
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
export const MAX_ATTRS_LENGTH = 4096;
const MAX_NUMBER_LENGTH = 128;
/** Home, mobile, office and a few more: past this a request is a list, not a person. */
export const MAX_ALTERNATES = 9;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

export interface NewDialRequest {
  campaign: string;
  number: string;
  at?: number;
  attrs?: Record<string, string>;
  id?: string;
  alternates?: string[];
}

/** The request taken from one stream entry, or why it cannot be taken (with what could be read). */
export type ParsedRequest =
  | { ok: true; request: Omit<DialRequest, 'createdAt'>; at?: number }
  | { ok: false; reason: string; request: Omit<DialRequest, 'createdAt'> };

/** Flat field/value pairs for XADD. */
export function requestFields(request: NewDialRequest): string[] {
  const fields = ['campaign', request.campaign, 'number', request.number];
  if (request.at !== undefined) fields.push('at', String(request.at));
  if (request.attrs !== undefined && Object.keys(request.attrs).length > 0) fields.push('attrs', JSON.stringify(request.attrs));
  if (request.id !== undefined) fields.push('id', request.id);
  if (request.alternates !== undefined && request.alternates.length > 0) fields.push('alternates', JSON.stringify(request.alternates));
  return fields;
}

export function parseRequestFields(streamId: string, flat: string[]): ParsedRequest {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] ?? '', flat[i + 1] ?? '');
  const request: Omit<DialRequest, 'createdAt'> = {
    id: fields.get('id') ?? streamId,
    campaign: fields.get('campaign') ?? '',
    number: fields.get('number') ?? '',
    attrs: {},
  };
  const fail = (reason: string): ParsedRequest => ({ ok: false, reason, request });
  if (!REQUEST_ID_PATTERN.test(request.id)) {
    request.id = streamId;
    return fail(`id ${JSON.stringify(fields.get('id'))} is not a request id (letters, digits . _ : @ -, up to 128)`);
  }
  const attrs = parseAttrs(fields.get('attrs'));
  if (typeof attrs === 'string') return fail(attrs);
  request.attrs = attrs;
  if (!isCampaignName(request.campaign)) return fail(`campaign ${JSON.stringify(request.campaign)} is not a campaign name`);
  if (request.number === '' || request.number.length > MAX_NUMBER_LENGTH) {
    return fail(`number ${JSON.stringify(request.number)} is empty or longer than ${MAX_NUMBER_LENGTH}`);
  }
  const alternates = parseAlternates(fields.get('alternates'));
  if (typeof alternates === 'string') return fail(alternates);
  if (alternates.length > 0) request.alternates = alternates;
  const atText = fields.get('at');
  if (atText === undefined || atText === '') return { ok: true, request };
  const at = parseAt(atText);
  if (at === undefined) return fail(`at ${JSON.stringify(atText)} is neither ms since epoch nor ISO 8601 with a zone`);
  return { ok: true, request, at };
}

function parseAt(text: string): number | undefined {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (!ISO_WITH_ZONE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

function parseAlternates(text: string | undefined): string[] | string {
  if (text === undefined || text === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `alternates is not JSON: ${(error as Error).message}`;
  }
  if (!Array.isArray(parsed)) return 'alternates is not a JSON array of numbers';
  if (parsed.length > MAX_ALTERNATES) return `alternates holds ${parsed.length} numbers; at most ${MAX_ALTERNATES}`;
  for (const number of parsed) {
    if (typeof number !== 'string' || number === '' || number.length > MAX_NUMBER_LENGTH) {
      return `alternates holds ${JSON.stringify(number)}, which is not a number of 1 to ${MAX_NUMBER_LENGTH} characters`;
    }
  }
  return parsed as string[];
}

function parseAttrs(text: string | undefined): Record<string, string> | string {
  if (text === undefined || text === '') return {};
  if (text.length > MAX_ATTRS_LENGTH) return `attrs is longer than ${MAX_ATTRS_LENGTH} characters`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `attrs is not JSON: ${(error as Error).message}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'attrs is not a JSON object';
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'object' && value !== null) return `attrs.${key} is not a string, number or boolean`;
    attrs[key] = String(value);
  }
  return attrs;
}
