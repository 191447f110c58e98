import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { legendTime, timeTicks } from '../chart-time.js';
import { get, withQuery } from '../api.js';
import { href } from '../router.js';
import { Field, ProblemBox, Select, TableHead, Time, useLoad, Verdict } from '../ui.js';

// The call log's verdicts (the API's LOGGED_VERDICTS): the screening ones, then what the compliance rules log.
const VERDICTS = ['blocked', 'allowed', 'clear', 'hidden', 'malformed', 'unavailable', 'unverified', 'would-block', 'outside-hours', 'capped', 'no-consent'] as const;
const COLORS: Record<string, string> = {
  blocked: '#c62828',
  allowed: '#2e7d32',
  clear: '#546e7a',
  hidden: '#6a1b9a',
  malformed: '#ef6c00',
  unavailable: '#f9a825',
  unverified: '#ad1457',
  'would-block': '#0277bd',
  'outside-hours': '#4e342e',
  capped: '#00838f',
  'no-consent': '#5d4037',
};
/** The live feed keeps this many calls on the page. */
const FEED_ROWS = 50;
/** New live calls refresh the counts and the chart at most this often. */
const REFRESH_MS = 2_000;

interface Call {
  id: string;
  time: string;
  channel: string;
  direction: string;
  raw: string;
  e164: string | null;
  route: string | null;
  campaign: string | null;
  verdict: string;
  list: string | null;
  reason: string | null;
  action: string;
  /** direction `feature`: the code an agent pressed or dialled (*9, *30 ...) and where */
  feature: string | null;
  endpoint: string | null;
}

interface Report {
  total: number;
  counts: Record<string, number>;
  calls: Call[];
}

/** The call log: filters, counts per verdict, calls per hour, and new calls as they come. */
export function CallsPage() {
  const [since, setSince] = useState('24h');
  const [verdict, setVerdict] = useState('blocked');
  const [route, setRoute] = useState('');
  const [number, setNumber] = useState('');
  const [applied, setApplied] = useState({ route: '', number: '' });
  const [fresh, setFresh] = useState(0);
  const refresh = useThrottled(() => setFresh((n) => n + 1), REFRESH_MS);
  const report = useLoad(() => get<Report>(withQuery('/v1/report', { since, verdict, route: applied.route, number: applied.number, limit: 100 })), [since, verdict, applied.route, applied.number, fresh]);
  return (
    <section aria-labelledby="calls-title">
      <h1 id="calls-title">Blocked calls</h1>
      <LiveFeed onCall={refresh} />
      <form
        class="row wrap"
        aria-label="Filters"
        onSubmit={(event) => {
          event.preventDefault();
          setApplied({ route: route.trim(), number: number.trim() });
        }}
      >
        <Select label="Since" value={since} onValue={setSince} options={[['1h', 'last hour'], ['24h', 'last 24 h'], ['7d', 'last 7 days'], ['30d', 'last 30 days']]} />
        <Select label="Verdict" value={verdict} onValue={setVerdict} options={[['', 'any'], ...VERDICTS.map((v): [string, string] => [v, v])]} />
        <Field label="Route" value={route} onValue={setRoute} placeholder="any" />
        <Field label="Number" value={number} onValue={setNumber} placeholder="any" />
        <button type="submit">Apply</button>
      </form>
      <ProblemBox problem={report.problem} />
      {report.data && (
        <>
          <ul class="counts-bar" aria-label="Calls per verdict">
            {VERDICTS.map((v) => (
              <li key={v}>
                <Verdict verdict={v} /> <strong data-verdict-count={v}>{(report.data?.counts[v] ?? 0).toLocaleString()}</strong>
              </li>
            ))}
            <li>
              total <strong>{report.data.total.toLocaleString()}</strong>
            </li>
          </ul>
          <HourChart route={applied.route} fresh={fresh} />
          <CallTable calls={report.data.calls} label="Calls" />
        </>
      )}
    </section>
  );
}

function CallTable({ calls, label }: { calls: Call[]; label: string }) {
  if (calls.length === 0) return <p class="muted">No calls.</p>;
  return (
    <div class="scroll">
      <table aria-label={label}>
        <TableHead columns={['When', 'Number', 'Verdict', 'List', 'Route / campaign', 'Action', 'Reason']} />
        <tbody>
          {calls.map((call) => (
            <tr key={call.id}>
              <td>
                <Time at={call.time} />
              </td>
              <td>{call.e164 ? <a href={href('search', [], { number: call.e164 })}>{call.e164}</a> : <span title="as presented">{call.raw || '(hidden)'}</span>}</td>
              <td>
                <Verdict verdict={call.verdict} />
              </td>
              <td>{call.list ?? ''}</td>
              <td>{call.route ?? call.campaign ?? ''}</td>
              <td>
                {call.direction === 'feature' ? (
                  <span title="an agent's feature code, not a call">
                    <code>{call.feature}</code> by {call.endpoint}
                  </span>
                ) : (
                  <code>{call.action}</code>
                )}
              </td>
              <td>{call.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** New screened calls over server-sent events; the browser reconnects by itself and the API replays what it missed. */
function LiveFeed({ onCall }: { onCall: () => void }) {
  const [calls, setCalls] = useState<Call[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const [blockedOnly, setBlockedOnly] = useState(true);
  useEffect(() => {
    const source = new EventSource(withQuery('/v1/report/live', { verdict: blockedOnly ? 'blocked' : undefined }));
    source.onopen = () => setState('live');
    source.onerror = () => setState('reconnecting');
    source.addEventListener('call', (event) => {
      const call = JSON.parse((event as MessageEvent<string>).data) as Call;
      setCalls((old) => [call, ...old.filter((c) => c.id !== call.id)].slice(0, FEED_ROWS));
      onCall();
    });
    return () => source.close();
  }, [blockedOnly]);
  return (
    <section aria-labelledby="live-title" class="panel">
      <h2 id="live-title">
        Live <span class={`dot ${state}`} role="img" aria-label={state} title={state} />
      </h2>
      <div class="check">
        <input id="live-blocked" type="checkbox" checked={blockedOnly} onChange={(event) => setBlockedOnly(event.currentTarget.checked)} />
        <label for="live-blocked">Blocked calls only</label>
      </div>
      <div aria-live="polite">{calls.length === 0 ? <p class="muted">Waiting for calls…</p> : <CallTable calls={calls} label="Live calls" />}</div>
    </section>
  );
}

function HourChart({ route, fresh }: { route: string; fresh: number }) {
  const [window, setWindow] = useState('24h');
  const hours = useLoad(() => get<{ hours: { start: string; counts: Record<string, number> }[] }>(withQuery('/v1/report/hours', { since: window, route })), [window, route, fresh]);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const data = hours.data?.hours;
    const element = box.current;
    if (!data || !element) return;
    const x = data.map((hour) => Date.parse(hour.start) / 1000);
    const series = VERDICTS.map((v) => data.map((hour) => hour.counts[v] ?? 0));
    const width = () => Math.max(280, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 240,
        scales: { x: { time: true }, y: { range: (_self, _min, max) => [0, Math.max(5, max)] } },
        // Each value is a whole hour's count: drawn as steps over the hour, on whole-number ticks.
        series: [{ value: (_self, seconds) => legendTime(seconds) }, ...VERDICTS.map((v) => ({ label: v, stroke: COLORS[v], width: 2, points: { show: false }, paths: uPlot.paths.stepped?.({ align: 1 }) }))],
        axes: [{ values: (_self, splits, _axis, _space, step) => timeTicks(splits, step) }, { label: 'calls per hour', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000] }],
      },
      [x, ...series],
      element,
    );
    const resize = () => plot.setSize({ width: width(), height: 240 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [hours.data]);
  return (
    <section aria-labelledby="chart-title" class="panel">
      <h2 id="chart-title">Calls per hour</h2>
      <Select label="Window" value={window} onValue={setWindow} options={[['24h', 'last 24 h'], ['7d', 'last 7 days']]} />
      <ProblemBox problem={hours.problem} />
      <div ref={box} class="chart" role="img" aria-label={`calls per verdict per hour, ${window === '7d' ? 'last 7 days' : 'last 24 hours'}`} />
    </section>
  );
}

/** `run`, at most once per `ms`: calls in between are folded into one at the end of the wait. */
function useThrottled(run: () => void, ms: number): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  return () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      run();
    }, ms);
  };
}
