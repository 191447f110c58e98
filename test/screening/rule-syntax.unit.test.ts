import { describe, expect, it } from 'vitest';
import { autoBlockCounters, crossedRule, formatAutoBlock, parseAutoBlock } from '../../src/screening/auto-block.js';
import { parseObserve } from '../../src/screening/observe.js';
import { formatRate, parseRate, RateSyntaxError } from '../../src/screening/rate.js';

describe('rates, auto-block rules and observe', () => {
  it('3/24h and 7/15m read and write back', () => {
    expect(parseRate('3/24h')).toEqual({ count: 3, windowMs: 86_400_000 });
    expect(formatRate(parseRate('3/24h'))).toBe('3/1d');
    expect(formatAutoBlock(parseAutoBlock('7/15m:harassment:1h'))).toBe('7/15m:harassment:1h');
  });

  it.each(['3', '0/1h', '3/0', '3/none', '3/32d', 'x/1h'])('rate %s is refused', (text) => {
    expect(() => parseRate(text)).toThrow(RateSyntaxError);
  });

  it.each(['7/15m:harassment', '7/15m:Bad:1h', '7/15m:harassment:0', '7/15m:harassment:1h:x'])('rule %s is refused', (text) => {
    expect(() => parseAutoBlock(text)).toThrow(RateSyntaxError);
  });

  it('rules filling one list share one counter; the first crossed rule wins', () => {
    const rules = [parseAutoBlock('7/15m:harassment:1h'), parseAutoBlock('15/24h:harassment:1d'), parseAutoBlock('3/1m:flood:10m')];
    const counters = autoBlockCounters(rules, 'support', 'ch-1');
    expect(counters).toEqual([
      { list: 'harassment', scope: 'support', member: 'ch-1', keep: 15, windowsMs: [900_000, 86_400_000] },
      { list: 'flood', scope: 'support', member: 'ch-1', keep: 3, windowsMs: [60_000] },
    ]);
    expect(crossedRule(rules, [[6, 20], [1]])).toBe(rules[1]);
    expect(crossedRule(rules, [[7, 7], [1]])).toBe(rules[0]);
    expect(crossedRule(rules, [[1, 1], [3]])).toBe(rules[2]);
    expect(crossedRule(rules, [[6, 14], [2]])).toBeUndefined();
  });

  it('observe takes all or list names', () => {
    expect(parseObserve('ALL')).toBe('all');
    expect(parseObserve('a, b,a')).toEqual(['a', 'b']);
    expect(() => parseObserve('a,B')).toThrow(/neither "all" nor a list name/);
  });
});
