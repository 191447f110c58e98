import { useState } from 'preact/hooks';
import { get, problemOfError, request, roleAtLeast, withQuery, type Problem, type Session } from '../api.js';
import { loadLists } from '../lists-data.js';
import { go, href } from '../router.js';
import { ago, EntryRecordCells, Field, Notice, ProblemBox, TableHead, Time, useLoad } from '../ui.js';
import { CreateList } from './create-list.js';
import { LostEntries, lostSomething } from './lost-entries.js';

interface ListUse {
  kind: 'route' | 'campaign';
  name: string;
  as: 'block' | 'allow';
}

/** Lists shown at a time: a table of thousands of rows costs the browser more than the API's answer. */
const LISTS_PER_PAGE = 100;
/** Warnings of lost entries in full: an eviction can hit hundreds of lists, and the table would drown below theirs. */
const LOST_WARNINGS = 5;

/** Every list with its size and state; create, disable, enable, remove. */
export function ListsPage({ session }: { session: Session }) {
  const lists = useLoad(loadLists, []);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [filter, setFilter] = useState('');
  const [pageIndex, setPageIndex] = useState(0);
  const supervisor = roleAtLeast(session.role, 'supervisor');
  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setProblem(null);
      lists.reload();
    } catch (error) {
      setProblem(problemOfError(error));
    }
  };
  const matching = (lists.data ?? []).filter((list) => list.name.includes(filter.trim().toLowerCase()));
  const pages = Math.max(1, Math.ceil(matching.length / LISTS_PER_PAGE));
  const at = Math.min(pageIndex, pages - 1);
  const shown = matching.slice(at * LISTS_PER_PAGE, (at + 1) * LISTS_PER_PAGE);
  const lost = matching.filter(lostSomething);
  return (
    <section aria-labelledby="lists-title">
      <h1 id="lists-title">Lists</h1>
      <div class="row wrap">
        <Field
          label="Filter by name"
          type="search"
          value={filter}
          onValue={(value) => {
            setFilter(value);
            setPageIndex(0);
          }}
        />
        {supervisor && <CreateList onChanged={lists.reload} />}
      </div>
      <ProblemBox problem={problem ?? lists.problem} />
      {lists.data && (
        <>
          {lost.slice(0, LOST_WARNINGS).map((list) => (
            <LostEntries key={list.name} list={list} supervisor={supervisor} />
          ))}
          {lost.length > LOST_WARNINGS && (
            <Notice>
              And {lost.length - LOST_WARNINGS} more {lost.length - LOST_WARNINGS === 1 ? 'list' : 'lists'} lost entries outside callguard, marked in the table: each one's page says more.
            </Notice>
          )}
          <p class="muted" aria-live="polite">
            {matching.length === lists.data.length ? `${lists.data.length} ${lists.data.length === 1 ? 'list' : 'lists'}` : `${matching.length} of ${lists.data.length} lists match`}
            {pages > 1 && `, page ${at + 1} of ${pages}`}
          </p>
          <div class="scroll">
            <table aria-label="Lists">
              <thead>
                <tr>
                  <th>Name</th>
                  <th class="num">Size</th>
                  <th>Enabled</th>
                  <th>Created</th>
                  <th>By</th>
                  <th>Last import</th>
                  {supervisor && <th><span class="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {shown.map((list) => (
                  <tr key={list.name}>
                    <td>
                      <a href={href('lists', [list.name])}>{list.name}</a>
                    </td>
                    <td class="num">
                      {list.size.toLocaleString()}
                      {lostSomething(list) && <span class="badge lost">lost entries</span>}
                    </td>
                    <td>{list.enabled ? 'yes' : <span class="badge">disabled</span>}</td>
                    <td>
                      <Time at={list.createdAt} />
                    </td>
                    <td>{list.createdBy}</td>
                    <td>{list.lastImportAt ? <span title={new Date(list.lastImportAt).toISOString()}>{ago(list.lastImportAt)}</span> : <span class="muted">never</span>}</td>
                    {supervisor && (
                      <td>
                        <button type="button" onClick={() => act(() => request('PATCH', `/v1/lists/${list.name}`, { enabled: !list.enabled }))}>
                          {list.enabled ? 'Disable' : 'Enable'} {list.name}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {pages > 1 && (
            <div class="row">
              <button type="button" disabled={at === 0} onClick={() => setPageIndex(at - 1)}>
                Previous lists
              </button>
              <button type="button" disabled={at >= pages - 1} onClick={() => setPageIndex(at + 1)}>
                Next lists
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

interface Entry {
  member: string;
  kind: string;
  expiresAt: string | null;
  reason: string | null;
  by: string | null;
  addedAt: string | null;
}

/** One list: its entries a page at a time (never the whole list), export, remove. */
export function ListPage({ name, session }: { name: string; session: Session }) {
  const info = useLoad(
    () => get<{ name: string; size: number; lost: number; lostBlocks: number; enabled: boolean; createdAt: string | null; createdBy: string; lastImportAt: string | null; usedBy: ListUse[] }>(`/v1/lists/${name}`),
    [name],
  );
  const [cursors, setCursors] = useState<string[]>(['']);
  const cursor = cursors.at(-1) ?? '';
  const page = useLoad(() => get<{ entries: Entry[]; cursor: string | null }>(withQuery(`/v1/lists/${name}/entries`, { limit: 100, cursor })), [name, cursor]);
  const supervisor = roleAtLeast(session.role, 'supervisor');
  const data = info.data;
  const back = (
    <p>
      <a href={href('lists')}>← Lists</a>
    </p>
  );
  // A list that is gone (an old link, removed meanwhile) has nothing to import, export or page through: its buttons would only fail again.
  if (info.problem?.status === 404) {
    return (
      <section aria-labelledby="list-title">
        {back}
        <h1 id="list-title">List {name}</h1>
        <ProblemBox problem={info.problem} />
      </section>
    );
  }
  return (
    <section aria-labelledby="list-title">
      {back}
      <h1 id="list-title">List {name}</h1>
      <ProblemBox problem={info.problem} />
      {data && <LostEntries list={data} supervisor={supervisor} />}
      {data && (
        <dl class="facts">
          <dt>Size</dt>
          <dd>{data.size.toLocaleString()}</dd>
          <dt>Enabled</dt>
          <dd>{data.enabled ? 'yes' : 'no'}</dd>
          <dt>Created</dt>
          <dd>
            <Time at={data.createdAt} /> by {data.createdBy}
          </dd>
          <dt>Last import</dt>
          <dd>{data.lastImportAt ? <Time at={data.lastImportAt} /> : 'never'}</dd>
          <dt>Used by</dt>
          <dd>{data.usedBy.length === 0 ? 'no route or campaign' : data.usedBy.map((use) => `${use.kind} ${use.name} (${use.as})`).join(', ')}</dd>
        </dl>
      )}
      <div class="row wrap">
        <a class="button" href={href('search')}>
          Find a number
        </a>
        <a class="button" href={href('audit', [], { list: name })}>
          Audit of {name}
        </a>
        {supervisor && (
          <>
            <a class="button" href={href('import', [], { list: name })}>
              Import into {name}
            </a>
            <a class="button" href={`/v1/lists/${name}/export`} download={`${name}.csv`}>
              Export CSV
            </a>
            <a class="button" href={withQuery(`/v1/lists/${name}/export`, { gzip: true })} download={`${name}.csv.gz`}>
              Export CSV (gzip)
            </a>
          </>
        )}
      </div>
      {supervisor && data && <RemoveList name={name} usedBy={data.usedBy} />}
      <h2>Entries</h2>
      <p class="muted">A page at a time, in no particular order; look a number up with Number search.</p>
      <ProblemBox problem={page.problem} />
      {page.data && (
        <>
          <div class="scroll">
            <table aria-label="Entries">
              <TableHead columns={['Entry', 'Expires', 'Reason', 'By', 'Added']} />
              <tbody>
                {page.data.entries.map((entry) => (
                  <tr key={entry.member}>
                    <td>
                      <a href={href('search', [], { number: entry.member })}>
                        <code>{entry.member}</code>
                      </a>
                    </td>
                    <td>{entry.expiresAt ? <Time at={entry.expiresAt} /> : 'never'}</td>
                    <EntryRecordCells entry={entry} />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="row">
            <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </button>
            <button type="button" disabled={page.data.cursor === null} onClick={() => page.data?.cursor && setCursors([...cursors, page.data.cursor])}>
              Next page
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function RemoveList({ name, usedBy }: { name: string; usedBy: ListUse[] }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const remove = async (event: Event) => {
    event.preventDefault();
    try {
      await request('DELETE', withQuery(`/v1/lists/${name}`, { reason, force: usedBy.length > 0 ? true : undefined }));
      go('lists');
    } catch (error) {
      setProblem(problemOfError(error));
    }
  };
  if (!asking)
    return (
      <button type="button" class="danger" onClick={() => setAsking(true)}>
        Remove list {name}…
      </button>
    );
  return (
    <form class="panel" aria-label={`Remove list ${name}`} onSubmit={remove}>
      <h3>Remove list {name}?</h3>
      <p>Its entries and cancellations go with it.</p>
      {usedBy.length > 0 && (
        <Notice>
          Still named by {usedBy.map((use) => `${use.kind} ${use.name} (${use.as})`).join(', ')}: a block list that is gone matches nothing, so those callers get through, and a campaign dials nothing until the list exists again.
        </Notice>
      )}
      <Field label="Reason" value={reason} onValue={setReason} />
      <ProblemBox problem={problem} />
      <div class="row">
        <button type="submit" class="danger">
          Remove {name}
          {usedBy.length > 0 ? ' anyway' : ''}
        </button>
        <button type="button" class="link" onClick={() => setAsking(false)}>
          Keep it
        </button>
      </div>
    </form>
  );
}
