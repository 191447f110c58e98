/**
 * The list engine's public shape. `ListStore` (store.ts) implements it over Redis;
 * the CLI, the importer and the Stasis app use only these types.
 */

import type { DensePlanName } from './dense.js';
import type { ListSource } from './source-date.js';

/** Who made a change and why; `at` defaults to now. */
export interface Actor {
  by: string;
  reason?: string;
  /** where the change came from: the front door (cli, api), or what the operator names (web-form) */
  source?: string;
  /** an outside reference for the entries added (a consent record's id); a consent list needs one */
  ref?: string;
}

/** A stored entry: `+4930123456` (exact) or `+1900*` (prefix). */
export type EntryMember = string;

export interface EntryToAdd {
  member: EntryMember;
  /** ms since epoch; undefined means forever. Adding again keeps the later expiry. */
  expiresAt?: number;
}

export interface Match {
  list: string;
  /** the member that matched: the number itself, or a prefix pattern `+1900*` */
  member: EntryMember;
  kind: 'exact' | 'prefix';
  /** ms since epoch, or null for forever */
  expiresAt: number | null;
  reason?: string;
  by?: string;
  /** ms since epoch when the entry was added, when known */
  addedAt?: number;
}

/** Calls of a number counted during its check, for auto-block rules (ListStore.checkCounting). */
export interface CallCounter {
  /** the list the rules fill: the counter lives in its slot, and it must be among the lists checked */
  list: string;
  /** what is counted apart (the route's name) */
  scope: string;
  /** this call (its channel id): counting it twice counts it once */
  member: string;
  /** the most calls kept: the largest limit of the rules */
  keep: number;
  /** the rules' windows, ms */
  windowsMs: number[];
}

/** A check that counted: one result per list, and per counter the calls in each of its windows, this one included. */
export interface CountedCheck {
  results: (Match | null)[];
  counts: number[][];
}

/**
 * A hash field a check expects to hold `text`: the route whose lists a call is checked
 * against (ListStore.checkGuarded).
 */
export interface CheckGuard {
  key: string;
  field: string;
  text: string;
}

/** A guarded check: the check, or what the field holds now (null: nothing) and no check. */
export type GuardedCheck = { unchanged: true; check: CountedCheck } | { unchanged: false; text: string | null };

export interface ListInfo {
  name: string;
  enabled: boolean;
  createdAt: number;
  createdBy: string;
  /** exact numbers that never expire + timed members and prefixes (some may be expired) */
  size: number;
  /**
   * members the list's size (keys.ts) counts that its keys no longer hold: lost outside
   * callguard (eviction, DEL, a failover); 0 when whole
   */
  lost: number;
  /**
   * blocks of a dense list's bitmaps found gone (eviction, a DEL): every block looked at
   * while the index names at most 1,000, else 1,000 of them from a random place each
   * reading (list-infos.lua); 0 when none was found
   */
  lostBlocks: number;
  /** when the last import or replace was recorded (none before callguard kept it) */
  lastImportAt?: number;
  /** a consent list: every add needs a reference, its audit is kept at least 5 years */
  consent: boolean;
  /** how long its audit events are kept (ms); undefined: forever */
  auditRetentionMs?: number;
  /** the plan whose numbers the list keeps as bitmaps (dense.ts); absent: an ordinary list */
  dense?: DensePlanName;
  /** the file and data date of its data, its oldest part's (source-date.ts); absent when never imported */
  source?: ListSource;
}

/** One list's size as serve's list watch reads it (ListStore.sizes). */
export interface ListSizeReading {
  name: string;
  /** its info exists */
  exists: boolean;
  /** the size its scripts kept (keys.ts); undefined for a list from before the field */
  recordedSize: number | undefined;
  /** members its keys hold now */
  entries: number;
  /**
   * its newest audit event; undefined when the stream is empty or gone. The action as
   * written, unchecked: one this version does not know must not blind the watch.
   */
  lastAudit: { id: string; action: string } | undefined;
  /** the file and data date of its data, its oldest part's, for its age */
  source?: ListSource;
}

export interface EntryState {
  list: string;
  member: EntryMember;
  expiresAt: number | null;
  reason?: string;
  by?: string;
  addedAt?: number;
}

export interface Cancellation {
  list: string;
  member: EntryMember;
  reason: string;
  by: string;
  at: number;
}

export type AuditAction =
  | 'create'
  | 'remove'
  | 'enable'
  | 'disable'
  | 'add'
  | 'cancel'
  | 'expire'
  | 'import'
  | 'replace'
  | 'delete'
  | 'changes'
  | 'recount'
  | 'configure';

export interface AuditEvent {
  id: string;
  list: string;
  action: AuditAction;
  at: number;
  by: string;
  reason?: string;
  /** the member for per-entry events */
  member?: EntryMember;
  /** free-form details (import counts, file name, expiry) as strings */
  details?: Record<string, string>;
}

export class ListError extends Error {
  constructor(
    message: string,
    readonly code: 'invalid-name' | 'no-such-list' | 'list-exists' | 'left-behind' | 'not-listed' | 'entries-lost' | 'list-changed' | 'invalid-value',
    /** the list the error is about, when one is (a front door may suggest a similar name) */
    readonly list?: string,
  ) {
    super(message);
    this.name = 'ListError';
  }
}
