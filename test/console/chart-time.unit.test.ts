import { describe, expect, it } from 'vitest';
import { legendTime, timeTicks } from '../../console/src/chart-time.js';

const BERLIN = { timeZone: 'Europe/Berlin' };
/** 2 Dec 2026 20:00 to 3 Dec 02:00 in Berlin (UTC+1), every two hours. */
const NIGHT = [0, 2, 4, 6].map((hours) => Date.UTC(2026, 11, 2, 19 + hours) / 1000);
const TWO_HOURS = 7_200;

describe('the calls chart’s times', () => {
  it('label hours in the locale’s own form, with the date under the first tick and under the one that starts a day', () => {
    expect(timeTicks(NIGHT, TWO_HOURS, { ...BERLIN, locale: 'en-GB' })).toEqual(['20:00\n2 Dec', '22:00', '00:00\n3 Dec', '02:00']);
    expect(timeTicks(NIGHT, TWO_HOURS, { ...BERLIN, locale: 'de-DE' })).toEqual(['20:00\n2. Dez.', '22:00', '00:00\n3. Dez.', '02:00']);
    // Newer ICU writes a narrow no-break space before PM.
    expect(timeTicks(NIGHT, TWO_HOURS, { ...BERLIN, locale: 'en-US' }).map((label) => label.replace(/\u202f/g, ' '))).toEqual(['8:00 PM\nDec 2', '10:00 PM', '12:00 AM\nDec 3', '2:00 AM']);
  });

  it('label ticks a day apart with the date alone, in the zone asked', () => {
    const days = [1, 2, 3].map((day) => Date.UTC(2026, 11, day, 23) / 1000);
    expect(timeTicks(days, 86_400, { ...BERLIN, locale: 'en-GB' })).toEqual(['2 Dec', '3 Dec', '4 Dec']);
    expect(timeTicks(days, 86_400, { timeZone: 'UTC', locale: 'en-GB' })).toEqual(['1 Dec', '2 Dec', '3 Dec']);
  });

  it('name a legend’s hour with its date, and no hour with a dash', () => {
    expect(legendTime(NIGHT[2] as number, { ...BERLIN, locale: 'en-GB' })).toBe('3 Dec 2026, 00:00');
    expect(legendTime(NIGHT[2] as number, { ...BERLIN, locale: 'de-DE' })).toBe('03.12.2026, 00:00');
    expect(legendTime(null)).toBe('—');
  });
});
