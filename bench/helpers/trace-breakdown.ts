import { readFile } from 'node:fs/promises';
import type { TracedAgiSession, TracedCall, TracedFrames, TracedGc } from './call-trace.js';
import { percentile } from './percentile.js';

/** A decision's steps, the same on both paths: the whole, then split at the check. */
const DECISION_STEPS = [
  { name: 'decision (route, check, decide)', from: 'decisionStart', to: 'decided' },
  { name: '… decision starts → check written', from: 'decisionStart', to: 'checkWritten' },
  { name: '… check written → its reply read (Redis round trip)', from: 'checkWritten', to: 'checkAnswered' },
  { name: '… reply read → decided', from: 'checkAnswered', to: 'decided' },
] as const;

/** The steps of a traced Stasis call, each from one timestamp to the next. */
const STEPS: readonly { name: string; from: keyof TracedCall; to: keyof TracedCall }[] = [
  { name: 'frame in → JSON parsed', from: 'frame', to: 'parsed' },
  { name: 'parsed → decision starts', from: 'parsed', to: 'decisionStart' },
  ...DECISION_STEPS,
  { name: 'decided → variables POST written', from: 'decided', to: 'variablesWritten' },
  { name: 'variables written → answered', from: 'variablesWritten', to: 'variablesAnswered' },
  { name: 'decided → action written', from: 'decided', to: 'actionWritten' },
  { name: 'action written → answered', from: 'actionWritten', to: 'actionAnswered' },
  { name: 'decided → action answered (the requests after the decision)', from: 'decided', to: 'actionAnswered' },
  { name: 'frame in → action answered', from: 'frame', to: 'actionAnswered' },
];

/** The steps of a traced FastAGI session (Asterisk connects after its dialplan reached AGI(), goes on after the close). */
const AGI_STEPS: readonly { name: string; from: keyof TracedAgiSession; to: keyof TracedAgiSession }[] = [
  { name: 'accepted → environment read', from: 'acceptedAt', to: 'environmentAt' },
  { name: 'environment read → decision starts', from: 'environmentAt', to: 'decisionStart' },
  ...DECISION_STEPS,
  { name: 'decided → SET VARIABLE written', from: 'decided', to: 'commandWrittenAt' },
  { name: 'SET VARIABLE written → reply read', from: 'commandWrittenAt', to: 'replyAt' },
  { name: 'reply read → socket closed', from: 'replyAt', to: 'closedAt' },
  { name: 'accepted → SET VARIABLE written', from: 'acceptedAt', to: 'commandWrittenAt' },
  { name: 'accepted → socket closed', from: 'acceptedAt', to: 'closedAt' },
];

/** The share of calls the slowest-calls line looks at. */
const SLOWEST_SHARE = 0.01;

export interface Trace {
  calls: TracedCall[];
  agiSessions: TracedAgiSession[];
  gcs: TracedGc[];
  frames: TracedFrames[];
}

export async function readTrace(file: string): Promise<Trace> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const trace: Trace = { calls: [], agiSessions: [], gcs: [], frames: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const entry = JSON.parse(line) as TracedCall | TracedAgiSession | TracedGc | TracedFrames;
    if ('agi' in entry) trace.agiSessions.push(entry);
    else if ('gc' in entry) trace.gcs.push(entry);
    else if ('frames' in entry) trace.frames.push(entry);
    else trace.calls.push(entry);
  }
  return trace;
}

/** The entries of a trace between two times (ms since epoch): a bench phase's. */
export function traceBetween(trace: Trace, from: number, to: number): Trace {
  return {
    calls: trace.calls.filter((call) => call.at >= from && call.at <= to),
    agiSessions: trace.agiSessions.filter((session) => session.at >= from && session.at <= to),
    gcs: trace.gcs.filter((gc) => gc.at >= from && gc.at <= to),
    frames: trace.frames.filter((interval) => interval.at >= from && interval.at <= to),
  };
}

/** One markdown table a phase: p50/p99 of each step, ms; then the requests a call and the GC pauses. */
export function printBreakdown(label: string, { calls, agiSessions, gcs, frames }: Trace): void {
  if (agiSessions.length > 0) {
    printAgiBreakdown(label, agiSessions);
    printGcs(calls, gcs);
    return;
  }
  console.log('');
  console.log(`${label}: ${calls.length} calls traced (serve's own timestamps, performance.now())`);
  printSteps(STEPS, calls);
  const requests = sorted(calls.map((call) => call.requests ?? Number.NaN));
  if (requests.length > 0) {
    console.log(`ARI requests a call: p50 ${percentile(requests, 50)}, max ${requests.at(-1)} (reads, variables and the action)`);
  }
  printFrames(calls.length, frames);
  printGcs(calls, gcs);
}

function printAgiBreakdown(label: string, sessions: readonly TracedAgiSession[]): void {
  console.log('');
  console.log(`${label}: ${sessions.length} FastAGI sessions traced (serve's own timestamps, performance.now())`);
  printSteps(AGI_STEPS, sessions);
}

/** A markdown table of the steps' p50/p99 over the entries, ms. */
function printSteps<T extends object>(steps: readonly { name: string; from: keyof T; to: keyof T }[], entries: readonly T[]): void {
  console.log('| step | p50 ms | p99 ms |');
  console.log('|---|---|---|');
  for (const step of steps) {
    const spans = sorted(entries.map((entry) => span(entry, step.from, step.to)));
    const cell = (p: number): string => (spans.length === 0 ? '—' : percentile(spans, p).toFixed(3));
    console.log(`| ${step.name} | ${cell(50)} | ${cell(99)} |`);
  }
}

/** The ARI frames a call brought serve, by event type (every app's events, counted in the phase's flush intervals). */
function printFrames(callCount: number, intervals: readonly TracedFrames[]): void {
  if (intervals.length === 0 || callCount === 0) return;
  const byType = new Map<string, { count: number; bytes: number }>();
  for (const interval of intervals) {
    for (const [type, seen] of Object.entries(interval.frames)) {
      const sum = byType.get(type) ?? { count: 0, bytes: 0 };
      sum.count += seen.count;
      sum.bytes += seen.bytes;
      byType.set(type, sum);
    }
  }
  const all = [...byType.values()].reduce((sum, seen) => ({ count: sum.count + seen.count, bytes: sum.bytes + seen.bytes }), { count: 0, bytes: 0 });
  const types = [...byType]
    .sort((a, b) => b[1].count - a[1].count)
    .map(([type, seen]) => `${type} ${(seen.count / callCount).toFixed(2)} (${Math.round(seen.bytes / seen.count)} B)`)
    .join(', ');
  console.log(`ARI frames a call: ${(all.count / callCount).toFixed(2)}, ${Math.round(all.bytes / callCount)} B: ${types}`);
}

/** serve's GC pauses in the phase, and how many of the slowest calls had one inside them. */
function printGcs(calls: readonly TracedCall[], gcs: readonly TracedGc[]): void {
  if (gcs.length === 0) return;
  const pauses = sorted(gcs.map((gc) => gc.duration));
  const total = pauses.reduce((sum, pause) => sum + pause, 0);
  const byKind = new Map<string, number>();
  for (const gc of gcs) byKind.set(gc.gc, (byKind.get(gc.gc) ?? 0) + 1);
  const kinds = [...byKind].map(([kind, count]) => `${kind} ${count}`).join(', ');
  console.log(`GC pauses: ${gcs.length} (${kinds}), ${total.toFixed(1)} ms in all, p50 ${percentile(pauses, 50).toFixed(3)} / p99 ${percentile(pauses, 99).toFixed(3)} / max ${(pauses.at(-1) ?? 0).toFixed(3)} ms`);
  const whole = calls.filter((call) => Number.isFinite(span(call, 'frame', 'actionAnswered')));
  const slowest = [...whole].sort((a, b) => span(b, 'frame', 'actionAnswered') - span(a, 'frame', 'actionAnswered')).slice(0, Math.max(1, Math.round(whole.length * SLOWEST_SHARE)));
  const paused = (call: TracedCall): boolean =>
    gcs.some((gc) => gc.start < (call.actionAnswered as number) && gc.start + gc.duration > (call.frame as number));
  console.log(`calls with a GC pause inside them: ${whole.filter(paused).length} of ${whole.length}; of the slowest ${slowest.length}: ${slowest.filter(paused).length}`);
}

function span<T extends object>(entry: T, from: keyof T, to: keyof T): number {
  const start = entry[from];
  const end = entry[to];
  return typeof start === 'number' && typeof end === 'number' ? end - start : Number.NaN;
}

function sorted(values: readonly number[]): number[] {
  return values.filter(Number.isFinite).sort((a, b) => a - b);
}
