import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallControlError, type ReadValue } from '../../src/calls/call-control.js';
import { IDENTITY_HEADER_FUNCTIONS } from '../../src/calls/identity-headers.js';
import { handleInbound, inboundCallLogEntry, PRESENTATION_VARIABLE, type InboundCall, type InboundDeps } from '../../src/calls/inbound.js';
import { StasisApp } from '../../src/calls/stasis-app.js';
import { ListStore } from '../../src/lists/store.js';
import { AUTO_BLOCK_ACTOR, AUTO_BLOCK_SOURCE, parseAutoBlock } from '../../src/screening/auto-block.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { Route } from '../../src/screening/types.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { FakeCallControl } from './fake-call-control.js';
import { capturedLogger } from '../helpers/log-capture.js';

const LISTED = '+493012345678';
const VIP = '+493099999999';
const QUEUE = { type: 'continue', context: 'queues', extension: 'support', priority: 1 } as const;
const BUSY = { type: 'hangup', cause: 17 } as const;

function pai(number: string, verstat: string): string {
  return `<sip:${number}@carrier.example;user=phone;verstat=${verstat}>`;
}

const HEADER_FUNCTIONS: readonly string[] = Object.values(IDENTITY_HEADER_FUNCTIONS);

/**
 * A channel whose identity headers answer as told: as Asterisk does for a header the
 * INVITE did not carry (PJSIP_HEADER fails: HTTP 500), or not before `delayMs`.
 */
class HeaderChannels extends FakeCallControl {
  failing = new Set<string>();
  delayMs = 0;
  /** header reads asked for, answered or not */
  asked = 0;

  override async getVariable(channelId: string, name: string): Promise<ReadValue> {
    if (HEADER_FUNCTIONS.includes(name)) {
      this.asked += 1;
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (this.failing.has(name)) {
        this.operations.push({ op: 'get', channel: channelId, name });
        throw new CallControlError('get variable', 500, 'Unable to read provided function');
      }
    }
    return super.getVariable(channelId, name);
  }

  headerReads(): string[] {
    return this.operations.flatMap((op) => (op.op === 'get' && HEADER_FUNCTIONS.includes(op.name) ? [op.name] : []));
  }
}

describe('inbound compliance rules', () => {
  let redis: Redis;
  let namespace: string;
  let routes: RouteStore;
  let lists: ListStore;

  beforeAll(async () => {
    redis = testRedis();
    namespace = testNamespace();
    routes = new RouteStore(redis, namespace);
    lists = new ListStore(redis, namespace);
    const actor = { by: 'test', reason: 'nuisance calls' };
    for (const list of ['dnc', 'vip', 'harassment', 'spam-2026']) await lists.createList(list, actor);
    await lists.add('dnc', [{ member: LISTED }], actor);
    await lists.add('spam-2026', [{ member: '+493033333333' }], { by: 'test', reason: 'new spam feed' });
    await lists.add('vip', [{ member: VIP }], actor);
  });

  afterAll(async () => {
    await redis.quit();
  });

  async function setRoute(name: string, changes: Partial<Route>): Promise<void> {
    const base = newRoute(name);
    await routes.set({ ...base, block: ['dnc'], allow: ['vip'], region: 'DE', ...changes, actions: { ...base.actions, clear: QUEUE, ...changes.actions } });
  }

  function deps(calls: FakeCallControl, deadlineMs = 1_000, beforeGuardedCheck: () => void = () => undefined): InboundDeps {
    return {
      calls,
      routes,
      check: (e164, names) => lists.checkEach(e164, names),
      checkCounting: (e164, names, counters) => lists.checkCounting(e164, names, counters),
      // As serve wires it: after a route's first call its read rides in the check.
      checkGuarded: (guard, e164, names, counters) => {
        beforeGuardedCheck();
        return lists.checkGuarded(guard, e164, names, counters);
      },
      autoBlock: async (list, e164, expiresAt, reason) => {
        await lists.add(list, [{ member: e164, expiresAt }], { by: AUTO_BLOCK_ACTOR, reason, source: AUTO_BLOCK_SOURCE });
      },
      settings: { deadlineMs, defaultRegion: 'DE', unknownRouteAction: { type: 'fallback' } },
      log: capturedLogger().log,
    };
  }

  let calls = 0;
  async function call(from: string, routeName: string, extra: Partial<InboundCall> = {}) {
    const control = new FakeCallControl();
    // Channel ids are unique in Asterisk, and the auto-block counters count calls by them.
    const channel = control.addChannel({ [PRESENTATION_VARIABLE]: 'allowed_not_screened' }, `${namespace}-${++calls}`);
    const outcome = await handleInbound({ channelId: channel, callerNumber: from, routeName, ...extra }, deps(control));
    return { outcome, channel: control.channel(channel) };
  }

  describe('auto-block of repeat callers', () => {
    it('the 7th call within 15 minutes is blocked, and the number lands in harassment for an hour, by callguard', async () => {
      await setRoute('repeat', { autoBlock: [parseAutoBlock('7/15m:harassment:1h')] });
      const caller = '+4915100000007';
      for (let n = 1; n <= 6; n++) expect((await call(caller, 'repeat')).outcome.verdict).toBe('clear');
      const started = Date.now();
      const seventh = await call(caller, 'repeat');
      expect(seventh.outcome.verdict).toBe('blocked');
      expect(seventh.channel.hangupCause).toBe(21);
      expect(seventh.channel.variables.get('CALLGUARD_LIST')).toBe('harassment');
      expect(seventh.channel.variables.get('CALLGUARD_REASON')).toBe('auto: 7 calls in 15m');
      const [entry] = (await lists.entries(caller)).listed;
      expect(entry).toMatchObject({ list: 'harassment', reason: 'auto: 7 calls in 15m', by: 'callguard' });
      expect(entry?.expiresAt).toBeGreaterThanOrEqual(started + 3_600_000);
      expect(entry?.expiresAt).toBeLessThan(Date.now() + 3_600_000 + 1_000);
      expect(inboundCallLogEntry(seventh.outcome)).toMatchObject({ verdict: 'blocked', list: 'harassment', reason: 'auto: 7 calls in 15m' });

      const eighth = await call(caller, 'repeat');
      expect(eighth.outcome.verdict).toBe('blocked');
      const adds = (await lists.history(caller)).filter((event) => event.action === 'add');
      expect(adds).toHaveLength(1);
      expect(adds[0]).toMatchObject({ by: 'callguard', details: { source: 'auto-block' } });
    });

    it('several rules per route: the first one crossed blocks', async () => {
      await setRoute('two-rules', { autoBlock: [parseAutoBlock('7/15m:harassment:1h'), parseAutoBlock('3/24h:harassment:1d')] });
      const caller = '+4915100000003';
      expect((await call(caller, 'two-rules')).outcome.verdict).toBe('clear');
      expect((await call(caller, 'two-rules')).outcome.verdict).toBe('clear');
      const third = await call(caller, 'two-rules');
      expect(third.outcome).toMatchObject({ verdict: 'blocked', screening: { match: { reason: 'auto: 3 calls in 1d' } } });
    });

    it('an allowed (VIP) caller is never auto-blocked', async () => {
      await setRoute('vip-repeat', { autoBlock: [parseAutoBlock('2/15m:harassment:1h')] });
      for (let n = 1; n <= 3; n++) expect((await call(VIP, 'vip-repeat')).outcome.verdict).toBe('allowed');
      expect((await lists.entries(VIP)).listed.map((entry) => entry.list)).toEqual(['vip']);
    });

    it('calls are counted per route', async () => {
      await setRoute('front', { autoBlock: [parseAutoBlock('2/15m:harassment:1h')] });
      await setRoute('back', { autoBlock: [parseAutoBlock('2/15m:harassment:1h')] });
      const caller = '+4915100000222';
      expect((await call(caller, 'front')).outcome.verdict).toBe('clear');
      expect((await call(caller, 'back')).outcome.verdict).toBe('clear');
      expect((await call(caller, 'front')).outcome.verdict).toBe('blocked');
    });
  });

  describe('observe mode', () => {
    it('a caller on an observed list goes on as clear, logged would-block with the list', async () => {
      await setRoute('observing', { block: ['dnc', 'spam-2026'], observe: ['spam-2026'] });
      const { outcome, channel } = await call('+493033333333', 'observing');
      expect(outcome.verdict).toBe('would-block');
      expect(channel.continuedTo).toEqual(QUEUE);
      expect(channel.variables.get('CALLGUARD_VERDICT')).toBe('clear');
      expect(channel.variables.get('CALLGUARD_WOULD_BLOCK')).toBe('spam-2026');
      expect(inboundCallLogEntry(outcome)).toMatchObject({ verdict: 'would-block', wouldBe: 'blocked', list: 'spam-2026', reason: 'new spam feed' });
    });

    it('a list not observed still blocks on the same route', async () => {
      const { outcome, channel } = await call(LISTED, 'observing');
      expect(outcome.verdict).toBe('blocked');
      expect(channel.hangupCause).toBe(21);
      expect(channel.variables.get('CALLGUARD_WOULD_BLOCK')).toBe('');
    });

    it('observe all: a crossed auto-block rule is would-block and the number is not listed', async () => {
      await setRoute('trial', { observe: 'all', autoBlock: [parseAutoBlock('2/15m:harassment:1h')] });
      const caller = '+4915100000444';
      await call(caller, 'trial');
      const second = await call(caller, 'trial');
      expect(second.outcome).toMatchObject({ verdict: 'would-block', screening: { wouldBe: 'blocked', match: { list: 'harassment' } } });
      expect((await lists.entries(caller)).listed).toEqual([]);
    });
  });

  describe('STIR/SHAKEN', () => {
    it('verstat=TN-Validation-Failed in P-Asserted-Identity takes the unverified branch, logged with the verification', async () => {
      await setRoute('stir', { stir: { onUnverified: BUSY } });
      const caller = '+493044444444';
      const { outcome, channel } = await call(caller, 'stir', { identity: { pAssertedIdentity: pai(caller, 'TN-Validation-Failed') } });
      expect(outcome.verdict).toBe('unverified');
      expect(channel.hangupCause).toBe(17);
      expect(channel.variables.get('CALLGUARD_VERDICT')).toBe('unverified');
      expect(channel.variables.get('CALLGUARD_REASON')).toBe('caller id verification failed (TN-Validation-Failed)');
      expect(inboundCallLogEntry(outcome)).toMatchObject({ verdict: 'unverified', verification: 'failed' });
    });

    it('From carries the verstat when P-Asserted-Identity has none', async () => {
      const caller = '+493044444445';
      const { outcome } = await call(caller, 'stir', {
        identity: { pAssertedIdentity: `<sip:${caller}@carrier.example>`, from: `"Caller" <sip:${caller}@carrier.example;verstat=TN-Validation-Failed>;tag=1` },
      });
      expect(outcome.verdict).toBe('unverified');
    });

    it('--min-attestation B: C is unverified, A goes on, nothing reported goes on', async () => {
      await setRoute('stir-b', { stir: { onUnverified: BUSY, minAttestation: 'B' } });
      const caller = '+493044444446';
      expect((await call(caller, 'stir-b', { identity: { pAssertedIdentity: pai(caller, 'TN-Validation-Passed-C') } })).outcome.verdict).toBe('unverified');
      const passed = await call(caller, 'stir-b', { identity: { pAssertedIdentity: pai(caller, 'TN-Validation-Passed-A') } });
      expect(passed.outcome.verdict).toBe('clear');
      expect(inboundCallLogEntry(passed.outcome)).toMatchObject({ verification: 'passed', attestation: 'A' });
      expect((await call(caller, 'stir-b')).outcome.verdict).toBe('clear');
    });

    it('an allow list still wins over a failed verification', async () => {
      const { outcome } = await call(VIP, 'stir-b', { identity: { pAssertedIdentity: pai(VIP, 'TN-Validation-Failed') } });
      expect(outcome.verdict).toBe('allowed');
    });

    it("the PBX's own STIR_SHAKEN() result wins over the carrier's verstat", async () => {
      const caller = '+493044444447';
      const { outcome } = await call(caller, 'stir-b', {
        identity: { pAssertedIdentity: pai(caller, 'TN-Validation-Passed-A'), stirShakenResult: 'signature_validation', stirShakenAttestation: 'A' },
      });
      expect(outcome.verdict).toBe('unverified');
    });

    it('the Stasis app reads the URI-encoded identity headers the dialplan passes', async () => {
      const seen: InboundCall[] = [];
      const calls = new FakeCallControl();
      const app = new StasisApp({ calls, log: capturedLogger().log, inbound: async (inbound) => void seen.push(inbound) });
      const header = pai('+493044444448', 'TN-Validation-Failed');
      app.onStasisStart({ channelId: 'ch-1', callerNumber: '+493044444448', args: ['inbound', 'stir', 'allowed', encodeURIComponent(header), ''] } as never);
      await app.drain();
      expect(seen[0]?.identity).toEqual({ pAssertedIdentity: header });
    });
  });

  describe('STIR/SHAKEN headers read from the channel when the dialplan passes none', () => {
    const MIN_B = { stir: { onUnverified: BUSY, minAttestation: 'B' as const } };

    async function callWithHeaders(
      from: string,
      routeName: string,
      headers: { pAssertedIdentity?: string; from?: string },
      setup: (control: HeaderChannels, channel: string) => void = () => undefined,
      extra: Partial<InboundCall> = {},
      deadlineMs = 1_000,
      beforeGuardedCheck?: (control: HeaderChannels) => void,
    ) {
      const control = new HeaderChannels();
      const channel = control.addChannel(
        {
          [PRESENTATION_VARIABLE]: 'allowed_not_screened',
          ...(headers.pAssertedIdentity === undefined ? {} : { [IDENTITY_HEADER_FUNCTIONS.pAssertedIdentity]: headers.pAssertedIdentity }),
          ...(headers.from === undefined ? {} : { [IDENTITY_HEADER_FUNCTIONS.from]: headers.from }),
        },
        `${namespace}-${++calls}`,
      );
      setup(control, channel);
      const outcome = await handleInbound(
        { channelId: channel, callerNumber: from, routeName, presentation: 'allowed_not_screened', ...extra },
        deps(control, deadlineMs, () => beforeGuardedCheck?.(control)),
      );
      return { outcome, control, channel: control.channel(channel) };
    }

    it('a route with a STIR/SHAKEN rule reads P-Asserted-Identity and From, and refuses a failed verification', async () => {
      await setRoute('stir-read', { stir: { onUnverified: BUSY } });
      const caller = '+493055500001';
      const { outcome, control, channel } = await callWithHeaders(caller, 'stir-read', {
        pAssertedIdentity: pai(caller, 'TN-Validation-Failed'),
        from: `<sip:${caller}@carrier.example>;tag=a1`,
      });
      expect(outcome.verdict).toBe('unverified');
      expect(channel.hangupCause).toBe(17);
      expect(control.headerReads().sort()).toEqual([...HEADER_FUNCTIONS].sort());
      expect(inboundCallLogEntry(outcome)).toMatchObject({ verdict: 'unverified', verification: 'failed' });
    });

    it('a route on the last read: the headers are read beside the check, and a verified caller is recorded with the level', async () => {
      await setRoute('stir-read-b', MIN_B);
      const caller = '+493055500002';
      // The first call reads the route; the second is screened on it with the guarded check.
      await callWithHeaders(caller, 'stir-read-b', {});
      const atCheck: { asked: number; answered: number }[] = [];
      const { outcome, control } = await callWithHeaders(
        caller,
        'stir-read-b',
        { pAssertedIdentity: pai(caller, 'TN-Validation-Passed-A') },
        (c) => {
          c.delayMs = 20;
        },
        {},
        1_000,
        (c) => atCheck.push({ asked: c.asked, answered: c.headerReads().length }),
      );
      // Both reads were on their way, unanswered, when the check was sent: not one after the other.
      expect(atCheck).toEqual([{ asked: 2, answered: 0 }]);
      expect(outcome.verdict).toBe('clear');
      expect(control.headerReads()).toHaveLength(2);
      expect(inboundCallLogEntry(outcome)).toMatchObject({ verification: 'passed', attestation: 'A' });
    });

    it('a route without a STIR/SHAKEN rule reads no header, and records no verification', async () => {
      await setRoute('no-stir', {});
      const caller = '+493055500003';
      for (let n = 0; n < 2; n++) {
        const { outcome, control } = await callWithHeaders(caller, 'no-stir', { pAssertedIdentity: pai(caller, 'TN-Validation-Failed') });
        expect(outcome.verdict).toBe('clear');
        expect(control.headerReads()).toEqual([]);
        expect(inboundCallLogEntry(outcome).verification).toBeUndefined();
      }
    });

    it('identity arguments the dialplan passed win, and nothing is read', async () => {
      await setRoute('stir-args', { stir: { onUnverified: BUSY } });
      const caller = '+493055500004';
      const { outcome, control } = await callWithHeaders(caller, 'stir-args', { pAssertedIdentity: pai(caller, 'TN-Validation-Failed') }, undefined, {
        identity: { pAssertedIdentity: pai(caller, 'TN-Validation-Passed-A') },
      });
      expect(outcome.verdict).toBe('clear');
      expect(control.headerReads()).toEqual([]);
      expect(inboundCallLogEntry(outcome)).toMatchObject({ verification: 'passed', attestation: 'A' });
    });

    it('headers that cannot be read are a caller who reported nothing: not unverified, even with a minimum attestation', async () => {
      await setRoute('stir-unreadable', MIN_B);
      const caller = '+493055500005';
      const { outcome, control } = await callWithHeaders(caller, 'stir-unreadable', {}, (c) => {
        c.failing = new Set(HEADER_FUNCTIONS);
      });
      expect(outcome.verdict).toBe('clear');
      expect(control.headerReads()).toHaveLength(2);
      expect(inboundCallLogEntry(outcome).verification).toBeUndefined();
    });

    it('a P-Asserted-Identity the INVITE did not carry (Asterisk answers an error) leaves the verstat on From', async () => {
      await setRoute('stir-from', { stir: { onUnverified: BUSY } });
      const caller = '+493055500006';
      const { outcome } = await callWithHeaders(caller, 'stir-from', { from: `<sip:${caller}@carrier.example;verstat=TN-Validation-Failed>;tag=b2` }, (c) => {
        c.failing = new Set([IDENTITY_HEADER_FUNCTIONS.pAssertedIdentity]);
      });
      expect(outcome.verdict).toBe('unverified');
    });

    it('a caller gone during the read is a call gone: nothing is done to the channel', async () => {
      await setRoute('stir-gone', { stir: { onUnverified: BUSY } });
      const caller = '+493055500007';
      const { outcome, control } = await callWithHeaders(caller, 'stir-gone', { pAssertedIdentity: pai(caller, 'TN-Validation-Failed') }, (c, channel) => {
        c.farEndHangup(channel);
      });
      expect(outcome.gone).toBe(true);
      expect(control.headerReads()).toHaveLength(2);
      expect(control.operations.filter((op) => op.op !== 'get')).toEqual([]);
      expect(inboundCallLogEntry(outcome)).toMatchObject({ outcome: 'caller-gone' });
    });

    it('a read that misses the decision deadline is a caller who reported nothing; a listed caller is still blocked in time', async () => {
      await setRoute('stir-slow', { stir: { onUnverified: BUSY } });
      const caller = '+493055500008';
      const slow = (c: HeaderChannels) => {
        c.delayMs = 400;
      };
      const clear = await callWithHeaders(caller, 'stir-slow', { pAssertedIdentity: pai(caller, 'TN-Validation-Failed') }, slow, {}, 60);
      expect(clear.outcome.verdict).toBe('clear');
      expect(clear.outcome.decisionMs).toBeLessThan(300);
      const listed = await callWithHeaders(LISTED, 'stir-slow', { pAssertedIdentity: pai(LISTED, 'TN-Validation-Failed') }, slow, {}, 60);
      expect(listed.outcome.verdict).toBe('blocked');
      expect(listed.outcome.decisionMs).toBeLessThan(300);
    });

    it('a route that changed to one with a STIR/SHAKEN rule gets the read on its next call', async () => {
      await setRoute('becomes-stir', {});
      const caller = '+493055500009';
      expect((await callWithHeaders(caller, 'becomes-stir', { pAssertedIdentity: pai(caller, 'TN-Validation-Failed') })).outcome.verdict).toBe('clear');
      await setRoute('becomes-stir', { stir: { onUnverified: BUSY } });
      const { outcome, control } = await callWithHeaders(caller, 'becomes-stir', { pAssertedIdentity: pai(caller, 'TN-Validation-Failed') });
      expect(outcome.verdict).toBe('unverified');
      expect(control.headerReads()).toHaveLength(2);
    });

    it('a STIR/SHAKEN rule in observe mode reads the headers too: the call goes on, logged would-block unverified', async () => {
      await setRoute('stir-observed', { stir: { onUnverified: BUSY }, observe: 'all' });
      const caller = '+493055500010';
      const { outcome, channel } = await callWithHeaders(caller, 'stir-observed', { pAssertedIdentity: pai(caller, 'TN-Validation-Failed') });
      expect(outcome.verdict).toBe('would-block');
      expect(channel.continuedTo).toEqual(QUEUE);
      expect(inboundCallLogEntry(outcome)).toMatchObject({ verdict: 'would-block', wouldBe: 'unverified', verification: 'failed' });
    });
  });
});
