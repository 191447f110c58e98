import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN, type Campaign } from '../../src/screening/campaign.js';
import type { CapOutcome } from '../../src/screening/caps.js';
import { BUILTIN_POLICIES } from '../../src/screening/hours/builtin.js';
import { applyAttemptRules, type PolicyForAttempt } from '../../src/screening/outbound.js';
import { parseRate, type Rate } from '../../src/screening/rate.js';
import type { Screening } from '../../src/screening/types.js';

const NEW_YORK = '+12125550100';
/** Monday 2026-11-23, 20:59 and 21:00 in New York (UTC-5) */
const NY_20_59 = Date.parse('2026-11-24T01:59:00Z');
const NY_21_00 = Date.parse('2026-11-24T02:00:00Z');
const NY_NEXT_08_00 = Date.parse('2026-11-24T13:00:00Z');

const US: PolicyForAttempt = { ok: true, value: { kind: 'found', policy: BUILTIN_POLICIES.get('us')!, source: 'builtin' } };
const UNREAD: Screening = { verdict: 'unavailable', e164: NEW_YORK, detail: 'list dnc does not exist' };

function campaign(changes: Partial<Campaign> = {}): Campaign {
  return { ...DEFAULT_CAMPAIGN, name: 'leads', endpoint: 'PJSIP/${NUMBER}@trunk', agent: { context: 'agents', extension: 's', priority: 1 }, hours: 'us', maxPerNumber: parseRate('1/24h'), ...changes };
}

/** A cap counter of our own interface: `full` numbers are capped until `retryAt`; `broken` rejects as Redis would. */
function caps(options: { full?: boolean; broken?: boolean } = {}) {
  const taken: { e164: string; cap: Rate | undefined }[] = [];
  return {
    taken,
    async take(e164: string, _now: number, _attempt: string, cap: Rate | undefined): Promise<CapOutcome> {
      if (options.broken) throw new Error('Connection is closed.');
      if (options.full && cap !== undefined) return { ok: false, retryAt: NY_NEXT_08_00 };
      taken.push({ e164, cap });
      return { ok: true };
    },
  };
}

const rules = (screening: Screening, fields: Partial<Campaign>, counter: ReturnType<typeof caps>, now = NY_20_59) =>
  applyAttemptRules(screening, campaign(fields), US, { caps: counter }, { now, attempt: 'r1:1' });

describe('attempt rules when the lists cannot be read and the campaign fails open', () => {
  it('outside the calling hours at the callee the number is not dialled: outside-hours, due at the next window', async () => {
    const ruled = await rules(UNREAD, { fail: 'open' }, caps(), NY_21_00);
    expect(ruled).toMatchObject({ verdict: 'outside-hours', e164: NEW_YORK, retryAt: NY_NEXT_08_00 });
  });

  it("past the number's cap it is capped, with when a slot frees", async () => {
    const ruled = await rules(UNREAD, { fail: 'open' }, caps({ full: true }));
    expect(ruled).toMatchObject({ verdict: 'capped', e164: NEW_YORK, retryAt: NY_NEXT_08_00, detail: 'capped: 1 attempts to the number within 1d' });
  });

  it('within the hours and the cap it stays unavailable (dialled), and the cap counts the attempt', async () => {
    const counter = caps();
    expect(await rules(UNREAD, { fail: 'open' }, counter)).toEqual(UNREAD);
    expect(counter.taken).toEqual([{ e164: NEW_YORK, cap: parseRate('1/24h') }]);
  });

  it('a cap that cannot be counted either leaves it unavailable, saying both', async () => {
    const ruled = await rules(UNREAD, { fail: 'open' }, caps({ broken: true }));
    expect(ruled).toEqual({
      verdict: 'unavailable',
      e164: NEW_YORK,
      detail: 'list dnc does not exist; attempts to the number could not be counted: Connection is closed.',
    });
  });

  it('in observe mode a refusing rule is recorded would-block and the attempt goes on, counted', async () => {
    const counter = caps();
    const ruled = await rules(UNREAD, { fail: 'open', observe: 'all' }, counter, NY_21_00);
    expect(ruled).toMatchObject({ verdict: 'would-block', wouldBe: 'outside-hours', e164: NEW_YORK });
    expect(counter.taken).toHaveLength(1);
  });

  it('a campaign that fails closed gets the unavailable screening back untouched, and nothing is counted', async () => {
    const counter = caps();
    expect(await rules(UNREAD, { fail: 'closed' }, counter, NY_21_00)).toBe(UNREAD);
    expect(counter.taken).toEqual([]);
  });

  it('a screening unavailable before the number was read (no e164) comes back as it is', async () => {
    const unread: Screening = { verdict: 'unavailable', detail: 'campaign could not be read' };
    expect(await rules(unread, { fail: 'open' }, caps(), NY_21_00)).toBe(unread);
  });
});
