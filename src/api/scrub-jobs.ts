import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { RedisClient } from '../redis/connect.js';
import { isoTime } from '../front-door/format.js';
import type { ColumnSpec } from '../lists/import/columns.js';
import { RejectsFile } from '../lists/import/rejects.js';
import { openSource } from '../lists/import/source.js';
import { jobKeys } from '../lists/keys.js';
import type { ListStore } from '../lists/store.js';
import type { Logger } from '../log.js';
import { scrubLeads, type ScrubSummary } from '../screening/scrub.js';
import { JobLifecycle } from './job-lifecycle.js';
import { JOB_TTL_MS } from './jobs.js';

/** The files a finished scrub job offers for download. */
export const SCRUB_FILES = ['clean', 'removed', 'rejects'] as const;
export type ScrubFile = (typeof SCRUB_FILES)[number];

/** What an upload asked for: the options of `callguard scrub`. */
export interface ScrubOptions {
  lists: string[];
  region?: string;
  column?: ColumnSpec;
  by: string;
}

export interface ScrubJobRecord {
  id: string;
  lists: string[];
  /** the upload's file name */
  source: string;
  /** the region national numbers are read with (asked, else the API's default); null: none, a national number is rejected */
  region: string | null;
  /** done, interrupted (the API stopped), or failed (a list missing or damaged, a broken file: no file is offered then) */
  status: 'running' | 'failed' | ScrubSummary['status'];
  createdAt: string | null;
  by: string;
  progress: { rows: number; bytesRead: number; totalBytes: number | null };
  summary: ScrubSummary | null;
  error: { status: number; detail: string } | null;
  /** where each result file is, once the job is done; null before and when it failed */
  files: Record<ScrubFile, string> | null;
}

/**
 * Scrub jobs of uploaded lead files: each runs scrubLeads(), the function `callguard
 * scrub` runs, on the upload spooled to a file of this process; its record is kept in
 * Redis (any instance answers GET /v1/scrubs/{id}), its result files stay with the
 * process that ran it, for a day.
 */
export class ScrubJobs {
  private readonly jobs: JobLifecycle;

  private constructor(
    private readonly redis: RedisClient,
    private readonly checker: ListStore,
    private readonly namespace: string,
    /** where uploads and result files are kept, removed at stop */
    readonly dir: string,
    private readonly log: Logger,
    private readonly describeFailure: (error: unknown) => { status: number; detail: string },
  ) {
    this.jobs = new JobLifecycle(dir);
  }

  static async create(
    redis: RedisClient,
    checker: ListStore,
    namespace: string,
    log: Logger,
    describeFailure: (error: unknown) => { status: number; detail: string },
  ): Promise<ScrubJobs> {
    const dir = await mkdtemp(join(tmpdir(), 'callguard-api-scrub-'));
    return new ScrubJobs(redis, checker, namespace, dir, log.child({ component: 'scrub-jobs' }), describeFailure);
  }

  newId(): string {
    return randomBytes(8).toString('hex');
  }

  /** Where a job's upload is spooled to and its result files are written. */
  pathOf(id: string, file: ScrubFile | 'upload'): string {
    return join(this.dir, `${id}.${file}`);
  }

  async start(id: string, sourceName: string, options: ScrubOptions): Promise<ScrubJobRecord> {
    const record: ScrubJobRecord = {
      id, lists: options.lists, source: sourceName, region: options.region ?? null, status: 'running', createdAt: isoTime(Date.now()), by: options.by,
      progress: { rows: 0, bytesRead: 0, totalBytes: null }, summary: null, error: null, files: null,
    };
    await this.save(record);
    this.jobs.launch(id, (signal) => this.run(record, options, signal));
    return record;
  }

  async get(id: string): Promise<ScrubJobRecord | undefined> {
    const text = await this.redis.get(jobKeys(this.namespace).scrub(id));
    return text === null ? undefined : (JSON.parse(text) as ScrubJobRecord);
  }

  /** Interrupts the running jobs, waits for them, removes the files. */
  async stop(): Promise<void> {
    await this.jobs.stop();
  }

  private async run(record: ScrubJobRecord, options: ScrubOptions, signal: AbortSignal): Promise<void> {
    const log = this.log.child({ job: record.id, lists: record.lists });
    const paths = Object.fromEntries(SCRUB_FILES.map((file) => [file, this.pathOf(record.id, file)])) as Record<ScrubFile, string>;
    const clean = createWriteStream(paths.clean);
    const removed = createWriteStream(paths.removed);
    const rejectsOut = createWriteStream(paths.rejects);
    const rejects = new RejectsFile(rejectsOut);
    try {
      const source = { ...(await openSource(this.pathOf(record.id, 'upload'))), name: record.source };
      log.info({ source: record.source, bytes: source.totalBytes }, 'scrub job started');
      const summary = await scrubLeads(this.checker, {
        source, lists: options.lists, clean, removed, rejects, signal,
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.column === undefined ? {} : { column: options.column }),
        onProgress: (progress) => {
          record.progress = { ...progress, totalBytes: progress.totalBytes ?? null };
          this.save(record).catch((error: unknown) => log.warn({ err: error }, 'scrub job progress not saved'));
        },
      });
      clean.end();
      removed.end();
      await Promise.all([finished(clean), finished(removed), rejects.end()]);
      record.status = summary.status;
      record.summary = summary;
      record.progress = { ...record.progress, rows: summary.rows };
      if (summary.status === 'done') record.files = Object.fromEntries(SCRUB_FILES.map((file) => [file, `/v1/scrubs/${record.id}/${file}`])) as Record<ScrubFile, string>;
      log.info({ status: record.status, rows: summary.rows, clean: summary.clean, removed: summary.removed, rejected: summary.rejected }, 'scrub job finished');
    } catch (error) {
      record.status = 'failed';
      record.error = this.describeFailure(error);
      log.warn({ err: error, status: record.error.status }, 'scrub job failed');
    } finally {
      await rm(this.pathOf(record.id, 'upload'), { force: true });
    }
    // What is not offered (a failed or interrupted job's part files) is not kept.
    if (record.files === null) {
      for (const stream of [clean, removed, rejectsOut]) stream.destroy();
      await Promise.all(Object.values(paths).map((path) => rm(path, { force: true })));
    }
    await this.save(record).catch((error: unknown) => log.error({ err: error }, 'scrub job result not saved'));
    this.jobs.expire(JOB_TTL_MS, Object.values(paths));
  }

  private async save(record: ScrubJobRecord): Promise<void> {
    await this.redis.set(jobKeys(this.namespace).scrub(record.id), JSON.stringify(record), 'PX', JOB_TTL_MS);
  }
}
