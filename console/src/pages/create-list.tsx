import { useState } from 'preact/hooks';
import { problemOfError, request, withQuery, type Problem, type WayOut } from '../api.js';
import { Field, Notice, ProblemBox } from '../ui.js';

interface Created {
  list: string;
  /** entries a list of that name left behind when its info was lost, now the new list's */
  leftBehind?: number;
  adopted?: string | null;
}

/** The create form, and what the API says of a create: refused with its ways out, or kept what was left. */
export function CreateList({ onChanged }: { onChanged: () => void }) {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [tried, setTried] = useState('');
  const create = async (body: Record<string, string>) => {
    setTried(body.name ?? '');
    try {
      const created = await request<Created>('POST', '/v1/lists', body);
      setProblem(null);
      setDone(created.leftBehind === undefined ? null : keptWords(created));
      setName('');
      onChanged();
    } catch (error) {
      setDone(null);
      setProblem(problemOfError(error));
    }
  };
  const removed = () => {
    setProblem(null);
    setDone(`Removed what ${tried} left behind: create it now to start it empty.`);
    onChanged();
  };
  // Beside the filter in the page's row; what the API answered takes a row of its own below both.
  return (
    <>
      <form
        class="row"
        aria-label="Create a list"
        onSubmit={(event) => {
          event.preventDefault();
          void create({ name: name.trim() });
        }}
      >
        <Field label="New list name" value={name} onValue={setName} pattern="[a-z0-9][a-z0-9_-]{0,63}" hint="a-z, 0-9, _ and -" />
        <button type="submit" disabled={name.trim() === ''}>
          Create list
        </button>
      </form>
      {(done || problem) && (
        <div class="whole-row">
          {done && <Notice>{done}</Notice>}
          <ProblemBox problem={problem} />
          {problem?.waysOut && <WaysOut key={problem.detail} list={tried} ways={problem.waysOut} onCreate={create} onRemoved={removed} />}
        </div>
      )}
    </>
  );
}

function keptWords(created: Created): string {
  const count = `${(created.leftBehind ?? 0).toLocaleString()} ${created.leftBehind === 1 ? 'entry' : 'entries'}`;
  const generation = created.adopted ? ` (it reads generation ${created.adopted} of the bitmaps left)` : '';
  return `Created ${created.list}: it kept ${count} a list of that name left behind when its info was lost${generation}. Check its size, or load it again with an import that replaces it.`;
}

/** The API's ways past a refused create, each as a button: the page decides none of them. */
function WaysOut({ list, ways, onCreate, onRemoved }: { list: string; ways: WayOut[]; onCreate: (body: Record<string, string>) => Promise<void>; onRemoved: () => void }) {
  const [removing, setRemoving] = useState<WayOut | null>(null);
  return (
    <div class="panel" role="group" aria-label="Ways out">
      <h3>Ways out</h3>
      <div class="row wrap">
        {ways.map((way) =>
          way.way === 'create' && way.body ? (
            <button key={way.path + JSON.stringify(way.body)} type="button" onClick={() => way.body && onCreate(way.body)}>
              Create {way.body.name} as it was{asItWas(way.body)}
            </button>
          ) : way.way === 'remove-left-behind' ? (
            <button key={way.path} type="button" class="danger" disabled={removing !== null} onClick={() => setRemoving(way)}>
              Remove what {list} left behind…
            </button>
          ) : null,
        )}
      </div>
      {removing && <RemoveLeftBehind list={list} way={removing} onRemoved={onRemoved} onKept={() => setRemoving(null)} />}
    </div>
  );
}

function asItWas(body: Record<string, string>): string {
  const kind = [body.dense ? `dense ${body.dense}` : 'not dense', body.generation ? `generation ${body.generation}` : ''].filter(Boolean);
  return ` (${kind.join(', ')})`;
}

/** The removal of what is left asks first, as every removal in the console does: those entries are gone for good. */
function RemoveLeftBehind({ list, way, onRemoved, onKept }: { list: string; way: WayOut; onRemoved: () => void; onKept: () => void }) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const remove = async (event: Event) => {
    event.preventDefault();
    try {
      await request(way.method, withQuery(way.path, { reason }));
      onRemoved();
    } catch (error) {
      setProblem(problemOfError(error));
    }
  };
  return (
    <form class="panel" aria-label={`Remove what ${list} left behind`} onSubmit={remove}>
      <h3>Remove what {list} left behind?</h3>
      <p>The entries and bitmaps its lost info left go for good; its audit stream stays. Then create it again, empty, and load it.</p>
      <Field label="Reason" value={reason} onValue={setReason} />
      <ProblemBox problem={problem} />
      <div class="row">
        <button type="submit" class="danger">
          Remove what is left
        </button>
        <button type="button" class="link" onClick={onKept}>
          Keep it
        </button>
      </div>
    </form>
  );
}
