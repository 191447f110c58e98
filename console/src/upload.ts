import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, problemOf, writeHeaders } from './api.js';

/** How often a running job's progress is asked for. */
export const JOB_POLL_MS = 500;

export interface UploadProgress {
  sent: number;
  total: number;
}

/** What a job of the API (an import, a scrub) tells while it runs. */
export interface RunningJob {
  id: string;
  status: string;
  progress: { rows: number };
}

/** The upload's type as the API takes it (it tells a gzip or a zip by its first bytes). */
function contentTypeOf(file: File): string {
  return file.name.endsWith('.gz') ? 'application/gzip' : 'text/csv';
}

/**
 * POSTs `file` as the body of `path` and resolves with the job the API answers 202 with;
 * rejects with the API's problem. XMLHttpRequest streams the File from disk and tells the
 * bytes sent; fetch tells neither.
 */
export function uploadFile<J>(path: string, file: File, onProgress: (progress: UploadProgress) => void): Promise<J> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', contentTypeOf(file));
    xhr.setRequestHeader('accept', 'application/json');
    for (const [name, value] of Object.entries(writeHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress({ sent: event.loaded, total: event.total || file.size });
    xhr.onerror = () => reject(new ApiError({ status: 0, title: 'Upload failed', detail: 'the connection to the API broke during the upload' }));
    xhr.onload = async () => {
      if (xhr.status !== 202) {
        reject(new ApiError(await problemOf(new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText }))));
        return;
      }
      onProgress({ sent: file.size, total: file.size });
      resolve((JSON.parse(xhr.responseText) as { job: J }).job);
    };
    xhr.send(file);
  });
}

/**
 * Asks `path` for the job until it is no longer running: each answer with the rows a
 * second since the answer before (undefined while no row was read since). Resolves with
 * the last, or undefined once `signal` aborts (the page was left: the job goes on at
 * the API, unasked); rejects with the API's problem when asking fails.
 */
export async function followJob<J extends RunningJob>(
  path: string,
  first: J,
  onJob: (job: J, rowsPerSecond: number | undefined) => void,
  signal: AbortSignal,
): Promise<J | undefined> {
  let current = first;
  let last = { rows: current.progress.rows, at: performance.now() };
  onJob(current, undefined);
  while (current.status === 'running') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, JOB_POLL_MS);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    if (signal.aborted) return undefined;
    current = (await get<{ job: J }>(path, signal)).job;
    const now = performance.now();
    const rate = current.progress.rows > last.rows ? ((current.progress.rows - last.rows) * 1000) / (now - last.at) : undefined;
    last = { rows: current.progress.rows, at: now };
    onJob(current, rate);
  }
  return current;
}

/** Where a page's job is: none under way, its file going up, or the job running at the API. */
export type JobPhase = 'idle' | 'uploading' | 'running';

export interface JobStart<J extends RunningJob> {
  /** where the file goes (POST), and where the job it starts is asked for */
  uploadPath: string;
  jobPath: (id: string) => string;
  file: File;
  /** the start is taken (not called for one ignored): the page clears what the last job showed */
  onBegin: () => void;
  /** null: the upload failed or was refused, so there is no progress to show */
  onUpload: (progress: UploadProgress | null) => void;
  onJob: (job: J, rowsPerSecond: number | undefined) => void;
}

/**
 * Starts a page's jobs one at a time: a start while one is uploading or running is
 * ignored (a second click would start a second job; a ref, not the phase, tells, as two
 * clicks can come before the page renders again). `run` uploads, follows the job, and
 * resolves with its end, or undefined once the page was left: the job goes on at the
 * API, but nothing of the page asks after it any more.
 */
export function useJobRunner<J extends RunningJob>(): { phase: JobPhase; run: (start: JobStart<J>) => Promise<J | undefined> } {
  const [phase, setPhase] = useState<JobPhase>('idle');
  const busy = useRef(false);
  const left = useRef(new AbortController());
  useEffect(() => () => left.current.abort(), []);
  const run = async ({ uploadPath, jobPath, file, onBegin, onUpload, onJob }: JobStart<J>): Promise<J | undefined> => {
    if (busy.current) return undefined;
    busy.current = true;
    setPhase('uploading');
    onBegin();
    const { signal } = left.current;
    try {
      const first = await uploadFile<J>(uploadPath, file, onUpload).catch((error: unknown) => {
        onUpload(null);
        throw error;
      });
      if (signal.aborted) return undefined;
      setPhase('running');
      return await followJob(jobPath(first.id), first, onJob, signal);
    } catch (error) {
      if (signal.aborted) return undefined;
      throw error;
    } finally {
      busy.current = false;
      if (!signal.aborted) setPhase('idle');
    }
  };
  return { phase, run };
}
