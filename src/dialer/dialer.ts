import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DEFAULT_LEASE_MS, DEFAULT_RECLAIM_IDLE_MS } from '../config.js';
import type { RedisClient } from '../redis/connect.js';
import { pino, type Logger } from 'pino';
import { ListStore } from '../lists/store.js';
import type { Campaign, DialOutcome } from '../screening/campaign.js';
import { CampaignStore } from '../screening/campaigns.js';
import { CapCounter } from '../screening/caps.js';
import { renderEndpoint } from '../screening/endpoint-template.js';
import { HoursStore } from '../screening/hours/store.js';
import {
  applyAttemptRules, DEFAULT_OUTBOUND_CHECK_DEADLINE_MS, describeStale, readPolicy, screenCallee, staleBlockLists, type AttemptRulesDeps, type BlockListReader,
} from '../screening/outbound.js';
import { CallerIdPicker } from '../screening/caller-ids.js';
import { withDeadline } from '../screening/deadline.js';
import type { Screening } from '../screening/types.js';
import { numberForAttempt } from './alternates.js';
import { DialQueue, type Lease, type StreamEntry } from './queue.js';
import { parseRequestFields } from './request-fields.js';
import { nextStep, type NextStep } from './retry-policy.js';
import { NotDialledError, type AttemptOutcome, type AttemptResult, type DialFunction, type RequestState, type RuleOutcome } from './types.js';

/** How often an instance looks for new, reclaimable and due requests. */
export const DEFAULT_POLL_INTERVAL_MS = 250;
export const DEFAULT_BATCH_SIZE = 50;
/** Attempts one instance runs at once, whatever the campaigns allow. */
export const DEFAULT_MAX_IN_FLIGHT = 200;
/** Longest wait between tries to write an attempt's result while Redis is away. */
const MAX_FINISH_BACKOFF_MS = 5_000;
/** The request attribute that names the callee's time zone for calling hours. */
export const TZ_ATTRIBUTE = 'tz';

const RULE_OUTCOME: Readonly<Record<NonNullable<Screening['wouldBe']>, RuleOutcome | undefined>> = {
  blocked: 'BLACKLISTED',
  'outside-hours': 'OUTSIDE_HOURS',
  capped: 'CAPPED',
  'no-consent': 'NO_CONSENT',
  unverified: undefined,
};

export interface DialerOptions {
  redis: RedisClient;
  namespace: string;
  /** places one call; the ARI side supplies it */
  dial: DialFunction;
  /** the block lists; a ListStore on `redis` when absent */
  lists?: BlockListReader;
  /** calling-hours policies and attempt caps; read from `redis` when absent */
  rules?: Omit<AttemptRulesDeps, 'lists'>;
  /** this instance's consumer name in the group; host, pid and a random part when absent */
  consumer?: string;
  /** the schedule clock (due times, results), ms since epoch; leases use Redis' clock */
  clock?: () => number;
  logger?: Logger;
  /** region for campaigns without one */
  defaultRegion?: string;
  pollIntervalMs?: number;
  reclaimIdleMs?: number;
  leaseMs?: number;
  checkDeadlineMs?: number;
  batchSize?: number;
  maxInFlight?: number;
  resultsMaxLen?: number;
}

/**
 * Consumes the dial requests stream and runs every attempt: take a request into work,
 * wait until it is due and its campaign has a free slot, screen the callee against the
 * campaign's lists as they are now, dial only a clear number, write the result and
 * schedule the retry. Several instances share one stream through a consumer group.
 */
export class Dialer {
  private readonly queue: DialQueue;
  private readonly campaigns: CampaignStore;
  private readonly rules: AttemptRulesDeps;
  private readonly callerIds: CallerIdPicker;
  private readonly dial: DialFunction;
  private readonly consumer: string;
  private readonly clock: () => number;
  private readonly log: Logger;
  private readonly defaultRegion: string | undefined;
  private readonly pollIntervalMs: number;
  private readonly reclaimIdleMs: number;
  private readonly leaseMs: number;
  private readonly checkDeadlineMs: number;
  private readonly batchSize: number;
  private readonly maxInFlight: number;

  private readonly attempts = new Map<string, { lease: Lease; done: Promise<void> }>();
  /** Invalid campaigns already logged, with the reason, so a poll every 250 ms does not repeat them. */
  private readonly invalidLogged = new Map<string, string>();
  private groupReady = false;
  private reclaimCursor = '0-0';
  private claimCount = 0;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private renewTimer: NodeJS.Timeout | undefined;

  constructor(options: DialerOptions) {
    this.queue = new DialQueue(options.redis, options.namespace, options.resultsMaxLen);
    this.campaigns = new CampaignStore(options.redis, options.namespace);
    const hours = new HoursStore(options.redis, options.namespace);
    this.rules = {
      lists: options.lists ?? new ListStore(options.redis, options.namespace),
      policy: (name) => hours.get(name),
      caps: new CapCounter(options.redis, options.namespace),
      ...options.rules,
    };
    this.callerIds = new CallerIdPicker(options.redis, options.namespace);
    this.dial = options.dial;
    this.consumer = options.consumer ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.clock = options.clock ?? Date.now;
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'dialer', consumer: this.consumer });
    this.defaultRegion = options.defaultRegion;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.reclaimIdleMs = options.reclaimIdleMs ?? DEFAULT_RECLAIM_IDLE_MS;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.checkDeadlineMs = options.checkDeadlineMs ?? DEFAULT_OUTBOUND_CHECK_DEADLINE_MS;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  }

  /** Attempts this instance is running now. */
  get inFlight(): number {
    return this.attempts.size;
  }

  /** Starts polling; errors (Redis away) are logged and polling goes on. */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.renewTimer = setInterval(() => void this.renewLeases(), Math.max(1, Math.floor(this.leaseMs / 3)));
    this.renewTimer.unref();
    this.running = this.loop();
  }

  /** Takes no new work, lets the attempts in flight finish and record their results. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    await this.settled();
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    this.running = undefined;
  }

  /** Resolves when every attempt running now has finished. */
  async settled(): Promise<void> {
    while (this.attempts.size > 0) await Promise.all([...this.attempts.values()].map((attempt) => attempt.done));
  }

  /**
   * One round: take new and reclaimed requests into work, then start the attempts that
   * are due, as far as each campaign's concurrency and this instance's limit allow.
   */
  async poll(): Promise<void> {
    if (!this.groupReady) {
      await this.queue.ensureGroup();
      this.groupReady = true;
    }
    const campaigns = await this.campaigns.list();
    const byName = new Map(campaigns.campaigns.map((campaign) => [campaign.name, campaign]));
    const known = new Set([...byName.keys(), ...campaigns.invalid.map((entry) => entry.name)]);
    this.reportInvalid(campaigns.invalid);

    // A stop can come while a round runs: from then on the round reads and starts nothing
    // new (what it read it still files, so nothing waits in the stream's pending list),
    // and stop() waits only for the attempts that had started.
    if (this.stopping) return;
    const reclaimed = await this.queue.reclaim(this.consumer, this.reclaimIdleMs, this.batchSize, this.reclaimCursor);
    this.reclaimCursor = reclaimed.cursor;
    for (const entry of reclaimed.entries) await this.takeEntry(entry, known);
    if (this.stopping) return;
    for (const entry of await this.queue.readNew(this.consumer, this.batchSize)) await this.takeEntry(entry, known);

    for (const campaign of byName.values()) {
      const free = this.maxInFlight - this.attempts.size;
      if (free <= 0 || this.stopping) break;
      const leases = await this.queue.claim(campaign.name, {
        now: this.clock(),
        maxConcurrent: campaign.maxConcurrent,
        limit: Math.min(free, this.batchSize),
        leaseMs: this.leaseMs,
        nonce: `${this.consumer}.${++this.claimCount}`,
      });
      for (const lease of leases) this.launch(lease, campaign);
    }
  }

  /** Requests of an invalid campaign wait (they are taken, never dialled) until it is fixed. */
  private reportInvalid(invalid: { name: string; reason: string }[]): void {
    const now = new Map(invalid.map((entry) => [entry.name, entry.reason]));
    for (const [name, reason] of now) {
      if (this.invalidLogged.get(name) !== reason) this.log.error({ campaign: name, reason }, 'campaign is invalid; its requests wait');
    }
    this.invalidLogged.clear();
    for (const [name, reason] of now) this.invalidLogged.set(name, reason);
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.poll();
        if (failures > 0) this.log.info({ failures }, 'dialer polling again');
        failures = 0;
      } catch (error) {
        // A Redis that restarted empty has lost the group: make it again on the next round.
        if (error instanceof Error && error.message.includes('NOGROUP')) this.groupReady = false;
        failures += 1;
        if (failures === 1 || failures % 20 === 0) this.log.warn({ err: error, failures }, 'dialer poll failed');
      }
      const backoff = failures === 0 ? this.pollIntervalMs : Math.min(this.pollIntervalMs * 2 ** Math.min(failures, 5), 5_000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async takeEntry(entry: StreamEntry, campaigns: Set<string>): Promise<void> {
    const parsed = parseRequestFields(entry.id, entry.fields);
    const now = this.clock();
    if (!parsed.ok || !campaigns.has(parsed.request.campaign)) {
      const reason = parsed.ok ? `no such campaign: ${parsed.request.campaign}` : parsed.reason;
      this.log.warn({ entry: entry.id, request: parsed.request.id, reason }, 'dial request rejected');
      await this.queue.reject(entry.id, {
        ...parsed.request,
        request: parsed.request.id,
        attempt: 0,
        outcome: 'REJECTED',
        reason,
        at: now,
        final: true,
      });
      return;
    }
    const state: RequestState = { ...parsed.request, createdAt: now, attempts: 0 };
    const taken = await this.queue.take(entry.id, state, parsed.at ?? now);
    if (!taken) this.log.warn({ entry: entry.id, request: state.id }, 'dial request already in work; duplicate dropped');
  }

  private launch(lease: Lease, campaign: Campaign): void {
    const done = this.attempt(lease, campaign)
      .catch((error: unknown) => this.log.error({ request: lease.state.id, err: error }, 'dial attempt crashed'))
      .finally(() => {
        this.attempts.delete(lease.lease);
        this.wake?.();
      });
    this.attempts.set(lease.lease, { lease, done });
  }

  private async attempt(lease: Lease, campaign: Campaign): Promise<void> {
    const { state } = lease;
    const attempt = state.attempts + 1;
    const log = this.log.child({ request: state.id, campaign: campaign.name, attempt });
    // Every number of the person is checked at every attempt, the main number first; the
    // block lists' data dates (--max-list-age) and the campaign's calling-hours policy are
    // read beside them, in the same round trip and under the same deadline.
    const numbers = [state.number, ...(state.alternates ?? [])];
    const options = { ...(this.defaultRegion === undefined ? {} : { defaultRegion: this.defaultRegion }), deadlineMs: this.checkDeadlineMs };
    const [dates, screenings, policy] = await Promise.all([
      withDeadline(() => staleBlockLists(campaign, this.rules.lists, this.clock()), this.checkDeadlineMs),
      Promise.all(numbers.map((number) => screenCallee(number, campaign, this.rules.lists, options))),
      readPolicy(campaign, this.rules, this.checkDeadlineMs),
    ]);
    if (!dates.ok) {
      // Fail closed whatever --fail says: dialling against a copy that may be too old is what --max-list-age forbids.
      await this.retryUnreadable(lease, campaign, { verdict: 'unavailable', detail: dates.reason }, "block lists' data dates", log);
      return;
    }
    const stale = dates.value;
    if (stale.length > 0) {
      const reason = describeStale(stale, campaign.maxListAgeMs as number);
      const retryAt = this.clock() + campaign.unavailableRetryMs;
      log.warn({ stale: stale.map((entry) => entry.list), retryAt }, 'block list too old; not dialled, tried again later');
      const result: AttemptResult = {
        request: state.id, campaign: campaign.name, number: state.number, attempt, attrs: state.attrs,
        outcome: 'LIST_STALE', list: stale[0]?.list, reason, at: this.clock(), final: false, retryAt,
      };
      // lease.state keeps its count of attempts: no one was called.
      await this.finish(lease, { final: false, retryAt }, lease.state, result, log);
      return;
    }
    const main = screenings[0] as Screening;
    const base = {
      request: state.id,
      campaign: campaign.name,
      number: state.number,
      ...(numbers.length > 1 ? { main: state.number } : {}),
      attempt,
      attrs: state.attrs,
    };
    const pick = numberForAttempt(screenings, attempt, campaign.fail);
    switch (main.verdict) {
      case 'hidden':
      case 'malformed':
        await this.record(lease, campaign, {
          ...base,
          outcome: 'INVALID_NUMBER',
          reason: main.detail ?? 'hidden number',
        }, log);
        return;
      case 'blocked':
        // A block on the main number stops the person's every number.
        await this.record(lease, campaign, { ...base, e164: main.e164, outcome: 'BLACKLISTED', ...matchedOf(main) }, log);
        return;
      case 'unavailable':
        if (campaign.fail === 'closed' || main.e164 === undefined) {
          await this.retryUnreadable(lease, campaign, main, 'block lists', log);
          return;
        }
        // Dialled unless the calling hours or the cap, which still apply, refuse it below.
        break;
      default:
        break;
    }
    if (pick === undefined) {
      // Every refusal of the main number that stops the person's other numbers too ended
      // the attempt above; what is left is the one an alternate can overcome: consent is
      // given for a number, and none of them has it.
      await this.record(lease, campaign, { ...base, ...(main.e164 === undefined ? {} : { e164: main.e164 }), outcome: 'NO_CONSENT', ...matchedOf(main) }, log);
      return;
    }
    const { index, skipped, screening: chosen } = pick;
    const dialledBase = {
      ...base,
      number: numbers[index] as string,
      ...(skipped.length === 0 ? {} : { skipped: skipped.map((i) => skippedText(numbers[i] as string, screenings[i] as Screening)).join(', ') }),
    };
    if (skipped.length > 0) log.info({ skipped: dialledBase.skipped }, 'alternates passed over at this attempt');
    // The calling hours and the cap are those of the number dialled.
    const tz = state.attrs[TZ_ATTRIBUTE];
    const ruled = await applyAttemptRules(chosen, campaign, policy, this.rules, {
      deadlineMs: this.checkDeadlineMs,
      now: this.clock(),
      attempt: `${state.id}:${attempt}`,
      ...(tz === undefined ? {} : { tz }),
    });
    const { e164 } = ruled;
    switch (ruled.verdict) {
      case 'outside-hours':
      case 'capped':
        await this.wait(lease, ruled, { ...dialledBase, e164, ...matchedOf(ruled) }, log);
        return;
      case 'unavailable':
        if (campaign.fail === 'closed') {
          await this.retryUnreadable(lease, campaign, ruled, 'calling hours or the cap', log);
          return;
        }
        log.warn({ reason: ruled.detail }, 'a rule could not be read; campaign fails open, dialling');
        break;
      case 'would-block':
        log.info({ wouldBlock: ruled.wouldBe, list: ruled.match?.list }, 'would not be dialled, but the campaign observes: dialling');
        break;
      default:
        break;
    }
    const dialled = await this.dialOnce(lease, campaign, attempt, e164, log);
    if ('notDialled' in dialled) {
      const retryAt = this.clock() + campaign.unavailableRetryMs;
      log.error({ reason: dialled.notDialled, retryAt }, 'not dialled: the campaign cannot work on this PBX; tried again later');
      const result: AttemptResult = { ...dialledBase, e164, outcome: 'FAILED', reason: dialled.notDialled, at: this.clock(), final: false, retryAt };
      // lease.state keeps its count of attempts: no one was called.
      await this.finish(lease, { final: false, retryAt }, lease.state, result, log);
      return;
    }
    const { outcome, reason } = dialled;
    const wouldBlock = ruled.wouldBe === undefined ? undefined : RULE_OUTCOME[ruled.wouldBe];
    const observed = wouldBlock === undefined ? {} : { wouldBlock, ...matchedOf(ruled) };
    await this.record(lease, campaign, { ...dialledBase, e164, outcome, ...observed, ...(reason === undefined ? {} : { reason }) }, log);
  }

  /** What the attempt needs could not be read and the campaign fails closed: nothing dialled, the attempt not used up. */
  private async retryUnreadable(lease: Lease, campaign: Campaign, screening: Screening, what: string, log: Logger): Promise<void> {
    const retryAt = this.clock() + campaign.unavailableRetryMs;
    log.warn({ reason: screening.detail, retryAt }, `${what} unavailable; not dialled, tried again later`);
    await this.finish(lease, { final: false, retryAt }, lease.state, undefined, log);
  }

  /**
   * Outside the calling hours, or the number's cap reached: nothing dialled, a result that
   * says when the request is due again, and the attempt not used up. Without a time to
   * wait for (no zone known for the number) the request ends.
   */
  private async wait(
    lease: Lease,
    screening: Screening,
    partial: Omit<AttemptResult, 'at' | 'final' | 'retryAt' | 'outcome'>,
    log: Logger,
  ): Promise<void> {
    const outcome: AttemptOutcome = screening.verdict === 'capped' ? 'CAPPED' : 'OUTSIDE_HOURS';
    const at = this.clock();
    const retryAt = screening.retryAt;
    if (retryAt === undefined) {
      const result: AttemptResult = { ...partial, outcome, at, final: true };
      log.warn({ outcome, reason: screening.detail }, 'not dialled, and no time to try again');
      await this.finish(lease, { final: true }, lease.state, result, log);
      return;
    }
    const result: AttemptResult = { ...partial, outcome, at, final: false, retryAt };
    log.info({ outcome, retryAt }, 'not dialled now; due again later');
    await this.finish(lease, { final: false, retryAt }, lease.state, result, log);
  }

  private async dialOnce(
    lease: Lease,
    campaign: Campaign,
    attempt: number,
    e164: string,
    log: Logger,
  ): Promise<{ outcome: DialOutcome; reason?: string } | { notDialled: string }> {
    try {
      const request = { id: lease.state.id, campaign: lease.state.campaign, number: lease.state.number, attrs: lease.state.attrs, createdAt: lease.state.createdAt };
      const presented = await this.callerIds.pick(campaign);
      if (presented.fallback !== undefined) log.warn({ reason: presented.fallback }, 'caller id list gave no number; presenting the campaign caller id');
      return {
        outcome: await this.dial({
          request,
          campaign,
          attempt,
          e164,
          endpoint: renderEndpoint(campaign.endpoint, e164),
          ...(presented.callerId === undefined ? {} : { callerId: presented.callerId }),
        }),
      };
    } catch (error) {
      if (error instanceof NotDialledError) return { notDialled: error.message };
      return { outcome: 'FAILED', reason: errorText(error) };
    }
  }

  private async record(
    lease: Lease,
    campaign: Campaign,
    partial: Omit<AttemptResult, 'at' | 'final' | 'retryAt' | 'outcome'> & { outcome: AttemptOutcome },
    log: Logger,
  ): Promise<void> {
    const at = this.clock();
    const next = nextStep(campaign, partial.attempt, partial.outcome, at);
    const result: AttemptResult = { ...partial, at, final: next.final, ...(next.final ? {} : { retryAt: next.retryAt }) };
    log.info({ outcome: result.outcome, list: result.list, final: result.final, retryAt: result.retryAt }, 'dial attempt recorded');
    await this.finish(lease, next, { ...lease.state, attempts: partial.attempt }, result, log);
  }

  /**
   * Writes an attempt's end, retrying while Redis is away: until it is written, the
   * lease keeps the request from being attempted again (and, once it runs out, the
   * request is attempted again rather than lost).
   */
  private async finish(lease: Lease, next: NextStep, state: RequestState, result: AttemptResult | undefined, log: Logger): Promise<void> {
    const deadline = Date.now() + this.leaseMs;
    for (let tries = 1; ; tries += 1) {
      try {
        const held = await this.queue.finish(lease, next, state, result);
        if (!held) log.warn('lease ran out before the attempt ended; the request may be attempted again');
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          log.error({ err: error }, 'could not write the attempt; its lease will run out and the request be attempted again');
          return;
        }
        if (tries === 1) log.warn({ err: error }, 'could not write the attempt yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** tries, MAX_FINISH_BACKOFF_MS)));
      }
    }
  }

  private async renewLeases(): Promise<void> {
    const byCampaign = new Map<string, string[]>();
    for (const { lease } of this.attempts.values()) {
      byCampaign.set(lease.campaign, [...(byCampaign.get(lease.campaign) ?? []), lease.lease]);
    }
    for (const [campaign, leases] of byCampaign) {
      try {
        const lost = await this.queue.renew(campaign, leases, this.leaseMs);
        if (lost.length > 0) this.log.warn({ campaign, leases: lost }, 'leases ran out while their attempts were running');
      } catch (error) {
        this.log.warn({ campaign, err: error }, 'could not renew leases');
      }
    }
  }
}

/** `+4930123456 blocked dnc`: an alternate an attempt passed over, for the result. */
function skippedText(number: string, screening: Screening): string {
  return [screening.e164 ?? number, screening.verdict, screening.match?.list].filter(Boolean).join(' ');
}

/** The list, entry and reason of what stopped (or, observed, would have stopped) a number. */
function matchedOf(screening: Screening): Pick<AttemptResult, 'list' | 'member' | 'reason'> {
  const reason = screening.match?.reason ?? screening.detail;
  return {
    ...(screening.match ? { list: screening.match.list, member: screening.match.member } : {}),
    ...(reason ? { reason } : {}),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
