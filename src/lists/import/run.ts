import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../redis/connect.js';
import { bitOf, blockOf, fitsPlan, numberAt, planOfRegion, type DensePlan } from '../dense.js';
import { changeMark, type ChangeMark } from '../change-mark.js';
import { denseStateOf, newGeneration, removeGeneration, removeGenerationsBut, type DenseState } from '../dense-store.js';
import { denseGensKey, listKeys, stagingKeys } from '../keys.js';
import { DataParts, type ListSource } from '../source-date.js';
import { assertListName, noSuchList } from '../names.js';
import { ListStore } from '../store.js';
import type { Actor } from '../types.js';
import { BrokenFileError, describeLine } from './broken-file.js';
import { classifyChunk, type ClassifiedChunk, type RowRules } from './classify.js';
import { planColumns, type ColumnSpec } from './columns.js';
import { detectDialect, type Dialect } from './dialect.js';
import { FOREVER } from './expiry.js';
import { DEFAULT_REPLACE_GUARDS, rejectsOverLimit, shrinksPastLimit, type Refusal, type ReplaceGuards } from './guards.js';
import { enoughForRegionSample, sampleForRegion } from './needs-region.js';
import type { RejectsFile, Reject } from './rejects.js';
import { STAGING_TTL_MS, cleanStaging, dropStaging, liveSize, swapIn } from './replace.js';
import { ReplaceLease } from './replace-lease.js';
import { ProgressPace } from './progress-pace.js';
import { DenseWriter, type DenseCounts } from './dense-writer.js';
import { defineImportScripts } from './scripts.js';
import { readNational, type NationalChunk } from './national.js';
import { firstLineOf, firstRecordOf, readRows, type RowChunk } from './rows.js';
import { lineOf, peek, type ImportSource } from './source.js';
import type { Readable } from 'node:stream';
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
  /** add the file's numbers (default), or take them out of the list (a deletion change list) */
  operation?: 'add' | 'delete';
  /**
   * the file is a plain national file of this region (`US`): its lines are read byte by
   * byte (national.ts), without a parse each; lines of another shape are read with it as
   * their region. Only regions of a dense plan (dense.ts) have such a reader.
   */
  country?: string;
  /** ms since epoch: the date of the file's data; default the file's own date, else now */
  sourceDate?: number;
  /** false: record no audit event (the caller records one for several runs, `--changes`) */
  audit?: boolean;
  /**
   * false: leave the list's data dates as they are (`--changes` dates the list by its
   * additions, once they are in). Default: an import of numbers dates the parts of the
   * list its numbers are in (source-date.ts); a deletion file dates none, as it brings
   * none of the numbers that joined the registry since.
   */
  recordDate?: boolean;
  /**
   * collects the parts of the list the numbers read are in; one given may hold parts
   * from before (`--changes`: the deletions' area codes), which this run dates too
   */
  dataParts?: DataParts;
  /** the limits a replace must stay within; default DEFAULT_REPLACE_GUARDS */
  guards?: ReplaceGuards;
  dryRun: boolean;
  actor: Actor;
  rejects?: RejectsFile;
  /** stops reading; what was read is still written (plain) or dropped (replace) */
  signal?: AbortSignal;
  /**
   * a replace's lease on the list, taken by the caller to refuse a second replace before
   * it answers (the API's upload); importList releases it. Without it a replace takes its own.
   */
  lease?: ReplaceLease;
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
/** What an import needs to read its rows, besides the input. */
type RowRequest = Pick<ImportRequest, 'region' | 'country' | 'column' | 'expiresColumn' | 'expiresAt'>;

/** The number and expiry columns and the rules of every row, from the first record. */
function planRows(record: string[], request: RowRequest, now: number): { rules: RowRules; header: boolean } {
  const plan = planColumns(record, request.column, request.expiresColumn, request.expiresAt !== undefined);
  const expiry = request.expiresAt === undefined ? FOREVER : String(request.expiresAt);
  return { rules: { numberIndex: plan.numberIndex, expiresIndex: plan.expiresIndex, expiry, region: request.region, now }, header: plan.header };
}

/**
 * Reads the start of an import's input, far enough to tell its dialect and, when the
 * import has no region, to tell from its first rows whether it needs one: then it throws
 * NeedsRegionError (`outcome` says what was not done) before anything is written. The
 * content comes back whole. A national file (`country`) is read without a region sample.
 */
async function readStart(source: ImportSource, request: RowRequest, now: number, outcome: string): Promise<{ dialect: Dialect; content: Readable }> {
  const sampled = request.region === undefined && request.country === undefined;
  const { head, content } = await peek(source.content, sampled ? (start) => enoughToTellDialect(start) && enoughForRegionSample(start) : enoughToTellDialect);
  const dialect = detectDialect(head.toString('utf8'));
  if (sampled) (await sampleForRegion(head, dialect, (record) => planRows(record, request, now))).assertReadable(source.name, outcome);
  return { dialect, content };
}

/**
 * The source with its first rows looked at as importList looks at them, for a run of
 * several imports (`--changes`) that must refuse before the first of them writes.
 */
export async function regionCheckedSource(source: ImportSource, request: RowRequest, now: number, outcome: string): Promise<ImportSource> {
  return { ...source, content: (await readStart(source, request, now, outcome)).content };
}

/** A run that swaps nothing (a plain import, a dry run) needs no mark. */
const NO_MARK: ChangeMark = { auditId: '0-0', bulkWrites: '0' };
/** Rejects listed in the summary itself. */
const FIRST_REJECTS = 5;

/**
 * Reads `request.source` row by row and writes it into the list in pipelined batches, in
 * memory that does not grow with the input. With `replace`, the rows go to staging keys
 * that are swapped in at the end in one atomic step; calls checked meanwhile see the old
 * list. One replace of a list runs at a time (replace-lease.ts): a second one throws
 * ReplaceBusyError before it changes anything. A file that breaks (BrokenFileError) stops the import where it broke: a replace
 * then changes nothing, a plain import keeps the rows before. A replace past its limits
 * (`guards`), or whose list had its entries changed by someone else while it read (an
 * add, a cancel, another import: the swap would drop them), is refused. Records one
 * audit event (import or replace), none per number.
 */
export async function importList(redis: RedisClient, namespace: string, request: ImportRequest): Promise<ImportSummary> {
  assertListName(request.list);
  const lease =
    request.lease ??
    (request.replace && !request.dryRun
      ? await ReplaceLease.take(redis, namespace, request.list, { by: request.actor.by, source: request.source.name }).catch((error: unknown) => {
          request.source.close();
          throw error;
        })
      : undefined);
  try {
    return await importHoldingLease(redis, namespace, request, lease);
  } finally {
    // Unreleased (Redis away), the lease lapses by itself; the import's own outcome is what to tell.
    await lease?.release().catch(() => undefined);
  }
}

/** importList once the replace holds its lease (a plain import or a dry run needs none). */
async function importHoldingLease(redis: RedisClient, namespace: string, request: ImportRequest, lease: ReplaceLease | undefined): Promise<ImportSummary> {
  const store = new ListStore(redis, namespace);
  const live = listKeys(namespace, request.list);
  const listInfo = await redis.hgetall(live.info);
  if (listInfo.created === undefined) {
    throw noSuchList(request.list);
  }
  const deleting = request.operation === 'delete';
  if (deleting && request.replace) throw new ImportError('a deletion file cannot replace a list: leave out --replace or --delete');
  const national = request.country === undefined ? undefined : nationalPlanOf(request.country);
  const dense = denseStateOf(listInfo);
  // Another plan's national file would go to a dense list's ordinary keys, ~57 bytes a number where its bitmaps take ~1: a registry loaded so fills Redis.
  if (national && dense && national.name !== dense.plan.name) {
    throw new ImportError(
      `--country ${(request.country as string).toUpperCase()} reads a national file of the ${national.name} plan, but list ${request.list} is dense ${dense.plan.name}: ` +
        `check the country, or load the file into a list created with --dense ${national.name}`,
    );
  }
  const started = performance.now();
  const now = request.now ?? Date.now();
  // Before anything is read: a change made after this would be dropped by the swap (swap-7.lua).
  const mark = request.replace && !request.dryRun ? await changeMark(redis, live, request.list) : NO_MARK;
  // Only a replace holding the lease cleans: any staging then left is a dead run's, never one still building.
  const staleStagingKeysRemoved = lease
    ? (await cleanStaging(redis, namespace, request.list)) + (dense ? await removeGenerationsBut(redis, live.dense, dense.gen) : 0)
    : 0;
  const runId = `${now.toString(36)}-${randomBytes(4).toString('hex')}`;
  const target = request.replace ? { ...stagingKeys(namespace, request.list, runId), info: live.info } : { ...live };
  // A replace of a dense list writes a generation of bitmaps of its own, swapped in at the end.
  const stagingGen = request.replace && dense ? newGeneration() : undefined;
  if (stagingGen !== undefined && !request.dryRun) await redis.sadd(denseGensKey(live.dense), stagingGen);
  const denseWriter = dense
    ? new DenseWriter(redis, { list: request.list, info: live.info, dense: live.dense, gen: stagingGen }, `${request.dryRun ? 'dry-' : ''}${deleting ? 'delete' : 'add'}`)
    : undefined;
  // A deletion also takes a dense list's plan numbers out of `timed`, when it holds any.
  const deleteFromTimedToo = deleting && dense !== undefined && (await redis.zcard(live.timed)) > 0;
  const parts = request.dataParts ?? new DataParts();
  const { source } = request;
  const start = await readStart(source, request, now, 'nothing was imported').catch(async (error: unknown) => {
    source.close();
    if (request.replace && !request.dryRun) await dropStaging(redis, namespace, request.list, runId, stagingGen);
    throw error;
  });
  const nationalReader = national ? readNational(start.content, national, source.problem) : undefined;
  const reader = nationalReader ?? readRows(start.content, start.dialect, source.problem);
  const chunks: AsyncIterable<{ chunk: RowChunk; fast?: NationalChunk }> = nationalReader
    ? withFastRows(nationalReader.chunks)
    : withoutFastRows(reader.chunks as AsyncIterable<RowChunk>);

  const counts = { rows: 0, rejected: 0 };
  const firstRejects: Reject[] = [];
  const reject = async (rejected: Reject): Promise<void> => {
    counts.rows += 1;
    counts.rejected += 1;
    // A zip's rejects name the member and the line it counts itself, as a broken member is named.
    const located = source.memberLine ? { ...rejected, ...(await lineOf(source, rejected.line)) } : rejected;
    if (firstRejects.length < FIRST_REJECTS) firstRejects.push(located);
    await request.rejects?.write(located);
  };
  const report = (): void =>
    request.onProgress?.({
      rows: counts.rows,
      imported: (writer?.counts.imported ?? 0) + (denseWriter?.counts.changed ?? 0),
      duplicates: (writer?.counts.duplicates ?? 0) + (denseWriter?.counts.unchanged ?? 0),
      rejected: counts.rejected,
      bytesRead: source.bytesRead(),
      totalBytes: source.totalBytes,
    });
  const writerFor = (rules: RowRules | undefined): BatchWriter =>
    new BatchWriter(redis, target, {
      mode: deleting ? (request.dryRun ? 'dry-delete' : 'delete') : request.dryRun ? 'dry' : request.onDuplicate,
      uniformExpiry: deleting ? FOREVER : rules?.expiresIndex === undefined ? (rules?.expiry ?? FOREVER) : undefined,
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
  const pace = new ProgressPace();
  /**
   * One member to its writer: a never-expiring number of a dense list's plan to its
   * bitmaps, anything else to the ordinary keys. Awaits a send when a writer is full.
   */
  const write = async (member: string, expiry: string, into: BatchWriter): Promise<void> => {
    parts.addMember(member);
    if (denseWriter && expiry === FOREVER && fitsPlan((dense as DenseState).plan, member)) {
      if (denseWriter.push(blockOf(member), bitOf(member))) await denseWriter.send();
      if (!deleteFromTimedToo) return;
    }
    if (into.push(member, expiry)) await into.send();
  };
  /** Writes one classified chunk; a row where the file broke ends the import after the rows before it. */
  const apply = async (chunk: RowChunk, classified: ClassifiedChunk, into: BatchWriter): Promise<void> => {
    const { members, expiries, rejects } = classified;
    for (const rejected of rejects) await reject({ line: chunk.lines[rejected.index] as number, raw: rejected.raw, reason: rejected.reason });
    counts.rows += members.length;
    for (let i = 0; i < members.length; i += 1) await write(members[i] as string, expiries[i] as string, into);
    if (classified.broken) throw new BrokenFileError(firstLineOf(chunk, classified.broken.index), classified.broken.problem);
  };
  /** The numbers a national reader read fast: straight into the bitmaps when they fit them. */
  const applyFast = async (fast: NationalChunk, into: BatchWriter, expiry: string): Promise<void> => {
    counts.rows += fast.count;
    const straight = denseWriter && expiry === FOREVER && dense?.plan.name === national?.name && !deleteFromTimedToo;
    const nanp = national?.callingCode === '1';
    if (straight && !nanp && fast.count > 0) parts.addMember(numberAt(fast.blocks[0] as number, fast.bits[0] as number));
    // A registry file is sorted by area code: a block is told to the parts when it changes, not a number at a time.
    let lastBlock = -1;
    for (let i = 0; i < fast.count; i += 1) {
      const block = fast.blocks[i] as number;
      const bit = fast.bits[i] as number;
      if (straight) {
        if (nanp && block !== lastBlock) {
          lastBlock = block;
          parts.addNanpBlock(block);
        }
        if ((denseWriter as DenseWriter).push(block, bit)) await (denseWriter as DenseWriter).send();
      } else {
        await write(numberAt(block, bit), expiry, into);
      }
    }
  };
  // A read waiting on stdin would not notice the signal; closing the input wakes it.
  const stopReading = (): void => source.close();
  request.signal?.addEventListener('abort', stopReading, { once: true });
  try {
    try {
      for await (const { chunk, fast } of chunks) {
        if (request.signal?.aborted) {
          interrupted = true;
          break;
        }
        if (fast && national) {
          rules ??= { numberIndex: 0, expiresIndex: undefined, expiry: request.expiresAt === undefined ? FOREVER : String(request.expiresAt), region: national.regions.includes(request.country?.toUpperCase() ?? '') ? request.country?.toUpperCase() : request.region, now, areaCodeLayout: national.callingCode === '1' };
          writer ??= writerFor(rules);
          const nationalHeader = nationalReader?.header();
          if (nationalHeader !== undefined) header = [nationalHeader];
          await applyFast(fast, writer, rules.expiry);
          await apply(chunk, classifyChunk(chunk, rules), writer);
          if (pace.due()) report();
          continue;
        }
        if (chunk.lines.length === 0) continue;
        let from = 0;
        if (!rules || !writer) {
          const record = firstRecordOf(chunk);
          const plan = planRows(record, request, now);
          rules = plan.rules;
          writer = writerFor(rules);
          if (plan.header) {
            header = record;
            from = 1;
          }
        }
        await apply(chunk, classifyChunk(chunk, rules, from), writer);
        if (pace.due()) report();
      }
    } catch (error) {
      if (!(error instanceof BrokenFileError) || request.signal?.aborted) throw error;
      broken = error;
    }
  } catch (error) {
    // Closing the input on a signal ends the read with an error; that is the interruption.
    if (request.signal?.aborted) interrupted = true;
    else {
      await writer?.flush().catch(() => undefined);
      await denseWriter?.flush().catch(() => undefined);
      if (request.replace && !request.dryRun) await dropStaging(redis, namespace, request.list, runId, stagingGen);
      throw error;
    }
  } finally {
    request.signal?.removeEventListener('abort', stopReading);
    source.close();
  }
  if (request.signal?.aborted) interrupted = true;
  report();

  const status: ImportSummary['status'] = interrupted ? 'interrupted' : broken ? 'broken' : 'done';
  const settled = await settle(redis, namespace, request, runId, { batch: writer ?? writerFor(rules), dense: denseWriter, stagingGen, liveGen: dense?.gen }, status, counts, now, mark, lease);

  const seconds = (performance.now() - started) / 1000;
  const summary: ImportSummary = {
    list: request.list,
    source: source.name,
    gzip: source.gzip,
    ...(source.zip ? { zip: true } : {}),
    mode: request.replace ? 'replace' : deleting ? 'delete' : 'import',
    dryRun: request.dryRun,
    onDuplicate: request.onDuplicate,
    status: settled.refusal ? 'refused' : status,
    rows: counts.rows,
    imported: settled.written.imported,
    duplicates: settled.written.duplicates,
    rejected: counts.rejected,
    header,
    blankLines: reader.blankLines(),
    broken: broken ? { ...(await lineOf(source, broken.line)), problem: broken.problem } : null,
    refusal: settled.refusal,
    sizeBefore: settled.sizeBefore,
    listSize: settled.listSize,
    staleStagingKeysRemoved,
    dataDate: null,
    dataParts: [],
    listData: null,
    firstRejects,
    seconds,
    rowsPerSecond: seconds > 0 ? counts.rows / seconds : 0,
  };
  // A replace that was not swapped in changed nothing; a plain import keeps what it wrote.
  const wrote = !request.dryRun && (!request.replace || summary.status === 'done');
  if (wrote && summary.status === 'done' && (request.recordDate ?? !deleting)) {
    Object.assign(summary, await recordSource(redis, live.info, request, source, parts.names()));
  }
  if (wrote && request.audit !== false) {
    await store.recordAudit(
      request.list,
      request.replace ? 'replace' : deleting ? 'delete' : 'import',
      request.actor,
      auditDetails(summary, request, rules?.expiresIndex !== undefined),
    );
  }
  return summary;
}

/** The dense plan whose national files `--country` names; an ImportError for a region without one. */
export function nationalPlanOf(country: string): DensePlan {
  const plan = planOfRegion(country);
  if (!plan) {
    throw new ImportError(
      `--country ${country}: callguard reads plain national files of the NANP (US, CA, ...) and GB; for ${country} use --region ${country}, which reads any layout`,
    );
  }
  return plan;
}

async function* withFastRows(chunks: AsyncIterable<NationalChunk>): AsyncGenerator<{ chunk: RowChunk; fast: NationalChunk }> {
  for await (const fast of chunks) yield { chunk: fast.other, fast };
}

async function* withoutFastRows(chunks: AsyncIterable<RowChunk>): AsyncGenerator<{ chunk: RowChunk }> {
  for await (const chunk of chunks) yield { chunk };
}

/**
 * Dates the parts of the list the file's numbers are in (all of it, for a replace):
 * `--source-date`, else the file's own date (a zip member's, a gzip header's, the
 * file's modification time), else now; and reads back the list's date, the oldest of
 * its parts'. A file that held no number dates nothing.
 */
async function recordSource(
  redis: RedisClient,
  info: string,
  request: ImportRequest,
  source: ImportSource,
  parts: string[],
): Promise<Pick<ImportSummary, 'dataDate' | 'dataParts' | 'listData'>> {
  const recorded: ListSource =
    request.sourceDate !== undefined
      ? { name: source.name, dataDate: request.sourceDate, from: 'flag' }
      : source.fileDate !== undefined
        ? { name: source.name, dataDate: source.fileDate, from: 'file' }
        : { name: source.name, dataDate: request.now ?? Date.now(), from: 'import' };
  if (parts.length === 0) return { dataDate: null, dataParts: [], listData: null };
  defineImportScripts(redis);
  const [oldest, part, partsOfDate] = await redis.callguardImportDateParts(
    info, request.replace ? 'replace' : 'parts', recorded.dataDate, recorded.from, recorded.name, ...parts,
  );
  return {
    dataDate: oldest === undefined ? null : recorded.dataDate,
    dataParts: oldest === undefined ? [] : parts,
    listData: oldest === undefined ? null : { dataDate: Number(oldest), oldest: part ? { part, parts: Number(partsOfDate) } : null },
  };
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
 * would shrink too much, or whose entries changed since `mark` (both checked by the
 * swap itself, atomically with it).
 */
interface Writers {
  batch: BatchWriter;
  dense: DenseWriter | undefined;
  /** a dense list's replace: its new generation, and the one checks read until the swap */
  stagingGen: string | undefined;
  liveGen: string | undefined;
}

async function settle(
  redis: RedisClient,
  namespace: string,
  request: ImportRequest,
  runId: string,
  writers: Writers,
  status: ImportSummary['status'],
  counts: { rows: number; rejected: number },
  now: number,
  mark: ChangeMark,
  lease: ReplaceLease | undefined,
): Promise<Settled> {
  const staging = request.replace && !request.dryRun;
  const guards = request.guards ?? DEFAULT_REPLACE_GUARDS;
  const { stagingGen } = writers;
  const drop = (): Promise<void> => dropStaging(redis, namespace, request.list, runId, stagingGen);
  const [ordinary, dense] = await Promise.all([writers.batch.flush(), writers.dense?.flush()]).catch(async (error: unknown) => {
    if (staging) await drop();
    throw error;
  });
  const written = combined(ordinary, dense);
  const denseNew = dense ? { gen: stagingGen ?? '', size: dense.changed, blocks: dense.blocksCreated - dense.blocksRemoved } : undefined;
  if (staging && status === 'done' && written.exactSize + written.timedSize + (denseNew?.size ?? 0) === 0) {
    await drop();
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
      await drop();
      return { written, listSize: status === 'interrupted' ? null : await listSizeOf(redis, namespace, request.list), sizeBefore, refusal };
    }
    // A lease that lapsed may have let another replace clean these staging keys: what is left of them is not the file.
    await lease?.confirm().catch(async (error: unknown) => {
      await drop();
      throw error;
    });
    const swap = await swapIn(
      redis, namespace, request.list, runId, { ...written, ...(denseNew && stagingGen ? { dense: denseNew } : {}) }, now, guards.force ? 'any' : guards.maxShrinkPercent, mark,
    ).catch(async (error: unknown) => {
      await drop();
      throw error;
    });
    if (swap.outcome === 'changed') {
      await drop();
      refusal = { guard: 'list-changed', source: request.source.name, changes: swap.changes, first: swap.first, bulk: swap.bulk };
      return { written, listSize: await listSizeOf(redis, namespace, request.list), sizeBefore, refusal };
    }
    sizeBefore = swap.sizeBefore;
    if (swap.outcome === 'shrinks') {
      await drop();
      refusal = { guard: 'max-shrink', sizeBefore: swap.sizeBefore, sizeAfter: swap.sizeAfter, maxShrinkPercent: guards.maxShrinkPercent };
    } else if (writers.liveGen !== undefined && stagingGen !== undefined) {
      // Checks read the new generation now; the old one is freed block by block.
      await removeGeneration(redis, listKeys(namespace, request.list).dense, writers.liveGen);
    }
  }
  return { written, listSize: await listSizeOf(redis, namespace, request.list), sizeBefore, refusal };
}

async function listSizeOf(redis: RedisClient, namespace: string, list: string): Promise<ImportSummary['listSize']> {
  const keys = listKeys(namespace, list);
  const [exact, timed, dense] = await Promise.all([redis.scard(keys.exact), redis.zcard(keys.timed), redis.hget(keys.info, 'denseSize')]);
  return { exact, timed, ...(dense === null ? {} : { dense: Number(dense) }) };
}

/** What both writers wrote, as one count: bits of a dense list count as members. */
function combined(ordinary: WriterCounts, dense: DenseCounts | undefined): WriterCounts {
  if (!dense) return ordinary;
  return { ...ordinary, imported: ordinary.imported + dense.changed, duplicates: ordinary.duplicates + dense.unchanged };
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
    ...(request.country ? { country: request.country.toUpperCase() } : {}),
    ...(summary.dataDate !== null ? { dataDate: new Date(summary.dataDate).toISOString() } : {}),
    ...(summary.broken ? { brokenAt: `${describeLine(summary.broken)}: ${summary.broken.problem}` } : {}),
    ...(request.guards?.force && request.replace ? { forced: 'yes' } : {}),
  };
}
