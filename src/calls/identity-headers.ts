import type { Logger } from '../log.js';
import { identitySources, type IdentitySources } from '../screening/stir-shaken.js';
import type { CallControl, ReadValue } from './call-control.js';

/**
 * Reading P-Asserted-Identity and From from the caller's channel, for routes with a
 * STIR/SHAKEN rule when the dialplan passed no identity arguments. Each PJSIP_HEADER read
 * is a synchronous hop to the channel's SIP serializer thread, which is why the shipped
 * dialplan no longer makes every call pay for them (docs/performance.md, tenth round).
 */

/** A read from the caller's channel: `gone` when the caller hung up meanwhile. */
export interface ChannelRead<T> {
  value: T | undefined;
  gone: boolean;
}

/** The channel functions ARI reads, one request each. */
export const IDENTITY_HEADER_FUNCTIONS = {
  pAssertedIdentity: 'PJSIP_HEADER(read,P-Asserted-Identity)',
  from: 'PJSIP_HEADER(read,From)',
} as const;

/**
 * Both headers in one FastAGI command (GET FULL VARIABLE), URI-encoded as the dialplan
 * arguments are: URIENCODE escapes commas, so the one comma left separates the two.
 */
export const IDENTITY_HEADERS_EXPRESSION = '${URIENCODE(${PJSIP_HEADER(read,P-Asserted-Identity)})},${URIENCODE(${PJSIP_HEADER(read,From)})}';

/**
 * Both headers over ARI, the two requests in parallel. Asterisk answers an error for a
 * header the INVITE did not carry (PJSIP_HEADER fails), so one header that fails is only
 * absent; both failing (not a PJSIP channel, Asterisk refusing) is worth a warning. Never
 * rejects: what could not be read is unknown, which no route takes for unverified.
 */
export async function readIdentityOverAri(channelId: string, calls: CallControl, log: Logger): Promise<ChannelRead<IdentitySources>> {
  const [pAssertedIdentity, from] = await Promise.all([
    headerRead(calls, channelId, IDENTITY_HEADER_FUNCTIONS.pAssertedIdentity),
    headerRead(calls, channelId, IDENTITY_HEADER_FUNCTIONS.from),
  ]);
  if ((pAssertedIdentity.ok && !pAssertedIdentity.read.ok) || (from.ok && !from.read.ok)) return { value: undefined, gone: true };
  if (!pAssertedIdentity.ok && !from.ok) {
    log.warn({ err: from.error }, 'identity headers unreadable: screened as reporting no verification');
  }
  const value: IdentitySources = {
    ...headerValue('pAssertedIdentity', pAssertedIdentity),
    ...headerValue('from', from),
  };
  return { value: Object.keys(value).length === 0 ? undefined : value, gone: false };
}

/** What FastAGI needs of its session to read the headers. */
export interface ExpressionReader {
  getFullVariable(expression: string): Promise<ReadValue>;
}

/** Both headers over FastAGI in one command. Never rejects; a failure leaves the verification unknown. */
export async function readIdentityOverAgi(session: ExpressionReader, log: Logger): Promise<ChannelRead<IdentitySources>> {
  try {
    const read = await session.getFullVariable(IDENTITY_HEADERS_EXPRESSION);
    if (!read.ok) return { value: undefined, gone: true };
    const [pAssertedIdentity, from] = (read.value ?? '').split(',');
    return { value: identitySources(pAssertedIdentity, from), gone: false };
  } catch (error) {
    log.warn({ err: error }, 'identity headers unreadable: screened as reporting no verification');
    return { value: undefined, gone: false };
  }
}

type HeaderRead = { ok: true; read: ReadValue } | { ok: false; error: unknown };

async function headerRead(calls: CallControl, channelId: string, name: string): Promise<HeaderRead> {
  try {
    return { ok: true, read: await calls.getVariable(channelId, name) };
  } catch (error) {
    return { ok: false, error };
  }
}

function headerValue<K extends keyof IdentitySources>(key: K, header: HeaderRead): Partial<Record<K, string>> {
  if (!header.ok || !header.read.ok || header.read.value === undefined || header.read.value === '') return {};
  return { [key]: header.read.value } as Partial<Record<K, string>>;
}
