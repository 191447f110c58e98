import { useEffect, useState } from 'preact/hooks';
import { defaultRegionText, problemOfError, withQuery, writeHeaders, type Problem, type Session } from '../api.js';
import { loadLists } from '../lists-data.js';
import { Counts, FileDrop, Field, formatBytes, Notice, ProblemBox, Select, useLoad } from '../ui.js';
import { useJobRunner, type JobPhase, type UploadProgress } from '../upload.js';

/** The start of the file that the preview reads: enough for its first rows. */
const PREVIEW_BYTES = 64 * 1024;

interface Preview {
  gzip: boolean;
  delimiter: string | null;
  header: string[] | null;
  numberColumn: number;
  expiresColumn: number | null;
  rows: { line: number; cells: string[]; member: string | null; reason: string | null }[];
}

interface Job {
  id: string;
  status: string;
  progress: { rows: number; imported: number; duplicates: number; rejected: number; bytesRead: number; totalBytes: number | null };
  summary: { rows: number; imported: number; duplicates: number; rejected: number; seconds: number; rowsPerSecond: number; status: string; listSize: { exact: number; timed: number } | null } | null;
  error: { status: number; detail: string } | null;
  rejects: string | null;
}

interface Options {
  region: string;
  column: string;
  onDuplicate: 'skip' | 'override';
  replace: boolean;
  expiry: 'never' | 'for' | 'until';
  duration: string;
  until: string;
  reason: string;
}

function optionQuery(options: Options): Record<string, string | boolean | undefined> {
  return {
    region: options.region.trim() || undefined,
    column: options.column.trim() || undefined,
    for: options.expiry === 'for' ? options.duration.trim() : undefined,
    until: options.expiry === 'until' && options.until ? new Date(options.until).toISOString() : undefined,
  };
}

/**
 * Drop a file, check how it will be read, import it with live progress; the file goes up as a stream, never through the page's memory.
 * `replace`: opened to load `list` again whole (a lost-entries warning's advice), so Replace starts ticked for it.
 */
export function ImportPage({ session, list: given, replace }: { session: Session; list: string; replace: boolean }) {
  const lists = useLoad(loadLists, []);
  const [list, setList] = useState(given);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [options, setOptions] = useState<Options>({ region: '', column: '', onDuplicate: 'skip', replace: replace && given !== '', expiry: 'never', duration: '30d', until: '', reason: '' });
  const [upload, setUpload] = useState<UploadProgress | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [rate, setRate] = useState<number | null>(null);
  const runner = useJobRunner<Job>();
  useEffect(() => {
    if (!list && lists.data?.[0]) setList(lists.data[0].name);
  }, [lists.data]);
  const set = <K extends keyof Options>(key: K) => (value: Options[K]) => setOptions((old) => ({ ...old, [key]: value }));

  useEffect(() => {
    if (!file || !list) return;
    let live = true;
    const start = file.slice(0, PREVIEW_BYTES);
    fetch(withQuery(`/v1/lists/${list}/import/preview`, { ...optionQuery(options), partial: file.size > PREVIEW_BYTES }), {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', accept: 'application/json', ...writeHeaders() },
      credentials: 'same-origin',
      body: start,
    })
      .then(async (response) => {
        const body = await response.json();
        if (!live) return;
        if (response.ok) {
          setPreview(body as Preview);
          setProblem(null);
        } else {
          setPreview(null);
          setProblem({ status: response.status, title: body.title ?? 'Refused', detail: body.detail ?? response.statusText, errors: body.errors });
        }
      })
      .catch((error: unknown) => live && setProblem(problemOfError(error)));
    return () => {
      live = false;
    };
  }, [file, list, options.region, options.column, options.expiry, options.duration, options.until]);

  const choose = (chosen: File) => {
    setFile(chosen);
    setJob(null);
    setUpload(null);
  };

  const start = async () => {
    if (!file) return;
    const query = { ...optionQuery(options), onDuplicate: options.onDuplicate, replace: options.replace || undefined, reason: options.reason.trim() || undefined, filename: file.name };
    try {
      const ended = await runner.run({
        uploadPath: withQuery(`/v1/lists/${list}/import`, query),
        jobPath: (id) => `/v1/jobs/${id}`,
        file,
        onBegin: () => {
          setProblem(null);
          setJob(null);
        },
        onUpload: setUpload,
        onJob: (current, rowsPerSecond) => {
          setJob(current);
          if (rowsPerSecond !== undefined) setRate(rowsPerSecond);
        },
      });
      if (ended) lists.reload();
    } catch (error) {
      setProblem(problemOfError(error));
    }
  };

  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">Import</h1>
      <div class="row wrap">
        <Select
          label="Into list"
          value={list}
          onValue={(chosen) => {
            // Replace empties whatever is not in the file: ticked for one list, it is not carried to another unasked.
            if (chosen !== list) set('replace')(false);
            setList(chosen);
          }}
          options={(lists.data ?? []).map((item) => item.name)}
        />
      </div>
      <FileDrop id="import-file" label="Drop a file here (CSV, one number a line, or gzip), or choose one" accept=".csv,.txt,.gz,text/csv,text/plain,application/gzip" file={file} onFile={choose} />
      {preview && file && <PreviewTable preview={preview} />}
      {file && (
        <form
          class="panel"
          aria-label="Import options"
          onSubmit={(event) => {
            event.preventDefault();
            void start();
          }}
        >
          <div class="row wrap">
            <Field label="Region of national numbers" value={options.region} onValue={set('region')} placeholder={defaultRegionText(session)} hint="e.g. DE" />
            <Field label="Number column" value={options.column} onValue={set('column')} placeholder={preview ? String(preview.numberColumn) : ''} hint="position from 1, or header name" />
            <Select label="On duplicate" value={options.onDuplicate} onValue={(value) => set('onDuplicate')(value as Options['onDuplicate'])} options={[['skip', 'skip (keep the entry)'], ['override', 'override (take the file’s expiry)']]} />
            <Select label="Expiry" value={options.expiry} onValue={(value) => set('expiry')(value as Options['expiry'])} options={[['never', 'never'], ['for', 'after a time'], ['until', 'at a date']]} />
            {options.expiry === 'for' && <Field label="Expires after" value={options.duration} onValue={set('duration')} hint="30d, 2w, 1y" />}
            {options.expiry === 'until' && <Field label="Expires at" type="datetime-local" value={options.until} onValue={set('until')} />}
            <Field label="Reason" value={options.reason} onValue={set('reason')} placeholder="weekly DNC" />
          </div>
          <div class="check">
            <input id="import-replace" type="checkbox" checked={options.replace} onChange={(event) => set('replace')(event.currentTarget.checked)} />
            <label for="import-replace">Replace the whole list with this file (atomic: calls see the old list until the new one is complete)</label>
          </div>
          <button type="submit" disabled={runner.phase !== 'idle' || !list}>
            {IMPORT_BUTTON[runner.phase]}
          </button>
        </form>
      )}
      <ProblemBox problem={problem} />
      {(upload || job) && file && <Progress file={file} upload={upload} job={job} rate={rate} />}
    </section>
  );
}

/** The start button says what it waits for while it cannot start another import. */
const IMPORT_BUTTON: Record<JobPhase, string> = { idle: 'Start import', uploading: 'Uploading the file…', running: 'Import running…' };

function PreviewTable({ preview }: { preview: Preview }) {
  const columns = Math.max(1, ...preview.rows.map((row) => row.cells.length), preview.header?.length ?? 0);
  const names = Array.from({ length: columns }, (_, i) => preview.header?.[i] ?? `column ${i + 1}`);
  return (
    <section aria-labelledby="preview-title" class="panel">
      <h2 id="preview-title">How the file will be read</h2>
      <dl class="facts">
        <dt>Delimiter</dt>
        <dd>{preview.delimiter ?? 'none (one number a line)'}</dd>
        <dt>Header</dt>
        <dd>{preview.header ? preview.header.join(' | ') : 'none (the first row is data)'}</dd>
        <dt>Number column</dt>
        <dd>
          {preview.numberColumn}
          {preview.header ? ` (${preview.header[preview.numberColumn - 1] ?? ''})` : ''}
        </dd>
        {preview.gzip && (
          <>
            <dt>Compressed</dt>
            <dd>gzip</dd>
          </>
        )}
      </dl>
      <div class="scroll">
        <table aria-label="First rows">
          <thead>
            <tr>
              <th>Line</th>
              {names.map((name, i) => (
                <th key={i} class={i + 1 === preview.numberColumn ? 'picked' : ''}>
                  {name}
                </th>
              ))}
              <th>Stored as</th>
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row) => (
              <tr key={row.line} class={row.member ? '' : 'rejected'}>
                <td class="num">{row.line}</td>
                {names.map((_, i) => (
                  <td key={i} class={i + 1 === preview.numberColumn ? 'picked' : ''}>
                    {row.cells[i] ?? ''}
                  </td>
                ))}
                <td>{row.member ? <code>{row.member}</code> : <span class="bad">rejected: {row.reason}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Progress({ file, upload, job, rate }: { file: File; upload: UploadProgress | null; job: Job | null; rate: number | null }) {
  const uploading = job === null;
  const total = job?.progress.totalBytes ?? file.size;
  const read = job ? (job.status === 'running' ? job.progress.bytesRead : total) : (upload?.sent ?? 0);
  const percent = Math.min(100, Math.round((100 * read) / Math.max(1, uploading ? (upload?.total ?? file.size) : total)));
  const counts = job?.summary ?? job?.progress;
  return (
    <section aria-labelledby="progress-title" class="panel">
      <h2 id="progress-title">{uploading ? 'Uploading' : job.status === 'running' ? 'Importing' : `Import ${job.status}`}</h2>
      <progress max={100} value={percent} aria-label={uploading ? 'Upload' : 'Import progress'}>
        {percent}%
      </progress>
      <p>
        {percent}% {uploading ? `of ${formatBytes(file.size)} sent` : `of ${formatBytes(total)} read`}
        {job?.status === 'running' && rate !== null && ` · ${Math.round(rate).toLocaleString()} rows/s`}
      </p>
      {counts && (
        <Counts
          counts={[
            ['rows', 'Rows', counts.rows],
            ['imported', 'Imported', counts.imported],
            ['duplicates', 'Duplicates', counts.duplicates],
            ['rejected', 'Rejected', counts.rejected],
          ]}
        />
      )}
      {job?.summary && (
        <Notice>
          {job.summary.rows.toLocaleString()} rows in {job.summary.seconds.toFixed(1)} s ({Math.round(job.summary.rowsPerSecond).toLocaleString()} rows/s)
          {job.summary.listSize && `; the list now holds ${(job.summary.listSize.exact + job.summary.listSize.timed).toLocaleString()} entries`}.
        </Notice>
      )}
      {job?.error && <ProblemBox problem={{ status: job.error.status, title: 'Import failed', detail: job.error.detail }} />}
      {job?.rejects && (
        <a class="button" href={job.rejects} download={`${file.name}-rejects.csv`}>
          Download the rejected rows
        </a>
      )}
    </section>
  );
}
