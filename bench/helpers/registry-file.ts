import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * A synthetic national do-not-call registry of the US registry's shape, produced as a
 * stream, never held: `areaCodes` area codes (the US has ~330 in use), each using 60-95%
 * of its 792 possible exchanges (NXX 200-999 but N11), each exchange holding about the
 * same share of its 10,000 numbers (258.5M over ~230,000 exchanges is ~11%), numbers
 * ascending within an exchange and area codes one after the other, as the FTC's files
 * come. Seeded, so two passes produce the same numbers (the raw pipe, the samples).
 */
export interface RegistryShape {
  numbers: number;
  areaCodes: number;
  seed: number;
}

/** The registry's size on 2025-09-30 and its area codes, for the full run. */
export const US_REGISTRY = { numbers: 258_500_000, areaCodes: 330 };
const EXCHANGES_PER_AREA = 792;
const MIN_EXCHANGE_SHARE = 0.6;
const EXCHANGE_SHARE_SPREAD = 0.35;

/** mulberry32: small, fast, seeded. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The area codes in use: NPAs 201-989 that are not N11 and not N9X, drawn with the seed. */
function areaCodesOf(count: number, next: () => number): number[] {
  const all: number[] = [];
  for (let npa = 201; npa <= 989; npa += 1) {
    const [a, b, c] = [Math.floor(npa / 100), Math.floor(npa / 10) % 10, npa % 10];
    if (a >= 2 && b !== 9 && !(b === 1 && c === 1)) all.push(npa);
  }
  for (let i = all.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [all[i], all[j]] = [all[j] as number, all[i] as number];
  }
  return all.slice(0, count).sort((x, y) => x - y);
}

function exchangesOf(next: () => number): number[] {
  const share = MIN_EXCHANGE_SHARE + next() * EXCHANGE_SHARE_SPREAD;
  const used: number[] = [];
  for (let nxx = 200; nxx <= 999; nxx += 1) {
    if (nxx % 100 === 11) continue;
    if (next() < share) used.push(nxx);
  }
  return used;
}

/**
 * Calls `each(npa, nxx, subscribers, count)` for every exchange of the registry, in file
 * order, with its subscriber numbers ascending (the array is reused: copy what you keep),
 * awaiting what it returns, so a writer can wait for its stream. The density is set from
 * the expected number of exchanges so the total comes out at about `shape.numbers`;
 * subscriber numbers are drawn by geometric skips, so the work is per number, not per
 * possible number. Returns how many numbers there were.
 */
export async function forEachExchange(
  shape: RegistryShape,
  each: (npa: number, nxx: number, subscribers: Uint16Array, count: number) => void | Promise<void>,
): Promise<number> {
  const next = random(shape.seed);
  const areas = areaCodesOf(shape.areaCodes, next);
  const expectedExchanges = areas.length * EXCHANGES_PER_AREA * (MIN_EXCHANGE_SHARE + EXCHANGE_SHARE_SPREAD / 2);
  const density = Math.min(0.9, shape.numbers / (expectedExchanges * 10_000));
  const logMiss = Math.log(1 - density);
  const skip = (): number => Math.floor(Math.log(1 - next()) / logMiss);
  const subscribers = new Uint16Array(10_000);
  let produced = 0;
  for (const npa of areas) {
    for (const nxx of exchangesOf(next)) {
      let count = 0;
      for (let subscriber = skip(); subscriber < 10_000; subscriber += 1 + skip()) subscribers[count++] = subscriber;
      produced += count;
      const waited = each(npa, nxx, subscribers, count);
      if (waited) await waited;
    }
  }
  return produced;
}

/** A buffered writer of ASCII lines into a stream, waiting for it to drain. */
export class LineWriter {
  private buffer = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private waiting: Promise<unknown> | undefined;

  constructor(private readonly out: Writable) {}

  /** Room for at least `bytes` more; false when the caller must `await drained()` first. */
  reserve(bytes: number): Buffer {
    if (this.used + bytes > this.buffer.length) this.flush();
    return this.buffer;
  }

  get offset(): number {
    return this.used;
  }

  set offset(value: number) {
    this.used = value;
  }

  flush(): void {
    if (this.used === 0) return;
    const full = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafe(1 << 20);
    this.used = 0;
    if (!this.out.write(full)) this.waiting ??= once(this.out, 'drain').finally(() => (this.waiting = undefined));
  }

  /** Resolves once the stream can take more (call it between exchanges). */
  async drained(): Promise<void> {
    if (this.waiting) await this.waiting;
  }

  async end(): Promise<void> {
    this.flush();
    await this.drained();
    this.out.end();
    await once(this.out, 'finish');
  }
}

/** Writes `digits` of `value` (zero-padded) into `buffer` at `at`; returns the new offset. */
export function writeDigits(buffer: Buffer, at: number, value: number, digits: number): number {
  for (let i = digits - 1; i >= 0; i -= 1) {
    buffer[at + i] = 0x30 + (value % 10);
    value = Math.floor(value / 10);
  }
  return at + digits;
}

export function writeAscii(buffer: Buffer, at: number, text: string): number {
  return at + buffer.write(text, at, 'latin1');
}
