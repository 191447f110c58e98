/**
 * Delays as every written form of screening settings writes them: 0, 30s, 5m, 2h, 1d,
 * none. A module without imports, so the rules' forms (rate, auto-block) and the
 * campaign's read it without an import circle.
 */

export class CampaignSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignSyntaxError';
  }
}

const DELAY_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DELAY_PATTERN = /^(0|[1-9][0-9]{0,6})([smhd])?$/;

/** `30s`, `5m`, `2h`, `1d`, `0` (a bare number is seconds) as ms; `none` as null. */
export function parseDelay(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'none' || trimmed === 'never') return null;
  const match = DELAY_PATTERN.exec(trimmed);
  if (!match) throw new CampaignSyntaxError(`"${text}" is not a delay: write 0, 30s, 5m, 2h, 1d or none`);
  const unit = (match[2] ?? 's') as keyof typeof DELAY_UNIT_MS;
  return Number(match[1]) * DELAY_UNIT_MS[unit];
}

/** The shortest exact written form: 300000 -> 5m, 90000 -> 90s, null -> none. */
export function formatDelay(ms: number | null): string {
  if (ms === null) return 'none';
  if (ms === 0) return '0';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % DELAY_UNIT_MS[unit] === 0) return `${ms / DELAY_UNIT_MS[unit]}${unit}`;
  }
  return `${ms / 1000}s`;
}
