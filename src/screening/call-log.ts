import type { RedisClient } from '../redis/connect.js';
import { compareStreamIds } from '../lists/audit.js';
import { globalKeys } from '../lists/keys.js';
import { defineScreeningScripts } from './scripts.js';
import { ATTESTATIONS, VERIFICATIONS, type Attestation, type Verification } from './stir-shaken.js';
import { LOGGED_VERDICTS, type LoggedVerdict } from './types.js';

/**
 * The call log keeps about this many decisions (XADD MAXLEN ~): at ~300 bytes an entry,
 * a million is ~300 MB of Redis memory and weeks of traffic for a contact centre.
 */
export const DEFAULT_CALL_LOG_MAX_LENGTH = 1_000_000;

/**
 * How long the id of an appended entry is remembered, so that sending it again (after a
 * write whose answer never came) appends nothing. A retry comes seconds after Redis
 * answers again; a quarter of an hour also covers a serve restarted by its supervisor
 * with entries left in its spool. At 30 calls/s that is ~27,000 ids, ~2 MB of Redis.
 */
export const CALL_LOG_DEDUPE_WINDOW_MS = 15 * 60_000;

/** A hostile From header can be long; the log keeps enough of it to recognise it. */
const MAX_RAW_LENGTH = 256;

/** How many entries readCallLog asks Redis for at a time while it walks back. */
const READ_BATCH = 1_000;

export const DEFAULT_REPORT_LIMIT = 100;

/** `feature`: an agent's *9 or feature code (*30, *31, *32), not a call screened. */
export type Direction = 'inbound' | 'outbound' | 'feature';
const DIRECTIONS: readonly Direction[] = ['inbound', 'outbound', 'feature'];

/**
 * Whether the logged action ran to its end: `caller-gone` when the caller (the agent,
 * outbound) hung up or left before it was done, so the action is what was decided, not
 * what the caller heard.
 */
export const CALL_OUTCOMES = ['done', 'caller-gone'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** One screened call, as the Stasis app appends it. */
export interface CallLogEntry {
  /** when the call arrived, ms since epoch */
  time: number;
  /** the Asterisk channel id */
  channel: string;
  direction: Direction;
  /** the number as the channel gave it (caller for inbound, callee for outbound) */
  raw: string;
  e164?: string;
  /** CALLERID(pres), when read */
  presentation?: string;
  /** the inbound route, or */
  route?: string;
  /** the outbound campaign */
  campaign?: string;
  verdict: LoggedVerdict;
  /** for would-block: the verdict the rule in observe mode would have given */
  wouldBe?: string;
  /** the list behind blocked or allowed (or what would have blocked) */
  list?: string;
  /** the entry's reason, or why the number was malformed or the store unavailable */
  reason?: string;
  /** formatAction() of the action taken */
  action: string;
  /** absent in entries written before callguard recorded it */
  outcome?: CallOutcome;
  /** STIR/SHAKEN: the caller id's verification as the carrier (or Asterisk) reported it; absent when none was */
  verification?: Verification;
  /** STIR/SHAKEN attestation level, when reported */
  attestation?: Attestation;
  /** direction `feature`: what the agent pressed or dialled, `*9`, `*30` ... */
  feature?: string;
  /** direction `feature`: the agent's endpoint, `PJSIP/1001` */
  endpoint?: string;
  /** `agi` for a call screened over FastAGI; absent for the Stasis app */
  via?: string;
  /** from the event to the decision, in ms (fractions kept) */
  decisionMs: number;
}

/** An entry read back, with its stream id (which orders entries and carries the append time). */
export interface LoggedCall extends CallLogEntry {
  id: string;
}

export interface CallLogQuery {
  /** only calls logged at or after this time, ms since epoch */
  since?: number;
  verdict?: LoggedVerdict;
  route?: string;
  /** only calls of this number (E.164, as logged in `e164`) */
  number?: string;
  /** most entries returned (newest first); counts are not limited by it */
  limit?: number;
}

export interface CallLogReport {
  /** newest first, at most `limit` */
  entries: LoggedCall[];
  /** every call in the window (since, route, number), per verdict, whatever `verdict` and `limit` say; feature uses not counted */
  counts: Record<LoggedVerdict, number>;
  /** the same calls by STIR/SHAKEN verification, and those verified by attestation level */
  stir: { verification: Record<Verification, number>; attestation: Record<Attestation, number> };
  /** calls in the window (since, route) */
  total: number;
}

/** An entry waiting to be appended, with the id that makes sending it again harmless. */
export interface PendingCallLogEntry {
  id: string;
  entry: CallLogEntry;
}

/** An hour's counters are kept this long: past the longest window the hourly report reads (31 days). */
export const CALL_HOURS_KEPT_MS = 32 * 24 * 3_600_000;

/**
 * Appends entries in the order given, each once: an entry whose id was appended within
 * CALL_LOG_DEDUPE_WINDOW_MS is skipped (append-call-log.lua), and counts each appended
 * one in its hour's counters (callsPerHour). One script call, so the batch is all or
 * nothing.
 */
export async function appendCallLogOnce(
  redis: RedisClient,
  namespace: string,
  entries: readonly PendingCallLogEntry[],
  now: number,
  maxLength: number = DEFAULT_CALL_LOG_MAX_LENGTH,
): Promise<{ appended: number; skipped: number }> {
  defineScreeningScripts(redis);
  const keys = globalKeys(namespace);
  const hours = [...new Set(entries.map(({ entry }) => hourOf(entry.time)))];
  const args: (string | number)[] = [now, CALL_LOG_DEDUPE_WINDOW_MS, maxLength, CALL_HOURS_KEPT_MS, hours.length, ...hours];
  for (const { id, entry } of entries) {
    const fields = callLogFields(entry);
    args.push(id, fields.length, ...fields);
  }
  const hourKeys = hours.map((start) => keys.callLogHour(start));
  const [appended, skipped] = await redis.callguardAppendCallLog(3 + hours.length, keys.callLog, keys.callLogWritten, keys.callLogHoursSince, ...hourKeys, ...args);
  return { appended, skipped };
}

/** The stream fields of an entry; absent and empty values are left out. */
export function callLogFields(entry: CallLogEntry): string[] {
  const pairs: [string, string | number | undefined][] = [
    ['time', entry.time],
    ['channel', entry.channel],
    ['direction', entry.direction],
    ['raw', entry.raw.slice(0, MAX_RAW_LENGTH)],
    ['e164', entry.e164],
    ['presentation', entry.presentation],
    ['route', entry.route],
    ['campaign', entry.campaign],
    ['verdict', entry.verdict],
    ['wouldBe', entry.wouldBe],
    ['list', entry.list],
    ['reason', entry.reason],
    ['action', entry.action],
    ['outcome', entry.outcome],
    ['verification', entry.verification],
    ['attestation', entry.attestation],
    ['feature', entry.feature],
    ['endpoint', entry.endpoint],
    ['via', entry.via],
    ['decisionMs', roundMs(entry.decisionMs)],
  ];
  return pairs.flatMap(([field, value]) => (value === undefined || value === '' ? [] : [field, String(value)]));
}

/**
 * Walks the log back from the newest entry to `since`, in batches, keeping the newest
 * `limit` entries that match and counting every call of the window by verdict. A report
 * over the whole log reads the whole log: give `since` for a large one.
 */
export async function readCallLog(redis: RedisClient, namespace: string, query: CallLogQuery = {}): Promise<CallLogReport> {
  const key = globalKeys(namespace).callLog;
  const limit = query.limit ?? DEFAULT_REPORT_LIMIT;
  const start = query.since === undefined ? '-' : String(Math.max(0, Math.floor(query.since)));
  const report: CallLogReport = { entries: [], counts: zeroCounts(), stir: zeroStirCounts(), total: 0 };
  let end = '+';
  for (;;) {
    const batch = await redis.xrevrange(key, end, start, 'COUNT', READ_BATCH);
    for (const [id, fields] of batch) {
      const entry = parseCallLogEntry(id, fields);
      if (!entry || (query.route !== undefined && entry.route !== query.route) || (query.number !== undefined && entry.e164 !== query.number)) continue;
      // An agent's feature use is listed with the calls but is not a call of its own.
      if (entry.direction !== 'feature') {
        report.total += 1;
        report.counts[entry.verdict] += 1;
        if (entry.verification !== undefined) report.stir.verification[entry.verification] += 1;
        if (entry.attestation !== undefined) report.stir.attestation[entry.attestation] += 1;
      }
      if (report.entries.length < limit && (query.verdict === undefined || entry.verdict === query.verdict)) {
        report.entries.push(entry);
      }
    }
    const last = batch.at(-1);
    if (batch.length < READ_BATCH || last === undefined) return report;
    end = `(${last[0]}`;
  }
}

/** Calls after a stream id, oldest first, and the id of the last entry read (also of one that is no call). */
export interface CallsAfter {
  calls: LoggedCall[];
  lastId: string | undefined;
}

/** The id of the newest entry of the call log; `0-0` while it is empty. */
export async function lastCallLogId(redis: RedisClient, namespace: string): Promise<string> {
  const [newest] = await redis.xrevrange(globalKeys(namespace).callLog, '+', '-', 'COUNT', 1);
  return newest?.[0] ?? '0-0';
}

/** Up to `count` entries logged after `afterId` (exclusive), oldest first. */
export async function readCallLogAfter(redis: RedisClient, namespace: string, afterId: string, count: number): Promise<CallsAfter> {
  return callsOf(await redis.xrange(globalKeys(namespace).callLog, `(${afterId}`, '+', 'COUNT', count));
}

/**
 * Entries logged after `afterId`, waiting up to `blockMs` for the first (XREAD BLOCK):
 * `blocking` must be a connection of its own, as it is held for the wait.
 */
export async function waitForCallsAfter(blocking: RedisClient, namespace: string, afterId: string, blockMs: number, count: number): Promise<CallsAfter> {
  const reply = await blocking.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', globalKeys(namespace).callLog, afterId);
  return callsOf(reply?.[0]?.[1] ?? []);
}

function callsOf(entries: [string, string[]][]): CallsAfter {
  const calls = entries.map(([id, fields]) => parseCallLogEntry(id, fields)).filter((call): call is LoggedCall => call !== null);
  return { calls, lastId: entries.at(-1)?.[0] };
}

/** Whether stream id `id` comes after `than` (undefined: anything does). */
export function isAfter(id: string, than: string | undefined): boolean {
  return than === undefined || compareStreamIds(id, than) > 0;
}

export const HOUR_MS = 3_600_000;
/** Entries read per XREVRANGE while counting the hours from before the counters, as only counts are kept. */
const HOURLY_BATCH = 5_000;

/** Calls per verdict in one hour (from `start`, ms since epoch, to an hour later). */
export interface HourCounts {
  start: number;
  counts: Record<LoggedVerdict, number>;
}

function hourOf(time: number): number {
  return time - (time % HOUR_MS);
}

/**
 * Calls per verdict per hour from the hour `since` falls in to the hour of `now`, every
 * hour present (zeros where nothing was logged), oldest first; `route` keeps one route.
 * An agent's feature use (direction `feature`) is no call and is not counted.
 * Hours since the append script began counting are read from its counters (one HGETALL
 * an hour, whatever the traffic); hours before that, from the log itself, walked back.
 */
export async function callsPerHour(redis: RedisClient, namespace: string, query: { since: number; now: number; route?: string }): Promise<HourCounts[]> {
  const keys = globalKeys(namespace);
  const first = hourOf(query.since);
  const hours: HourCounts[] = [];
  for (let start = first; start <= query.now; start += HOUR_MS) hours.push({ start, counts: zeroCounts() });
  const since = await redis.get(keys.callLogHoursSince);
  // The hour counting began in may hold calls logged before it: that hour is read from the log too.
  const countedFrom = since === null ? Number.POSITIVE_INFINITY : hourOf(Number(since)) + HOUR_MS;
  const counted = hours.filter((hour) => hour.start >= countedFrom);
  const replies = await Promise.all(counted.map((hour) => redis.hgetall(keys.callLogHour(hour.start))));
  counted.forEach((hour, i) => {
    const fields = replies[i] as Record<string, string>;
    for (const verdict of LOGGED_VERDICTS) hour.counts[verdict] = Number(fields[query.route === undefined ? verdict : `${verdict}|${query.route}`] ?? 0);
  });
  if (first < countedFrom) await countFromLog(redis, keys.callLog, hours, first, Math.min(countedFrom, query.now + 1), query.route);
  return hours;
}

/** Adds the calls logged from `from` to before `to` (stream ids, ms) to their hours. */
async function countFromLog(redis: RedisClient, key: string, hours: HourCounts[], from: number, to: number, route: string | undefined): Promise<void> {
  let end = `(${to}`;
  for (;;) {
    const batch = await redis.xrevrange(key, end, String(from), 'COUNT', HOURLY_BATCH);
    for (const [id, fields] of batch) {
      const entry = parseCallLogEntry(id, fields);
      if (!entry || entry.direction === 'feature' || (route !== undefined && entry.route !== route)) continue;
      const hour = hours[Math.floor((hourOf(entry.time) - from) / HOUR_MS)];
      if (hour) hour.counts[entry.verdict] += 1;
    }
    const last = batch.at(-1);
    if (batch.length < HOURLY_BATCH || last === undefined) return;
    end = `(${last[0]}`;
  }
}

/** An entry from its stream fields, or null when it lacks what every entry has. */
export function parseCallLogEntry(id: string, flat: string[]): LoggedCall | null {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] as string, flat[i + 1] as string);
  const verdict = fields.get('verdict');
  const direction = fields.get('direction');
  if (!isVerdict(verdict) || !isDirection(direction)) return null;
  const entry: LoggedCall = {
    id,
    time: Number(fields.get('time') ?? id.split('-')[0]),
    channel: fields.get('channel') ?? '',
    direction,
    raw: fields.get('raw') ?? '',
    verdict,
    action: fields.get('action') ?? '',
    decisionMs: Number(fields.get('decisionMs') ?? Number.NaN),
  };
  for (const optional of ['e164', 'presentation', 'route', 'campaign', 'wouldBe', 'list', 'reason', 'feature', 'endpoint', 'via'] as const) {
    const value = fields.get(optional);
    if (value !== undefined) entry[optional] = value;
  }
  const outcome = fields.get('outcome');
  if (isCallOutcome(outcome)) entry.outcome = outcome;
  const verification = fields.get('verification');
  if ((VERIFICATIONS as readonly (string | undefined)[]).includes(verification)) entry.verification = verification as Verification;
  const attestation = fields.get('attestation');
  if ((ATTESTATIONS as readonly (string | undefined)[]).includes(attestation)) entry.attestation = attestation as Attestation;
  return entry;
}

export function zeroCounts(): Record<LoggedVerdict, number> {
  return Object.fromEntries(LOGGED_VERDICTS.map((verdict) => [verdict, 0])) as Record<LoggedVerdict, number>;
}

function zeroStirCounts(): CallLogReport['stir'] {
  return {
    verification: Object.fromEntries(VERIFICATIONS.map((v) => [v, 0])) as Record<Verification, number>,
    attestation: Object.fromEntries(ATTESTATIONS.map((a) => [a, 0])) as Record<Attestation, number>,
  };
}

function isCallOutcome(value: string | undefined): value is CallOutcome {
  return value !== undefined && (CALL_OUTCOMES as readonly string[]).includes(value);
}

function isDirection(value: string | undefined): value is Direction {
  return value !== undefined && (DIRECTIONS as readonly string[]).includes(value);
}

function isVerdict(value: string | undefined): value is LoggedVerdict {
  return value !== undefined && (LOGGED_VERDICTS as readonly string[]).includes(value);
}

/** Microseconds are plenty; more digits only cost log space. */
function roundMs(ms: number): number {
  return Math.round(ms * 1_000) / 1_000;
}
