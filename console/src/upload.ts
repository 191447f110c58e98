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
 * the last; rejects with the API's problem when asking fails.
 */
export async function followJob<J extends RunningJob>(path: string, first: J, onJob: (job: J, rowsPerSecond: number | undefined) => void): Promise<J> {
  let current = first;
  let last = { rows: current.progress.rows, at: performance.now() };
  onJob(current, undefined);
  while (current.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
    current = (await get<{ job: J }>(path)).job;
    const now = performance.now();
    const rate = current.progress.rows > last.rows ? ((current.progress.rows - last.rows) * 1000) / (now - last.at) : undefined;
    last = { rows: current.progress.rows, at: now };
    onJob(current, rate);
  }
  return current;
}
