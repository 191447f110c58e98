import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseServeConfig, type ServeSettings } from '../../src/config.js';
import type { Logger } from '../../src/log.js';
import { startService, type RunningService } from '../../src/service/service.js';
import type { AsteriskTarget } from './asterisk-sandbox.js';
import { freePort } from './redis-server.js';

/**
 * `serve` in-process against a test Asterisk and Redis (region DE, health on a free
 * port), resolved once it is ready; `settings` adds to or overrides those.
 */
export async function startServeFor(
  asterisk: AsteriskTarget,
  redisUrl: string,
  namespace: string,
  log: Logger,
  settings: ServeSettings = {},
): Promise<RunningService> {
  const config = parseServeConfig({
    ariUrl: asterisk.ariUrl,
    ariUsername: asterisk.ariUser,
    ariPassword: asterisk.ariPassword,
    redisUrl,
    namespace,
    region: 'DE',
    health: '127.0.0.1:0',
    ...settings,
  });
  const service = await startService(config, log);
  await service.ready();
  return service;
}

export interface ServeProcess {
  child: ChildProcess;
  /** base URL of its health server */
  health: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** `callguard serve` as its own process, the way an operator runs it; env is all it gets but PATH. */
export async function spawnServe(env: Record<string, string>): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', ...env, CALLGUARD_HEALTH: `127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, health: `http://127.0.0.1:${port}`, stdout: () => stdout, stderr: () => stderr, exited };
}

/** The HTTP status of a GET, or undefined while nothing answers (a process still starting). */
export async function httpStatus(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    // Not listening yet while the process starts; the caller polls.
    return undefined;
  }
}
