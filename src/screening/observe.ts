import { LIST_NAME_PATTERN } from '../lists/keys.js';

/**
 * Observe mode: a rule is computed and logged as `would-block`, and the call goes on as
 * clear. `all`: every rule of the route or campaign (lists, auto-block, STIR/SHAKEN,
 * calling hours, caps, consent); a list of names: only matches on those lists.
 */
export type Observe = 'all' | string[];

export class ObserveSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ObserveSyntaxError';
  }
}

/** Whether a block by `list` (or, without one, by a rule that is not a list) is only observed. */
export function observes(observe: Observe | undefined, list?: string): boolean {
  if (observe === undefined) return false;
  if (observe === 'all') return true;
  return list !== undefined && observe.includes(list);
}

/** `all`, or list names `a,b`. */
export function parseObserve(text: string): Observe {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'all') return 'all';
  const lists = trimmed.split(',').map((list) => list.trim());
  const bad = lists.find((list) => !LIST_NAME_PATTERN.test(list));
  if (bad !== undefined) throw new ObserveSyntaxError(`"${bad}" is neither "all" nor a list name`);
  return [...new Set(lists)];
}

export function formatObserve(observe: Observe | undefined): string {
  if (observe === undefined) return 'none';
  return observe === 'all' ? 'all' : observe.join(',');
}

/** The reason a stored value is not an Observe, or undefined when it is one. */
export function invalidObserveReason(value: unknown): string | undefined {
  if (value === 'all') return undefined;
  if (Array.isArray(value) && value.every((list) => typeof list === 'string' && LIST_NAME_PATTERN.test(list))) return undefined;
  return `observe ${JSON.stringify(value)} is neither "all" nor a list of list names`;
}
