import type { RedisClient } from '../redis/connect.js';
import { globalKeys } from '../lists/keys.js';
import { defineScreeningScripts } from './scripts.js';
import { VERDICTS, type Verdict } from './types.js';

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
  verdict: Verdict;
  /** the list behind blocked or allowed */
  list?: string;
  /** the entry's reason, or why the number was malformed or the store unavailable */
  reason?: string;
  /** formatAction() of the action taken */
  action: string;
  /** absent in entries written before callguard recorded it */
  outcome?: CallOutcome;
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
  verdict?: Verdict;
  route?: string;
  /** most entries returned (newest first); counts are not limited by it */
  limit?: number;
}

export interface CallLogReport {
  /** newest first, at most `limit` */
  entries: LoggedCall[];
  /** every call in the window (since, route), per verdict, whatever `verdict` and `limit` say; feature uses not counted */
  counts: Record<Verdict, number>;
  /** calls in the window (since, route) */
  total: number;
}

/** An entry waiting to be appended, with the id that makes sending it again harmless. */
export interface PendingCallLogEntry {
  id: string;
  entry: CallLogEntry;
}

/**
 * Appends entries in the order given, each once: an entry whose id was appended within
 * CALL_LOG_DEDUPE_WINDOW_MS is skipped (append-call-log-2.lua). One script call, so the
 * batch is all or nothing.
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
  const args: (string | number)[] = [now, CALL_LOG_DEDUPE_WINDOW_MS, maxLength];
  for (const { id, entry } of entries) {
    const fields = callLogFields(entry);
    args.push(id, fields.length, ...fields);
  }
  const [appended, skipped] = await redis.callguardAppendCallLog(keys.callLog, keys.callLogWritten, ...args);
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
    ['list', entry.list],
    ['reason', entry.reason],
    ['action', entry.action],
    ['outcome', entry.outcome],
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
  const report: CallLogReport = { entries: [], counts: zeroCounts(), total: 0 };
  let end = '+';
  for (;;) {
    const batch = await redis.xrevrange(key, end, start, 'COUNT', READ_BATCH);
    for (const [id, fields] of batch) {
      const entry = parseCallLogEntry(id, fields);
      if (!entry || (query.route !== undefined && entry.route !== query.route)) continue;
      // An agent's feature use is listed with the calls but is not a call of its own.
      if (entry.direction !== 'feature') {
        report.total += 1;
        report.counts[entry.verdict] += 1;
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
  for (const optional of ['e164', 'presentation', 'route', 'campaign', 'list', 'reason', 'feature', 'endpoint', 'via'] as const) {
    const value = fields.get(optional);
    if (value !== undefined) entry[optional] = value;
  }
  const outcome = fields.get('outcome');
  if (isCallOutcome(outcome)) entry.outcome = outcome;
  return entry;
}

export function zeroCounts(): Record<Verdict, number> {
  return Object.fromEntries(VERDICTS.map((verdict) => [verdict, 0])) as Record<Verdict, number>;
}

function isCallOutcome(value: string | undefined): value is CallOutcome {
  return value !== undefined && (CALL_OUTCOMES as readonly string[]).includes(value);
}

function isDirection(value: string | undefined): value is Direction {
  return value !== undefined && (DIRECTIONS as readonly string[]).includes(value);
}

function isVerdict(value: string | undefined): value is Verdict {
  return value !== undefined && (VERDICTS as readonly string[]).includes(value);
}

/** Microseconds are plenty; more digits only cost log space. */
function roundMs(ms: number): number {
  return Math.round(ms * 1_000) / 1_000;
}
