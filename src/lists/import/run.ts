import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../redis/connect.js';
import { listKeys, stagingKeys } from '../keys.js';
import { assertListName } from '../names.js';
import { ListStore } from '../store.js';
import { ListError, type Actor } from '../types.js';
import { BrokenFileError } from './broken-file.js';
import { classifyChunk, type ClassifiedChunk, type RowRules } from './classify.js';
import { planColumns, type ColumnSpec } from './columns.js';
import { detectDialect } from './dialect.js';
import { FOREVER } from './expiry.js';
import { DEFAULT_REPLACE_GUARDS, rejectsOverLimit, shrinksPastLimit, type Refusal, type ReplaceGuards } from './guards.js';
import { RegionSample } from './needs-region.js';
import type { RejectsFile, Reject } from './rejects.js';
import { STAGING_TTL_MS, cleanStaging, dropStaging, liveSize, swapIn } from './replace.js';
import { firstLineOf, readRows, type RowChunk } from './rows.js';
import { peek, type ImportSource } from './source.js';
import type { ImportSummary } from './summary.js';
import { BatchWriter, type DuplicateMode, type WriterCounts } from './writer.js';

export interface ImportRequest {
  list: string;
  source: ImportSource;
  /** default region for numbers written in national format */
  region?: string;
  column?: ColumnSpec;
  expiresColumn?: ColumnSpec;
  /** ms since epoch for every row; undefined: forever (or per row with expiresColumn) */
  expiresAt?: number;
  onDuplicate: DuplicateMode;
  replace: boolean;
  /** the limits a replace must stay within; default DEFAULT_REPLACE_GUARDS */
  guards?: ReplaceGuards;
  dryRun: boolean;
  actor: Actor;
  rejects?: RejectsFile;
  /** stops reading; what was read is still written (plain) or dropped (replace) */
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  now?: number;
  batchSize?: number;
  batchesInFlight?: number;
}

export interface ImportProgress {
  rows: number;
  /** written so far (batches Redis answered), and duplicates among them */
  imported: number;
  duplicates: number;
  rejected: number;
  bytesRead: number;
  totalBytes: number | undefined;
}

/** A replace that could not be carried out as asked, as it would empty the list (nothing was changed). */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/** What is looked at to tell the delimiter: this many lines, or this many bytes. */
const DIALECT_SAMPLE_LINES = 20;
const DIALECT_SAMPLE_BYTES = 64 * 1024;

function enoughToTellDialect(head: Buffer): boolean {
  if (head.length >= DIALECT_SAMPLE_BYTES) return true;
  let lines = 0;
  for (let at = head.indexOf(10); at >= 0 && lines < DIALECT_SAMPLE_LINES; at = head.indexOf(10, at + 1)) lines += 1;
  return lines >= DIALECT_SAMPLE_LINES;
}
/** Rows between two progress reports. */
const PROGRESS_EVERY_ROWS = 10_000;
/** Rejects listed in the summary itself. */
const FIRST_REJECTS = 5;

/**
 * Reads `request.source` row by row and writes it into the list in pipelined batches, in
 * memory that does not grow with the input. With `replace`, the rows go to staging keys
 * that are swapped in at the end in one atomic step; calls checked meanwhile see the old
 * list. A file that breaks (BrokenFileError) stops the import where it broke: a replace
 * then changes nothing, a plain import keeps the rows before. A replace past its limits
 * (`guards`) is refused. Records one audit event (import or replace), none per number.
 */
export async function importList(redis: RedisClient, namespace: string, request: ImportRequest): Promise<ImportSummary> {
  assertListName(request.list);
  const store = new ListStore(redis, namespace);
  if (!(await store.hasList(request.list))) {
    throw new ListError(`no such list: ${request.list} (create it first: callguard list create ${request.list})`, 'no-such-list', request.list);
  }
  const started = performance.now();
  const now = request.now ?? Date.now();
  const staleStagingKeysRemoved = request.dryRun ? 0 : await cleanStaging(redis, namespace, request.list);
  const runId = `${now.toString(36)}-${randomBytes(4).toString('hex')}`;
  const live = listKeys(namespace, request.list);
  const target = request.replace ? { ...stagingKeys(namespace, request.list, runId), info: live.info } : live;
  const { source } = request;
  const { head, content } = await peek(source.content, enoughToTellDialect);
  const reader = readRows(content, detectDialect(head.toString('utf8')), source.problem);

  const counts = { rows: 0, rejected: 0 };
  const firstRejects: Reject[] = [];
  const reject = async (rejected: Reject): Promise<void> => {
    counts.rows += 1;
    counts.rejected += 1;
    if (firstRejects.length < FIRST_REJECTS) firstRejects.push(rejected);
    await request.rejects?.write(rejected);
  };
  const report = (): void =>
    request.onProgress?.({
      rows: counts.rows,
      imported: writer?.counts.imported ?? 0,
      duplicates: writer?.counts.duplicates ?? 0,
      rejected: counts.rejected,
      bytesRead: source.bytesRead(),
      totalBytes: source.totalBytes,
    });
  const writerFor = (rules: RowRules | undefined): BatchWriter =>
    new BatchWriter(redis, target, {
      mode: request.dryRun ? 'dry' : request.onDuplicate,
      uniformExpiry: rules?.expiresIndex === undefined ? (rules?.expiry ?? FOREVER) : undefined,
      ttlMs: request.replace ? STAGING_TTL_MS : 0,
      now,
      batchSize: request.batchSize,
      inFlight: request.batchesInFlight,
    });

  let header: string[] | null = null;
  let rules: RowRules | undefined;
  let writer: BatchWriter | undefined;
  let interrupted = false;
  let broken: BrokenFileError | undefined;
  let nextReport = PROGRESS_EVERY_ROWS;
  /** Writes one classified chunk; a row where the file broke ends the import after the rows before it. */
  const apply = async (chunk: RowChunk, classified: ClassifiedChunk, into: BatchWriter): Promise<void> => {
    const { members, expiries, rejects } = classified;
    for (const rejected of rejects) await reject({ line: chunk.lines[rejected.index] as number, raw: rejected.raw, reason: rejected.reason });
    counts.rows += members.length;
    for (let i = 0; i < members.length; i += 1) {
      if (into.push(members[i] as string, expiries[i] as string)) await into.send();
    }
    if (classified.broken) throw new BrokenFileError(firstLineOf(chunk, classified.broken.index), classified.broken.problem);
  };
  // Without a region, the first rows are held until they tell whether the file needs one.
  let sample = request.region === undefined ? new RegionSample() : undefined;
  const held: { chunk: RowChunk; classified: ClassifiedChunk }[] = [];
  const applyHeld = async (into: BatchWriter): Promise<void> => {
    sample?.assertReadable(source.name);
    sample = undefined;
    for (const { chunk, classified } of held.splice(0)) await apply(chunk, classified, into);
  };
  // A read waiting on stdin would not notice the signal; closing the input wakes it.
  const stopReading = (): void => source.close();
  request.signal?.addEventListener('abort', stopReading, { once: true });
  try {
    try {
      for await (const chunk of reader.chunks) {
        if (request.signal?.aborted) {
          interrupted = true;
          break;
        }
        if (chunk.lines.length === 0) continue;
        let from = 0;
        if (!rules || !writer) {
          const record = 'values' in chunk ? [chunk.values[0] as string] : (chunk.records[0] as string[]);
          const plan = planColumns(record, request.column, request.expiresColumn, request.expiresAt !== undefined);
          rules = {
            numberIndex: plan.numberIndex,
            expiresIndex: plan.expiresIndex,
            expiry: request.expiresAt === undefined ? FOREVER : String(request.expiresAt),
            region: request.region,
            now,
          };
          writer = writerFor(rules);
          if (plan.header) {
            header = record;
            from = 1;
          }
        }
        const classified = classifyChunk(chunk, rules, from);
        if (sample) {
          held.push({ chunk, classified });
          if (sample.add(chunk.lines, classified)) await applyHeld(writer);
          continue;
        }
        await apply(chunk, classified, writer);
        if (counts.rows >= nextReport) {
          nextReport = counts.rows + PROGRESS_EVERY_ROWS;
          report();
        }
      }
    } catch (error) {
      if (!(error instanceof BrokenFileError) || request.signal?.aborted) throw error;
      broken = error;
    }
    // A file shorter than the sample, or one that broke within it, still tells first whether it needs a region.
    if (writer && sample && !interrupted) await applyHeld(writer);
  } catch (error) {
    // Closing the input on a signal ends the read with an error; that is the interruption.
    if (request.signal?.aborted) interrupted = true;
    // A break among the held rows comes before any break the reader met after them.
    else if (error instanceof BrokenFileError) broken = error;
    else {
      await writer?.flush().catch(() => undefined);
      if (request.replace && !request.dryRun) await dropStaging(redis, namespace, request.list, runId);
      throw error;
    }
  } finally {
    request.signal?.removeEventListener('abort', stopReading);
    source.close();
  }
  if (request.signal?.aborted) interrupted = true;
  report();

  const status: ImportSummary['status'] = interrupted ? 'interrupted' : broken ? 'broken' : 'done';
  const settled = await settle(redis, namespace, request, runId, writer ?? writerFor(rules), status, counts, now);

  const seconds = (performance.now() - started) / 1000;
  const summary: ImportSummary = {
    list: request.list,
    source: source.name,
    gzip: source.gzip,
    mode: request.replace ? 'replace' : 'import',
    dryRun: request.dryRun,
    onDuplicate: request.onDuplicate,
    status: settled.refusal ? 'refused' : status,
    rows: counts.rows,
    imported: settled.written.imported,
    duplicates: settled.written.duplicates,
    rejected: counts.rejected,
    header,
    blankLines: reader.blankLines(),
    broken: broken ? { line: broken.line, problem: broken.problem } : null,
    refusal: settled.refusal,
    sizeBefore: settled.sizeBefore,
    listSize: settled.listSize,
    staleStagingKeysRemoved,
    firstRejects,
    seconds,
    rowsPerSecond: seconds > 0 ? counts.rows / seconds : 0,
  };
  // A replace that was not swapped in changed nothing; a plain import keeps what it wrote.
  if (!request.dryRun && (!request.replace || summary.status === 'done')) {
    await store.recordAudit(request.list, request.replace ? 'replace' : 'import', request.actor, auditDetails(summary, request, rules?.expiresIndex !== undefined));
  }
  return summary;
}

interface Settled {
  written: WriterCounts;
  listSize: ImportSummary['listSize'];
  sizeBefore: number | null;
  refusal: Refusal | null;
}

/**
 * Sends what is buffered (a plain import that stopped keeps whole batches of what it
 * read), then for a replace swaps the staging keys in, or drops them when it stopped,
 * when they hold nothing (a replace must not empty a list by mistake), or when the
 * replace is past its limits: too many rows rejected (checked here) or a list that
 * would shrink too much (checked by the swap itself, atomically with it).
 */
async function settle(
  redis: RedisClient,
  namespace: string,
  request: ImportRequest,
  runId: string,
  writer: BatchWriter,
  status: ImportSummary['status'],
  counts: { rows: number; rejected: number },
  now: number,
): Promise<Settled> {
  const staging = request.replace && !request.dryRun;
  const guards = request.guards ?? DEFAULT_REPLACE_GUARDS;
  const written = await writer.flush().catch(async (error: unknown) => {
    if (staging) await dropStaging(redis, namespace, request.list, runId);
    throw error;
  });
  if (staging && status === 'done' && written.exactSize + written.timedSize === 0) {
    await dropStaging(redis, namespace, request.list, runId);
    throw new ImportError(
      `${request.source.name} holds no number to import, so --replace would empty list ${request.list}; nothing was changed`,
    );
  }
  const rejectsRefusal: Refusal | null =
    request.replace && status === 'done' && !guards.force && rejectsOverLimit(guards.maxRejects, counts.rejected, counts.rows)
      ? { guard: 'max-rejects', rejected: counts.rejected, rows: counts.rows, maxRejects: guards.maxRejects }
      : null;
  if (request.dryRun) {
    if (!request.replace || status !== 'done' || rejectsRefusal || guards.force) {
      return { written, listSize: null, sizeBefore: null, refusal: rejectsRefusal };
    }
    // Nothing was staged, so `imported` (duplicates found only within a batch) is at most
    // the new size: a refusal foreseen here is certain, a real run may refuse more.
    const sizeBefore = await liveSize(redis, namespace, request.list, now);
    const refusal: Refusal | null = shrinksPastLimit(sizeBefore, written.imported, guards.maxShrinkPercent)
      ? { guard: 'max-shrink', sizeBefore, sizeAfter: written.imported, maxShrinkPercent: guards.maxShrinkPercent }
      : null;
    return { written, listSize: null, sizeBefore, refusal };
  }
  let sizeBefore: number | null = null;
  let refusal: Refusal | null = rejectsRefusal;
  if (staging) {
    if (status !== 'done' || refusal) {
      await dropStaging(redis, namespace, request.list, runId);
      return { written, listSize: status === 'interrupted' ? null : await listSizeOf(redis, namespace, request.list), sizeBefore, refusal };
    }
    const swap = await swapIn(redis, namespace, request.list, runId, written, now, guards.force ? 'any' : guards.maxShrinkPercent);
    sizeBefore = swap.sizeBefore;
    if (!swap.swapped) {
      await dropStaging(redis, namespace, request.list, runId);
      refusal = { guard: 'max-shrink', sizeBefore: swap.sizeBefore, sizeAfter: swap.sizeAfter, maxShrinkPercent: guards.maxShrinkPercent };
    }
  }
  return { written, listSize: await listSizeOf(redis, namespace, request.list), sizeBefore, refusal };
}

async function listSizeOf(redis: RedisClient, namespace: string, list: string): Promise<ImportSummary['listSize']> {
  const keys = listKeys(namespace, list);
  const [exact, timed] = await Promise.all([redis.scard(keys.exact), redis.zcard(keys.timed)]);
  return { exact, timed };
}

function auditDetails(summary: ImportSummary, request: ImportRequest, perRowExpiry: boolean): Record<string, string> {
  return {
    file: summary.source,
    status: summary.status,
    rows: String(summary.rows),
    imported: String(summary.imported),
    duplicates: String(summary.duplicates),
    rejected: String(summary.rejected),
    onDuplicate: summary.onDuplicate,
    expires:
      request.expiresAt !== undefined ? new Date(request.expiresAt).toISOString() : perRowExpiry ? 'per row' : 'never',
    ...(request.region ? { region: request.region } : {}),
    ...(summary.broken ? { brokenAt: `line ${summary.broken.line}: ${summary.broken.problem}` } : {}),
    ...(request.guards?.force && request.replace ? { forced: 'yes' } : {}),
  };
}
