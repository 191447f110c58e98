import { describe, expect, it } from 'vitest';
import { decide } from '../../src/screening/decide.js';
import { newRoute } from '../../src/screening/route.js';
import type { Action, Route, Screening, Verdict } from '../../src/screening/types.js';
import { VERDICTS } from '../../src/screening/types.js';

function distinctRoute(): Route {
  const route = newRoute('support');
  route.vipPriority = 10;
  route.actions = {
    blocked: { type: 'hangup', cause: 21 },
    allowed: { type: 'continue', context: 'queues', extension: 'vip', priority: 1 },
    clear: { type: 'continue', context: 'queues', extension: 'support', priority: 1 },
    hidden: { type: 'announce', sound: 'custom/withheld', cause: 21 },
    malformed: { type: 'continue', context: 'errors', extension: 'malformed', priority: 2 },
    unavailable: { type: 'continue', context: 'queues', extension: 'fallback', priority: 1 },
  };
  return route;
}

const onBlock = { list: 'dnc', member: '+4930123456', kind: 'exact', expiresAt: null, reason: 'asked not to be called' } as const;
const onVip = { list: 'vip', member: '+4930*', kind: 'prefix', expiresAt: null, reason: 'key account' } as const;

/** A screening of each route verdict, with the fields that verdict has. */
function screeningWith(verdict: Verdict): Screening {
  switch (verdict) {
    case 'blocked':
      return { verdict, e164: '+4930123456', match: onBlock };
    case 'allowed':
      return { verdict, e164: '+4930123456', match: onVip };
    case 'clear':
      return { verdict, e164: '+4930123456' };
    case 'hidden':
      return { verdict };
    case 'malformed':
      return { verdict, detail: 'too short' };
    case 'unavailable':
      return { verdict, detail: 'timed out' };
  }
}

const cases: { name: string; screening: Screening; variables: Record<string, string> }[] = [
  {
    name: 'blocked',
    screening: { verdict: 'blocked', e164: '+4930123456', match: onBlock },
    variables: {
      CALLGUARD_VERDICT: 'blocked',
      CALLGUARD_LIST: 'dnc',
      CALLGUARD_REASON: 'asked not to be called',
      CALLGUARD_NUMBER: '+4930123456',
    },
  },
  {
    name: 'allowed',
    screening: { verdict: 'allowed', e164: '+4930123456', match: onVip },
    variables: {
      CALLGUARD_VERDICT: 'allowed',
      CALLGUARD_LIST: 'vip',
      CALLGUARD_REASON: 'key account',
      CALLGUARD_NUMBER: '+4930123456',
      CALLGUARD_QUEUE_PRIORITY: '10',
    },
  },
  {
    name: 'clear',
    screening: { verdict: 'clear', e164: '+4930123456' },
    variables: { CALLGUARD_VERDICT: 'clear', CALLGUARD_LIST: '', CALLGUARD_REASON: '', CALLGUARD_NUMBER: '+4930123456' },
  },
  {
    name: 'hidden',
    screening: { verdict: 'hidden' },
    variables: { CALLGUARD_VERDICT: 'hidden', CALLGUARD_LIST: '', CALLGUARD_REASON: '', CALLGUARD_NUMBER: '' },
  },
  {
    name: 'malformed',
    screening: { verdict: 'malformed', detail: 'too short' },
    variables: { CALLGUARD_VERDICT: 'malformed', CALLGUARD_LIST: '', CALLGUARD_REASON: 'too short', CALLGUARD_NUMBER: '' },
  },
  {
    name: 'unavailable',
    screening: { verdict: 'unavailable', e164: '+4930123456', detail: 'no answer within 150 ms' },
    variables: {
      CALLGUARD_VERDICT: 'unavailable',
      CALLGUARD_LIST: '',
      CALLGUARD_REASON: 'no answer within 150 ms',
      CALLGUARD_NUMBER: '+4930123456',
    },
  },
];

describe('decide', () => {
  it.each(cases)('a $name caller gets the route action for $name and its variables', ({ screening, variables }) => {
    const route = distinctRoute();
    const decision = decide(screening, route);
    expect(decision.verdict).toBe(screening.verdict);
    expect(decision.action).toEqual(route.actions[screening.verdict as Verdict]);
    expect(decision.variables).toEqual(variables);
  });

  it('every verdict maps to a different action of a route whose actions all differ', () => {
    const route = distinctRoute();
    const actions = VERDICTS.map((verdict: Verdict) => decide(screeningWith(verdict), route).action);
    expect(new Set(actions.map((action: Action) => JSON.stringify(action))).size).toBe(VERDICTS.length);
  });

  it('an allowed caller gets no queue priority when the route gives none', () => {
    const route = distinctRoute();
    delete route.vipPriority;
    expect(decide({ verdict: 'allowed', e164: '+4930123456', match: onVip }, route).variables).not.toHaveProperty(
      'CALLGUARD_QUEUE_PRIORITY',
    );
  });

  it('a blocked caller never gets the VIP queue priority', () => {
    expect(decide({ verdict: 'blocked', e164: '+4930123456', match: onBlock }, distinctRoute()).variables).not.toHaveProperty(
      'CALLGUARD_QUEUE_PRIORITY',
    );
  });

  it('control characters in an operator reason do not reach the channel variable, and it is bounded', () => {
    const match = { ...onBlock, reason: `line one\nline two\r\u0007${'x'.repeat(300)}` };
    const reason = decide({ verdict: 'blocked', e164: '+4930123456', match }, distinctRoute()).variables.CALLGUARD_REASON;
    expect(reason).not.toMatch(/[\u0000-\u001f]/);
    expect(reason?.startsWith('line one line two')).toBe(true);
    expect(reason?.length).toBe(128);
  });
});
