import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort } from './asterisk-sandbox.js';

/** One call of a load run, as sipp's message log shows it. */
export interface LoadCall {
  callId: string;
  /** the From user part: the caller number */
  caller: string;
  /** ms since epoch when the first INVITE left */
  invitedAt: number;
  /** the final response to the INVITE; undefined when none came (the call got no answer) */
  status: number | undefined;
  /**
   * First INVITE sent to its final response received, ms with sipp's microsecond
   * timestamps (what the caller waits); undefined when no final response came.
   */
  setupMs: number | undefined;
}

export interface LoadOptions {
  /** host:port of Asterisk's PJSIP transport */
  target: string;
  /** new calls a second */
  rate: number;
  /** one caller a call, in order */
  callers: string[];
  /** the callguard route (X-Callguard-Route) */
  route: string;
  /** the number dialled */
  to: string;
  /** X-Callguard-Screen of every call ([from-test] in extensions.conf); none by default */
  screen?: string;
}

/**
 * The load benchmark's scenario: caller and route per call from an injection file, every
 * final response ACKed, an answered call hung up after a second. Shared with bench/, so
 * the test's load is the load the benchmark measures.
 */
const SCENARIO = fileURLToPath(new URL('../../bench/sipp/uac-load.xml', import.meta.url));
/** A call whose INVITE got no final response within this long counts as unanswered. */
const RECV_TIMEOUT_MS = 10_000;
/** After the last call is placed, the run ends when every call has ended, or after this long. */
const DRAIN_S = 30;

/**
 * Places `callers.length` real SIP calls at `rate` a second with one sipp process and
 * returns each call with its final response, from sipp's message log.
 */
export async function placeCallLoad(options: LoadOptions): Promise<LoadCall[]> {
  const dir = await mkdtemp(join(tmpdir(), 'callguard-load-'));
  try {
    const inject = join(dir, 'callers.csv');
    await writeFile(inject, `${['SEQUENTIAL', ...options.callers.map((caller) => `${caller};${options.route};${options.screen ?? ''}`)].join('\n')}\n`);
    const messages = join(dir, 'messages.log');
    const seconds = Math.ceil(options.callers.length / options.rate) + DRAIN_S;
    const args = [
      options.target, '-sf', SCENARIO, '-inf', inject, '-s', options.to,
      '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-mp', String(await freeUdpPort()),
      '-r', String(options.rate), '-rp', '1000', '-m', String(options.callers.length), '-l', String(options.rate * 10),
      '-recv_timeout', String(RECV_TIMEOUT_MS), '-nostdin', '-timeout', `${seconds}s`,
      '-trace_msg', '-message_file', messages,
    ];
    await new Promise<void>((resolve, reject) => {
      execFile('sipp', args, { timeout: (seconds + 10) * 1000 }, (error) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(new Error('sipp is not installed (apt-get install sip-tester)'));
        // Failed calls make sipp exit non-zero; the message log says which, and the caller judges.
        else resolve();
      });
    });
    return loadCalls(await readFile(messages, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The calls in a UAC's -trace_msg log. Each message starts with a line of dashes and
 * sipp's local time (`2026-11-23 16:18:51.500223`), which Date reads as local time too.
 */
export function loadCalls(messageLog: string): LoadCall[] {
  const calls = new Map<string, LoadCall>();
  const sentAt = new Map<string, number>();
  const parts = messageLog.split(/^-{5,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n/m);
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const stamp = (parts[i] as string).replace(' ', 'T');
    // Date keeps milliseconds only: the fraction is added apart, to the microsecond.
    const at = new Date(stamp.slice(0, 19)).getTime() + Number(`0${stamp.slice(19)}`) * 1000;
    const message = parts[i + 1] as string;
    const callId = /^Call-ID:\s*(\S+)/im.exec(message)?.[1];
    if (callId === undefined) continue;
    if (/^\s*UDP message sent[^\n]*\n+INVITE /m.test(message)) {
      const caller = /^From:[^\n]*<sip:([^@>]*)@/im.exec(message)?.[1] ?? '';
      if (!calls.has(callId)) {
        calls.set(callId, { callId, caller, invitedAt: Math.floor(at), status: undefined, setupMs: undefined });
        sentAt.set(callId, at);
      }
      continue;
    }
    const response = /^\s*UDP message received[^\n]*\n+SIP\/2\.0 (\d{3})/m.exec(message);
    const call = calls.get(callId);
    if (response?.[1] !== undefined && call && call.status === undefined && /^CSeq:\s*1 INVITE/im.test(message) && Number(response[1]) >= 200) {
      call.status = Number(response[1]);
      call.setupMs = at - (sentAt.get(callId) ?? at);
    }
  }
  return [...calls.values()];
}
