import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DialQueue } from '../../src/dialer/queue.js';
import type { AttemptResult } from '../../src/dialer/types.js';
import { ListStore } from '../../src/lists/store.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace, testRedis } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { startSippUas, type RunningUas } from '../helpers/sipp.js';
import { connectTestAri, type TestAriClient } from './ari-test-client.js';
import { until } from '../helpers/until.js';

const availability = await e2eAvailability();
const OUTBOUND_DOC = fileURLToPath(new URL('../../docs/outbound.md', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** A dial on loopback is answered within a second; this bounds a broken one. */
const RESULT_TIMEOUT_MS = 20_000;

/** The `callguard ...` commands of docs/outbound.md, continuation lines joined, as a reader copies them. */
async function documentedCommands(): Promise<string[]> {
  const doc = await readFile(OUTBOUND_DOC, 'utf8');
  const blocks = [...doc.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  return blocks.flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n').filter((line) => line.startsWith('callguard ')));
}

function documented(commands: string[], start: string): string {
  const command = commands.find((line) => line.startsWith(start));
  if (command === undefined) throw new Error(`docs/outbound.md has no command starting with "${start}"`);
  return command;
}

/**
 * The documented campaign example, run word for word against the sandbox Asterisk with
 * the shipped dialplan: the commands are read out of docs/outbound.md and given to bash,
 * `callguard` being the CLI from this checkout.
 */
describe.skipIf(!availability.run)('the outbound example of docs/outbound.md', () => {
  let asterisk: E2eAsterisk;
  let redis: Redis;
  let queue: DialQueue;
  let lists: ListStore;
  let observer: TestAriClient;
  let service: RunningService | undefined;
  let uas: RunningUas | undefined;
  let commands: string[];
  const namespace = testNamespace();
  const logs = capturedLogger();

  beforeAll(async () => {
    commands = await documentedCommands();
    asterisk = await useAsterisk();
    redis = testRedis();
    queue = new DialQueue(redis, namespace);
    lists = new ListStore(redis, namespace);
    observer = await connectTestAri(asterisk, 'cg-example-observer', { subscribeAll: true });
    service = await startServeFor(asterisk, redisUrl(), namespace, logs.log);
  }, E2E_SETUP_TIMEOUT_MS);

  afterEach(async () => {
    await uas?.stop();
    uas = undefined;
  });

  afterAll(async () => {
    await service?.stop();
    observer?.close();
    await redis?.quit();
    await asterisk?.stop();
  });

  function shell(command: string): Promise<{ code: number | null; out: string; err: string }> {
    const env = {
      PATH: process.env.PATH ?? '',
      CG_NODE: process.execPath,
      CG_MAIN: MAIN,
      REDIS_URL: redisUrl(),
      CALLGUARD_NAMESPACE: namespace,
      ARI_URL: asterisk.ariUrl,
      ARI_USERNAME: asterisk.ariUser,
      ARI_PASSWORD: asterisk.ariPassword,
    };
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', `callguard() { "$CG_NODE" --import tsx "$CG_MAIN" "$@"; }\n${command}`], { env });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, out, err }));
    });
  }

  async function run(command: string): Promise<string> {
    const result = await shell(command);
    if (result.code !== 0) throw new Error(`${command}\nexited ${result.code}: ${result.err}${result.out}`);
    return result.out + result.err;
  }

  async function firstResult(campaign: string): Promise<AttemptResult> {
    return until(async () => (await queue.results({ campaign, scan: 100 }))[0], `a result for campaign ${campaign}`, {
      timeoutMs: RESULT_TIMEOUT_MS,
      pollMs: 50,
    });
  }

  it('reaches the sales queue with the answered callee and records ANSWERED', async () => {
    uas = await startSippUas({ behaviour: 'answer', port: asterisk.farEndPort });
    // The example blocks with two lists; the doc says to create lists first.
    for (const list of ['dnc', 'national-dnc']) await lists.createList(list, { by: 'e2e' });
    const set = await run(documented(commands, 'callguard campaign set sales --block'));
    expect(set).not.toMatch(/warning/);
    await run(documented(commands, "callguard campaign set sales --endpoint 'PJSIP/${NUMBER}@test-far-end'"));
    await run(documented(commands, 'callguard call +4930123456 --campaign sales'));

    expect(await firstResult('sales')).toMatchObject({ outcome: 'ANSWERED', e164: '+4930123456', final: true });
    const queued = await observer.waitFor(
      (event) => event.channel?.name.startsWith('PJSIP/test-far-end') === true && event.dialplan_app === 'Queue',
    );
    expect(queued.dialplan_app_data).toMatch(/^sales,/);
    expect(await uas.invites()).toBe(1);
  });

  it('refuses a --context the dialplan lacks, and nothing is saved', async () => {
    const refused = await shell(
      "callguard campaign set typo --endpoint 'PJSIP/${NUMBER}@test-far-end' --context agents",
    );
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^callguard: Asterisk at http:\/\/127\.0\.0\.1:\d+ has no agents,s,1 in its dialplan: .*nothing was saved/m);
    expect((await new CampaignStore(redis, namespace).get('typo')).kind).toBe('missing');
  });

  it('at dial time, a campaign whose context the dialplan lacks dials no one: FAILED, not final', async () => {
    uas = await startSippUas({ behaviour: 'answer', port: asterisk.farEndPort });
    const saved = await run(
      "callguard campaign set lost --endpoint 'PJSIP/${NUMBER}@test-far-end' --context agents --allow-missing-context",
    );
    expect(saved).toMatch(/warning: Asterisk at .* has no agents,s,1 in its dialplan; nothing is dialled until it has/);
    await queue.enqueue({ campaign: 'lost', number: '+4930123457' });

    const result = await firstResult('lost');
    expect(result).toMatchObject({ outcome: 'FAILED', final: false, attempt: 1 });
    expect(result.reason).toContain("Asterisk's dialplan has no agents,s,1");
    expect(await uas.invites()).toBe(0);
  });
});
