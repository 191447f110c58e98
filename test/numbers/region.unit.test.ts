import { describe, expect, it } from 'vitest';
import { parseRegion } from '../../src/numbers/index.js';

describe('parseRegion', () => {
  it.each([
    ['DE', 'DE'],
    ['de', 'DE'],
    [' gb ', 'GB'],
    ['US', 'US'],
  ])('%j is the region %s', (input, region) => {
    expect(parseRegion(input)).toEqual({ ok: true, region });
  });

  it.each(['XX', 'DEU', '', '49', 'UK'])('%j is refused with a reason that names it', (input) => {
    const result = parseRegion(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(`"${input}"`);
  });
});
