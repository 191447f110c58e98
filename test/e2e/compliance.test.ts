import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { ListStore } from '../../src/lists/store.js';
import { readCallLog, type LoggedCall } from '../../src/screening/call-log.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { testNamespace } from '../helpers/redis.js';
import { freePort, startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { startServeFor } from '../helpers/serve.js';
import { placeCall, type CallParams } from '../helpers/sipp.js';

const availability = await e2eAvailability();
const DIALLED = '+4930555000';
/** The shipped extensions.conf's CALLGUARD_AGI, for an Asterisk whose globals a test cannot set. */
const SHIPPED_AGI = '127.0.0.1:4573';

/**
 * The inbound compliance rules through real SIP: sipp calls into the sandbox Asterisk
 * with the shipped dialplan ([screen], or [screen-agi] for FastAGI: neither passes the
 * identity headers, callguard reads them for a route with a STIR/SHAKEN rule), serve runs
 * in-process, routes are set with the CLI as an operator would.
 */
describe.skipIf(!availability.run)('inbound compliance rules over real SIP', () => {
  let asterisk: E2eAsterisk;
  let redisServer: RunningRedis;
  let redis: Redis;
  let service: RunningService | undefined;
  const namespace = testNamespace();
  const logs = capturedLogger();

  beforeAll(async () => {
    [asterisk, redisServer] = await Promise.all([useAsterisk(), startRedisServer(await freePort())]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    const lists = new ListStore(redis, namespace);
    for (const list of ['dnc', 'harassment']) await lists.createList(list, { by: 'e2e' });
    await lists.add('dnc', [{ member: '+493012345678' }], { by: 'e2e', reason: 'asked not to be called' });
    // A generous deadline: these tests prove where calls go, not speed, on a busy machine.
    service = await startServeFor(asterisk, redisServer.url, namespace, logs.log, {
      deadlineMs: '1000',
      agiListen: asterisk.cli ? '127.0.0.1:0' : SHIPPED_AGI,
    });
    const agi = service.agi;
    if (asterisk.cli && agi) await asterisk.cli(`dialplan set global CALLGUARD_AGI ${agi.host}:${agi.port}`);
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await redis?.quit().catch(() => redis.disconnect());
    await redisServer?.stop();
    await asterisk?.stop();
  });

  async function cli(...args: string[]): Promise<string> {
    const output: string[] = [];
    const io = { out: (text: string) => void output.push(text), err: (text: string) => void output.push(text) };
    const code = await runCli(['node', 'callguard', '--redis', redisServer.url, '--namespace', namespace, ...args], io);
    if (code !== 0) throw new Error(`callguard ${args.join(' ')} exited ${code}: ${output.join('\n')}`);
    return output.join('\n');
  }

  function call(from: string, route: string, extra: Partial<CallParams> = {}) {
    return placeCall({ from, route, to: DIALLED, target: asterisk.sipTarget, ...extra });
  }

  async function logged(raw: string, count = 1): Promise<LoggedCall[]> {
    let found: LoggedCall[] = [];
    await expect
      .poll(async () => {
        found = (await readCallLog(redis, namespace, { limit: 1000 })).entries.filter((entry) => entry.raw === raw);
        return found.length;
      })
      .toBeGreaterThanOrEqual(count);
    return found;
  }

  it("a repeat caller's 7th call gets 403 and the number lands in harassment", async () => {
    // The first six go on (486 keeps each call short); the 7th within 15 minutes is blocked.
    await cli('route', 'set', 'repeat', '--block', 'dnc', '--auto-block', '7/15m:harassment:1h', '--on-clear', 'hangup:busy');
    const caller = '+4915112345670';
    const statuses: number[] = [];
    for (let n = 1; n <= 7; n++) statuses.push((await call(caller, 'repeat')).status);
    expect(statuses).toEqual([486, 486, 486, 486, 486, 486, 403]);
    const shown = await cli('--json', 'show', caller);
    expect(JSON.parse(shown).listed).toMatchObject([{ list: 'harassment', reason: 'auto: 7 calls in 15m', by: 'callguard' }]);
    const [seventh] = await logged(caller, 7);
    expect(seventh).toMatchObject({ verdict: 'blocked', list: 'harassment', action: 'hangup:21' });
  });

  /** The ARI requests serve sends during `work` that read a SIP header of a channel (undici publishes each request). */
  async function headerReadsDuring(work: () => Promise<unknown>): Promise<string[]> {
    const reads: string[] = [];
    const onRequest = (message: unknown): void => {
      const path = decodeURIComponent((message as { request: { path: string } }).request.path);
      if (path.includes('PJSIP_HEADER')) reads.push(path.slice(path.indexOf('variable=') + 'variable='.length));
    };
    subscribe('undici:request:create', onRequest);
    try {
      await work();
    } finally {
      unsubscribe('undici:request:create', onRequest);
    }
    return reads.sort();
  }

  it('an INVITE with verstat=TN-Validation-Failed in P-Asserted-Identity takes the unverified branch, the headers read by callguard', async () => {
    await cli('route', 'set', 'stir', '--on-unverified', 'hangup:busy');
    const caller = '+12125550123';
    const reads = await headerReadsDuring(async () => {
      expect(await call(caller, 'stir', { pAssertedIdentity: caller, verstat: 'TN-Validation-Failed' })).toEqual({ status: 486, answered: false });
    });
    expect(reads).toEqual(['PJSIP_HEADER(read,From)', 'PJSIP_HEADER(read,P-Asserted-Identity)']);
    const [entry] = await logged(caller);
    expect(entry).toMatchObject({ verdict: 'unverified', verification: 'failed', action: 'hangup:17', reason: 'caller id verification failed (TN-Validation-Failed)' });
    // The same caller verified passes to the queue, and so does one whose INVITE has no P-Asserted-Identity.
    expect((await call(caller, 'stir', { pAssertedIdentity: caller, verstat: 'TN-Validation-Passed-A' })).status).toBe(200);
    expect((await call('+12125550125', 'stir')).status).toBe(200);
    const [unreported] = await logged('+12125550125');
    expect(unreported).toMatchObject({ verdict: 'clear' });
    expect(unreported?.verification).toBeUndefined();
    expect(logs.lines().filter((line) => line.msg === 'identity headers unreadable: screened as reporting no verification')).toEqual([]);
  });

  it('a route without a STIR/SHAKEN rule reads no header: the call costs no PJSIP_HEADER read', async () => {
    await cli('route', 'set', 'no-stir', '--block', 'dnc');
    const caller = '+12125550126';
    const reads = await headerReadsDuring(async () => {
      expect((await call(caller, 'no-stir', { pAssertedIdentity: caller, verstat: 'TN-Validation-Failed' })).status).toBe(200);
      expect((await call(caller, 'no-stir', { pAssertedIdentity: caller, verstat: 'TN-Validation-Failed' })).status).toBe(200);
    });
    expect(reads).toEqual([]);
    const entries = await logged(caller, 2);
    expect(entries.map((entry) => [entry.verdict, entry.verification])).toEqual([
      ['clear', undefined],
      ['clear', undefined],
    ]);
  });

  it('over FastAGI too, verstat=TN-Validation-Failed takes the unverified branch', async () => {
    await cli('route', 'set', 'stir-agi', '--on-unverified', 'hangup:busy');
    const caller = '+12125550124';
    const outcome = await call(caller, 'stir-agi', { screen: 'agi', pAssertedIdentity: caller, verstat: 'TN-Validation-Failed' });
    expect(outcome).toEqual({ status: 486, answered: false });
    const [entry] = await logged(caller);
    expect(entry).toMatchObject({ verdict: 'unverified', verification: 'failed', via: 'agi' });
  });

  it('observe mode lets a listed caller through, and report counts would-block', async () => {
    await cli('route', 'set', 'observed', '--block', 'dnc', '--observe', 'dnc');
    expect((await call('+493012345678', 'observed')).status).toBe(200);
    const [entry] = await logged('+493012345678');
    expect(entry).toMatchObject({ verdict: 'would-block', wouldBe: 'blocked', list: 'dnc', route: 'observed' });
    const report = JSON.parse(await cli('--json', 'report', '--route', 'observed')) as { counts: Record<string, number> };
    expect(report.counts['would-block']).toBe(1);
  });
});
