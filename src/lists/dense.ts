/**
 * Dense storage for numbers of one fixed-length national numbering plan: a national
 * registry (the US do-not-call registry, 258.5M numbers) held as bitmaps instead of a
 * SET of strings, at about a bit a possible number instead of ~57 bytes a listed one.
 *
 * A plan is a calling code followed by exactly 10 national digits (NANP: +1 NPA NXX
 * XXXX; the UK: +44 and 10 digits). A number of the plan is split into its block, the
 * calling code and the first 6 national digits (for NANP the area code and exchange,
 * `1415555`), and its bit, the last 4 digits (0..9999). A block is one Redis string of
 * BLOCK_BYTES, one bit a subscriber number (bit n as GETBIT/SETBIT count it: byte n>>3,
 * most significant bit first). Numbers of a dense list that do not fit its plan (another
 * country, another length, a prefix, an entry with an expiry) go to its ordinary keys.
 * The key layout is in keys.ts; the Lua side of the same rules is scripts/dense-slot.lua
 * (the plans and keys) and scripts/dense.lua (the writers).
 */

export type DensePlanName = 'nanp' | 'uk';

export interface DensePlan {
  name: DensePlanName;
  /** the calling code, without + */
  callingCode: string;
  /** the regions (ISO 3166 alpha-2) whose national files `import --country` reads with this plan */
  regions: readonly string[];
  /** the trunk prefix a national file may write before the 10 digits ('' for none) */
  trunkPrefix: string;
  description: string;
}

/** Numbers a block holds: the last 4 digits. */
export const BLOCK_NUMBERS = 10_000;
export const BLOCK_BYTES = BLOCK_NUMBERS / 8;
/** Digits after the calling code in a number of a dense plan. */
export const NATIONAL_DIGITS = 10;
/** Of them, the digits that pick the bit within a block. */
export const BIT_DIGITS = 4;

/** The NANP's member regions that file national numbers (the US registry, Canada's DNCL). */
const NANP_REGIONS = ['US', 'CA', 'PR', 'VI', 'GU', 'AS', 'MP', 'AG', 'AI', 'BB', 'BM', 'BS', 'DM', 'DO', 'GD', 'JM', 'KN', 'KY', 'LC', 'MS', 'SX', 'TC', 'TT', 'VC', 'VG'];

export const DENSE_PLANS: Readonly<Record<DensePlanName, DensePlan>> = {
  nanp: { name: 'nanp', callingCode: '1', regions: NANP_REGIONS, trunkPrefix: '', description: 'North American Numbering Plan: +1 and 10 digits' },
  uk: { name: 'uk', callingCode: '44', regions: ['GB'], trunkPrefix: '0', description: 'United Kingdom: +44 and 10 digits' },
};

export function isDensePlanName(name: string): name is DensePlanName {
  return Object.hasOwn(DENSE_PLANS, name);
}

/** The plan whose national files a region writes, if any: `US` -> nanp. */
export function planOfRegion(region: string): DensePlan | undefined {
  const upper = region.toUpperCase();
  return Object.values(DENSE_PLANS).find((plan) => plan.regions.includes(upper));
}

/** Whether an E.164 number (not a prefix) belongs to the plan: its calling code, then exactly 10 digits. */
export function fitsPlan(plan: DensePlan, e164: string): boolean {
  return e164.length === 1 + plan.callingCode.length + NATIONAL_DIGITS && e164.startsWith(plan.callingCode, 1) && !e164.endsWith('*');
}

/** The block id of a number of a plan: its digits without the last 4 (`+14155550100` -> 1415555). */
export function blockOf(e164: string): number {
  return Number(e164.slice(1, -BIT_DIGITS));
}

/** The plan a block id belongs to (its calling code, then the national digits but the last 4), if any. */
export function planOfBlock(block: string): DensePlan | undefined {
  return Object.values(DENSE_PLANS).find((plan) => block.length === plan.callingCode.length + NATIONAL_DIGITS - BIT_DIGITS && block.startsWith(plan.callingCode));
}

/** The bit of a number within its block: its last 4 digits. */
export function bitOf(e164: string): number {
  return Number(e164.slice(-BIT_DIGITS));
}

/** The number a block and bit stand for. */
export function numberAt(block: number, bit: number): string {
  return `+${block}${String(bit).padStart(BIT_DIGITS, '0')}`;
}

/** Sets a bit in a block's bytes, as SETBIT does; true when it was clear before. */
export function setBit(bytes: Uint8Array, bit: number): boolean {
  const index = bit >> 3;
  const mask = 0x80 >> (bit & 7);
  const before = bytes[index] as number;
  if ((before & mask) !== 0) return false;
  bytes[index] = before | mask;
  return true;
}

/** The bits set in a block's bytes, ascending. */
export function* bitsOf(bytes: Uint8Array): Generator<number> {
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index] as number;
    if (byte === 0) continue;
    for (let j = 0; j < 8; j += 1) if ((byte & (0x80 >> j)) !== 0) yield index * 8 + j;
  }
}
