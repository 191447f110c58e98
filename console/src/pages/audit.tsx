import { useEffect, useState } from 'preact/hooks';
import { get, withQuery } from '../api.js';
import { loadLists } from '../lists-data.js';
import { go } from '../router.js';
import { Field, ProblemBox, Select, TableHead, Time, useFieldFollowing, useLoad } from '../ui.js';

interface AuditEvent {
  id: string;
  list: string;
  action: string;
  at: string | null;
  by: string;
  reason: string | null;
  member: string | null;
  details: Record<string, string>;
}

/** Who changed what, by list and by person, newest first, a page at a time. */
export function AuditPage({ list, by }: { list: string; by: string }) {
  const lists = useLoad(loadLists, []);
  const [person, setPerson] = useFieldFollowing(by);
  const [pages, setPages] = useState<string[]>(['']);
  useEffect(() => setPages(['']), [list, by]);
  const before = pages.at(-1) ?? '';
  const audit = useLoad(() => get<{ events: AuditEvent[]; more: boolean }>(withQuery('/v1/audit', { list, by, before, limit: 50 })), [list, by, before]);
  const events = audit.data?.events ?? [];
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit</h1>
      <form
        class="row wrap"
        aria-label="Filters"
        onSubmit={(event) => {
          event.preventDefault();
          go('audit', [], { list, by: person.trim() });
        }}
      >
        <Select label="List" value={list} onValue={(value) => go('audit', [], { list: value, by: person.trim() })} options={[['', 'every list'], ...(lists.data ?? []).map((item): [string, string] => [item.name, item.name])]} />
        <Field label="Person" value={person} onValue={setPerson} placeholder="anyone" hint="a token name, or the user of a CLI change" />
        <button type="submit">Filter</button>
      </form>
      <ProblemBox problem={audit.problem} />
      {audit.data && (
        <div class="scroll">
          <table aria-label="Changes">
            <TableHead columns={['When', 'List', 'Change', 'Entry', 'By', 'Reason', 'Details']} />
            <tbody>
              {events.map((event) => (
                <tr key={`${event.list} ${event.id}`}>
                  <td>
                    <Time at={event.at} />
                  </td>
                  <td>{event.list}</td>
                  <td>{event.action}</td>
                  <td>{event.member ? <code>{event.member}</code> : ''}</td>
                  <td>{event.by}</td>
                  <td>{event.reason ?? ''}</td>
                  <td class="small">
                    {Object.entries(event.details)
                      .map(([name, value]) => `${name}: ${value}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {events.length === 0 && audit.data && <p class="muted">No changes match.</p>}
      <div class="row">
        <button type="button" disabled={pages.length <= 1} onClick={() => setPages(pages.slice(0, -1))}>
          Newer
        </button>
        <button type="button" disabled={!audit.data?.more} onClick={() => events.at(-1) && setPages([...pages, (events.at(-1) as AuditEvent).id])}>
          Older
        </button>
      </div>
    </section>
  );
}
