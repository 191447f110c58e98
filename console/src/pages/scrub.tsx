import { useEffect, useState } from 'preact/hooks';
import { defaultRegionText, problemOfError, withQuery, type Problem, type Session } from '../api.js';
import { loadLists, type ListInfo } from '../lists-data.js';
import { Counts, FileDrop, Field, formatBytes, Notice, ProblemBox, useLoad } from '../ui.js';
import { useJobRunner, type JobPhase, type UploadProgress } from '../upload.js';

/** A scrub job as GET /v1/scrubs/{id} answers it. */
interface ScrubJob {
  id: string;
  lists: string[];
  source: string;
  /** the region national numbers are read with; null: none, a national number is rejected */
  region: string | null;
  status: 'running' | 'done' | 'interrupted' | 'failed';
  progress: { rows: number; bytesRead: number; totalBytes: number | null };
  summary: { rows: number; clean: number; removed: number; rejected: number; byList: Record<string, number>; seconds: number; rowsPerSecond: number } | null;
  error: { status: number; detail: string } | null;
  files: { clean: string; removed: string; rejects: string } | null;
}

const FILES = [
  ['clean', 'Download the clean rows', 'the rows on no list: the ones to dial'],
  ['removed', 'Download the removed rows', 'with the list and the entry that matched (callguard_list, callguard_entry)'],
  ['rejects', 'Download the rejected rows', 'line, raw, reason (and the member, for a zip): rows without a number that can be checked'],
] as const;

/**
 * A lead file split as `callguard scrub` splits it, before a campaign dials it: against
 * the lists chosen, in the order chosen, the API's job doing the work; the page uploads,
 * follows the job and offers its files.
 */
export function ScrubPage({ session }: { session: Session }) {
  const lists = useLoad(loadLists, []);
  const [chosen, setChosen] = useState<string[]>([]);
  const [file, setFile] = useState<File | null>(null);
  const [region, setRegion] = useState('');
  const [column, setColumn] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [upload, setUpload] = useState<UploadProgress | null>(null);
  const [job, setJob] = useState<ScrubJob | null>(null);
  const runner = useJobRunner<ScrubJob>();
  // The lists are asked again after each scrub: one removed since it was ticked is no longer offered, one found damaged is marked.
  useEffect(() => {
    if (lists.data) setChosen((old) => old.filter((name) => lists.data?.some((list) => list.name === name)));
  }, [lists.data]);

  const choose = (picked: File) => {
    setFile(picked);
    setJob(null);
    setUpload(null);
  };

  const start = async () => {
    if (!file || chosen.length === 0) return;
    const query = { lists: chosen.join(','), region: region.trim(), column: column.trim(), filename: file.name };
    const begin = () => {
      setProblem(null);
      setJob(null);
    };
    try {
      if (!(await runner.run({ uploadPath: withQuery('/v1/scrub', query), jobPath: (id) => `/v1/scrubs/${id}`, file, onBegin: begin, onUpload: setUpload, onJob: setJob }))) return;
    } catch (error) {
      setProblem(problemOfError(error));
    }
    lists.reload();
  };

  return (
    <section aria-labelledby="scrub-title">
      <h1 id="scrub-title">Scrub a lead file</h1>
      <p class="muted">
        Before a campaign dials a lead file, take out the numbers on do-not-call lists: you get back the clean rows, the removed rows with the list that holds each, and the rows
        without a number that can be checked.
      </p>
      <ProblemBox problem={lists.problem} />
      {lists.data && <ListChoice lists={lists.data} chosen={chosen} onChosen={setChosen} />}
      <FileDrop
        id="scrub-file"
        label="Drop a lead file here (CSV with any columns, one number a line, gzip or zip), or choose one"
        accept=".csv,.txt,.gz,.zip,text/csv,text/plain,application/gzip,application/zip"
        file={file}
        onFile={choose}
      />
      <form
        class="panel"
        aria-label="Scrub options"
        onSubmit={(event) => {
          event.preventDefault();
          void start();
        }}
      >
        <div class="row wrap">
          <Field label="Region of national numbers" value={region} onValue={setRegion} placeholder={defaultRegionText(session)} hint="e.g. DE, US" />
          <Field label="Number column" value={column} onValue={setColumn} placeholder="found from the header" hint="position from 1, or header name" />
        </div>
        <button type="submit" disabled={runner.phase !== 'idle' || !file || chosen.length === 0}>
          {SCRUB_BUTTON[runner.phase]}
        </button>
        {(!file || chosen.length === 0) && <small class="muted"> {chosen.length === 0 ? 'Tick at least one list' : 'Choose a file'} to start.</small>}
      </form>
      <ProblemBox problem={problem} />
      {(upload || job) && file && <ScrubProgress file={file} upload={upload} job={job} />}
    </section>
  );
}

/** The start button says what it waits for while it cannot start another scrub. */
const SCRUB_BUTTON: Record<JobPhase, string> = { idle: 'Start scrub', uploading: 'Uploading the file…', running: 'Scrub running…' };

/** The lists to check, ticked, and the order they are asked in (first match wins), which the user sets. */
function ListChoice({ lists, chosen, onChosen }: { lists: ListInfo[]; chosen: string[]; onChosen: (chosen: string[]) => void }) {
  if (lists.length === 0) return <Notice>There is no list to scrub against: a supervisor creates lists on the Lists page.</Notice>;
  const toggle = (name: string, on: boolean) => onChosen(on ? [...chosen, name] : chosen.filter((item) => item !== name));
  const earlier = (index: number) => onChosen(chosen.map((item, i) => (i === index - 1 ? chosen[index] : i === index ? chosen[index - 1] : item) as string));
  return (
    <div class="panel">
      <fieldset class="choices">
        <legend>Lists to check</legend>
        {lists.map((list) => (
          <div class="check" key={list.name}>
            <input id={`scrub-list-${list.name}`} type="checkbox" checked={chosen.includes(list.name)} onChange={(event) => toggle(list.name, event.currentTarget.checked)} />
            <label for={`scrub-list-${list.name}`}>
              {list.name} <span class="muted small">({list.size.toLocaleString()} {list.size === 1 ? 'entry' : 'entries'}{list.enabled ? '' : '; disabled: it removes nothing'}
                {list.lost > 0 || list.lostBlocks > 0 ? '; lost entries, see Lists: a number it cannot tell fails the scrub' : ''})
              </span>
            </label>
          </div>
        ))}
      </fieldset>
      {chosen.length > 0 && (
        <>
          <h2 id="scrub-order">Order of the check</h2>
          <p class="muted small">A number on several lists is removed once, named with the first list here that holds it.</p>
          <ol aria-labelledby="scrub-order" class="order">
            {chosen.map((name, i) => (
              <li key={name}>
                <span class="name">{name}</span>
                {i > 0 && (
                  <button type="button" class="link" aria-label={`Check ${name} earlier`} onClick={() => earlier(i)}>
                    ↑ earlier
                  </button>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

const HEADINGS: Record<ScrubJob['status'], string> = { running: 'Scrubbing', done: 'Scrub done', interrupted: 'Scrub interrupted', failed: 'Scrub failed' };

function ScrubProgress({ file, upload, job }: { file: File; upload: UploadProgress | null; job: ScrubJob | null }) {
  const total = job?.progress.totalBytes ?? upload?.total ?? file.size;
  const done = job === null ? (upload?.sent ?? 0) : job.status === 'running' ? job.progress.bytesRead : total;
  const percent = Math.min(100, Math.round((100 * done) / Math.max(1, total)));
  return (
    <section aria-labelledby="scrub-progress-title" class="panel">
      <h2 id="scrub-progress-title">{job === null ? 'Uploading' : HEADINGS[job.status]}</h2>
      {job && <p>{job.region === null ? 'No region: national numbers are rejected (set one above to read them).' : `National numbers are read as numbers of ${job.region}.`}</p>}
      {job?.status !== 'failed' && (
        <>
          <progress max={100} value={percent} aria-label={job === null ? 'Upload' : 'Scrub progress'}>
            {percent}%
          </progress>
          <p>
            {percent}% {job === null ? `of ${formatBytes(file.size)} sent` : `of ${formatBytes(total)} read`}
            {job?.status === 'running' && ` · ${job.progress.rows.toLocaleString()} rows`}
          </p>
        </>
      )}
      {job?.summary && <Summary summary={job.summary} lists={job.lists} />}
      {job?.status === 'failed' && job.error && (
        <>
          <ProblemBox problem={{ status: job.error.status, title: 'Scrub failed', detail: job.error.detail }} />
          <p>Nothing of a failed scrub is kept, so no file is offered: mend what is named above and start again.</p>
        </>
      )}
      {job?.status === 'interrupted' && <p>The API stopped before the end of the file, so no file is offered: start the scrub again.</p>}
      {job?.files && <Downloads files={job.files} />}
    </section>
  );
}

function Summary({ summary, lists }: { summary: NonNullable<ScrubJob['summary']>; lists: string[] }) {
  return (
    <>
      <Counts
        counts={[
          ['rows', 'Rows', summary.rows],
          ['clean', 'Clean', summary.clean],
          ['removed', 'Removed', summary.removed],
          ['rejected', 'Rejected', summary.rejected],
        ]}
      />
      <div class="scroll">
        <table aria-label="Removed by list">
          <thead>
            <tr>
              <th>List (in the order checked)</th>
              <th class="num">Rows removed</th>
            </tr>
          </thead>
          <tbody>
            {lists.map((list) => (
              <tr key={list}>
                <td class="name">{list}</td>
                <td class="num">{(summary.byList[list] ?? 0).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted small">
        {summary.rows.toLocaleString()} rows in {summary.seconds.toFixed(1)} s ({Math.round(summary.rowsPerSecond).toLocaleString()} rows/s).
      </p>
    </>
  );
}

function Downloads({ files }: { files: NonNullable<ScrubJob['files']> }) {
  return (
    <>
      <ul class="downloads">
        {FILES.map(([file, label, what]) => (
          <li key={file}>
            <a class="button" href={files[file]} download>
              {label}
            </a>{' '}
            <span class="muted small">{what}</span>
          </li>
        ))}
      </ul>
      <Notice>The files are kept for a day by the API instance that ran the scrub, and go when it stops: download them now.</Notice>
    </>
  );
}
