import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { callguard } from '../cli/run-cli.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';

const availability = await e2eAvailability();
const CALL_SCRIPT = fileURLToPath(new URL('../../scripts/call.sh', import.meta.url));
const BUILT_CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
/** A refused call ends at once and an answered one after a second; this bounds a broken one. */
const CALL_TIMEOUT_MS = 40_000;

/** The quick start's test call: scripts/call.sh against the sandbox, serve screening it. */
describe.skipIf(!availability.run)('scripts/call.sh', () => {
  let asterisk: E2eAsterisk;
  let service: RunningService | undefined;
  const namespace = testNamespace();

  beforeAll(async () => {
    if (!existsSync(BUILT_CLI)) throw new Error('dist/cli/main.js is missing: run npm run build first (scripts/test.sh does)');
    asterisk = await useAsterisk();
    service = await startServeFor(asterisk, redisUrl(), namespace, capturedLogger().log);
    await callguard(namespace, 'list', 'create', 'dnc');
    await callguard(namespace, 'add', '+493012345678', '--list', 'dnc', '--reason', 'asked not to be called');
    await callguard(namespace, 'route', 'set', 'default', '--block', 'dnc', '--region', 'DE', '--on-blocked', 'hangup:21');
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await asterisk?.stop();
  });

  function call(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    const env = {
      PATH: process.env.PATH ?? '',
      SIP_PORT: String(asterisk.sipPort),
      REDIS_URL: redisUrl(),
      CALLGUARD_NAMESPACE: namespace,
    };
    return new Promise((resolve, reject) => {
      const child = spawn(CALL_SCRIPT, args, { env });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, out, err }));
    });
  }

  it(
    'says a listed caller is refused with 403 (cause 21), and why',
    async () => {
      const run = await call('+493012345678');
      expect(run).toMatchObject({ code: 0, err: '' });
      expect(run.out).toBe('refused: 403 Forbidden (cause 21)\ncallguard: verdict blocked (list dnc), action hangup:21, route default\n');
    },
    CALL_TIMEOUT_MS,
  );

  it(
    'says any other caller is answered, by the support queue',
    async () => {
      const run = await call('+4915112345678');
      expect(run).toMatchObject({ code: 0, err: '' });
      expect(run.out).toBe('answered: 200 OK\ncallguard: verdict clear, action continue:queues,support,1, route default\n');
    },
    CALL_TIMEOUT_MS,
  );

  it('without arguments prints its usage and exits 2', async () => {
    const run = await call();
    expect(run.code).toBe(2);
    expect(run.err).toContain('call.sh FROM [TO]');
  });
});
