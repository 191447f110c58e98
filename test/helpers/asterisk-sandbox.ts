import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './redis-server.js';
import { assertMayUseAsterisk } from './test-kind.js';

/** Where the end-to-end tests reach an Asterisk that runs the shipped asterisk-config/. */
export interface AsteriskTarget {
  ariUrl: string;
  ariUser: string;
  ariPassword: string;
  /** Where sipp sends test calls: the PJSIP transport. */
  sipHost: string;
  sipPort: number;
  /** The port pjsip.conf's test-far-end points at: where startSippUas() must listen. */
  farEndPort: number;
}

export interface RunningAsterisk extends AsteriskTarget {
  /** The run's config copy and logs (log/full), inside the sandbox root. */
  runDir: string;
  /** Runs one Asterisk CLI command (`asterisk -rx`) and returns its output. */
  cli(command: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StartAsteriskOptions {
  httpPort?: number;
  sipPort?: number;
  farEndPort?: number;
  /** Runs on the prepared run directory before Asterisk starts (e.g. to fill its astdb). */
  beforeStart?: (runDir: string) => Promise<void>;
}

const execFileAsync = promisify(execFile);

export const SANDBOX_SCRIPT = fileURLToPath(new URL('../../scripts/asterisk-sandbox.sh', import.meta.url));
/** Building the root the first time: debootstrap plus the asterisk packages (~1-2 min). */
const PROVISION_TIMEOUT_MS = 600_000;
/** A warm start is under a second; this only bounds a broken one. */
const READY_TIMEOUT_MS = 30_000;
/** `core stop now` normally ends Asterisk well within this; then it is killed. */
const STOP_TIMEOUT_MS = 10_000;
const CLI_TIMEOUT_MS = 10_000;
/** Starts with fresh ports after one whose SIP port another sandbox took first; more means something else is wrong. */
const START_ATTEMPTS = 3;
const OUTPUT_TAIL_LINES = 40;
/** Where a failed test's Asterisk logs are kept (git-ignored), one folder per test. */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const SAMPLE_USER = 'callguard';
const SAMPLE_PASSWORD = 'callguard';

/** The sandboxes of this test file that have not stopped yet: what a failed test keeps the logs of. */
const running = new Set<string>();

/**
 * Copies the full log (with the SIP messages: pjsip logger is on) of every sandbox
 * Asterisk still running in this file to test-artifacts/<test>/, and returns the copies.
 * A flaky call's cause is in that log, and stop() deletes the run directory it lives in.
 */
export async function keepSandboxLogs(testName: string): Promise<string[]> {
  const folder = join(ARTIFACTS_DIR, testName.replace(/[^\w.-]+/g, '-').slice(0, 120));
  await mkdir(folder, { recursive: true });
  return Promise.all(
    [...running].map(async (runDir) => {
      const kept = join(folder, `${basename(runDir)}.log`);
      await copyFile(join(runDir, 'log', 'full'), kept);
      return kept;
    }),
  );
}

/** Why this machine cannot run the sandbox, or undefined when it can. */
export async function sandboxUnavailableReason(): Promise<string | undefined> {
  try {
    await execFileAsync(SANDBOX_SCRIPT, ['check']);
    return undefined;
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout?.trim();
    return stdout || `the sandbox check failed: ${String(error)}`;
  }
}

/** A free loopback UDP port the kernel picks (its ephemeral range): for sipp's own sockets. */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/**
 * Where the sandbox's SIP and far-end ports come from: above Asterisk's RTP range
 * (rtp.conf: 10000-20000) and below the kernel's ephemeral range (32768 on), which every
 * bind(0) draws from: sipp's sockets, PJSIP's DNS sockets, any UDP client. A port picked
 * from the ephemeral range is free when probed but not reserved, and on a loaded machine
 * one of those took it in the seconds before Asterisk bound it. Only other sandboxes
 * draw from this pool, and startAsterisk() checks that its transport did bind.
 */
export const SANDBOX_UDP_PORTS = { first: 20_002, last: 32_767 } as const;
const SANDBOX_PORT_PICKS = 100;

export async function udpPortFree(port: number): Promise<boolean> {
  const socket = await boundUdp(port);
  if (socket === undefined) return false;
  return new Promise((resolve) => socket.close(() => resolve(true)));
}

function boundUdp(port: number): Promise<Socket | undefined> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => resolve(undefined));
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

async function pickSandboxUdpPort(take: (port: number) => Promise<boolean>): Promise<number> {
  const { first, last } = SANDBOX_UDP_PORTS;
  for (let pick = 0; pick < SANDBOX_PORT_PICKS; pick++) {
    const port = first + Math.floor(Math.random() * (last - first + 1));
    if (await take(port)) return port;
  }
  throw new Error(`no free UDP port in ${first}-${last} after ${SANDBOX_PORT_PICKS} random picks`);
}

/** A free loopback UDP port from SANDBOX_UDP_PORTS, for a port Asterisk or a far end binds later. */
export function freeSandboxUdpPort(): Promise<number> {
  return pickSandboxUdpPort(udpPortFree);
}

/**
 * Far-end ports this process picked, held bound until the far end's sipp binds them
 * (startSippUas releases them): another sandbox's probe finds them taken. Picked free and
 * left unbound for a whole test file, one was once bound first by another test file's
 * sandbox, and that file's far end could not start (EADDRINUSE).
 */
const heldPorts = new Map<number, Socket>();

async function holdSandboxUdpPort(): Promise<number> {
  return pickSandboxUdpPort(async (port) => {
    const socket = await boundUdp(port);
    if (socket === undefined) return false;
    // A held port never keeps a test process alive.
    socket.unref();
    heldPorts.set(port, socket);
    return true;
  });
}

/** Lets go of a port this process holds for its far end, right before that binds it; nothing for any other port. */
export async function releaseSandboxUdpPort(port: number): Promise<void> {
  const socket = heldPorts.get(port);
  if (socket === undefined) return;
  heldPorts.delete(port);
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}

async function sandboxCommand(args: string[], timeout: number): Promise<string> {
  try {
    const { stdout } = await execFileAsync(SANDBOX_SCRIPT, args, {
      timeout,
      env: { ...process.env, CALLGUARD_SANDBOX_OWNER: String(process.pid) },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`asterisk-sandbox.sh ${args.join(' ')} failed: ${String(error)}\n${stderr.slice(-4000)}`);
  }
}

function keepTail(child: ChildProcess): () => string {
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => {
    // Asterisk colours its console; the tail is for people reading a failed test.
    lines.push(...chunk.toString('utf8').replace(/\x1b\[[0-9;]*m/g, '').split('\n'));
    lines.splice(0, Math.max(0, lines.length - OUTPUT_TAIL_LINES));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return () => lines.join('\n');
}

async function ariAnswers(target: AsteriskTarget): Promise<boolean> {
  const auth = Buffer.from(`${target.ariUser}:${target.ariPassword}`).toString('base64');
  try {
    const response = await fetch(`${target.ariUrl}/ari/asterisk/info`, {
      headers: { authorization: `Basic ${auth}` },
      signal: AbortSignal.timeout(1_000),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    // Connection refused while Asterisk starts; the caller polls again.
    return false;
  }
}

/** Resolves once ARI answers GET /asterisk/info; rejects when `failed` does first or time runs out. */
export async function waitForAri(target: AsteriskTarget, timeoutMs: number, failed?: Promise<never>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const poll = async (): Promise<void> => {
    while (!(await ariAnswers(target))) {
      if (Date.now() > deadline) throw new Error(`ARI at ${target.ariUrl} did not answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await (failed ? Promise.race([poll(), failed]) : poll());
}

/**
 * Starts Asterisk from the cached sandbox root (built on first use) with the project's
 * asterisk-config/ on free loopback ports, and resolves once ARI answers and Asterisk
 * is fully booted. stop() ends it and removes the run's files.
 */
export async function startAsterisk(options: StartAsteriskOptions = {}): Promise<RunningAsterisk> {
  assertMayUseAsterisk();
  for (let attempt = 1; ; attempt++) {
    const ports = {
      httpPort: options.httpPort ?? (await freePort()),
      sipPort: options.sipPort ?? (await freeSandboxUdpPort()),
      farEndPort: options.farEndPort ?? (await holdSandboxUdpPort()),
    };
    try {
      return await startOnce(ports, options.beforeStart);
    } catch (error) {
      await releaseSandboxUdpPort(ports.farEndPort);
      // A port the caller chose is theirs to change; one we chose, we choose again.
      if (!(error instanceof SipPortTaken) || options.sipPort !== undefined || attempt === START_ATTEMPTS) throw error;
      console.warn(`asterisk-sandbox: ${error.message.split('\n')[0]}; starting again on fresh ports`);
    }
  }
}

/** Asterisk started but could not bind its SIP transport: the port was taken after it was picked. */
class SipPortTaken extends Error {}

async function startOnce(
  { httpPort, sipPort, farEndPort }: Required<Omit<StartAsteriskOptions, 'beforeStart'>>,
  beforeStart: StartAsteriskOptions['beforeStart'],
): Promise<RunningAsterisk> {
  const runDir = (
    await sandboxCommand(['prepare', String(httpPort), String(sipPort), String(farEndPort)], PROVISION_TIMEOUT_MS)
  ).trim();
  try {
    await beforeStart?.(runDir);
  } catch (error) {
    await sandboxCommand(['cleanup', runDir], CLI_TIMEOUT_MS);
    throw error;
  }
  const child = spawn(SANDBOX_SCRIPT, ['exec', runDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = keepTail(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`could not start the sandbox: ${error.message}`)));
    void exited.then((code) => reject(new Error(`asterisk exited with ${code} while starting:\n${tail()}`)));
  });
  failed.catch(() => undefined);

  const target: AsteriskTarget = {
    ariUrl: `http://127.0.0.1:${httpPort}`,
    ariUser: SAMPLE_USER,
    ariPassword: SAMPLE_PASSWORD,
    sipHost: '127.0.0.1',
    sipPort,
    farEndPort,
  };
  const cli = (command: string): Promise<string> => sandboxCommand(['cli', runDir, command], CLI_TIMEOUT_MS);

  const shutDown = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      await cli('core stop now').catch(() => child.kill('SIGKILL'));
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    running.delete(runDir);
    await releaseSandboxUdpPort(farEndPort);
    await sandboxCommand(['cleanup', runDir], CLI_TIMEOUT_MS);
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= shutDown());

  try {
    await waitForAri(target, READY_TIMEOUT_MS, failed);
    await Promise.race([cli('core waitfullybooted'), failed]);
    // Asterisk boots without a transport it could not bind (one ERROR line), and every
    // call sent to that port then reaches whoever holds it: silence, or another PBX.
    const transports = await Promise.race([cli('pjsip show transports'), failed]);
    if (!transports.includes(`127.0.0.1:${sipPort}`)) {
      throw new SipPortTaken(`the sandbox's SIP port 127.0.0.1:${sipPort}/udp was taken before Asterisk could bind it:\n${transports}`);
    }
    // Every SIP message in the log: a final response nobody expected (a 488) shows
    // the INVITE and answer it came with in a failed test's kept log.
    await Promise.race([cli('pjsip set logger on'), failed]);
    running.add(runDir);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...target, runDir, cli, stop };
}
