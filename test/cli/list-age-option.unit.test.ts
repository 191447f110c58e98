import { describe, expect, it } from 'vitest';
import { listAgeOption } from '../../src/cli/commands/campaign/options.js';

describe('campaign set --max-list-age', () => {
  it('takes ages from a minute to 366 days in the words a person writes', () => {
    expect(listAgeOption('31d')).toBe(31 * 86_400_000);
    expect(listAgeOption('1m')).toBe(60_000);
    expect(listAgeOption('366d')).toBe(366 * 86_400_000);
  });

  it("refuses 0, too short, too long and not an age in its own words, not the stored field's ms", () => {
    for (const text of ['0d', '0', '30s', '367d', 'abc', '31']) {
      expect(() => listAgeOption(text), text).toThrow(`"${text}" is not a list age from 1m to 366d: write e.g. 31d, 4w or 12h`);
    }
  });
});
