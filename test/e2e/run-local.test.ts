import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freeSandboxUdpPort } from '../helpers/asterisk-sandbox.js';
import { e2eAvailability } from '../helpers/asterisk.js';
import { commandLine, descendants, stillRunning } from '../helpers/processes.js';
import { freePort } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';

const availability = await e2eAvailability();
const RUN_LOCAL = fileURLToPath(new URL('../../scripts/run-local.sh', import.meta.url));
const BUILT_CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
/** Redis, Asterisk and serve start in a few seconds; this bounds a broken start. */
const READY_TIMEOUT_MS = 60_000;
/** What "stops in seconds" means here: serve drains (no calls), Asterisk and Redis stop in about a second each. */
const STOP_LIMIT_MS = 15_000;
const SANDBOX_ROOT = process.env.CALLGUARD_ASTERISK_ROOT ?? '/var/cache/callguard-asterisk/root';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface RunLocal {
  pid: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill: (signal: NodeJS.Signals) => void;
  /** After a failed test: kills whatever of it is left, children included. */
  killAll: () => Promise<void>;
}

async function startRunLocal(dataDir: string): Promise<RunLocal> {
  if (!existsSync(BUILT_CLI)) throw new Error('dist/cli/main.js is missing: run npm run build first (scripts/test.sh does)');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dataDir,
    CALLGUARD_SKIP_PREPARE: '1',
    CALLGUARD_DATA_DIR: dataDir,
    CALLGUARD_NAMESPACE: testNamespace(),
    REDIS_PORT: String(await freePort()),
    ARI_PORT: String(await freePort()),
    SIP_PORT: String(await freeSandboxUdpPort()),
    FAR_END_PORT: String(await freeSandboxUdpPort()),
    CALLGUARD_HEALTH: `127.0.0.1:${await freePort()}`,
    CALLGUARD_API_LISTEN: `127.0.0.1:${await freePort()}`,
  };
  const child = spawn(RUN_LOCAL, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid ?? 0;
  const killAll = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const left = await descendants(pid);
    child.kill('SIGKILL');
    for (const other of left) process.kill(other, 'SIGKILL');
  };
  return { pid, stdout: () => stdout, stderr: () => stderr, exited, kill: (signal) => child.kill(signal), killAll };
}

function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function readyLine(run: RunLocal): Promise<Record<string, unknown>> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const exitedEarly = run.exited.then(({ code }) => {
    throw new Error(`run-local.sh exited with ${code} before serve was ready:\n${run.stderr()}\n${run.stdout()}`);
  });
  exitedEarly.catch(() => undefined);
  for (;;) {
    const ready = run.stdout().split('\n').find((line) => line.includes('"callguard ready"'));
    if (ready) return JSON.parse(ready) as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`no ready line within ${READY_TIMEOUT_MS} ms:\n${run.stderr()}\n${run.stdout()}`);
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 100)), exitedEarly]);
  }
}

/** The api's own log line says where it listens; its /readyz answers once Redis is connected. */
async function apiListening(run: RunLocal): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const line = logLines(run.stdout()).find((entry) => entry.msg === 'callguard api listening');
    if (line) {
      const ready = await fetch(`http://${String(line.listen)}/readyz`).catch(() => undefined);
      if (ready?.status === 200) return;
    }
    if (Date.now() > deadline) throw new Error(`the api did not become ready within ${READY_TIMEOUT_MS} ms:\n${run.stderr()}\n${run.stdout()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!availability.run)('scripts/run-local.sh', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s stops Redis, Asterisk and serve within seconds, leaving no process and no sandbox run behind; stdout is JSON lines only',
    async (signal) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'callguard-run-local-'));
      dirs.push(dataDir);
      const run = await startRunLocal(dataDir);
      try {
        const ready = await readyLine(run);
        expect(ready).toMatchObject({
          level: 30,
          health: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
          ari: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
          ariApp: 'callguard',
          asterisk: expect.stringMatching(/^22\./),
          redis: expect.stringMatching(/^redis:\/\/127\.0\.0\.1:\d+/),
          redisVersion: expect.stringMatching(/^\d+\./),
        });
        expect(JSON.stringify(ready)).not.toMatch(/password/i);
        const children = await descendants(run.pid);
        const names = await Promise.all(children.map(commandLine));
        expect(names.some((name) => name.startsWith('redis-server'))).toBe(true);
        expect(names.some((name) => /^asterisk .*-f/.test(name))).toBe(true);
        expect(names.some((name) => name.includes('dist/cli/main.js serve'))).toBe(true);
        expect(names.some((name) => name.includes('dist/cli/main.js api'))).toBe(true);
        await apiListening(run);
        const runDir = /-C (\S+)\/etc\/asterisk\.conf/.exec(names.find((name) => name.startsWith('unshare')) ?? '')?.[1];
        expect(runDir).toBeDefined();

        const sentAt = Date.now();
        run.kill(signal);
        const stopped = await Promise.race([
          run.exited,
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), STOP_LIMIT_MS)),
        ]);
        expect(stopped, `still running ${STOP_LIMIT_MS} ms after ${signal}:\n${run.stderr()}`).toEqual({ code: 0, signal: null });
        expect(Date.now() - sentAt).toBeLessThan(STOP_LIMIT_MS);
        expect(await stillRunning(children)).toEqual([]);
        expect(existsSync(join(SANDBOX_ROOT, runDir ?? ''))).toBe(false);
        expect(run.stderr()).toContain(`run-local: ${signal}: stopping`);
        expect(logLines(run.stdout()).filter((line) => line.msg === 'callguard ready')).toHaveLength(1);
        expect(run.stdout() + run.stderr()).not.toContain('\x1b[');
        // Redis and Asterisk talk into their own files, not into the terminal.
        expect(run.stderr()).not.toMatch(/Redis is starting|Asterisk Ready|users\.conf is deprecated/);
        expect(existsSync(join(dataDir, 'redis', 'appendonlydir'))).toBe(true);
        expect(await readFile(join(dataDir, 'asterisk.log'), 'utf8')).toContain('Asterisk Ready');
      } finally {
        await run.killAll();
      }
    },
    READY_TIMEOUT_MS + STOP_LIMIT_MS + 10_000,
  );
});
