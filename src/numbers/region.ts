import type { CountryCode } from 'libphonenumber-js/max';
import { regionInfo } from './metadata.js';

export type RegionResult = { ok: true; region: CountryCode } | { ok: false; reason: string };

/** Checks a region given on the command line or in configuration (`--region de` is DE). */
export function parseRegion(input: string): RegionResult {
  const info = regionInfo(input.trim());
  if (info) return { ok: true, region: info.region };
  return {
    ok: false,
    reason: `unknown region "${input}": use a two-letter ISO 3166 country code such as DE, US, GB or FR`,
  };
}
