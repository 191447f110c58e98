import type { Readable } from 'node:stream';
import { BLOCK_NUMBERS, NATIONAL_DIGITS, type DensePlan } from '../dense.js';
import type { ProblemProbe, RowChunk } from './rows.js';
import { BrokenFileError, describeInputProblem } from './broken-file.js';

/**
 * The rows of a plain national file, read byte by byte without a parse per line: the
 * FTC's layouts (`2015550100`, `201,5550100`) and their usual variants (`12015550100`,
 * `+12015550100`, for the UK `02079460000`). National registries are hundreds of millions
 * of such lines; libphonenumber would read about 200,000 a second, this reads millions.
 * A line of another shape (letters, an extension, a third column) is handed on as text,
 * for the ordinary reading with the file's region, which imports or rejects it as today.
 */
export interface NationalChunk {
  /** numbers read fast: block (dense.ts) and bit of each, `count` of them */
  blocks: Uint32Array;
  bits: Uint16Array;
  count: number;
  /** the line of each number read fast */
  numberLines: Uint32Array;
  /** lines of another shape, and their line numbers, as a one-number-a-line chunk */
  other: Extract<RowChunk, { values: string[] }>;
}

export interface NationalReader {
  chunks: AsyncIterable<NationalChunk>;
  blankLines(): number;
  /** the first line, when it held no digit at all (a header such as `AreaCode,PhoneNumber`) */
  header(): string | undefined;
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const PLUS = 0x2b;
/** Bytes a person writes between the digits of one number: space, tab, CR, - . ( ) */
const SEPARATORS = new Set([0x20, 0x09, 0x0d, 0x2d, 0x2e, 0x28, 0x29]);
/** The area code's length in the `areacode,number` layout. */
const AREA_CODE_DIGITS = 3;
const TEN_DIGITS = 10 ** NATIONAL_DIGITS;
const BLOCKS_PER_CODE = TEN_DIGITS / BLOCK_NUMBERS;

/** The FTC's `201,5550100` layout, whatever the digits after the comma: an area code, a comma, the number. */
const AREA_CODE_LAYOUT = /^[\s\-.()]*(?:\d[\s\-.()]*){3},[\d\s\-.()]+$/;

/**
 * A line in the `areacode,number` layout as the text of one number (the comma made a
 * space), so that one of another length is refused for its length, not for its comma;
 * undefined for text of any other shape.
 */
export function areaCodeJoined(text: string): string | undefined {
  return AREA_CODE_LAYOUT.test(text) ? text.replace(',', ' ') : undefined;
}

/** The national number (10 digits, as a number) a line's digits stand for in the plan, or -1. */
export function nationalNumber(plan: DensePlan, digits: number, value: number, first: number, comma: number, plus: boolean): number {
  const code = plan.callingCode;
  let national = -1;
  if (comma >= 0) {
    if (comma === AREA_CODE_DIGITS && digits === NATIONAL_DIGITS && !plus && code === '1') national = value;
  } else if (digits === NATIONAL_DIGITS && !plus) {
    national = value;
  } else if (digits === NATIONAL_DIGITS + code.length && value >= Number(code) * TEN_DIGITS && value < (Number(code) + 1) * TEN_DIGITS) {
    national = value - Number(code) * TEN_DIGITS;
  } else if (plan.trunkPrefix !== '' && !plus && digits === NATIONAL_DIGITS + 1 && first === Number(plan.trunkPrefix)) {
    national = value;
  }
  if (national < TEN_DIGITS / 10) return -1;
  // NANP: neither the area code nor the exchange starts with 0 or 1.
  if (code === '1' && Math.floor(national / 1e6) % 10 < 2) return -1;
  return national;
}

/** Reads a national file of `plan` (see NationalChunk), chunk by chunk, in whole lines. */
export function readNational(content: Readable, plan: DensePlan, problem: ProblemProbe): NationalReader {
  let blank = 0;
  let header: string | undefined;
  const codeBase = Number(plan.callingCode) * BLOCKS_PER_CODE;
  async function* chunks(): AsyncGenerator<NationalChunk> {
    let line = 0;
    let first = true;
    for await (const buffer of content as AsyncIterable<Buffer>) {
      const capacity = Math.ceil(buffer.length / NATIONAL_DIGITS) + 1;
      const blocks = new Uint32Array(capacity);
      const bits = new Uint16Array(capacity);
      const numberLines = new Uint32Array(capacity);
      const values: string[] = [];
      const lines: number[] = [];
      let count = 0;
      let start = 0;
      // A UTF-8 byte order mark before the first line.
      if (first && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) start = 3;
      while (start < buffer.length) {
        let end = buffer.indexOf(NEWLINE, start);
        if (end < 0) end = buffer.length;
        line += 1;
        let digits = 0;
        let value = 0;
        let firstDigit = -1;
        let comma = -1;
        let plus = false;
        let odd = false;
        let printable = 0;
        for (let i = start; i < end; i += 1) {
          const byte = buffer[i] as number;
          if (byte >= DIGIT_0 && byte <= DIGIT_9) {
            if (firstDigit < 0) firstDigit = byte - DIGIT_0;
            value = value * 10 + (byte - DIGIT_0);
            digits += 1;
            printable += 1;
          } else if (SEPARATORS.has(byte)) {
            if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) printable += 1;
          } else {
            printable += 1;
            if (byte === COMMA && comma < 0) comma = digits;
            else if (byte === PLUS && digits === 0 && !plus) plus = true;
            else odd = true;
          }
        }
        const national = odd ? -1 : nationalNumber(plan, digits, value, firstDigit, comma, plus);
        if (national >= 0) {
          blocks[count] = codeBase + Math.floor(national / BLOCK_NUMBERS);
          bits[count] = national % BLOCK_NUMBERS;
          numberLines[count] = line;
          count += 1;
        } else if (printable === 0) {
          blank += 1;
        } else {
          const text = buffer.toString('utf8', start, end).replace(/\r$/, '');
          if (first && digits === 0) header = text;
          else {
            values.push(text.trim());
            lines.push(line);
          }
        }
        first = false;
        start = end + 1;
      }
      yield { blocks, bits, count, numberLines, other: { values, lines } };
    }
    const found = problem();
    if (found) throw new BrokenFileError(line + 1, describeInputProblem(found));
  }
  return { chunks: chunks(), blankLines: () => blank, header: () => header };
}

/**
 * One cell, bytes `from` to `to` of `bytes`, read as the national reader reads a line:
 * the national number (10 digits, as a number) of the plan it stands for, or -1 when it
 * has another shape (read it with normalize()). What `scrub` uses for a lead file's
 * number column, on the bytes as read: no string a row.
 */
export function readNationalBytes(bytes: Uint8Array, from: number, to: number, plan: DensePlan): number {
  let digits = 0;
  let value = 0;
  let firstDigit = -1;
  let comma = -1;
  let plus = false;
  for (let i = from; i < to; i += 1) {
    const code = bytes[i] as number;
    if (code >= DIGIT_0 && code <= DIGIT_9) {
      if (firstDigit < 0) firstDigit = code - DIGIT_0;
      value = value * 10 + (code - DIGIT_0);
      digits += 1;
    } else if (code === COMMA && comma < 0) comma = digits;
    else if (code === PLUS && digits === 0 && !plus) plus = true;
    else if (!SEPARATORS.has(code)) return -1;
  }
  return nationalNumber(plan, digits, value, firstDigit, comma, plus);
}

