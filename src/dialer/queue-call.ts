import { normalize } from '../numbers/normalize.js';
import { isTimeZone } from '../numbers/time-zones.js';
import type { Campaign } from '../screening/campaign.js';
import type { PolicyLookup } from '../screening/hours/store.js';
import { hoursAt, placesFor } from '../screening/hours/window.js';
import type { DialQueue } from './queue.js';
import { MAX_ALTERNATES, MAX_ATTRS_LENGTH } from './request-fields.js';

/** A dial request that cannot be queued as asked; nothing was queued. */
export class DialRequestError extends Error {
  constructor(
    message: string,
    readonly field: 'number' | 'attrs' | 'alternates' | 'at',
    /** for the number: why it cannot be dialled, as normalize() says; for attrs: the attribute at fault, when one is */
    readonly why?: string,
    /** the number that cannot be dialled: the main one or an alternate */
    readonly input?: string,
  ) {
    super(message);
    this.name = 'DialRequestError';
  }
}

export interface CallToQueue {
  campaign: Campaign;
  /** as written; read with the campaign's region, else `region` */
  number: string;
  region?: string;
  attrs: Record<string, string>;
  /** earliest first attempt, ms since epoch */
  at?: number;
  /** the requester's own request id */
  id?: string;
  /** the same person's other numbers, as written (MULTINUM): attempts rotate through them */
  alternates?: string[];
}

export interface QueuedCall {
  /** the request id: the one given, or the stream entry id */
  request: string;
  entry: string;
  e164: string;
  /** the alternates in E.164, in order */
  alternates: string[];
  /** the first attempt's time as queued: `at`, or the start of the window it was moved to */
  at?: number;
  /** the `at` asked for, when it fell outside the campaign's calling hours and was moved */
  movedFrom?: number;
}

/** Reads a calling-hours policy by name (HoursStore.get). */
export type PolicyReader = (name: string) => Promise<PolicyLookup>;

/**
 * Queues one number for a campaign's dialer (`callguard call`), after checking that it
 * can be dialled at all; its lists are checked at each attempt, not here. An `at` that
 * falls outside the campaign's calling hours at the callee is moved to the next window
 * start (`policy` reads the campaign's policy; without it the dialer moves the request at
 * its first attempt instead).
 */
export async function queueCall(queue: DialQueue, call: CallToQueue, policy?: PolicyReader): Promise<QueuedCall> {
  const alternates = call.alternates ?? [];
  if (alternates.length > MAX_ALTERNATES) {
    throw new DialRequestError(`${alternates.length} alternates; at most ${MAX_ALTERNATES}; nothing was queued`, 'alternates');
  }
  const [e164, ...alternatesE164] = [call.number, ...alternates].map((number) => {
    const normalized = normalize(number, call.campaign.region ?? call.region);
    if (normalized.kind === 'e164') return normalized.e164;
    const why = normalized.kind === 'hidden' ? 'it names no number' : normalized.reason;
    throw new DialRequestError(`"${number}" cannot be dialled: ${why}; nothing was queued`, 'number', why, number);
  });
  if (JSON.stringify(call.attrs).length > MAX_ATTRS_LENGTH) {
    throw new DialRequestError(`attrs exceed ${MAX_ATTRS_LENGTH} characters in all; nothing was queued`, 'attrs');
  }
  const tz = call.attrs.tz;
  if (tz !== undefined && !isTimeZone(tz)) {
    throw new DialRequestError(`attribute tz "${tz}" is not an IANA time zone such as America/Chicago; nothing was queued`, 'attrs', 'tz');
  }
  const at = call.at === undefined || policy === undefined ? call.at : await windowStart(call, e164 as string, call.at, policy);
  const entry = await queue.enqueue({
    campaign: call.campaign.name,
    number: call.number,
    attrs: call.attrs,
    ...(alternates.length === 0 ? {} : { alternates }),
    ...(at === undefined ? {} : { at }),
    ...(call.id === undefined ? {} : { id: call.id }),
  });
  const moved = at !== undefined && call.at !== undefined && at !== call.at ? { movedFrom: call.at } : {};
  return { request: call.id ?? entry, entry, e164: e164 as string, alternates: alternatesE164, ...(at === undefined ? {} : { at }), ...moved };
}

/** `at`, or the next start of the campaign's calling hours at the callee (the first number) when `at` is outside them. */
async function windowStart(call: CallToQueue, e164: string, at: number, policy: PolicyReader): Promise<number> {
  if (call.campaign.hours === undefined) return at;
  const lookup = await policy(call.campaign.hours);
  // A policy that cannot be used now is the dialer's to report at the attempt; the time stays as asked.
  if (lookup.kind !== 'found') return at;
  const places = placesFor(lookup.policy, e164, call.attrs.tz);
  if (!places.ok) throw new DialRequestError(`${places.reason}; nothing was queued`, 'at');
  const verdict = hoursAt(lookup.policy, places.places, at);
  return verdict.open ? at : (verdict.nextOpen ?? at);
}
