import { ATTEMPT_OUTCOMES, type AttemptOutcome, type AttemptResult } from './types.js';

/**
 * The results stream's entry format (docs/outbound.md): request, campaign, number, e164,
 * main and skipped (requests with alternates), attempt, outcome, list, member, reason, at, final (1/0), retryAt, attrs (JSON). Empty
 * fields are left out.
 */
export function resultFields(result: AttemptResult): string[] {
  const fields = [
    'request', result.request,
    'campaign', result.campaign,
    'number', result.number,
    'attempt', String(result.attempt),
    'outcome', result.outcome,
    'at', String(result.at),
    'final', result.final ? '1' : '0',
  ];
  const optional: [string, string | undefined][] = [
    ['e164', result.e164],
    ['main', result.main],
    ['skipped', result.skipped],
    ['list', result.list],
    ['member', result.member],
    ['reason', result.reason],
    ['retryAt', result.retryAt === undefined ? undefined : String(result.retryAt)],
    ['attrs', Object.keys(result.attrs).length > 0 ? JSON.stringify(result.attrs) : undefined],
  ];
  for (const [name, value] of optional) if (value !== undefined && value !== '') fields.push(name, value);
  return fields;
}

/** A results entry read back; undefined when the entry is not one callguard wrote. */
export function parseResultFields(flat: string[]): AttemptResult | undefined {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] ?? '', flat[i + 1] ?? '');
  const outcome = fields.get('outcome') as AttemptOutcome | undefined;
  const request = fields.get('request');
  const campaign = fields.get('campaign');
  if (!outcome || !ATTEMPT_OUTCOMES.includes(outcome) || request === undefined || campaign === undefined) return undefined;
  const result: AttemptResult = {
    request,
    campaign,
    number: fields.get('number') ?? '',
    attempt: Number(fields.get('attempt') ?? 0),
    outcome,
    at: Number(fields.get('at') ?? 0),
    final: fields.get('final') === '1',
    attrs: parseAttrs(fields.get('attrs')),
  };
  for (const name of ['e164', 'main', 'skipped', 'list', 'member', 'reason'] as const) {
    const value = fields.get(name);
    if (value !== undefined) result[name] = value;
  }
  if (fields.get('stale') === '1') result.stale = true;
  const retryAt = fields.get('retryAt');
  if (retryAt !== undefined) result.retryAt = Number(retryAt);
  return result;
}

function parseAttrs(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    // attrs were written by callguard as JSON; an entry edited by hand shows without them.
    return {};
  }
}
