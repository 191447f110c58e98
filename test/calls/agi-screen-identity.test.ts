import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agiApp } from '../../src/calls/agi-app.js';
import { AgiServer } from '../../src/calls/agi-server.js';
import { IDENTITY_HEADERS_EXPRESSION } from '../../src/calls/identity-headers.js';
import { inboundCallLogEntry, type InboundOutcome } from '../../src/calls/inbound.js';
import { ListStore } from '../../src/lists/store.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { Route } from '../../src/screening/types.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { FakeAsterisk } from './fake-agi-asterisk.js';

const QUEUE = { type: 'continue', context: 'queues', extension: 'support', priority: 1 } as const;
const BUSY = { type: 'hangup', cause: 17 } as const;
const READ_HEADERS = `GET FULL VARIABLE "${IDENTITY_HEADERS_EXPRESSION}"`;

function pai(number: string, verstat: string): string {
  return `<sip:${number}@carrier.example;user=phone;verstat=${verstat}>`;
}

/**
 * The FastAGI screen request without identity arguments, as the shipped [screen-agi]
 * sends it: a route with a STIR/SHAKEN rule reads both headers in one command before
 * its variables; any other route sends the variables as its only command.
 */
describe('FastAGI screening reads the identity headers only for a route with a STIR/SHAKEN rule', () => {
  let redis: Redis;
  let namespace: string;
  let routes: RouteStore;
  let lists: ListStore;
  let server: AgiServer | undefined;
  const recorded: InboundOutcome[] = [];

  beforeAll(async () => {
    redis = testRedis();
    namespace = testNamespace();
    routes = new RouteStore(redis, namespace);
    lists = new ListStore(redis, namespace);
    await lists.createList('dnc', { by: 'test' });
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    recorded.length = 0;
  });

  afterAll(async () => {
    await redis.quit();
  });

  async function setRoute(name: string, changes: Partial<Route>): Promise<void> {
    const base = newRoute(name);
    await routes.set({ ...base, block: ['dnc'], region: 'DE', ...changes, actions: { ...base.actions, clear: QUEUE } });
  }

  async function screen(route: string, caller: string, args: string[] = []): Promise<FakeAsterisk> {
    const log = capturedLogger().log;
    server = await AgiServer.listen({
      host: '127.0.0.1',
      port: 0,
      log,
      handler: agiApp({
        screening: {
          routes,
          check: (e164, names) => lists.checkEach(e164, names),
          settings: { deadlineMs: 1_000, defaultRegion: 'DE', unknownRouteAction: { type: 'fallback' } },
          log,
        },
        recordCall: (outcome) => void recorded.push(outcome),
        useFeature: async () => {
          throw new Error('no feature in these tests');
        },
        lastCallers: { record: async () => undefined, get: async () => undefined },
        featureList: 'dnc',
        blockCode: '*9',
        log,
      }),
    });
    const env: Record<string, string> = { network_script: `screen?route=${route}`, uniqueid: `${namespace}.${caller}`, callerid: caller, callingpres: '0' };
    args.forEach((arg, n) => {
      env[`arg_${n + 1}`] = arg;
    });
    return FakeAsterisk.session(server.address.port, env, true);
  }

  it('a route with --on-unverified reads both headers in one command, then sets the unverified verdict', async () => {
    await setRoute('stir', { stir: { onUnverified: BUSY } });
    const caller = '+493066600001';
    const asterisk = await screen('stir', caller);
    const headers = `${encodeURIComponent(pai(caller, 'TN-Validation-Failed'))},${encodeURIComponent(`<sip:${caller}@carrier.example>;tag=c3`)}`;
    expect(await asterisk.answer(`200 result=1 (${headers})\n`)).toBe(READ_HEADERS);
    const set = await asterisk.answer('200 result=1\n');
    expect(set).toMatch(/^SET VARIABLE ARRAY\(CALLGUARD_VERDICT,.*"unverified,.*hangup:17"$/);
    asterisk.end();
    await expect.poll(() => recorded.length).toBe(1);
    expect(inboundCallLogEntry(recorded[0] as InboundOutcome)).toMatchObject({ verdict: 'unverified', verification: 'failed', via: 'agi' });
  });

  it('a route without the rule sends the variables as its only command', async () => {
    await setRoute('plain', {});
    const asterisk = await screen('plain', '+493066600002');
    expect(await asterisk.answer('200 result=1\n')).toMatch(/^SET VARIABLE ARRAY\(CALLGUARD_VERDICT,.*"clear,/);
    asterisk.end();
    await expect.poll(() => recorded.length).toBe(1);
    expect(inboundCallLogEntry(recorded[0] as InboundOutcome).verification).toBeUndefined();
  });

  it('headers passed as AGI arguments win, and nothing is read', async () => {
    await setRoute('stir-args', { stir: { onUnverified: BUSY } });
    const caller = '+493066600003';
    const asterisk = await screen('stir-args', caller, [encodeURIComponent(pai(caller, 'TN-Validation-Passed-A')), '']);
    expect(await asterisk.answer('200 result=1\n')).toMatch(/^SET VARIABLE ARRAY\(CALLGUARD_VERDICT,.*"clear,/);
    asterisk.end();
    await expect.poll(() => recorded.length).toBe(1);
    expect(inboundCallLogEntry(recorded[0] as InboundOutcome)).toMatchObject({ verification: 'passed', attestation: 'A' });
  });

  it('a caller gone during the read (511) gets no further command and is logged caller-gone', async () => {
    await setRoute('stir-gone', { stir: { onUnverified: BUSY } });
    const asterisk = await screen('stir-gone', '+493066600004');
    expect(await asterisk.answer('511 result=-1 Command Not Permitted on a dead channel or intercept routine\n')).toBe(READ_HEADERS);
    await asterisk.serverEnded;
    expect(asterisk.commands).toEqual([READ_HEADERS]);
    asterisk.end();
    await expect.poll(() => recorded.length).toBe(1);
    expect(inboundCallLogEntry(recorded[0] as InboundOutcome)).toMatchObject({ outcome: 'caller-gone' });
  });
});
