import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
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
const OUTPUT_TAIL_LINES = 40;
const SAMPLE_USER = 'callguard';
const SAMPLE_PASSWORD = 'callguard';

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
  const httpPort = options.httpPort ?? (await freePort());
  const sipPort = options.sipPort ?? (await freeUdpPort());
  const farEndPort = options.farEndPort ?? (await freeUdpPort());
  const runDir = (
    await sandboxCommand(['prepare', String(httpPort), String(sipPort), String(farEndPort)], PROVISION_TIMEOUT_MS)
  ).trim();
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
    await sandboxCommand(['cleanup', runDir], CLI_TIMEOUT_MS);
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= shutDown());

  try {
    await waitForAri(target, READY_TIMEOUT_MS, failed);
    await Promise.race([cli('core waitfullybooted'), failed]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...target, runDir, cli, stop };
}
