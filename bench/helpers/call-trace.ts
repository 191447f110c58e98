/**
 * Loaded into `serve` by bench:peer's `--trace` (node --import): timestamps each Stasis
 * call's steps from the diagnostics channels serve and its HTTP client publish, and
 * appends one JSON line a call to BENCH_CALL_TRACE. Lines are written once a second
 * (and at exit), not on the call's path. Works on node:http's channels too, so the code
 * before the undici client can be traced the same way (its "written" is the request's
 * start, before it got a socket).
 */
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { AriFrameTrace, DecisionTrace } from '../../src/calls/call-trace.js';

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
  decided?: number;
  variablesWritten?: number;
  variablesAnswered?: number;
  actionWritten?: number;
  actionAnswered?: number;
}

const file = process.env.BENCH_CALL_TRACE;
const calls = new Map<string, TracedCall>();
let done: string[] = [];

type RequestKind = 'variables' | 'action';

/** Which of a call's requests a path is: `/ari/channels/<id>/variable` or its action. */
function requestOf(method: string, path: string): { channel: string; kind: RequestKind } | undefined {
  const match = /^\/ari\/channels\/([^/?]+)(\/[a-z]+)?/.exec(path);
  if (!match?.[1]) return undefined;
  const channel = decodeURIComponent(match[1]);
  const sub = match[2];
  if (sub === '/variable' && method === 'POST') return { channel, kind: 'variables' };
  if (sub === '/continue' || sub === '/answer' || (sub === undefined && method === 'DELETE')) return { channel, kind: 'action' };
  return undefined;
}

function written(method: string, path: string): void {
  const request = requestOf(method, path);
  const call = request && calls.get(request.channel);
  if (!call || !request) return;
  if (request.kind === 'variables') call.variablesWritten ??= performance.now();
  else call.actionWritten ??= performance.now();
}

function answered(method: string, path: string): void {
  const request = requestOf(method, path);
  const call = request && calls.get(request.channel);
  if (!call || !request) return;
  if (request.kind === 'variables') {
    call.variablesAnswered ??= performance.now();
    return;
  }
  call.actionAnswered ??= performance.now();
  calls.delete(call.channel);
  done.push(JSON.stringify(call));
}

if (file !== undefined) {
  subscribe('callguard:ari:frame', (message) => {
    const { receivedAt, parsedAt, event } = message as AriFrameTrace;
    if (event.type !== 'StasisStart') return;
    const channel = (event.channel as { id?: unknown } | undefined)?.id;
    if (typeof channel === 'string') calls.set(channel, { channel, at: Date.now(), frame: receivedAt, parsed: parsedAt });
  });
  subscribe('callguard:call:decided', (message) => {
    const { channelId, startedAt, decidedAt } = message as DecisionTrace;
    const call = calls.get(channelId);
    if (!call) return;
    call.decisionStart = startedAt;
    call.decided = decidedAt;
  });
  subscribe('undici:client:sendHeaders', (message) => {
    const { request } = message as { request: { method: string; path: string } };
    written(request.method, request.path);
  });
  subscribe('undici:request:headers', (message) => {
    const { request } = message as { request: { method: string; path: string } };
    answered(request.method, request.path);
  });
  subscribe('http.client.request.start', (message) => {
    const { request } = message as { request: { method: string; path: string } };
    written(request.method, request.path);
  });
  subscribe('http.client.response.finish', (message) => {
    const { request } = message as { request: { method: string; path: string } };
    answered(request.method, request.path);
  });
  const take = (): string => {
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
