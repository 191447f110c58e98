/**
 * Every Redis key callguard uses is built here, so the layout is in one place.
 *
 * All keys of one list share the hash tag `{<ns>:<list>}`, so a list's keys live in
 * one Redis Cluster slot: a check of one list, and an add with its audit entry, are
 * single-slot operations. Different lists land in different slots.
 *
 * Layout of a list:
 *   exact      SET   E.164 numbers that never expire (48 bytes a number on 1M)
 *   timed      ZSET  members that expire (score = expiry, ms since epoch) and every
 *                    prefix pattern (member `+1900*`, score +inf when forever)
 *   meta       HASH  member -> JSON {reason, by, at, source} for entries added one by
 *                    one; bulk imports write none (memory)
 *   cancelled  HASH  member -> JSON {reason, by, at} of the last cancellation
 *   audit      STREAM every change of this list (add, cancel, expire, import, replace,
 *                    create, remove, enable, disable, recount)
 *   info       HASH  created, by, enabled ("1"/"0"), prefixes: the lengths of the prefix
 *                    members `timed` may hold, as prefixLength() counts them, sorted and
 *                    comma-separated ("6,8"; "" at create: none, unless a lost
 *                    info left entries behind, create-5.lua). A check builds prefix
 *                    candidates of those lengths only, and asks `timed` for the number
 *                    alone when none fits. Rules:
 *                    - whoever writes a prefix member into `timed` (add, import, replace
 *                      into the live list) first makes sure its length is in the field,
 *                      in the same script or ahead of it on the same connection;
 *                    - the field never shrinks (a cancelled or expired prefix leaves its
 *                      length): a superset is always right, only slower;
 *                    - older versions left no field (a list from before it) or the
 *                      old flags "1" (any length) and "0" (none): serve and api migrate
 *                      those at start (migrate.ts), so checks read this format only. A
 *                      length counts the member's characters, '+' and '*' included, so
 *                      it is never below 3.
 *                    size: how many members exact and timed hold together (expired
 *                    ones not yet purged included), kept by every script that changes
 *                    them (size.lua: add, cancel, purge, import batches, the replace's
 *                    swap, create, recount). Keys holding fewer members than `size` lost
 *                    entries outside callguard (eviction, DEL, FLUSHALL, a failover to a
 *                    replica without them): a check that finds no match then answers
 *                    "entries lost" instead of "not listed", and serve raises an alarm,
 *                    until a replace loads the list again or `list recount` accepts what
 *                    is left. No field (a list from before it): counted at its next write.
 *                    Dense lists (dense.ts) add: dense, the plan ("nanp", "uk"), set at
 *                    create and never changed; gen, the generation of bitmaps checks
 *                    read; denseSize, the numbers those bitmaps hold (part of size);
 *                    blocks, the bitmaps the generation's index names. sourceParts: the
 *                    date of each part of the list's data (an area code, "other", "all"),
 *                    as JSON (date-parts-1.lua); sourceDate (ms), source (file), sourceFrom
 *                    ("flag", "file", "import"), sourcePart (set when other parts are
 *                    newer) and sourcePartsOfDate: the oldest part's, kept by the same
 *                    script (list ages, campaign --max-list-age: source-date.ts).
 *                    bulkWrites: how many batches of imports and deletion files changed
 *                    the list's own entries (bulk-writes.lua); a replace refuses to swap
 *                    when it moved while the replace read its file, and a recount its
 *                    count when it moved while the bitmaps were counted, as such an
 *                    import writes its audit event only at its end (changes-since.lua).
 *   replace-lease STRING while a replace of the list runs: JSON {by, source, since},
 *                    set NX for 10 s and renewed by its run, so one replace of a list
 *                    runs at a time and the next one cleans only what a dead run left
 *                    (replace-lease.ts)
 *   dense      the root of a dense list's bitmaps, not a key itself:
 *              <dense>:<gen>          ZSET  the generation's index: block ids (score: the id)
 *              <dense>:<gen>:<block>  STRING one bit a number of the block (dense.ts)
 *              <dense>:gens           SET   every generation written and not yet removed, so
 *                                           leftovers of a replace that died can be found
 *              <dense>:scratch        STRING a script's scratch bitmap, deleted before it ends
 *              A replace writes a new generation and swaps it in by changing `gen` (one
 *              HSET, so checks see the old list or the new one, never half of either);
 *              the old generation is removed afterwards. Scripts build the block keys
 *              from the root they are given and `gen`: not declared in KEYS, but in the
 *              list's hash tag, so in the same cluster slot as the keys that are.
 */
/**
 * The most `timed` members a script reads to learn the prefix lengths a list already holds
 * (its migration, a create over entries left behind): a few ms of Redis. A larger list gets
 * every prefix length (EVERY_PREFIX_LENGTH) instead of reading them all.
 */
export const PREFIX_LENGTHS_READ_LIMIT = 10_000;
/** Every length a prefix member can have (members.ts: '+', 1 to 15 digits, '*'), as the field writes them. */
export const EVERY_PREFIX_LENGTH = Array.from({ length: 15 }, (_, i) => i + 3).join(',');

export const LIST_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface ListKeys {
  exact: string;
  timed: string;
  meta: string;
  cancelled: string;
  audit: string;
  info: string;
  /** the root of a dense list's bitmaps (see above) */
  dense: string;
  /** STRING, while a replace of the list runs: who runs it (replace-lease.ts) */
  replaceLease: string;
}

export function listTag(namespace: string, list: string): string {
  return `${namespace}:{${namespace}:${list}}`;
}

export function listKeys(namespace: string, list: string): ListKeys {
  const tag = listTag(namespace, list);
  return {
    exact: `${tag}:exact`,
    timed: `${tag}:timed`,
    meta: `${tag}:meta`,
    cancelled: `${tag}:cancelled`,
    audit: `${tag}:audit`,
    info: `${tag}:info`,
    dense: `${tag}:dense`,
    replaceLease: `${tag}:replace-lease`,
  };
}

/**
 * The calls of one number counted for the auto-block rules of one route that fill `list`
 * (ZSET, score = when, ms): in the list's slot, so the check of that list counts the call
 * in the same script (check-count-6.lua on Redis Cluster). Expires after the longest window.
 */
export function callCounterKey(namespace: string, list: string, scope: string, e164: string): string {
  return `${listTag(namespace, list)}:calls:${scope}:${e164}`;
}

/** The keys of one generation of a dense list's bitmaps (see above). */
export function denseGenerationKeys(denseRoot: string, gen: string) {
  return {
    index: `${denseRoot}:${gen}`,
    block: (block: number | string) => `${denseRoot}:${gen}:${block}`,
  };
}

export function denseGensKey(denseRoot: string): string {
  return `${denseRoot}:gens`;
}

/** The SCAN MATCH pattern of every key under a dense root (globLiteral). */
export function denseRootPattern(denseRoot: string): string {
  return `${globLiteral(denseRoot)}:*`;
}

/**
 * A key name as a SCAN MATCH pattern that matches it alone: its glob characters escaped,
 * as a namespace may hold some (`*?[]\`), so a pattern built on it finds every key of
 * its own namespace and none of another's.
 */
function globLiteral(key: string): string {
  return key.replace(/[*?[\]\\]/g, '\\$&');
}

/** Keys an atomic replace builds aside, in the same slot as the list they replace. */
export function stagingKeys(namespace: string, list: string, runId: string): Pick<ListKeys, 'exact' | 'timed'> {
  const tag = listTag(namespace, list);
  return { exact: `${tag}:staging:${runId}:exact`, timed: `${tag}:staging:${runId}:timed` };
}

export function stagingPattern(namespace: string, list: string): string {
  return `${globLiteral(listTag(namespace, list))}:staging:*`;
}

/** Keys that are not per list. */
export function globalKeys(namespace: string) {
  return {
    lists: `${namespace}:lists`,
    routes: `${namespace}:routes`,
    campaigns: `${namespace}:campaigns`,
    /** HASH: calling-hours policy name -> JSON (screening/hours/store.ts) */
    hours: `${namespace}:hours`,
    callLog: `${namespace}:calllog`,
    /** HASH endpoint -> the last caller an agent there answered, for *32 */
    lastCallers: `${namespace}:last-callers`,
    /**
     * ZSET: ids of call-log entries written in the last minutes (score: when), so an entry
     * whose write was cut off is not written twice when it is sent again. Its hash tag is
     * the call log's whole key, which puts both in one cluster slot for the append script.
     */
    callLogWritten: `${namespace}:{${namespace}:calllog}:written`,
    /** HASH per hour (its start, ms): calls appended in it per verdict and per verdict|route; same slot as the log */
    callLogHour: (start: number) => `${namespace}:{${namespace}:calllog}:hour:${start}`,
    /** STRING: when the append script began counting per hour (hours before are counted from the log) */
    callLogHoursSince: `${namespace}:{${namespace}:calllog}:hours-since`,
    dialRequests: dialKeys(namespace).requests,
    dialResults: dialKeys(namespace).results,
  };
}

/**
 * The outbound dialer's keys. They share the hash tag `{<ns>:dial}` (one cluster slot),
 * because taking a request into work, finishing an attempt and scheduling its retry are
 * each one Lua script over several of them.
 *
 *   requests          STREAM  dial requests written by `callguard call` or other systems
 *   results           STREAM  one entry per attempt (outcome, list, reason)
 *   state             HASH    request id -> JSON of a request not yet finished
 *   due:<campaign>    ZSET    request ids waiting for their next attempt (score = due, ms)
 *   inflight:<campaign> ZSET  request ids in an attempt now (score = lease expiry, ms of
 *                             Redis' clock); its size is the campaign's concurrency
 *   callerid-turn:<campaign> STRING the round-robin counter of the campaign's caller id list
 */
export function dialKeys(namespace: string) {
  const tag = `${namespace}:{${namespace}:dial}`;
  return {
    requests: `${tag}:requests`,
    results: `${tag}:results`,
    state: `${tag}:state`,
    due: (campaign: string) => `${tag}:due:${campaign}`,
    inflight: (campaign: string) => `${tag}:inflight:${campaign}`,
    callerIdTurn: (campaign: string) => `${tag}:callerid-turn:${campaign}`,
  };
}

/**
 * Attempts per number across every campaign, for caps such as `--max-per-number 3/24h`.
 * Under one hash tag, so a cap's check and the attempt it lets through are one script
 * with the horizon:
 *   horizon      STRING  how long attempts are kept (ms): the longest cap of any campaign;
 *                        absent when no campaign has one, and nothing is counted
 *   calls:<e164> ZSET    one member per attempt (score = when, ms), trimmed to the horizon,
 *                        expiring after it
 */
export function capKeys(namespace: string) {
  const tag = `${namespace}:{${namespace}:caps}`;
  return { horizon: `${tag}:horizon`, calls: (e164: string) => `${tag}:calls:${e164}` };
}

/**
 * The API's access tokens, under one hash tag (one cluster slot) so creating or revoking
 * a token is one MULTI:
 *   tokens  HASH  token id -> JSON {name, role, lists, expiresAt, createdAt, createdBy, hash}
 *   names   HASH  token name -> token id
 *   session:<sha256> STRING  a console session (JSON {tokenId, csrf, expiresAt}), PX its expiry
 * Only the SHA-256 of a token or a session id is stored; the token itself is shown once,
 * at creation, the session id only to the browser, in its cookie.
 */
export function accessKeys(namespace: string) {
  const tag = `${namespace}:{${namespace}:access}`;
  return { tokens: `${tag}:tokens`, names: `${tag}:names`, session: (hash: string) => `${tag}:session:${hash}` };
}

/**
 * Webhooks, under one hash tag, so queueing an event and moving the read cursor past it
 * are one MULTI (nothing lost, nothing queued twice):
 *   hooks              HASH    name -> JSON {name, url, events, secret, createdAt, createdBy}
 *   cursors            HASH    source stream key -> id of the last entry queued
 *   lock               STRING  which api instance reads the source streams now (PX lease)
 *   due:<hook>         ZSET    event id -> when its next delivery attempt is due (ms)
 *   events:<hook>      HASH    event id -> JSON {event, attempts, lastError}
 *   deliveries:<hook>  STREAM  one entry per attempt (status, ms, error), trimmed
 */
export function webhookKeys(namespace: string) {
  const tag = `${namespace}:{${namespace}:webhooks}`;
  return {
    hooks: `${tag}:hooks`,
    cursors: `${tag}:cursors`,
    lock: `${tag}:lock`,
    due: (hook: string) => `${tag}:due:${hook}`,
    events: (hook: string) => `${tag}:events:${hook}`,
    deliveries: (hook: string) => `${tag}:deliveries:${hook}`,
  };
}

/** Import and scrub jobs started through the API: job:<id> and scrub:<id> STRING, the JSON of a job's progress and summary, kept for a day. */
export function jobKeys(namespace: string) {
  return {
    job: (id: string) => `${namespace}:{${namespace}:jobs}:job:${id}`,
    scrub: (id: string) => `${namespace}:{${namespace}:jobs}:scrub:${id}`,
  };
}

/** Prefix patterns are stored with a trailing star, so they never collide with a number. */
export function prefixMember(prefix: string): string {
  return `${prefix}*`;
}

/**
 * The length a prefix member counts for in the info field `prefixes`: its characters,
 * '+' and '*' included (`+1900*` is 6), as Lua's # gives it, so scripts need no arithmetic.
 */
export function prefixLength(member: string): number {
  return member.length;
}
