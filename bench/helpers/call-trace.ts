/**
 * Loaded into `serve` by bench:peer's `--trace` (node --import): timestamps each Stasis
 * call's steps from the diagnostics channels serve and its HTTP client publish (and each
 * FastAGI session's, from the session's own channel), counts the
 * ARI requests each call makes, and records serve's GC pauses; appends one JSON line a
 * call (and a line a GC pause) to BENCH_CALL_TRACE. Lines are written once a second (and
 * at exit), not on the call's path. Works on node:http's channels too, so the code before
 * the undici client can be traced the same way (its "written" is the request's start,
 * before it got a socket).
 */
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import type { AgiSessionTrace, AriFrameTrace, DecisionTrace } from '../../src/calls/call-trace.js';

/** How often the traced calls are appended to the file. */
const FLUSH_INTERVAL_MS = 1_000;

/** A call's steps, performance.now() each. */
export interface TracedCall {
  channel: string;
  /** when its StasisStart came, ms since epoch (which bench phase it belongs to) */
  at: number;
  frame?: number;
  parsed?: number;
  decisionStart?: number;
  /** the check script written to Redis, and its reply read (ioredis' own tracing channel) */
  checkWritten?: number;
  checkAnswered?: number;
  decided?: number;
  variablesWritten?: number;
  variablesAnswered?: number;
  actionWritten?: number;
  actionAnswered?: number;
  /** ARI requests about the channel written up to its action's answer (reads, variables, the action) */
  requests?: number;
}

/** A FastAGI session's steps, performance.now() each: the session's own timestamps and its decision's. */
export interface TracedAgiSession extends AgiSessionTrace {
  agi: true;
  /** when the session closed, ms since epoch (which bench phase it belongs to) */
  at: number;
  decisionStart?: number;
  checkWritten?: number;
  checkAnswered?: number;
  decided?: number;
}

/** One GC pause of serve: performance.now() of its start, its length in ms. */
export interface TracedGc {
  gc: string;
  /** ms since epoch (which bench phase it belongs to) */
  at: number;
  start: number;
  duration: number;
}

/** The ARI frames serve received in one flush interval, by event type: how many, and their bytes. */
export interface TracedFrames {
  frames: Record<string, { count: number; bytes: number }>;
  /** ms since epoch of the interval's end (which bench phase it belongs to) */
  at: number;
}

const file = process.env.BENCH_CALL_TRACE;
let frames: TracedFrames['frames'] = {};
const calls = new Map<string, TracedCall>();
/** A decision's steps, as TracedCall and TracedAgiSession carry them. */
type TracedDecision = Pick<TracedCall, 'decisionStart' | 'checkWritten' | 'checkAnswered' | 'decided'>;
/** FastAGI calls' decisions, by channel id, until their session closes. */
const agiDecisions = new Map<string, TracedDecision>();
/** The check scripts in flight (by ioredis' trace context), and the last one answered. */
const checksInFlight = new WeakMap<object, number>();
let lastCheck: { written: number; answered: number } | undefined;
const CHECK_COMMAND = 'evalsha';
let done: string[] = [];

type RequestKind = 'variables' | 'action' | 'other';

/** Which of a call's requests a path is: `/ari/channels/<id>/variable`, its action, or another (a read). */
function requestOf(method: string, path: string): { call: TracedCall; kind: RequestKind } | undefined {
  const match = /^\/ari\/channels\/([^/?]+)(\/[a-z]+)?/.exec(path);
  const call = match?.[1] === undefined ? undefined : calls.get(decodeURIComponent(match[1]));
  if (!match || !call) return undefined;
  const sub = match[2];
  if (sub === '/variable' && method === 'POST') return { call, kind: 'variables' };
  if (sub === '/continue' || sub === '/answer' || (sub === undefined && method === 'DELETE')) return { call, kind: 'action' };
  return { call, kind: 'other' };
}

const STEP: Record<RequestKind, { written?: 'variablesWritten' | 'actionWritten'; answered?: 'variablesAnswered' | 'actionAnswered' }> = {
  variables: { written: 'variablesWritten', answered: 'variablesAnswered' },
  action: { written: 'actionWritten', answered: 'actionAnswered' },
  other: {},
};

function written(method: string, path: string): void {
  const request = requestOf(method, path);
  if (!request) return;
  request.call.requests = (request.call.requests ?? 0) + 1;
  const step = STEP[request.kind].written;
  if (step !== undefined) request.call[step] ??= performance.now();
}

function answered(method: string, path: string): void {
  const request = requestOf(method, path);
  const step = request && STEP[request.kind].answered;
  if (!request || step === undefined) return;
  request.call[step] ??= performance.now();
  if (request.kind !== 'action') return;
  calls.delete(request.call.channel);
  done.push(JSON.stringify(request.call));
}

/** The request of a diagnostics message, undici's and node:http's alike. */
function onRequest(name: string, handler: (method: string, path: string) => void): void {
  subscribe(name, (message) => {
    const { request } = message as { request: { method: string; path: string } };
    handler(request.method, request.path);
  });
}

if (file !== undefined) {
  subscribe('callguard:ari:frame', (message) => {
    const { receivedAt, parsedAt, bytes, event } = message as AriFrameTrace;
    const type = typeof event.type === 'string' ? event.type : '?';
    const seen = (frames[type] ??= { count: 0, bytes: 0 });
    seen.count++;
    seen.bytes += bytes;
    if (type !== 'StasisStart') return;
    const channel = (event.channel as { id?: unknown } | undefined)?.id;
    if (typeof channel === 'string') calls.set(channel, { channel, at: Date.now(), frame: receivedAt, parsed: parsedAt });
  });
  // Fires as the command is written (a corked write goes out when its turn ends), and once its reply is read.
  subscribe('tracing:ioredis:command:start', (message) => {
    if ((message as { command?: string }).command === CHECK_COMMAND) checksInFlight.set(message as object, performance.now());
  });
  subscribe('tracing:ioredis:command:asyncStart', (message) => {
    const written = checksInFlight.get(message as object);
    if (written !== undefined) lastCheck = { written, answered: performance.now() };
  });
  subscribe('callguard:call:decided', (message) => {
    const { channelId, startedAt, decidedAt } = message as DecisionTrace;
    const decision: TracedDecision = { decisionStart: startedAt, decided: decidedAt };
    // The check answered last is this decision's when it lies inside it: decisions rarely overlap at these rates.
    if (lastCheck !== undefined && lastCheck.written >= startedAt && lastCheck.answered <= decidedAt) {
      decision.checkWritten = lastCheck.written;
      decision.checkAnswered = lastCheck.answered;
    }
    const call = calls.get(channelId);
    if (call) Object.assign(call, decision);
    else agiDecisions.set(channelId, decision);
  });
  subscribe('callguard:agi:session', (message) => {
    const session = message as AgiSessionTrace;
    const decision = agiDecisions.get(session.channelId);
    agiDecisions.delete(session.channelId);
    done.push(JSON.stringify({ ...session, ...decision, agi: true, at: Date.now() } satisfies TracedAgiSession));
  });
  onRequest('undici:client:sendHeaders', written);
  onRequest('undici:request:headers', answered);
  onRequest('http.client.request.start', written);
  onRequest('http.client.response.finish', answered);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } | null }).detail?.kind;
      done.push(JSON.stringify({ gc: gcKind(kind), at: performance.timeOrigin + entry.startTime, start: entry.startTime, duration: entry.duration } satisfies TracedGc));
    }
  }).observe({ entryTypes: ['gc'] });
  const take = (): string => {
    if (Object.keys(frames).length > 0) done.push(JSON.stringify({ frames, at: Date.now() } satisfies TracedFrames));
    frames = {};
    const text = done.length === 0 ? '' : `${done.join('\n')}\n`;
    done = [];
    return text;
  };
  setInterval(() => {
    const text = take();
    if (text !== '') void appendFile(file, text);
  }, FLUSH_INTERVAL_MS).unref();
  process.on('exit', () => appendFileSync(file, take()));
}

/** perf_hooks' GC kinds (NODE_PERFORMANCE_GC_*): 1 minor (scavenge), 2 major (mark-sweep-compact), 4 incremental, 8 weak callbacks. */
function gcKind(kind: number | undefined): string {
  switch (kind) {
    case 1:
      return 'minor';
    case 2:
      return 'major';
    case 4:
      return 'incremental';
    case 8:
      return 'weakcb';
    default:
      return String(kind);
  }
}
