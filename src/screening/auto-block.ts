import { LIST_NAME_PATTERN } from '../lists/keys.js';
import type { CallCounter } from '../lists/types.js';
import { formatDelay, parseDelay } from './delay-syntax.js';
import { formatRate, isRate, parseRate, RateSyntaxError, type Rate } from './rate.js';

/**
 * Auto-block of repeat callers, a route's `--auto-block 7/15m:harassment:1h`: the call
 * that makes 7 calls of one number within 15 minutes on this route is blocked, and the
 * number goes on list `harassment` for an hour (reason "auto: 7 calls in 15m", by
 * "callguard"). The calls are counted inside the check's own script (ListStore.checkCounting).
 */
export interface AutoBlockRule {
  rate: Rate;
  /** the block list the number is added to */
  list: string;
  /** how long it stays there, ms */
  forMs: number;
}

/** Who the audit names for a number auto-blocked. */
export const AUTO_BLOCK_ACTOR = 'callguard';
export const AUTO_BLOCK_SOURCE = 'auto-block';
/** The longest an auto-block lasts; for longer, a person lists the number. */
export const MAX_AUTO_BLOCK_MS = 366 * 86_400_000;
export const MAX_AUTO_BLOCK_RULES = 10;

/** `7/15m:harassment:1h`. Throws RateSyntaxError. */
export function parseAutoBlock(text: string): AutoBlockRule {
  const [rate = '', list = '', duration = '', extra] = text.trim().split(':');
  const usage = `"${text}" is not <calls>/<window>:<list>:<for>: write e.g. 7/15m:harassment:1h`;
  if (extra !== undefined || duration === '') throw new RateSyntaxError(usage);
  if (!LIST_NAME_PATTERN.test(list)) throw new RateSyntaxError(`${usage} ("${list}" is not a list name)`);
  let forMs: number | null;
  try {
    forMs = parseDelay(duration);
  } catch {
    // parseDelay's message speaks of delays; the rule's own says what goes where.
    forMs = null;
  }
  if (forMs === null || forMs <= 0 || forMs > MAX_AUTO_BLOCK_MS) throw new RateSyntaxError(`${usage} ("${duration}" is not a duration up to ${formatDelay(MAX_AUTO_BLOCK_MS)})`);
  return { rate: parseRate(rate), list, forMs };
}

export function formatAutoBlock(rule: AutoBlockRule): string {
  return `${formatRate(rule.rate)}:${rule.list}:${formatDelay(rule.forMs)}`;
}

/** The reason the audit and the call log give: `auto: 7 calls in 15m`. */
export function autoBlockReason(rule: AutoBlockRule): string {
  return `auto: ${rule.rate.count} calls in ${formatDelay(rule.rate.windowMs)}`;
}

/** The reason a stored value is not a list of rules, or undefined when it is one. */
export function invalidAutoBlockReason(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length > MAX_AUTO_BLOCK_RULES) return `autoBlock is not a list of up to ${MAX_AUTO_BLOCK_RULES} rules`;
  for (const rule of value as Record<string, unknown>[]) {
    const ok =
      typeof rule === 'object' && rule !== null && isRate(rule.rate) &&
      typeof rule.list === 'string' && LIST_NAME_PATTERN.test(rule.list) &&
      typeof rule.forMs === 'number' && Number.isInteger(rule.forMs) && rule.forMs > 0 && rule.forMs <= MAX_AUTO_BLOCK_MS;
    if (!ok) return `autoBlock holds ${JSON.stringify(rule)}, which is not a rule {rate, list, forMs}`;
  }
  return undefined;
}

/** The lists the rules fill, in rule order, each once. */
export function autoBlockLists(rules: readonly AutoBlockRule[]): string[] {
  return [...new Set(rules.map((rule) => rule.list))];
}

/** One counter per list the rules fill, with the windows of its rules, for this call of this route. */
export function autoBlockCounters(rules: readonly AutoBlockRule[], route: string, channelId: string): CallCounter[] {
  return autoBlockLists(rules).map((list) => {
    const own = rules.filter((rule) => rule.list === list);
    return { list, scope: route, member: channelId, keep: Math.max(...own.map((rule) => rule.rate.count)), windowsMs: own.map((rule) => rule.rate.windowMs) };
  });
}

/** The first rule (in route order) whose count the call reached, given the counts per counter from autoBlockCounters. */
export function crossedRule(rules: readonly AutoBlockRule[], counts: readonly (readonly number[])[]): AutoBlockRule | undefined {
  const lists = autoBlockLists(rules);
  return rules.find((rule) => {
    const counter = lists.indexOf(rule.list);
    const index = rules.filter((other) => other.list === rule.list).indexOf(rule);
    return (counts[counter]?.[index] ?? 0) >= rule.rate.count;
  });
}
