import type { Role } from '../access/roles.js';
import type { TokenInfo } from '../access/tokens.js';
import type { AttemptResult } from '../dialer/types.js';
import type { NumberReport } from '../lists/number-report.js';
import type { Provenance } from '../lists/provenance.js';
import { listAgeMs, type ListSource, type PartSource } from '../lists/source-date.js';
import type { AuditEvent } from '../lists/types.js';
import { formatAction } from '../screening/actions.js';
import { NOT_DIALLED_VERDICTS, type Campaign } from '../screening/campaign.js';
import { formatDelay, formatDialplanTarget } from '../screening/campaign-syntax.js';
import { formatAutoBlock } from '../screening/auto-block.js';
import type { LoggedCall } from '../screening/call-log.js';
import { formatRate } from '../screening/rate.js';
import { VERDICTS, type Route } from '../screening/types.js';
import type { Delivery, WebhookInfo } from '../webhooks/store.js';
import { entryJson, isoTime } from './format.js';

/**
 * The stable JSON shapes of what the CLI prints with --json, which the HTTP API answers
 * too: one shape per thing, whichever front door shows it.
 */

/** A token, without its secret. */
export function tokenJson(token: TokenInfo): { name: string; role: Role; lists: string[] | null; expiresAt: string | null } {
  return { name: token.name, role: token.role, lists: token.lists, expiresAt: isoTime(token.expiresAt) };
}


/** The stable JSON shape of a route: actions in their written form, absent values null. */
export function routeJson(route: Route): Record<string, unknown> {
  return {
    name: route.name,
    block: route.block,
    allow: route.allow,
    region: route.region ?? null,
    withheld: route.withheld,
    vipPriority: route.vipPriority ?? null,
    actions: Object.fromEntries(VERDICTS.map((verdict) => [verdict, formatAction(route.actions[verdict])])),
    autoBlock: (route.autoBlock ?? []).map(formatAutoBlock),
    stir: route.stir === undefined ? null : { onUnverified: formatAction(route.stir.onUnverified), minAttestation: route.stir.minAttestation ?? null },
    observe: route.observe ?? null,
    updatedAt: isoTime(route.updatedAt),
    updatedBy: route.updatedBy ?? null,
  };
}

/** The stable JSON shape of a campaign: delays and actions in their written form, absent values null. */
export function campaignJson(campaign: Campaign): Record<string, unknown> {
  return {
    name: campaign.name,
    block: campaign.block,
    region: campaign.region ?? null,
    endpoint: campaign.endpoint,
    callerId: campaign.callerId ?? null,
    callerIdList: campaign.callerIdList ?? null,
    dialTimeout: formatDelay(campaign.dialTimeoutMs),
    context: formatDialplanTarget(campaign.agent),
    maxAttempts: campaign.maxAttempts,
    retry: { busy: formatDelay(campaign.retry.BUSY), noanswer: formatDelay(campaign.retry.NO_ANSWER), failed: formatDelay(campaign.retry.FAILED) },
    maxConcurrent: campaign.maxConcurrent,
    fail: campaign.fail,
    unavailableRetry: formatDelay(campaign.unavailableRetryMs),
    maxListAge: campaign.maxListAgeMs === undefined ? null : formatDelay(campaign.maxListAgeMs),
    actions: Object.fromEntries(NOT_DIALLED_VERDICTS.map((verdict) => [verdict, formatAction(campaign.actions[verdict])])),
    hours: campaign.hours ?? null,
    maxPerNumber: campaign.maxPerNumber === undefined ? null : formatRate(campaign.maxPerNumber),
    requireConsent: campaign.requireConsent ?? null,
    observe: campaign.observe ?? null,
    updatedAt: isoTime(campaign.updatedAt),
    updatedBy: campaign.updatedBy ?? null,
  };
}

/** One attempt of a dial request. */
export function resultJson(result: AttemptResult): Record<string, unknown> {
  return {
    request: result.request,
    number: result.number,
    e164: result.e164 ?? null,
    main: result.main ?? null,
    skipped: result.skipped ?? null,
    attempt: result.attempt,
    outcome: result.outcome,
    list: result.list ?? null,
    member: result.member ?? null,
    reason: result.reason ?? null,
    at: isoTime(result.at),
    final: result.final,
    retryAt: isoTime(result.retryAt),
    wouldBlock: result.wouldBlock ?? null,
    attrs: result.attrs,
  };
}

/** One call of the call log. */
export function callJson(call: LoggedCall): Record<string, string | number | null> {
  return {
    id: call.id,
    time: new Date(call.time).toISOString(),
    channel: call.channel,
    direction: call.direction,
    raw: call.raw,
    e164: call.e164 ?? null,
    presentation: call.presentation ?? null,
    route: call.route ?? null,
    campaign: call.campaign ?? null,
    verdict: call.verdict,
    wouldBe: call.wouldBe ?? null,
    list: call.list ?? null,
    reason: call.reason ?? null,
    action: call.action,
    outcome: call.outcome ?? null,
    verification: call.verification ?? null,
    attestation: call.attestation ?? null,
    feature: call.feature ?? null,
    endpoint: call.endpoint ?? null,
    via: call.via ?? null,
    decisionMs: Number.isFinite(call.decisionMs) ? call.decisionMs : null,
  };
}

/** One audit event of a number's history. */
export function historyJson(event: AuditEvent) {
  return {
    id: event.id,
    list: event.list,
    action: event.action,
    at: isoTime(event.at),
    by: event.by,
    reason: event.reason ?? null,
    member: event.member ?? null,
    details: readableDetails(event.details),
  };
}

/** Details with their times (`expiresAt`, stored as ms since epoch) as ISO 8601, like every other time shown. */
export function readableDetails(details: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(details).map(([name, value]) => [name, name.endsWith('At') && /^\d+$/.test(value) ? (isoTime(Number(value)) ?? value) : value]),
  );
}

/** The import(s) that brought a bulk entry, each with its file. */
export function provenanceJson(provenance: Provenance | null) {
  if (!provenance) return null;
  return {
    certain: provenance.certain,
    imports: provenance.imports.map((event) => ({ ...historyJson(event), file: event.details?.file ?? null })),
  };
}

/** What `show` tells of a number. */
export function numberReportJson(input: string, member: string, report: NumberReport): Record<string, unknown> {
  const now = Date.now();
  return {
    input,
    member,
    listed: report.holding.map((entry, i) => ({
      ...entryJson(entry),
      enabled: report.enabled.get(entry.list) ?? false,
      loadedBy: provenanceJson(report.loadedBy[i] ?? null),
      listData: listSourceJson(report.sources.get(entry.list), now),
      partData: partSourceJson(report.partSources[i] ?? null, now),
    })),
    cancelled: report.cancelled.map((c) => ({ list: c.list, member: c.member, reason: c.reason, by: c.by, at: isoTime(c.at) })),
    history: report.history.map(historyJson),
    cannotTell: report.cannotTell,
  };
}

/** The date of the part of a list an entry is in (NumberReport.partSources), its age at `now`; null where no import dated it. */
export function partSourceJson(
  source: PartSource | null,
  now: number,
): { part: string; file: string; dataDate: string | null; ageSeconds: number; from: string } | null {
  if (!source) return null;
  return { part: source.part, file: source.name, dataDate: isoTime(source.dataDate), ageSeconds: Math.floor((listAgeMs(source, now) ?? 0) / 1000), from: source.from };
}

/** A webhook, without its secret. */
export function webhookJson(webhook: WebhookInfo): Record<string, unknown> {
  return { name: webhook.name, url: webhook.url, events: webhook.events, createdAt: isoTime(webhook.createdAt), createdBy: webhook.createdBy };
}

/** One delivery attempt of a webhook. */
export function deliveryJson(delivery: Delivery): Record<string, unknown> {
  return {
    event: delivery.event,
    type: delivery.type,
    attempt: delivery.attempt,
    status: delivery.status,
    code: delivery.code ?? null,
    ms: delivery.ms,
    error: delivery.error ?? null,
    at: isoTime(delivery.at),
  };
}

/**
 * A list's data source and age, its oldest part's, as lists, show and campaign show give
 * it, with that part when others are newer (`oldest`); null for a list never imported.
 */
export function listSourceJson(
  source: ListSource | undefined,
  now: number,
): { file: string; dataDate: string | null; ageSeconds: number; from: string; oldest: { part: string; parts: number } | null } | null {
  const age = listAgeMs(source, now);
  if (!source || age === undefined) return null;
  return { file: source.name, dataDate: isoTime(source.dataDate), ageSeconds: Math.floor(age / 1000), from: source.from, oldest: source.oldest ?? null };
}
