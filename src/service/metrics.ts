import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InboundOutcome } from '../calls/inbound.js';
import type { AgentFeatureOutcome } from '../screening/agent-features.js';

/**
 * Decision time buckets in ms: the target is a p99 of 5 ms, the default deadline 150 ms,
 * so the buckets are fine below 5 and reach past the deadline.
 */
const DECISION_BUCKETS_MS = [0.5, 1, 2, 3, 5, 10, 25, 50, 100, 150, 250, 500, 1000];

/** The service's Prometheus metrics, in a registry of its own (not prom-client's global one). */
export class ServiceMetrics {
  readonly registry = new Registry();

  private readonly calls = new Counter({
    name: 'callguard_calls_total',
    help: 'Screened calls by verdict and action type (hangup, announce, continue, fallback)',
    labelNames: ['direction', 'verdict', 'action'] as const,
    registers: [this.registry],
  });

  private readonly gone = new Counter({
    name: 'callguard_calls_gone_total',
    help: 'Calls whose caller hung up before callguard was done with them',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });

  private readonly decision = new Histogram({
    name: 'callguard_decision_duration_ms',
    help: 'Time from StasisStart to the decision (presentation, route, list check), in ms',
    labelNames: ['direction'] as const,
    buckets: DECISION_BUCKETS_MS,
    registers: [this.registry],
  });

  private readonly features = new Counter({
    name: 'callguard_agent_features_total',
    help: "Agents' *9 and feature codes (*30, *31, *32) by code and result (listed, cancelled, not-permitted ...)",
    labelNames: ['feature', 'result'] as const,
    registers: [this.registry],
  });

  readonly ariConnected = new Gauge({
    name: 'callguard_ari_connected',
    help: '1 while the ARI websocket is connected: the Stasis app registered, or standing by for it (callguard_ari_standby)',
    registers: [this.registry],
  });

  readonly ariStandby = new Gauge({
    name: 'callguard_ari_standby',
    help: '1 while another instance holds the shared Stasis app and this one waits to take it over',
    registers: [this.registry],
  });

  readonly redisConnected = new Gauge({
    name: 'callguard_redis_connected',
    help: '1 while Redis is connected and answers the readiness probe (a PING) within its deadline',
    registers: [this.registry],
  });

  readonly redisEvicting = new Gauge({
    name: 'callguard_redis_evicting',
    help: "1 while Redis' maxmemory-policy may evict list entries (allkeys-*)",
    registers: [this.registry],
  });

  readonly redisPersistsNothing = new Gauge({
    name: 'callguard_redis_persists_nothing',
    help: '1 while Redis has neither an append-only file nor RDB save points: a Redis restart would empty every list',
    registers: [this.registry],
  });

  readonly listEntries = new Gauge({
    name: 'callguard_list_entries',
    help: "Members a list's keys hold (numbers and prefixes, expired ones not yet purged included)",
    labelNames: ['list'] as const,
    registers: [this.registry],
  });

  readonly listAge = new Gauge({
    name: 'callguard_list_age_seconds',
    help: "How old a list's data is: now minus its data date (--source-date, or the file's date), its oldest area code's when loaded per area code",
    labelNames: ['list'] as const,
    registers: [this.registry],
  });

  readonly listAlarm = new Gauge({
    name: 'callguard_list_alarm',
    help: '1 while a list lost entries outside callguard: kind entries-lost, vanished or rolled-back',
    labelNames: ['list', 'kind'] as const,
    registers: [this.registry],
  });

  readonly callLogPending = new Gauge({
    name: 'callguard_call_log_pending',
    help: 'Call-log entries kept until Redis takes them (Redis down or stalled)',
    registers: [this.registry],
  });

  readonly callLogDropped = new Counter({
    name: 'callguard_call_log_dropped_total',
    help: 'Call-log entries dropped because the entries kept for Redis reached their bound',
    registers: [this.registry],
  });

  readonly callsInFlight = new Gauge({
    name: 'callguard_calls_in_flight',
    help: 'Calls being decided or acted on now',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'callguard_' });
    this.ariConnected.set(0);
    this.ariStandby.set(0);
    this.redisConnected.set(0);
    this.redisEvicting.set(0);
    this.redisPersistsNothing.set(0);
    this.callLogPending.set(0);
  }

  recordInbound(outcome: Pick<InboundOutcome, 'verdict' | 'action' | 'decisionMs' | 'gone'>): void {
    const actionType = outcome.action.split(':')[0] ?? outcome.action;
    this.calls.inc({ direction: 'inbound', verdict: outcome.verdict, action: actionType });
    this.decision.observe({ direction: 'inbound' }, outcome.decisionMs);
    if (outcome.gone) this.gone.inc({ direction: 'inbound' });
  }

  recordFeature(outcome: Pick<AgentFeatureOutcome, 'request' | 'result'>): void {
    this.features.inc({ feature: outcome.request.code, result: outcome.result });
  }
}
