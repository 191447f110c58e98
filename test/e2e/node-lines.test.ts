import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace } from '../helpers/redis.js';

const execFileAsync = promisify(execFile);
const NEWER_NODE = fileURLToPath(new URL('../../scripts/newer-node.sh', import.meta.url));
const BUILT_CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
/** serve is ready within a second or two of its start; this bounds a broken one. */
const READY_TIMEOUT_MS = 30_000;

/** The Node binaries scripts/newer-node.sh fetched (scripts/test.sh does), or why there are none. */
async function newerNodes(): Promise<{ nodes: string[]; reason?: string }> {
  const { stdout } = await execFileAsync(NEWER_NODE, ['paths']);
  const nodes = stdout.split('\n').filter((line) => line !== '');
  if (nodes.length > 0) return { nodes };
  const reason = await execFileAsync(NEWER_NODE, ['check']).then(
    () => 'not fetched yet: run scripts/newer-node.sh provision (scripts/test.sh does)',
    (error: { stdout?: string }) => error.stdout?.trim() ?? String(error),
  );
  if (process.env.CI === 'true') throw new Error(`no Node 22/24 to test with: ${reason} (CI=true: failing instead of skipping)`);
  console.warn(`SKIPPED: no Node 22/24 to test with: ${reason}`);
  return { nodes, reason };
}

const availability = await e2eAvailability();
const { nodes } = await newerNodes();

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function run(node: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [BUILT_CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

/**
 * package.json says Node 20.19+, 22.12+ and 24; the suite runs on the machine's Node.
 * Here the built CLI and serve run on the others, exactly as an operator starts them,
 * and must work without a warning on stderr (deprecations included).
 */
describe.skipIf(nodes.length === 0 || !availability.run)('callguard on the other supported Node lines', () => {
  let asterisk: E2eAsterisk;

  beforeAll(async () => {
    if (!existsSync(BUILT_CLI)) throw new Error('dist/cli/main.js is missing: run npm run build first (scripts/test.sh does)');
    asterisk = await useAsterisk();
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await asterisk?.stop();
  });

  describe.each(nodes)('%s', (node) => {
    it('prints --help, and adds and checks a number in Redis', async () => {
      const env = { REDIS_URL: redisUrl(), CALLGUARD_NAMESPACE: testNamespace() };
      const help = await run(node, ['--help'], env);
      expect(help).toMatchObject({ code: 0, err: '' });
      expect(help.out).toContain('Usage: callguard');
      expect(await run(node, ['list', 'create', 'dnc'], env)).toMatchObject({ code: 0, err: '' });
      expect(await run(node, ['add', '+4930123456', '--list', 'dnc', '--reason', 'opted out'], env)).toMatchObject({ code: 0, err: '' });
      const check = await run(node, ['check', '+4930123456', '--list', 'dnc'], env);
      expect(check).toMatchObject({ code: 10, err: '' });
      expect(check.out).toMatch(/^verdict:\s+blocked$/m);
    });

    it('serve connects to Asterisk and Redis, says it is ready, and stops on SIGTERM with exit 0', async () => {
      const child = spawn(node, [BUILT_CLI, 'serve'], {
        env: {
          PATH: process.env.PATH ?? '',
          ARI_URL: asterisk.ariUrl,
          ARI_USERNAME: asterisk.ariUser,
          ARI_PASSWORD: asterisk.ariPassword,
          // Its own app name: the shared one belongs to whichever serve registered it last.
          ARI_APP: `callguard-node-${randomBytes(4).toString('hex')}`,
          REDIS_URL: redisUrl(),
          CALLGUARD_NAMESPACE: testNamespace(),
          CALLGUARD_REGION: 'DE',
          CALLGUARD_HEALTH: '127.0.0.1:0',
        },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
      // The signal too: an exit code of null alone does not say which signal ended serve.
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      try {
        const deadline = Date.now() + READY_TIMEOUT_MS;
        while (!out.includes('"callguard ready"')) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve on ${node} not ready:\n${err}\n${out}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        child.kill('SIGTERM');
        expect(await exited).toEqual({ code: 0, signal: null });
        expect(err).toBe('');
      } finally {
        child.kill('SIGKILL');
      }
    }, READY_TIMEOUT_MS + 10_000);
  });
});
