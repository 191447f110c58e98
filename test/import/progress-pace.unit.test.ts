import { describe, expect, it } from 'vitest';
import { ProgressPace } from '../../src/lists/import/progress-pace.js';

describe('the pace of progress reports', () => {
  it('is due once a pace has passed since the last time it was, however often it is asked', () => {
    let now = 1_000;
    const pace = new ProgressPace(() => now, 250);
    const dueAt: number[] = [];
    for (; now <= 2_000; now += 10) if (pace.due()) dueAt.push(now);
    expect(dueAt).toEqual([1_250, 1_500, 1_750, 2_000]);
  });

  it('after a long stall is due once, then again a whole pace later', () => {
    let now = 0;
    const pace = new ProgressPace(() => now, 250);
    now = 5_000;
    expect([pace.due(), pace.due()]).toEqual([true, false]);
    now = 5_249;
    expect(pace.due()).toBe(false);
    now = 5_250;
    expect(pace.due()).toBe(true);
  });
});
