import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { RedisClient } from '../redis/connect.js';
import { stringify } from 'csv-stringify/sync';
import { metaFields } from './check.js';
import { bitsOf, numberAt } from './dense.js';
import { denseStateOf, type DenseState } from './dense-store.js';
import { denseGenerationKeys, listKeys } from './keys.js';
import { assertListName } from './names.js';
import { plainText } from './text.js';
import { ListError, type EntryMember } from './types.js';

export const EXPORT_COLUMNS = ['number', 'expires', 'reason', 'by', 'added'] as const;

/** Members read per SSCAN/ZSCAN call, and meta fields per HMGET. */
export const DEFAULT_EXPORT_BATCH = 1_000;
/** Bitmaps of a dense list read per MGET: 64 blocks, 80 KB, up to 640,000 numbers. */
const DENSE_EXPORT_BLOCKS = 64;

export interface ExportOptions {
  /** members asked per scan call (a hint to Redis, as SCAN's COUNT) */
  batchSize?: number;
  /** ms since epoch; timed entries that expire at or before it are left out */
  now?: number;
  /** called after every batch written, e.g. for a progress bar */
  onBatch?: (counts: ExportCounts) => void;
}

export interface ExportCounts {
  /** rows written, header not counted */
  exported: number;
  /** timed entries left out because they had expired */
  skippedExpired: number;
}

type ExportRow = [number: string, expires: string, reason: string, by: string, added: string];

/** First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A list member as the store keeps it: + and digits, a trailing * for a prefix. */
const MEMBER_SHAPE = /^\+\d+\*?$/;

/**
 * A text field a spreadsheet will show as text: a leading `'` when it starts like a formula.
 */
export function spreadsheetSafe(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * One CSV row. The number column is written as stored (`+4930123456`, `+1900*`): the
 * store only holds `+` and digits (and a prefix's trailing `*`), which no spreadsheet can
 * run as a formula, and an escaped `'+49…` would no longer import back. Anything else
 * found there is escaped like the free text fields (reason, by).
 */
export function exportRow(member: EntryMember, expiresAt: number | null, meta: string | null): ExportRow {
  const fields = meta === null ? {} : metaFields(meta);
  return [
    MEMBER_SHAPE.test(member) ? member : spreadsheetSafe(member),
    expiresAt === null ? '' : new Date(expiresAt).toISOString(),
    // Stored before reasons were kept plain, a reason may still hold escape sequences.
    spreadsheetSafe(plainText(fields.reason ?? '')),
    spreadsheetSafe(plainText(fields.by ?? '')),
    fields.addedAt === undefined ? '' : new Date(fields.addedAt).toISOString(),
  ];
}

/**
 * Writes a list as CSV (`number,expires,reason,by,added`, with a header) to `out`,
 * batch by batch: a dense list's bitmaps first, in number order (its index is sorted by
 * block), then the never-expiring SET with SSCAN, then the timed ZSET (timed numbers
 * and every prefix) with ZSCAN, each batch's metadata with one HMGET. Memory stays one
 * batch whatever the size of the list, and writes wait for `out` to drain. `out` is not
 * ended, so the caller can write to stdout or wrap it (gzip).
 *
 * An export of a list that changes meanwhile may repeat an entry (SCAN's guarantee);
 * entries present throughout are always written.
 */
export async function exportList(
  redis: RedisClient,
  namespace: string,
  list: string,
  out: Writable,
  options: ExportOptions = {},
): Promise<ExportCounts> {
  assertListName(list);
  const keys = listKeys(namespace, list);
  const info = await redis.hgetall(keys.info);
  if (info.created === undefined) {
    throw new ListError(`no such list: ${list}`, 'no-such-list', list);
  }
  const batchSize = options.batchSize ?? DEFAULT_EXPORT_BATCH;
  const now = options.now ?? Date.now();
  const counts: ExportCounts = { exported: 0, skippedExpired: 0 };

  const writeRows = async (rows: ExportRow[]): Promise<void> => {
    if (rows.length > 0 && !out.write(stringify(rows))) await once(out, 'drain');
    counts.exported += rows.length;
    options.onBatch?.({ ...counts });
  };
  const metaOf = async (members: string[]): Promise<(string | null)[]> =>
    members.length === 0 ? [] : redis.hmget(keys.meta, ...members);

  if (!out.write(stringify([[...EXPORT_COLUMNS]]))) await once(out, 'drain');
  const dense = denseStateOf(info);
  if (dense) await exportBitmaps(redis, keys, dense, metaOf, writeRows);

  let cursor = '0';
  do {
    const [next, members] = await redis.sscan(keys.exact, cursor, 'COUNT', batchSize);
    const metas = await metaOf(members);
    await writeRows(members.map((member, i) => exportRow(member, null, metas[i] ?? null)));
    cursor = next;
  } while (cursor !== '0');

  do {
    const [next, flat] = await redis.zscan(keys.timed, cursor, 'COUNT', batchSize);
    const live: { member: string; expiresAt: number | null }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const score = flat[i + 1] as string;
      const expiresAt = score === 'inf' ? null : Number(score);
      if (expiresAt !== null && expiresAt <= now) counts.skippedExpired += 1;
      else live.push({ member: flat[i] as string, expiresAt });
    }
    const metas = await metaOf(live.map((entry) => entry.member));
    await writeRows(live.map((entry, i) => exportRow(entry.member, entry.expiresAt, metas[i] ?? null)));
    cursor = next;
  } while (cursor !== '0');

  return counts;
}

/**
 * A dense list's bitmaps, block after block in the order of its index (numbers in
 * order), a page of blocks per MGET. Metadata is asked only when the list has any:
 * bits loaded in bulk have none, and a registry is hundreds of millions of them.
 */
async function exportBitmaps(
  redis: RedisClient,
  keys: ReturnType<typeof listKeys>,
  dense: DenseState,
  metaOf: (members: string[]) => Promise<(string | null)[]>,
  writeRows: (rows: ExportRow[]) => Promise<void>,
): Promise<void> {
  const generation = denseGenerationKeys(keys.dense, dense.gen);
  const withMeta = (await redis.hlen(keys.meta)) > 0;
  // Paged by score (the block id), not by rank: a block removed meanwhile shifts no page.
  for (let after = '-inf'; ; ) {
    const blocks = await redis.zrangebyscore(generation.index, after, '+inf', 'LIMIT', 0, DENSE_EXPORT_BLOCKS);
    if (blocks.length === 0) return;
    after = `(${blocks.at(-1) as string}`;
    const bitmaps = await redis.mgetBuffer(...blocks.map((block) => generation.block(block)));
    for (const [i, block] of blocks.entries()) {
      const bitmap = bitmaps[i];
      if (!bitmap) continue;
      const members: string[] = [];
      for (const bit of bitsOf(bitmap)) members.push(numberAt(Number(block), bit));
      const metas = withMeta ? await metaOf(members) : [];
      await writeRows(members.map((member, j) => exportRow(member, null, metas[j] ?? null)));
    }
  }
}

