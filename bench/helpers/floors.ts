/**
 * The Stasis floor and the FastAGI floor in a process of their own, so bench:peer can
 * read their CPU time a call (/proc/<pid>/stat) beside serve's: run inside the bench's
 * process, their CPU was mixed with sipp's result parsing and the bench's own work.
 * Run as a script (node --import tsx floors.ts), it starts both and prints one line,
 * `{"agi":"<host:port>"}`, once they listen; SIGTERM stops them.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startAgiFloor } from './agi-floor.js';
import { startStasisFloor } from './stasis-floor.js';

/** How long the floors' process may take to listen. */
const FLOORS_READY_TIMEOUT_MS = 30_000;
const SELF = fileURLToPath(import.meta.url);

export interface Floors {
  pid: number;
  /** host:port of the FastAGI floor, for AGI(agi://<address>/...) */
  agiAddress: string;
  stop(): Promise<void>;
}

export interface FloorTarget {
  ariUrl: string;
  ariUser: string;
  ariPassword: string;
}

export async function startFloors(target: FloorTarget, app: string): Promise<Floors> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF], {
    env: { PATH: process.env.PATH ?? '', FLOOR_ARI_URL: target.ariUrl, FLOOR_ARI_USER: target.ariUser, FLOOR_ARI_PASSWORD: target.ariPassword, FLOOR_APP: app },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill('SIGTERM'), FLOORS_READY_TIMEOUT_MS);
  try {
    for await (const line of lines) {
      const ready = JSON.parse(line) as { agi?: unknown };
      if (typeof ready.agi === 'string') return { pid: child.pid ?? 0, agiAddress: ready.agi, stop };
    }
    throw new Error(`the floors' process ended before it listened (exit ${child.exitCode ?? child.signalCode})`);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
    lines.close();
  }
}

async function runFloors(): Promise<void> {
  const env = (name: string): string => {
    const value = process.env[name];
    if (value === undefined) throw new Error(`floors: ${name} not set`);
    return value;
  };
  const [stasis, agi] = await Promise.all([
    startStasisFloor({ ariUrl: env('FLOOR_ARI_URL'), ariUser: env('FLOOR_ARI_USER'), ariPassword: env('FLOOR_ARI_PASSWORD') }, env('FLOOR_APP')),
    startAgiFloor(),
  ]);
  process.once('SIGTERM', () => {
    void Promise.all([stasis.stop(), agi.stop()]).then(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ agi: agi.address })}\n`);
}

if (process.argv[1] === SELF) await runFloors();
