import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook requests are signed as Stripe and GitHub sign theirs: an HMAC-SHA256, keyed
 * with the webhook's secret, over `<timestamp>.<body>`, sent as
 *   Callguard-Timestamp: <unix seconds>
 *   Callguard-Signature: sha256=<hex>
 * The timestamp inside the signature lets a receiver refuse a replayed old request.
 */
export const SIGNATURE_HEADER = 'callguard-signature';
export const TIMESTAMP_HEADER = 'callguard-timestamp';
export const EVENT_ID_HEADER = 'callguard-event-id';
export const EVENT_TYPE_HEADER = 'callguard-event';

export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (in any language): recompute and compare in constant time, and
 * refuse a timestamp further than `toleranceSeconds` from now.
 */
export function verifySignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  now: number,
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(now / 1000 - timestamp) > toleranceSeconds || headers.signature === undefined) return false;
  const expected = Buffer.from(signature(secret, timestamp, body));
  const presented = Buffer.from(headers.signature);
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}
