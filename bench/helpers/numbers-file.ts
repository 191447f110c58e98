import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** The input files of the import benchmarks: numbers in mixed formats, and the same numbers as raw Redis commands. */

/** Numbers a SADD of the batched raw file carries: the import's batch. */
export const RAW_BATCH = 5_000;
const AREAS = ['30', '40', '89', '221', '69'];
const GARBAGE = ['garbage', '12', 'anonymous', '+49 30 abc 123', '++4930', '0'];

function resp(args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

/** Buffered writes that wait for the file to drain: generation in constant memory. */
class Sink {
  private buffer = '';
  constructor(private readonly out: WriteStream) {}
  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= 1 << 16) {
      const full = this.buffer;
      this.buffer = '';
      if (!this.out.write(full)) await once(this.out, 'drain');
    }
  }
  async end(): Promise<void> {
    this.out.end(this.buffer);
    await once(this.out, 'finish');
  }
}

export interface Generated {
  input: string;
  rawSingle: string;
  rawBatched: string;
  valid: number;
}

/**
 * Row i: a unique German number (the subscriber part is a permutation of i), written in
 * one of four formats; every 100th row garbage. The raw files get the E.164 form.
 */
export async function generate(dir: string, count: number, rawKey: (shape: string) => string): Promise<Generated> {
  const files = { input: join(dir, `numbers-${count}.txt`), rawSingle: join(dir, `raw-single-${count}.resp`), rawBatched: join(dir, `raw-batched-${count}.resp`) };
  const input = new Sink(createWriteStream(files.input));
  const single = new Sink(createWriteStream(files.rawSingle));
  const batched = new Sink(createWriteStream(files.rawBatched));
  let batch: string[] = [];
  let valid = 0;
  for (let i = 0; i < count; i++) {
    if (i % 100 === 99) {
      await input.write(`${GARBAGE[i % GARBAGE.length]}\n`);
      continue;
    }
    const area = AREAS[i % AREAS.length] as string;
    const subscriber = String(((i * 7919 + 12_345) % 90_000_000) + 10_000_000);
    const e164 = `+49${area}${subscriber}`;
    let written: string;
    switch (i % 4) {
      case 0:
        written = e164;
        break;
      case 1:
        written = `0${area}${subscriber}`;
        break;
      case 2:
        written = `+49 ${area} ${subscriber.slice(0, 4)} ${subscriber.slice(4)}`;
        break;
      default:
        written = `0049${area}${subscriber}`;
    }
    await input.write(`${written}\n`);
    await single.write(resp(['SADD', rawKey('single'), e164]));
    batch.push(e164);
    valid += 1;
    if (batch.length === RAW_BATCH) {
      await batched.write(resp(['SADD', rawKey('batched'), ...batch]));
      batch = [];
    }
  }
  if (batch.length > 0) await batched.write(resp(['SADD', rawKey('batched'), ...batch]));
  await Promise.all([input.end(), single.end(), batched.end()]);
  return { ...files, valid };
}

