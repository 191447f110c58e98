import { Fragment, type ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { problemOfError, type Problem } from './api.js';

/** One formatter for every time shown: making one per call costs more than the rest of a 1,000-row table. */
const LOCAL_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A time in the browser's zone, its UTC form on hover. */
export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span class="muted">—</span>;
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return <span>{at}</span>;
  const utc = date.toISOString();
  return (
    <time dateTime={utc} title={`UTC: ${utc.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z')}`}>
      {LOCAL_TIME.format(date)}
    </time>
  );
}

/**
 * An entry's reason, who added it and when, as three cells of its row; an entry with no
 * record of its own (no one who added it) came from an import.
 */
export function EntryRecordCells({ entry }: { entry: { reason: string | null; by: string | null; addedAt: string | null } }) {
  return (
    <>
      <td>{entry.reason || <span class="muted">{entry.by ? '—' : '(imported)'}</span>}</td>
      <td>{entry.by ?? ''}</td>
      <td>
        <Time at={entry.addedAt} />
      </td>
    </>
  );
}

/** `3 h ago`, `in 29 d`: how far a time is from now. */
export function ago(at: string | null | undefined, now = Date.now()): string {
  if (!at) return '—';
  const ms = Date.parse(at) - now;
  const span = Math.abs(ms);
  const [value, unit] = span < 60_000 ? [Math.round(span / 1000), 's'] : span < 3_600_000 ? [Math.round(span / 60_000), 'min'] : span < 86_400_000 ? [Math.round(span / 3_600_000), 'h'] : [Math.round(span / 86_400_000), 'd'];
  return ms < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

/** What the API refused, with each field at fault. */
export function ProblemBox({ problem }: { problem: Problem | null }) {
  if (!problem) return null;
  return (
    <div class="problem" role="alert">
      <strong>{problem.title}</strong>: {problem.detail}
      {problem.errors && problem.errors.length > 1 && (
        <ul>
          {problem.errors.slice(0, 10).map((error) => (
            <li key={error.field}>
              <code>{error.field}</code>: {error.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="notice" role="status">
      {children}
    </div>
  );
}

interface InputProps {
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string;
  type?: 'text' | 'search' | 'password' | 'datetime-local';
  placeholder?: string;
  required?: boolean;
  pattern?: string;
  autoFocus?: boolean;
  autoComplete?: string;
  spellcheck?: boolean;
  inputMode?: 'numeric' | 'text';
}

/** A labelled text field. */
export function Field({ label, value, onValue, hint, type = 'text', ...rest }: InputProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} type={type as 'text'} value={value} onInput={(event) => onValue(event.currentTarget.value)} aria-describedby={hint ? `${id}-hint` : undefined} {...rest} />
      {hint && (
        <small id={`${id}-hint`} class="muted">
          {hint}
        </small>
      )}
    </div>
  );
}

export function Select({ label, value, onValue, options }: { label: string; value: string; onValue: (value: string) => void; options: (string | [string, string])[] }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onValue(event.currentTarget.value)}>
        {options.map((option) => {
          const [key, text] = typeof option === 'string' ? [option, option] : option;
          return (
            <option key={key} value={key}>
              {text}
            </option>
          );
        })}
      </select>
    </div>
  );
}

/**
 * A field's text that starts as a value from the address and follows it when the address
 * changes. Not an effect on every render: a mount-time effect runs a frame after the page is
 * drawn and wiped what a fast hand (or a test) had typed in that frame.
 */
export function useFieldFollowing(value: string): [string, (text: string) => void] {
  const [text, setText] = useState(value);
  const followed = useRef(value);
  if (followed.current !== value) {
    followed.current = value;
    setText(value);
  }
  return [text, setText];
}

/** Loads `load()` when `key` changes: the data, the problem, and a reload. */
export function useLoad<T>(load: () => Promise<T>, key: unknown[]): { data: T | undefined; problem: Problem | null; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; problem: Problem | null; loading: boolean }>({ data: undefined, problem: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((old) => ({ ...old, loading: true }));
    load().then(
      (data) => live && setState({ data, problem: null, loading: false }),
      (error: unknown) => live && setState({ data: undefined, problem: problemOfError(error), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...key, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

export function Verdict({ verdict }: { verdict: string }) {
  return <span class={`verdict verdict-${verdict}`}>{verdict}</span>;
}

/** A table's header row: one column heading each. */
export function TableHead({ columns }: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th key={column}>{column}</th>
        ))}
      </tr>
    </thead>
  );
}

/** A job's counts, each value found by its key (`data-count`). */
export function Counts({ counts }: { counts: [key: string, label: string, value: number][] }) {
  return (
    <dl class="facts counts" aria-label="Counts">
      {counts.map(([key, label, value]) => (
        <Fragment key={key}>
          <dt>{label}</dt>
          <dd data-count={key}>{value.toLocaleString()}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** A file dropped on the box or chosen with its button; the chosen one named with its size. */
export function FileDrop({ id, label, accept, file, onFile }: { id: string; label: string; accept: string; file: File | null; onFile: (file: File) => void }) {
  const [dragging, setDragging] = useState(false);
  const choose = (files: FileList | null | undefined) => {
    const chosen = files?.[0];
    if (chosen) onFile(chosen);
  };
  return (
    <div
      class={`drop ${dragging ? 'dragging' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        choose(event.dataTransfer?.files);
      }}
    >
      <label for={id}>{label}</label>
      <input id={id} type="file" accept={accept} onChange={(event) => choose(event.currentTarget.files)} />
      {file && (
        <p>
          <strong>{file.name}</strong> ({formatBytes(file.size)})
        </p>
      )}
    </div>
  );
}
