import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisClient } from '../redis/connect.js';
import { isoTime } from '../front-door/format.js';
import { RejectsFile } from '../lists/import/rejects.js';
import { importList, type ImportProgress, type ImportRequest } from '../lists/import/run.js';
import { ReplaceLease } from '../lists/import/replace-lease.js';
import { openSource } from '../lists/import/source.js';
import type { ImportSummary } from '../lists/import/summary.js';
import { jobKeys } from '../lists/keys.js';
import type { Logger } from '../log.js';
import { JobLifecycle } from './job-lifecycle.js';
import type { ApiMetrics } from './metrics.js';

/** A job's record stays readable this long after it started; its rejects file as long. */
export const JOB_TTL_MS = 24 * 3_600_000;

/** What an upload asked for: the options of `callguard import`. */
export type ImportOptions = Pick<
  ImportRequest,
  'list' | 'region' | 'column' | 'expiresColumn' | 'expiresAt' | 'onDuplicate' | 'replace' | 'dryRun' | 'actor' | 'operation' | 'country' | 'sourceDate'
>;

export interface JobRecord {
  id: string;
  list: string;
  /** what the summary and the audit call the input: the upload's file name */
  source: string;
  /** a finished import's own status (done, interrupted, broken: the file broke at a line, refused: a replace guard), or failed */
  status: 'running' | 'failed' | ImportSummary['status'];
  createdAt: string | null;
  by: string;
  progress: Omit<ImportProgress, 'totalBytes'> & { totalBytes: number | null };
  summary: ImportSummary | null;
  /** why a failed job failed: the problem a request would have got */
  error: { status: number; detail: string } | null;
  /** where the rejected rows are, as CSV line,raw,reason (of a zip: line,raw,reason,member); null while running or when none was rejected */
  rejects: string | null;
}

/**
 * Import jobs of uploads: each runs importList(), the function `callguard import` runs,
 * on the upload spooled to a file of this process, and keeps its progress and summary in
 * Redis (so any instance answers GET /v1/jobs/{id}); the rejects file stays with the
 * process that ran the job.
 */
export class ImportJobs {
  private readonly jobs: JobLifecycle;

  private constructor(
    private readonly redis: RedisClient,
    private readonly bulkRedis: RedisClient,
    private readonly namespace: string,
    /** where uploads and rejects files are kept, removed at stop */
    readonly dir: string,
    private readonly log: Logger,
    metrics: ApiMetrics,
    private readonly describeFailure: (error: unknown) => { status: number; detail: string },
  ) {
    this.jobs = new JobLifecycle(dir, (count) => metrics.importJobsRunning.set(count));
  }

  static async create(
    redis: RedisClient,
    bulkRedis: RedisClient,
    namespace: string,
    log: Logger,
    metrics: ApiMetrics,
    describeFailure: (error: unknown) => { status: number; detail: string },
  ): Promise<ImportJobs> {
    const dir = await mkdtemp(join(tmpdir(), 'callguard-api-'));
    return new ImportJobs(redis, bulkRedis, namespace, dir, log.child({ component: 'import-jobs' }), metrics, describeFailure);
  }

  /** A fresh job id and the path its upload is to be spooled to. */
  newUpload(): { id: string; path: string } {
    const id = randomBytes(8).toString('hex');
    return { id, path: join(this.dir, `${id}.upload`) };
  }

  /**
   * Starts the import of a spooled upload; resolves with the job as first recorded. A
   * replace takes its list's lease first, so a second one is refused (ReplaceBusyError,
   * its upload removed) before it is answered, not as a job that fails after.
   */
  async start(id: string, uploadPath: string, sourceName: string, options: ImportOptions): Promise<JobRecord> {
    const lease =
      options.replace && !options.dryRun
        ? await ReplaceLease.take(this.bulkRedis, this.namespace, options.list, { by: options.actor.by, source: sourceName }).catch(async (error: unknown) => {
            await rm(uploadPath, { force: true });
            throw error;
          })
        : undefined;
    const record: JobRecord = {
      id,
      list: options.list,
      source: sourceName,
      status: 'running',
      createdAt: isoTime(Date.now()),
      by: options.actor.by,
      progress: { rows: 0, imported: 0, duplicates: 0, rejected: 0, bytesRead: 0, totalBytes: null },
      summary: null,
      error: null,
      rejects: null,
    };
    await this.save(record).catch(async (error: unknown) => {
      await lease?.release().catch(() => undefined);
      throw error;
    });
    this.jobs.launch(id, (signal) => this.run(record, uploadPath, options, signal, lease));
    return record;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const text = await this.redis.get(jobKeys(this.namespace).job(id));
    return text === null ? undefined : (JSON.parse(text) as JobRecord);
  }

  /** The rejects file of a job this process ran, while it is kept. */
  rejectsPath(id: string): string {
    return join(this.dir, `${id}.rejects.csv`);
  }

  /** Interrupts the running jobs (a plain import keeps its whole batches, a replace the old list), waits for them, removes the files. */
  async stop(): Promise<void> {
    await this.jobs.stop();
  }

  private async run(record: JobRecord, uploadPath: string, options: ImportOptions, signal: AbortSignal, lease: ReplaceLease | undefined): Promise<void> {
    const log = this.log.child({ job: record.id, list: record.list });
    const rejectsPath = this.rejectsPath(record.id);
    const rejects = new RejectsFile(createWriteStream(rejectsPath));
    try {
      const source = { ...(await openSource(uploadPath)), name: record.source };
      log.info({ source: record.source, bytes: source.totalBytes }, 'import job started');
      const summary = await importList(this.bulkRedis, this.namespace, {
        ...options,
        source,
        rejects,
        signal,
        lease,
        onProgress: (progress) => {
          record.progress = { ...progress, totalBytes: progress.totalBytes ?? null };
          this.save(record).catch((error: unknown) => log.warn({ err: error }, 'job progress not saved'));
        },
      });
      record.status = summary.status;
      record.summary = summary;
      record.progress = { ...record.progress, rows: summary.rows, imported: summary.imported, duplicates: summary.duplicates, rejected: summary.rejected };
      log.info({ status: record.status, rows: summary.rows, imported: summary.imported, rejected: summary.rejected }, 'import job finished');
    } catch (error) {
      record.status = 'failed';
      record.error = this.describeFailure(error);
      log.warn({ err: error, status: record.error.status }, 'import job failed');
    } finally {
      // importList releases it; not when the upload could not be opened.
      await lease?.release().catch((error: unknown) => log.warn({ err: error }, 'replace lease not released'));
      await rejects.end().catch((error: unknown) => log.warn({ err: error }, 'rejects file not closed'));
      await rm(uploadPath, { force: true });
    }
    if (record.progress.rejected > 0) record.rejects = `/v1/jobs/${record.id}/rejects`;
    else await rm(rejectsPath, { force: true });
    await this.save(record).catch((error: unknown) => log.error({ err: error }, 'job result not saved'));
    this.jobs.expire(JOB_TTL_MS, [rejectsPath]);
  }

  private async save(record: JobRecord): Promise<void> {
    await this.redis.set(jobKeys(this.namespace).job(record.id), JSON.stringify(record), 'PX', JOB_TTL_MS);
  }
}
