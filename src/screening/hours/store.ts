import { globalKeys } from '../../lists/keys.js';
import type { RedisClient } from '../../redis/connect.js';
import { BUILTIN_POLICIES } from './builtin.js';
import { isPolicyName, type Holiday, type HoursPolicy, type Week } from './policy.js';
import { HoursSyntaxError } from './syntax.js';
import { validatePolicy } from './validate.js';

/** Where a policy comes from: shipped with callguard, stored, or stored over a shipped one. */
export type PolicySource = 'builtin' | 'stored' | 'changed-builtin';

export type PolicyLookup =
  | { kind: 'found'; policy: HoursPolicy; source: PolicySource }
  | { kind: 'missing' }
  | { kind: 'invalid'; reason: string };

/** What `hours set` changes; absent fields keep their value. */
export interface PolicyChanges {
  /** the whole week: days not named are closed */
  week?: Week;
  holidays?: Holiday[];
  addHolidays?: Holiday[];
  /** region rules to set (each replaces that region's rule) */
  regions?: Record<string, Partial<Week>>;
  removeRegions?: string[];
  zone?: string | null;
  note?: string | null;
  updatedAt: number;
  updatedBy: string;
}

/** `existing` (stored or shipped) with `changes`, or a new policy, which must name its days. */
export function applyPolicyChanges(name: string, existing: HoursPolicy | undefined, changes: PolicyChanges): HoursPolicy {
  if (!isPolicyName(name)) throw new HoursSyntaxError(`"${name}" is not a policy name: 1 to 64 characters of a-z, 0-9, _ and -`);
  if (!existing && !changes.week) throw new HoursSyntaxError(`policy ${name} is new: give it --days (e.g. --days mon-fri=09:00-18:00)`);
  const base: HoursPolicy = existing ?? { name, week: changes.week as Week, holidays: [], regions: {} };
  const regions = { ...base.regions };
  for (const region of changes.removeRegions ?? []) {
    if (!(region in regions)) throw new HoursSyntaxError(`policy ${name} has no rule for ${region}`);
    delete regions[region];
  }
  for (const [region, days] of Object.entries(changes.regions ?? {})) regions[region] = { days, holidays: regions[region]?.holidays ?? [] };
  const policy: HoursPolicy = {
    name,
    week: changes.week ?? base.week,
    holidays: [...(changes.holidays ?? base.holidays), ...(changes.addHolidays ?? [])],
    regions,
    updatedAt: changes.updatedAt,
    updatedBy: changes.updatedBy,
  };
  const zone = changes.zone === undefined ? base.zone : changes.zone ?? undefined;
  if (zone !== undefined) policy.zone = zone;
  const note = changes.note === undefined ? base.note : changes.note ?? undefined;
  if (note !== undefined) policy.note = note;
  const checked = validatePolicy(policy);
  if (!checked.ok) throw new HoursSyntaxError(`policy ${name}: ${checked.reason}`);
  return checked.policy;
}

/**
 * Calling-hours policies in one Redis hash (`<ns>:hours`, name -> JSON) beside the shipped
 * ones (builtin.ts): a stored policy of a shipped name wins over it. Read at every attempt,
 * so a change applies to the next one.
 */
export class HoursStore {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    namespace: string,
  ) {
    this.key = globalKeys(namespace).hours;
  }

  /** Rejects only when Redis fails. */
  async get(name: string): Promise<PolicyLookup> {
    return lookupOf(name, await this.redis.hget(this.key, name));
  }

  async set(policy: HoursPolicy): Promise<void> {
    const checked = validatePolicy(policy);
    if (!checked.ok) throw new HoursSyntaxError(`policy ${policy.name} is not valid: ${checked.reason}`);
    await this.redis.hset(this.key, policy.name, JSON.stringify(checked.policy));
  }

  /** `removed`: the stored policy is gone (a shipped one of that name applies again); `builtin`: nothing stored, the shipped one stays; `missing`. */
  async remove(name: string): Promise<'removed' | 'builtin' | 'missing'> {
    if ((await this.redis.hdel(this.key, name)) === 1) return 'removed';
    return BUILTIN_POLICIES.has(name) ? 'builtin' : 'missing';
  }

  /** Every policy by name, shipped ones included; corrupt stored ones apart with their reason. */
  async list(): Promise<{ policies: { policy: HoursPolicy; source: PolicySource }[]; invalid: { name: string; reason: string }[] }> {
    const stored = await this.redis.hgetall(this.key);
    const names = [...new Set([...BUILTIN_POLICIES.keys(), ...Object.keys(stored)])].sort();
    const listing: Awaited<ReturnType<HoursStore['list']>> = { policies: [], invalid: [] };
    for (const name of names) {
      const lookup = lookupOf(name, stored[name] ?? null);
      if (lookup.kind === 'found') listing.policies.push({ policy: lookup.policy, source: lookup.source });
      else if (lookup.kind === 'invalid') listing.invalid.push({ name, reason: lookup.reason });
    }
    return listing;
  }
}

function lookupOf(name: string, text: string | null): PolicyLookup {
  const builtin = BUILTIN_POLICIES.get(name);
  if (text === null) return builtin ? { kind: 'found', policy: builtin, source: 'builtin' } : { kind: 'missing' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', reason: `stored policy is not JSON: ${(error as Error).message}` };
  }
  const checked = validatePolicy(parsed);
  if (!checked.ok) return { kind: 'invalid', reason: checked.reason };
  if (checked.policy.name !== name) return { kind: 'invalid', reason: `stored under ${JSON.stringify(name)} but named ${JSON.stringify(checked.policy.name)}` };
  return { kind: 'found', policy: checked.policy, source: builtin ? 'changed-builtin' : 'stored' };
}
