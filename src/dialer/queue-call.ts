import { normalize } from '../numbers/normalize.js';
import type { Campaign } from '../screening/campaign.js';
import type { DialQueue } from './queue.js';
import { MAX_ALTERNATES, MAX_ATTRS_LENGTH } from './request-fields.js';

/** A dial request that cannot be queued as asked; nothing was queued. */
export class DialRequestError extends Error {
  constructor(
    message: string,
    readonly field: 'number' | 'attrs' | 'alternates',
    /** for the number: why it cannot be dialled, as normalize() says */
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
}

/**
 * Queues one number for a campaign's dialer (`callguard call`), after checking that it
 * can be dialled at all; its lists are checked at each attempt, not here.
 */
export async function queueCall(queue: DialQueue, call: CallToQueue): Promise<QueuedCall> {
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
  const entry = await queue.enqueue({
    campaign: call.campaign.name,
    number: call.number,
    attrs: call.attrs,
    ...(alternates.length === 0 ? {} : { alternates }),
    ...(call.at === undefined ? {} : { at: call.at }),
    ...(call.id === undefined ? {} : { id: call.id }),
  });
  return { request: call.id ?? entry, entry, e164: e164 as string, alternates: alternatesE164 };
}
