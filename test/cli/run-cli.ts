import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { runCli } from '../../src/cli/run.js';
import { ListStore } from '../../src/lists/store.js';
import { redisUrl, testNamespace } from '../helpers/redis.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `callguard` run in-process against the test Redis, in its own namespace. */
export async function callguard(namespace: string, ...args: string[]): Promise<CliRun> {
  return callguardArgs(['--redis', redisUrl(), '--namespace', namespace, ...args]);
}

/** `callguard` run in-process with exactly these arguments (say, another Redis). */
export async function callguardArgs(args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(['node', 'callguard', ...args], {
    out: (text) => {
      out += text.endsWith('\n') ? text : `${text}\n`;
    },
    err: (text) => {
      err += text.endsWith('\n') ? text : `${text}\n`;
    },
  });
  return { code, out, err };
}

/** The same with --json, stdout parsed. */
export async function callguardJson<T = Record<string, unknown>>(
  namespace: string,
  ...args: string[]
): Promise<CliRun & { json: T }> {
  const run = await callguard(namespace, '--json', ...args);
  return { ...run, json: JSON.parse(run.out) as T };
}

/** A namespace of its own with these lists created (empty), for commands that name lists. */
export async function namespaceWithLists(redis: Redis, ...lists: string[]): Promise<string> {
  const namespace = testNamespace();
  const store = new ListStore(redis, namespace);
  for (const list of lists) await store.createList(list, { by: 'test' });
  return namespace;
}

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** The real binary as a child process (node with the tsx loader), for exit codes and streams. */
export function spawnCallguard(
  args: string[],
  env: Record<string, string> = {},
  options: { stopReadingAfterFirstChunk?: boolean } = {},
): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  const redisSettings = ['CALLGUARD_REDIS_SENTINELS', 'CALLGUARD_REDIS_SENTINEL_NAME', 'CALLGUARD_REDIS_CLUSTER', 'CALLGUARD_REDIS_WAIT_REPLICAS'];
  for (const name of ['REDIS_URL', 'CALLGUARD_NAMESPACE', 'CALLGUARD_REGION', ...redisSettings]) {
    if (!(name in env)) delete childEnv[name];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (options.stopReadingAfterFirstChunk) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
