import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort, releaseSandboxUdpPort, udpPortFree } from './asterisk-sandbox.js';
import { dtmfPcap } from './dtmf-pcap.js';
import { assertMayUseAsterisk } from './test-kind.js';

export interface CallParams {
  /** The caller's SIP user part: `+493012345678`, `0301234567`, `anonymous`, anything. */
  from: string;
  displayName?: string;
  /** Host of the From URI; `anonymous.invalid` for an anonymous From. Default 127.0.0.1. */
  fromHost?: string;
  /** Adds `Privacy: id`. */
  privacyId?: boolean;
  /** Adds `P-Asserted-Identity: <sip:<number>@127.0.0.1>`. */
  pAssertedIdentity?: string;
  /** STIR/SHAKEN as a carrier reports it: `;verstat=<value>` on the P-Asserted-Identity URI. */
  verstat?: string;
  /** The callguard route, sent as X-Callguard-Route ([from-test] in extensions.conf). */
  route?: string;
  /** Makes it an agent's outbound call for this campaign (X-Callguard-Campaign). */
  campaign?: string;
  /** `agi`: screened over FastAGI ([screen-agi]) instead of the Stasis app (X-Callguard-Screen). */
  screen?: 'agi';
  /** The dialled number (Request-URI user part). */
  to: string;
  /**
   * Stays on the line once answered: presses `keys` (RFC 2833; '' for none) 1.5 s in,
   * and hangs up 4 s later, unless Asterisk hangs up first.
   */
  talk?: { keys: string };
  /** host:port of Asterisk's PJSIP transport. */
  target: string;
}

export interface CallOutcome {
  /** The final SIP response to the INVITE (200, 403, 486, 503 ...). */
  status: number;
  answered: boolean;
}

const SCENARIOS = fileURLToPath(new URL('../sipp/', import.meta.url));
/** Bounds one call: ringing, an announcement, a second of talk and the BYE. */
const CALL_TIMEOUT_S = 30;

function extraHeaders(params: CallParams): string {
  const lines: string[] = [];
  if (params.privacyId) lines.push('Privacy: id');
  const verstat = params.verstat === undefined ? '' : `;verstat=${params.verstat}`;
  if (params.pAssertedIdentity) lines.push(`P-Asserted-Identity: <sip:${params.pAssertedIdentity}@127.0.0.1${verstat}>`);
  if (params.route) lines.push(`X-Callguard-Route: ${params.route}`);
  if (params.campaign) lines.push(`X-Callguard-Campaign: ${params.campaign}`);
  if (params.screen) lines.push(`X-Callguard-Screen: ${params.screen}`);
  // The scenario puts this value right before Max-Forwards, so "no extra headers"
  // is an empty string rather than an empty line that would end the header block.
  return lines.map((line) => `${line}\r\n`).join('');
}

function fromHeader(params: CallParams): string {
  const uri = `<sip:${params.from}@${params.fromHost ?? '127.0.0.1'}>`;
  return params.displayName === undefined ? uri : `"${params.displayName.replace(/["\\]/g, '\\$&')}" ${uri}`;
}

/**
 * The final response to our INVITE, from sipp's -trace_msg log: the last
 * "SIP/2.0 <code>" received whose CSeq is the INVITE's, with code >= 200.
 */
export function finalInviteStatus(messageLog: string): number | undefined {
  let status: number | undefined;
  for (const block of messageLog.split(/-{5,} [^\n]*\n/)) {
    const received = /^\s*UDP message received[^\n]*\n+SIP\/2\.0 (\d{3})/m.exec(block);
    if (received?.[1] === undefined || !/^CSeq:\s*1 INVITE/im.test(block)) continue;
    const code = Number(received[1]);
    if (code >= 200) status = code;
  }
  return status;
}

/** The file the key-pressing scenarios play (play_pcap_audio="keys.pcap"), in sipp's working directory. */
const KEYS_PCAP = 'keys.pcap';

function runSipp(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('sipp', args, { cwd, timeout: (CALL_TIMEOUT_S + 10) * 1000 }, (error, _stdout, stderr) => {
      const spawnError = error as NodeJS.ErrnoException | null;
      if (spawnError?.code === 'ENOENT') {
        reject(new Error('sipp is not installed (apt-get install sip-tester)'));
        return;
      }
      const exitCode = error === null ? 0 : typeof spawnError?.code === 'number' ? spawnError.code : null;
      resolve({ code: exitCode, stderr });
    });
  });
}

const MEDIA_PORT_PICKS = 20;

/** A port for sipp's -mp: it binds that one for audio and the one two above for video, and exits if either is taken. */
async function freeMediaPort(): Promise<number> {
  for (let pick = 0; pick < MEDIA_PORT_PICKS; pick++) {
    const port = await freeUdpPort();
    if (await udpPortFree(port + 2)) return port;
  }
  throw new Error(`no free UDP port p with p + 2 free too after ${MEDIA_PORT_PICKS} picks`);
}

/** Places one real SIP call with sipp and returns how Asterisk answered it. */
export async function placeCall(params: CallParams): Promise<CallOutcome> {
  assertMayUseAsterisk();
  const dir = await mkdtemp(join(tmpdir(), 'callguard-sipp-'));
  const messageFile = join(dir, 'messages.log');
  try {
    if (params.talk) await writeFile(join(dir, KEYS_PCAP), dtmfPcap(params.talk.keys));
    const args = [
      params.target,
      '-sf', join(SCENARIOS, params.talk ? 'uac-call-talk.xml' : 'uac-call.xml'),
      '-s', params.to,
      '-i', '127.0.0.1',
      '-p', String(await freeUdpPort()),
      '-mp', String(await freeMediaPort()),
      '-m', '1',
      '-nostdin',
      '-ci', '127.0.0.1',
      '-timeout', `${CALL_TIMEOUT_S}s`,
      '-timeout_error',
      '-trace_msg', '-message_file', messageFile,
      '-trace_err', '-error_file', join(dir, 'errors.log'),
      '-set', 'from', fromHeader(params),
      '-set', 'extra_headers', extraHeaders(params),
    ];
    const run = await runSipp(args, dir);
    const log = await readFile(messageFile, 'utf8').catch(() => '');
    const status = finalInviteStatus(log);
    if (status === undefined) {
      const errors = await readFile(join(dir, 'errors.log'), 'utf8').catch(() => '');
      throw new Error(`sipp got no final response (exit ${run.code}): ${run.stderr}\n${errors}\n${log.slice(-3000)}`);
    }
    return { status, answered: status >= 200 && status < 300 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export type UasBehaviour = 'answer' | 'answer-after-ring' | 'answer-press-keys' | 'busy' | 'ring-no-answer';

/** One call a far end received, as its message log shows it. */
export interface UasCall {
  callId: string;
  /** the Request-URI's user part: the number dialled */
  user: string;
  /** the From header's user part: the caller id presented */
  from: string;
  /** ms since epoch of the first INVITE */
  invitedAt: number;
  /** ms since epoch of the first BYE or CANCEL received; undefined while the call is up */
  endedAt: number | undefined;
}

/**
 * The calls in a sipp -trace_msg log. Each message starts with a line of dashes and
 * sipp's local time (`2026-11-23 16:18:51.500223`), which Date reads as local time too.
 */
export function uasCalls(messageLog: string): UasCall[] {
  const calls = new Map<string, UasCall>();
  const parts = messageLog.split(/^-{5,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n/m);
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const at = new Date((parts[i] as string).replace(' ', 'T').slice(0, 23)).getTime();
    const received = /^\s*UDP message received[^\n]*\n+(INVITE|BYE|CANCEL) sip:(?:([^@\s]*)@)?/m.exec(parts[i + 1] as string);
    const callId = /^Call-ID:\s*(\S+)/im.exec(parts[i + 1] as string)?.[1];
    if (!received || callId === undefined) continue;
    const call = calls.get(callId);
    if (received[1] === 'INVITE') {
      const from = /^From:[^\n]*?sip:([^@;>\s]*)@/im.exec(parts[i + 1] as string)?.[1] ?? '';
      if (!call) calls.set(callId, { callId, user: received[2] ?? '', from, invitedAt: at, endedAt: undefined });
    } else if (call && call.endedAt === undefined) {
      call.endedAt = at;
    }
  }
  return [...calls.values()];
}

export interface RunningUas {
  port: number;
  /** INVITEs this far end has received so far (new calls; retransmissions not counted) */
  invites(): Promise<number>;
  /** the calls received so far, with when each began and ended */
  calls(): Promise<UasCall[]>;
  stop(): Promise<void>;
}

const UAS_SCENARIOS: Record<UasBehaviour, string> = {
  answer: 'uas-answer.xml',
  'answer-after-ring': 'uas-answer-after-ring.xml',
  'answer-press-keys': 'uas-answer-press-keys.xml',
  busy: 'uas-busy.xml',
  'ring-no-answer': 'uas-ring-no-answer.xml',
};

const UAS_READY_TIMEOUT_MS = 5_000;
const UAS_STOP_TIMEOUT_MS = 5_000;

/**
 * sipp as the far end of outbound calls on 127.0.0.1:<port> (the sandbox's farEndPort),
 * answering every call the same way until stop().
 */
export async function startSippUas(options: { behaviour: UasBehaviour; port: number; keys?: string }): Promise<RunningUas> {
  assertMayUseAsterisk();
  const dir = await mkdtemp(join(tmpdir(), 'callguard-uas-'));
  const messageFile = join(dir, 'messages.log');
  // 'answer-press-keys' presses these (RFC 2833) 1.5 s after it answered.
  if (options.behaviour === 'answer-press-keys') await writeFile(join(dir, KEYS_PCAP), dtmfPcap(options.keys ?? ''));
  await releaseSandboxUdpPort(options.port);
  const child = spawn(
    'sipp',
    [
      '-sf', join(SCENARIOS, UAS_SCENARIOS[options.behaviour]),
      '-i', '127.0.0.1',
      '-p', String(options.port),
      '-mp', String(await freeMediaPort()),
      '-nostdin',
      '-ci', '127.0.0.1',
      '-trace_msg', '-message_file', messageFile,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`could not start sipp (apt-get install sip-tester): ${error.message}`)));
    void exited.then(() => reject(new Error(`sipp UAS on port ${options.port} exited at start: ${output}`)));
  });
  failed.catch(() => undefined);
  const deadline = Date.now() + UAS_READY_TIMEOUT_MS;
  const listening = async (): Promise<void> => {
    while (await udpPortFree(options.port)) {
      if (Date.now() > deadline) throw new Error(`sipp UAS did not bind 127.0.0.1:${options.port}: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await Promise.race([listening(), failed]);
  return {
    port: options.port,
    async invites() {
      const log = await readFile(messageFile, 'utf8').catch(() => '');
      const callIds = new Set<string>();
      for (const block of log.split(/-{5,} [^\n]*\n/)) {
        if (!/^\s*UDP message received[^\n]*\n+INVITE /m.test(block)) continue;
        callIds.add(/^Call-ID:\s*(\S+)/im.exec(block)?.[1] ?? block);
      }
      return callIds.size;
    },
    async calls() {
      return uasCalls(await readFile(messageFile, 'utf8').catch(() => ''));
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const timer = setTimeout(() => child.kill('SIGKILL'), UAS_STOP_TIMEOUT_MS);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
