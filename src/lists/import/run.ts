import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { listKeys, stagingKeys } from '../keys.js';
import { assertListName } from '../names.js';
import { ListStore } from '../store.js';
import { ListError, type Actor } from '../types.js';
import { classifyChunk, type ClassifiedChunk, type RowRules } from './classify.js';
import { planColumns, type ColumnSpec } from './columns.js';
import { detectDialect } from './dialect.js';
import { FOREVER } from './expiry.js';
import type { RejectsFile, Reject } from './rejects.js';
import { STAGING_TTL_MS, cleanStaging, dropStaging, swapIn } from './replace.js';
import { readRows } from './rows.js';
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

/** An import that could not be carried out as asked (nothing was changed). */
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
 * list. Records one audit event (import or replace), none per number.
 */
export async function importList(redis: Redis, namespace: string, request: ImportRequest): Promise<ImportSummary> {
  assertListName(request.list);
  const store = new ListStore(redis, namespace);
  if (!(await store.hasList(request.list))) {
    throw new ListError(`no such list: ${request.list} (create it first: callguard list create ${request.list})`, 'no-such-list');
  }
  const started = performance.now();
  const now = request.now ?? Date.now();
  const staleStagingKeysRemoved = request.dryRun ? 0 : await cleanStaging(redis, namespace, request.list);
  const runId = `${now.toString(36)}-${randomBytes(4).toString('hex')}`;
  const live = listKeys(namespace, request.list);
  const target = request.replace ? { ...stagingKeys(namespace, request.list, runId), info: live.info } : live;
  const { source } = request;
  const { head, content } = await peek(source.content, enoughToTellDialect);
  const reader = readRows(content, detectDialect(head.toString('utf8')));

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
  let nextReport = PROGRESS_EVERY_ROWS;
  const apply = async (lines: number[], { members, expiries, rejects }: ClassifiedChunk, into: BatchWriter): Promise<void> => {
    for (const rejected of rejects) await reject({ line: lines[rejected.index] as number, raw: rejected.raw, reason: rejected.reason });
    counts.rows += members.length;
    for (let i = 0; i < members.length; i += 1) {
      if (into.push(members[i] as string, expiries[i] as string)) await into.send();
    }
  };
  // A read waiting on stdin would not notice the signal; closing the input wakes it.
  const stopReading = (): void => source.close();
  request.signal?.addEventListener('abort', stopReading, { once: true });
  try {
    for await (const chunk of reader.chunks) {
      if (request.signal?.aborted) {
        interrupted = true;
        break;
      }
      for (const broken of reader.takeBroken()) await reject(broken);
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
      await apply(chunk.lines, classifyChunk(chunk, rules, from), writer);
      if (counts.rows >= nextReport) {
        nextReport = counts.rows + PROGRESS_EVERY_ROWS;
        report();
      }
    }
    for (const broken of reader.takeBroken()) await reject(broken);
  } catch (error) {
    // Closing the input on a signal ends the read with an error; that is the interruption.
    if (request.signal?.aborted) interrupted = true;
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

  const { written, listSize } = await settle(redis, namespace, request, runId, writer ?? writerFor(rules), interrupted);

  const seconds = (performance.now() - started) / 1000;
  const summary: ImportSummary = {
    list: request.list,
    source: source.name,
    gzip: source.gzip,
    mode: request.replace ? 'replace' : 'import',
    dryRun: request.dryRun,
    onDuplicate: request.onDuplicate,
    status: interrupted ? 'interrupted' : 'done',
    rows: counts.rows,
    imported: written.imported,
    duplicates: written.duplicates,
    rejected: counts.rejected,
    header,
    blankLines: reader.blankLines(),
    listSize,
    staleStagingKeysRemoved,
    firstRejects,
    seconds,
    rowsPerSecond: seconds > 0 ? counts.rows / seconds : 0,
  };
  if (!request.dryRun && !(request.replace && interrupted)) {
    await store.recordAudit(request.list, request.replace ? 'replace' : 'import', request.actor, auditDetails(summary, request, rules?.expiresIndex !== undefined));
  }
  return summary;
}

/**
 * Sends what is buffered (an interrupted plain import keeps whole batches of what it
 * read), then for a replace swaps the staging keys in, or drops them when interrupted or
 * when they hold nothing (a replace must not empty a list by mistake).
 */
async function settle(
  redis: Redis,
  namespace: string,
  request: ImportRequest,
  runId: string,
  writer: BatchWriter,
  interrupted: boolean,
): Promise<{ written: WriterCounts; listSize: ImportSummary['listSize'] }> {
  const staging = request.replace && !request.dryRun;
  const written = await writer.flush().catch(async (error: unknown) => {
    if (staging) await dropStaging(redis, namespace, request.list, runId);
    throw error;
  });
  if (request.dryRun) return { written, listSize: null };
  if (staging) {
    if (interrupted) {
      await dropStaging(redis, namespace, request.list, runId);
      return { written, listSize: null };
    }
    if (written.exactSize + written.timedSize === 0) {
      await dropStaging(redis, namespace, request.list, runId);
      throw new ImportError(
        `${request.source.name} holds no number to import, so --replace would empty list ${request.list}; nothing was changed`,
      );
    }
    await swapIn(redis, namespace, request.list, runId, written);
  }
  const keys = listKeys(namespace, request.list);
  const [exact, timed] = await Promise.all([redis.scard(keys.exact), redis.zcard(keys.timed)]);
  return { written, listSize: { exact, timed } };
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
  };
}
