import { useState } from 'preact/hooks';
import { get, problemOfError, request, roleAtLeast, withQuery, type Problem, type Session } from '../api.js';
import { loadLists, type ListInfo } from '../lists-data.js';
import { go, href } from '../router.js';
import { ago, EntryRecordCells, Field, Notice, ProblemBox, Select, TableHead, Time, useFieldFollowing, useLoad } from '../ui.js';

interface Listed {
  list: string;
  member: string;
  kind: 'exact' | 'prefix';
  expiresAt: string | null;
  reason: string | null;
  by: string | null;
  addedAt: string | null;
  enabled: boolean;
}

interface HistoryEvent {
  id: string;
  list: string;
  action: string;
  at: string | null;
  by: string;
  reason: string | null;
  member: string | null;
}

interface NumberReport {
  input: string;
  member: string;
  listed: Listed[];
  cancelled: { list: string; member: string; reason: string; by: string; at: string | null }[];
  history: HistoryEvent[];
  /** lists that lost entries outside callguard and cannot tell whether they hold it */
  cannotTell: string[];
}

/** The start page: everything about one number, and adding or cancelling it right there. */
export function SearchPage({ session, number }: { session: Session; number: string }) {
  const [input, setInput] = useFieldFollowing(number);
  const report = useLoad(() => (number === '' ? Promise.resolve(undefined) : get<NumberReport>(withQuery(`/v1/numbers/${encodeURIComponent(number)}`, { limit: 50 }))), [number]);
  const lists = useLoad(loadLists, []);
  const search = (event: Event) => {
    event.preventDefault();
    go('search', [], { number: input.trim() });
  };
  const data = report.data;
  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Number search</h1>
      <form class="row" role="search" onSubmit={search}>
        <Field label="Number" type="search" value={input} onValue={setInput} placeholder="030 1234567, +49 30 1234567, tel:+4930…" hint="any form: national (the API's region), E.164, spaced, tel:; a prefix ends in *" autoFocus />
        <button type="submit">Search</button>
      </form>
      <ProblemBox problem={report.problem} />
      {data && (
        <>
          <h2>
            <code>{data.member}</code>{' '}
            {data.listed.length > 0 ? (
              <span class="badge blocked">on {data.listed.length} list{data.listed.length === 1 ? '' : 's'}</span>
            ) : data.cannotTell.length === 0 ? (
              <span class="badge clear">on no list</span>
            ) : (
              <span class="badge lost">on no list that can tell</span>
            )}
          </h2>
          {data.cannotTell.length > 0 && <CannotTell lists={data.cannotTell} member={data.member} />}
          {/* Keyed by the number: what was typed or done for one number is not left standing on the next one's page. */}
          {data.listed.length > 0 && <ListedTable key={data.member} listed={data.listed} session={session} member={data.member} onChanged={report.reload} />}
          {roleAtLeast(session.role, 'operator') && lists.data && <AddForm key={data.member} lists={lists.data} number={data.member} onAdded={report.reload} />}
          {data.cancelled.length > 0 && (
            <>
              <h3>Cancellations</h3>
              <div class="scroll">
                <table aria-label="Cancellations">
                  <TableHead columns={['List', 'Reason', 'By', 'When']} />
                  <tbody>
                    {data.cancelled.map((c) => (
                      <tr key={c.list}>
                        <td>{c.list}</td>
                        <td>{c.reason}</td>
                        <td>{c.by}</td>
                        <td>
                          <Time at={c.at} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
          <h3>History</h3>
          {data.history.length === 0 ? (
            <p class="muted">No changes recorded for this number.</p>
          ) : (
            <div class="scroll">
              <table aria-label="History">
                <TableHead columns={['When', 'List', 'Change', 'By', 'Reason']} />
                <tbody>
                  {data.history.map((event) => (
                    <tr key={event.id}>
                      <td>
                        <Time at={event.at} />
                      </td>
                      <td>{event.list}</td>
                      <td>{event.action}</td>
                      <td>{event.by}</td>
                      <td>{event.reason ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** Lists whose keys lost entries cannot say whether they hold it: unknown there, never "not on it". */
function CannotTell({ lists, member }: { lists: string[]; member: string }) {
  const names = lists.join(', ');
  return (
    <Notice>
      <strong>Cannot tell on {names}</strong>: {lists.length === 1 ? 'it' : 'they'} lost entries outside callguard, so whether {lists.length === 1 ? 'it holds' : 'they hold'} <code>{member}</code> is unknown (a check there
      answers “entries lost”, not “not listed”). <a href={href('lists')}>Lists</a> says how to mend {lists.length === 1 ? 'it' : 'them'}.
    </Notice>
  );
}

function ListedTable({ listed, session, member, onChanged }: { listed: Listed[]; session: Session; member: string; onChanged: () => void }) {
  const [cancelling, setCancelling] = useState<Listed | null>(null);
  return (
    <>
      <div class="scroll">
        <table aria-label="Lists holding it">
          <thead>
            <tr>
              <th>List</th>
              <th>Entry</th>
              <th>Expires</th>
              <th>Reason</th>
              <th>By</th>
              <th>Added</th>
              {roleAtLeast(session.role, 'operator') && <th><span class="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {listed.map((entry) => (
              <tr key={`${entry.list} ${entry.member}`}>
                <td>
                  {entry.list}
                  {!entry.enabled && <span class="badge"> disabled</span>}
                </td>
                <td>
                  <code>{entry.member}</code> {entry.kind === 'prefix' && <span class="badge blocked">by prefix</span>}
                </td>
                <td>{entry.expiresAt ? <span title={ago(entry.expiresAt)}><Time at={entry.expiresAt} /></span> : 'never'}</td>
                <EntryRecordCells entry={entry} />
                {roleAtLeast(session.role, 'operator') && (
                  <td>
                    {entry.member === member || entry.kind === 'exact' ? (
                      <button type="button" class="danger" onClick={() => setCancelling(entry)}>
                        Cancel on {entry.list}
                      </button>
                    ) : (
                      <a class="small" href={href('search', [], { number: entry.member })}>
                        cancel the prefix {entry.member}
                      </a>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cancelling && (
        <CancelForm
          entry={cancelling}
          onDone={() => {
            setCancelling(null);
            onChanged();
          }}
          onClose={() => setCancelling(null)}
        />
      )}
    </>
  );
}

function CancelForm({ entry, onDone, onClose }: { entry: Listed; onDone: () => void; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await request('POST', `/v1/lists/${entry.list}/cancellations`, { numbers: [entry.member], reason: reason.trim() });
      onDone();
    } catch (error) {
      setProblem(problemOfError(error));
    }
  };
  return (
    <form class="panel" aria-label={`Cancel ${entry.member} on ${entry.list}`} onSubmit={submit}>
      <h3>
        Cancel <code>{entry.member}</code> on {entry.list}
      </h3>
      <p class="muted">It stops matching at once; the cancellation and its reason stay in the history.</p>
      <Field label="Reason for the cancellation" value={reason} onValue={setReason} required autoFocus />
      <ProblemBox problem={problem} />
      <div class="row">
        <button type="submit" class="danger" disabled={reason.trim() === ''}>
          Cancel number
        </button>
        <button type="button" class="link" onClick={onClose}>
          Keep it
        </button>
      </div>
    </form>
  );
}

function AddForm({ lists, number, onAdded }: { lists: ListInfo[]; number: string; onAdded: () => void }) {
  const [list, setList] = useState(lists[0]?.name ?? '');
  const [reason, setReason] = useState('');
  const [expiry, setExpiry] = useState<'forever' | 'for' | 'until'>('forever');
  const [duration, setDuration] = useState('30d');
  const [until, setUntil] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  if (lists.length === 0) return <p class="muted">No list to add to yet.</p>;
  const submit = async (event: Event) => {
    event.preventDefault();
    setDone(null);
    try {
      const body: Record<string, unknown> = { numbers: [number], reason: reason.trim() };
      if (expiry === 'for') body.for = duration.trim();
      if (expiry === 'until') body.until = new Date(until).toISOString();
      const answer = await request<{ added: number; extended: number; expiresAt: string | null }>('POST', `/v1/lists/${list}/entries`, body);
      setProblem(null);
      setDone(`${number} ${answer.added ? 'added to' : answer.extended ? 'extended on' : 'already on'} ${list}`);
      onAdded();
    } catch (error) {
      setProblem(problemOfError(error));
    }
  };
  return (
    <form class="panel" aria-label="Add to a list" onSubmit={submit}>
      <h3>
        Add <code>{number}</code> to a list
      </h3>
      <div class="row wrap">
        <Select label="List" value={list} onValue={setList} options={lists.map((item) => item.name)} />
        <Field label="Reason" value={reason} onValue={setReason} placeholder="harassing caller" />
        <Select label="Expires" value={expiry} onValue={(value) => setExpiry(value as typeof expiry)} options={[['forever', 'never'], ['for', 'after a time'], ['until', 'at a date']]} />
        {expiry === 'for' && <Field label="Expires after" value={duration} onValue={setDuration} hint="30m, 12h, 30d, 2w, 1y" />}
        {expiry === 'until' && <Field label="Expires at" type="datetime-local" value={until} onValue={setUntil} required />}
      </div>
      <ProblemBox problem={problem} />
      {done && <Notice>{done}</Notice>}
      <button type="submit">Add number</button>
    </form>
  );
}
