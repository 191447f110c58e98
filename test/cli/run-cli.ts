import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { CliIo } from '../../src/cli/context.js';
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
  return run(args, {});
}

/**
 * The same as if on a terminal: each question callguard asks gets the next of `answers`
 * (none left: ''); `questions` are the questions asked.
 */
export async function callguardOnTerminal(
  namespace: string,
  answers: string[],
  ...args: string[]
): Promise<CliRun & { questions: string[] }> {
  const questions: string[] = [];
  const left = [...answers];
  const result = await run(['--redis', redisUrl(), '--namespace', namespace, ...args], {
    ask: async (question) => {
      questions.push(question);
      return left.shift() ?? '';
    },
  });
  return { ...result, questions };
}

async function run(args: string[], io: Pick<CliIo, 'ask'>): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(['node', 'callguard', ...args], {
    out: (text) => {
      out += text.endsWith('\n') ? text : `${text}\n`;
    },
    err: (text) => {
      err += text.endsWith('\n') ? text : `${text}\n`;
    },
    ...io,
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

function childEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  const redisSettings = ['CALLGUARD_REDIS_SENTINELS', 'CALLGUARD_REDIS_SENTINEL_NAME', 'CALLGUARD_REDIS_CLUSTER', 'CALLGUARD_REDIS_WAIT_REPLICAS'];
  for (const name of ['REDIS_URL', 'CALLGUARD_NAMESPACE', 'CALLGUARD_REGION', ...redisSettings]) {
    if (!(name in env)) delete childEnv[name];
  }
  return childEnv;
}

/** What a child printed, and its exit code, once it has ended. */
function outputOf(child: ChildProcess, onStdout: () => void = () => undefined): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      onStdout();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/** The real binary as a child process (node with the tsx loader), for exit codes and streams. */
export function spawnCallguard(
  args: string[],
  env: Record<string, string> = {},
  options: { stopReadingAfterFirstChunk?: boolean } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: childEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return outputOf(child, () => {
    if (options.stopReadingAfterFirstChunk) child.stdout.destroy();
  });
}

/** One word for a POSIX shell, quoted. */
function shellWord(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The real binary on a pseudo-terminal (util-linux `script`), typing `input`: for what
 * only a terminal shows, such as a question. stdout and stderr both arrive in `out`, as
 * on a screen; `code` is the binary's exit code.
 */
export function spawnCallguardOnTerminal(args: string[], env: Record<string, string>, input: string): Promise<CliRun> {
  const command = [process.execPath, '--import', 'tsx', MAIN, ...args].map(shellWord).join(' ');
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    env: childEnvironment(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(input);
  return outputOf(child);
}
