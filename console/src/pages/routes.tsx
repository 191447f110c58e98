import { useState } from 'preact/hooks';
import { get, problemOfError, request, roleAtLeast, withQuery, type Problem, type Session } from '../api.js';
import { href } from '../router.js';
import { Field, Notice, ProblemBox, Select, TableHead, Time, useLoad } from '../ui.js';

const ROUTE_VERDICTS = ['blocked', 'allowed', 'clear', 'hidden', 'malformed', 'unavailable'];
const CAMPAIGN_VERDICTS = ['blocked', 'hidden', 'malformed', 'unavailable'];
const OUTCOMES = ['', 'ANSWERED', 'BUSY', 'NO_ANSWER', 'FAILED', 'BLACKLISTED'];

interface Route {
  name: string;
  block: string[];
  allow: string[];
  region: string | null;
  withheld: string;
  vipPriority: number | null;
  actions: Record<string, string>;
  updatedAt: string | null;
  updatedBy: string | null;
}

interface Campaign {
  name: string;
  block: string[];
  region: string | null;
  endpoint: string;
  callerId: string | null;
  dialTimeout: string;
  context: string;
  maxAttempts: number;
  retry: { busy: string; noanswer: string; failed: string };
  maxConcurrent: number;
  fail: string;
  unavailableRetry: string;
  actions: Record<string, string>;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** `a, b` as ["a", "b"]: list names as the CLI's --block takes them. */
const names = (text: string) => text.split(',').map((name) => name.trim()).filter((name) => name !== '');

/** Changing routes and campaigns decides which lists screen every call: a supervisor with a token for every list. */
const mayEdit = (session: Session) => roleAtLeast(session.role, 'supervisor') && session.lists === null;

export function RoutesPage({ session }: { session: Session }) {
  const routes = useLoad(() => get<{ routes: Route[]; invalid: { name: string; reason: string }[] }>('/v1/routes'), []);
  const campaigns = useLoad(() => get<{ campaigns: Campaign[] }>('/v1/campaigns'), []);
  const [editing, setEditing] = useState<Route | 'new' | null>(null);
  return (
    <section aria-labelledby="routes-title">
      <h1 id="routes-title">Routes</h1>
      <p class="muted">Inbound: which lists screen a call and what each verdict does. Syntax as <code>callguard route set</code> (docs/routes.md).</p>
      <ProblemBox problem={routes.problem} />
      {routes.data && (
        <div class="scroll">
          <table aria-label="Routes">
            <thead>
              <tr>
                <th>Name</th>
                <th>Block</th>
                <th>Allow</th>
                <th>Region</th>
                <th>On blocked</th>
                <th>Changed</th>
                {mayEdit(session) && <th><span class="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {routes.data.routes.map((route) => (
                <tr key={route.name}>
                  <td>{route.name}</td>
                  <td>{route.block.join(', ') || '—'}</td>
                  <td>{route.allow.join(', ') || '—'}</td>
                  <td>{route.region ?? 'default'}</td>
                  <td>
                    <code>{route.actions.blocked}</code>
                  </td>
                  <td>
                    <Time at={route.updatedAt} /> {route.updatedBy ?? ''}
                  </td>
                  {mayEdit(session) && (
                    <td>
                      <button type="button" onClick={() => setEditing(route)}>
                        Edit {route.name}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {mayEdit(session) && editing === null && (
        <button type="button" onClick={() => setEditing('new')}>
          New route
        </button>
      )}
      {editing !== null && (
        <RouteForm
          route={editing === 'new' ? undefined : editing}
          onDone={() => {
            setEditing(null);
            routes.reload();
          }}
          onClose={() => setEditing(null)}
        />
      )}
      <h1>Campaigns</h1>
      <ProblemBox problem={campaigns.problem} />
      {campaigns.data && (
        <div class="scroll">
          <table aria-label="Campaigns">
            <TableHead columns={['Name', 'Block', 'Endpoint', 'Attempts', 'Changed']} />
            <tbody>
              {campaigns.data.campaigns.map((campaign) => (
                <tr key={campaign.name}>
                  <td>
                    <a href={href('routes', ['campaign', campaign.name])}>{campaign.name}</a>
                  </td>
                  <td>{campaign.block.join(', ') || '—'}</td>
                  <td>
                    <code>{campaign.endpoint}</code>
                  </td>
                  <td>{campaign.maxAttempts}</td>
                  <td>
                    <Time at={campaign.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RouteForm({ route, onDone, onClose }: { route: Route | undefined; onDone: () => void; onClose: () => void }) {
  const [name, setName] = useState(route?.name ?? '');
  const [block, setBlock] = useState(route?.block.join(', ') ?? '');
  const [allow, setAllow] = useState(route?.allow.join(', ') ?? '');
  const [region, setRegion] = useState(route?.region ?? '');
  const [withheld, setWithheld] = useState(route?.withheld ?? 'screen');
  const [vip, setVip] = useState(route?.vipPriority === null || route?.vipPriority === undefined ? '' : String(route.vipPriority));
  const [actions, setActions] = useState<Record<string, string>>(route?.actions ?? {});
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const changed = Object.fromEntries(Object.entries(actions).filter(([verdict, text]) => text.trim() !== '' && text !== route?.actions[verdict]));
    try {
      await request('PUT', `/v1/routes/${name.trim()}`, {
        block: names(block),
        allow: names(allow),
        region: region.trim() === '' ? null : region.trim(),
        withheld,
        vipPriority: vip.trim() === '' ? null : Number(vip),
        actions: changed,
      });
      onDone();
    } catch (error) {
      setProblem(problemOfError(error));
    }
  };
  return (
    <form class="panel" aria-label={route ? `Edit route ${route.name}` : 'New route'} onSubmit={submit}>
      <h2>{route ? `Route ${route.name}` : 'New route'}</h2>
      <div class="grid">
        {!route && <Field label="Name" value={name} onValue={setName} required />}
        <Field label="Block lists" value={block} onValue={setBlock} hint="a,b,c in check order" />
        <Field label="Allow (VIP) lists" value={allow} onValue={setAllow} hint="an allow match wins" />
        <Field label="Region" value={region} onValue={setRegion} hint="empty: serve's default" />
        <Select label="Withheld numbers" value={withheld} onValue={setWithheld} options={[['screen', 'screen them'], ['hidden', 'treat as hidden']]} />
        <Field label="VIP queue priority" value={vip} onValue={setVip} inputMode="numeric" />
        {ROUTE_VERDICTS.map((verdict) => (
          <Field key={verdict} label={`On ${verdict}`} value={actions[verdict] ?? ''} onValue={(text) => setActions({ ...actions, [verdict]: text })} hint={verdict === 'blocked' ? 'hangup:busy, announce:<sound>[:<cause>], continue:<ctx>,<exten>[,<prio>]' : undefined} />
        ))}
      </div>
      <ProblemBox problem={problem} />
      <div class="row">
        <button type="submit">Save route</button>
        <button type="button" class="link" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

/** One campaign: its settings (editable as campaign set), and its results with the BLACKLISTED attempts. */
export function CampaignPage({ name, session }: { name: string; session: Session }) {
  const found = useLoad(() => get<{ campaign: Campaign; missingLists: string[]; waiting: number; inFlight: number }>(`/v1/campaigns/${name}`), [name]);
  const [outcome, setOutcome] = useState('');
  const report = useLoad(
    () => get<{ totals: Record<string, number>; attempts: { request: string; number: string; attempt: number; outcome: string; list: string | null; reason: string | null; at: string | null }[] }>(withQuery(`/v1/campaigns/${name}/report`, { outcome, limit: 100 })),
    [name, outcome],
  );
  const [editing, setEditing] = useState(false);
  const campaign = found.data?.campaign;
  return (
    <section aria-labelledby="campaign-title">
      <p>
        <a href={href('routes')}>← Routes & campaigns</a>
      </p>
      <h1 id="campaign-title">Campaign {name}</h1>
      <ProblemBox problem={found.problem} />
      {campaign && found.data && (
        <>
          {found.data.missingLists.length > 0 && <Notice>Block lists missing: {found.data.missingLists.join(', ')}; nothing is dialled until they exist.</Notice>}
          <dl class="facts">
            <dt>Block lists</dt>
            <dd>{campaign.block.join(', ') || '—'}</dd>
            <dt>Endpoint</dt>
            <dd>
              <code>{campaign.endpoint}</code>
            </dd>
            <dt>Agents</dt>
            <dd>
              <code>{campaign.context}</code>
            </dd>
            <dt>Retry</dt>
            <dd>
              busy={campaign.retry.busy}, noanswer={campaign.retry.noanswer}, failed={campaign.retry.failed}; at most {campaign.maxAttempts} attempts
            </dd>
            <dt>Waiting / dialling</dt>
            <dd>
              {found.data.waiting} / {found.data.inFlight}
            </dd>
          </dl>
          {mayEdit(session) && !editing && (
            <button type="button" onClick={() => setEditing(true)}>
              Edit campaign
            </button>
          )}
          {editing && (
            <CampaignForm
              campaign={campaign}
              onDone={() => {
                setEditing(false);
                found.reload();
              }}
              onClose={() => setEditing(false)}
            />
          )}
        </>
      )}
      <h2>Results</h2>
      <Select label="Outcome" value={outcome} onValue={setOutcome} options={OUTCOMES.map((o): [string, string] => [o, o === '' ? 'any' : o])} />
      <ProblemBox problem={report.problem} />
      {report.data && (
        <>
          <ul class="counts-bar" aria-label="Attempts per outcome">
            {Object.entries(report.data.totals).map(([key, value]) => (
              <li key={key} class={key === 'BLACKLISTED' ? 'blacklisted' : ''}>
                {key} <strong>{value}</strong>
              </li>
            ))}
          </ul>
          <div class="scroll">
            <table aria-label="Attempts">
              <TableHead columns={['When', 'Number', 'Attempt', 'Outcome', 'List', 'Reason']} />
              <tbody>
                {report.data.attempts.map((attempt) => (
                  <tr key={`${attempt.request}-${attempt.attempt}`} class={attempt.outcome === 'BLACKLISTED' ? 'rejected' : ''}>
                    <td>
                      <Time at={attempt.at} />
                    </td>
                    <td>{attempt.number}</td>
                    <td class="num">{attempt.attempt}</td>
                    <td>{attempt.outcome}</td>
                    <td>{attempt.list ?? ''}</td>
                    <td>{attempt.reason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function CampaignForm({ campaign, onDone, onClose }: { campaign: Campaign; onDone: () => void; onClose: () => void }) {
  const [block, setBlock] = useState(campaign.block.join(', '));
  const [endpoint, setEndpoint] = useState(campaign.endpoint);
  const [context, setContext] = useState(campaign.context);
  const [callerId, setCallerId] = useState(campaign.callerId ?? '');
  const [dialTimeout, setDialTimeout] = useState(campaign.dialTimeout);
  const [retry, setRetry] = useState(`busy=${campaign.retry.busy},noanswer=${campaign.retry.noanswer},failed=${campaign.retry.failed}`);
  const [maxAttempts, setMaxAttempts] = useState(String(campaign.maxAttempts));
  const [maxConcurrent, setMaxConcurrent] = useState(String(campaign.maxConcurrent));
  const [actions, setActions] = useState<Record<string, string>>(campaign.actions);
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await request('PUT', `/v1/campaigns/${campaign.name}`, {
        block: names(block),
        endpoint,
        context,
        callerId: callerId.trim() === '' ? null : callerId,
        dialTimeout,
        retry,
        maxAttempts: Number(maxAttempts),
        maxConcurrent: Number(maxConcurrent),
        actions: Object.fromEntries(Object.entries(actions).filter(([verdict, text]) => text !== campaign.actions[verdict])),
      });
      onDone();
    } catch (error) {
      setProblem(problemOfError(error));
    }
  };
  return (
    <form class="panel" aria-label={`Edit campaign ${campaign.name}`} onSubmit={submit}>
      <div class="grid">
        <Field label="Block lists" value={block} onValue={setBlock} hint="a,b,c" />
        <Field label="Endpoint" value={endpoint} onValue={setEndpoint} hint="PJSIP/${NUMBER}@trunk" />
        <Field label="Agents context" value={context} onValue={setContext} hint="context[,exten[,prio]]" />
        <Field label="Caller ID" value={callerId} onValue={setCallerId} />
        <Field label="Dial timeout" value={dialTimeout} onValue={setDialTimeout} hint="30s" />
        <Field label="Retry" value={retry} onValue={setRetry} hint="busy=5m,noanswer=30m,failed=none" />
        <Field label="Max attempts" value={maxAttempts} onValue={setMaxAttempts} inputMode="numeric" />
        <Field label="Max concurrent" value={maxConcurrent} onValue={setMaxConcurrent} inputMode="numeric" />
        {CAMPAIGN_VERDICTS.map((verdict) => (
          <Field key={verdict} label={`On ${verdict}`} value={actions[verdict] ?? ''} onValue={(text) => setActions({ ...actions, [verdict]: text })} />
        ))}
      </div>
      <ProblemBox problem={problem} />
      <div class="row">
        <button type="submit">Save campaign</button>
        <button type="button" class="link" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
