import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, problemOfError, request, roleAtLeast, useSession, type Problem, type Role, type Session } from './api.js';
import { AuditPage } from './pages/audit.js';
import { CallsPage } from './pages/calls.js';
import { ImportPage } from './pages/import.js';
import { ListPage, ListsPage } from './pages/lists.js';
import { CampaignPage, RoutesPage } from './pages/routes.js';
import { ScrubPage } from './pages/scrub.js';
import { SearchPage } from './pages/search.js';
import { SignIn } from './pages/sign-in.js';
import { href, usePlace } from './router.js';
import { Time } from './ui.js';
import './styles.css';

interface NavItem {
  page: string;
  label: string;
  least: Role;
  /** needs a token not limited to lists (the call log, routes' edits span every list) */
  everyList?: boolean;
}

const NAV: NavItem[] = [
  { page: 'search', label: 'Number search', least: 'viewer' },
  { page: 'lists', label: 'Lists', least: 'viewer' },
  { page: 'import', label: 'Import', least: 'supervisor' },
  { page: 'scrub', label: 'Scrub', least: 'operator' },
  { page: 'calls', label: 'Blocked calls', least: 'viewer', everyList: true },
  { page: 'routes', label: 'Routes & campaigns', least: 'viewer' },
  { page: 'audit', label: 'Audit', least: 'viewer' },
];

function allowed(item: NavItem, session: Session): boolean {
  return roleAtLeast(session.role, item.least) && (!item.everyList || session.lists === null);
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | null>(null);
  useSession(session ?? null, () => setSession(null));

  useEffect(() => {
    get<Session>('/v1/session').then(setSession, (error: unknown) => {
      const found = problemOfError(error);
      if (found.status !== 401) setProblem(found);
      setSession(null);
    });
  }, []);

  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) return <SignIn problem={problem} onSignedIn={setSession} />;
  return <Shell session={session} onSignedOut={() => setSession(null)} />;
}

function Shell({ session, onSignedOut }: { session: Session; onSignedOut: () => void }) {
  const place = usePlace();
  const items = NAV.filter((item) => allowed(item, session));
  const page = items.some((item) => item.page === place.page) ? place.page : 'search';
  const signOut = async () => {
    await request('DELETE', '/v1/session').catch(() => undefined);
    onSignedOut();
  };
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">callguard</span>
        <nav aria-label="Pages">
          <ul>
            {items.map((item) => (
              <li key={item.page}>
                <a href={href(item.page)} aria-current={item.page === page ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span title={session.lists ? `lists: ${session.lists.join(', ')}` : 'every list'}>
            {session.name} ({session.role})
          </span>
          <span class="muted small">
            until <Time at={session.expiresAt} />
          </span>
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page page={page} args={place.args} query={place.query} session={session} />
      </main>
    </>
  );
}

function Page({ page, args, query, session }: { page: string; args: string[]; query: URLSearchParams; session: Session }) {
  switch (page) {
    case 'lists':
      return args[0] ? <ListPage name={args[0]} session={session} /> : <ListsPage session={session} />;
    case 'import':
      return <ImportPage session={session} list={query.get('list') ?? ''} replace={query.get('replace') === '1'} />;
    case 'scrub':
      return <ScrubPage session={session} />;
    case 'calls':
      return <CallsPage />;
    case 'routes':
      return args[0] === 'campaign' && args[1] ? <CampaignPage name={args[1]} session={session} /> : <RoutesPage session={session} />;
    case 'audit':
      return <AuditPage list={query.get('list') ?? ''} by={query.get('by') ?? ''} />;
    default:
      return <SearchPage session={session} number={query.get('number') ?? ''} />;
  }
}

render(<App />, document.getElementById('app') as HTMLElement);
