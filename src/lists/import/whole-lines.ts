import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { InputProblem } from './broken-file.js';

const NEWLINE = 0x0a;
const NUL = 0x00;
/**
 * Bytes held back waiting for a line's end. A longer line goes on as it is: the CSV
 * reader refuses it as a record too large, a one-number-a-line file rejects it as a row.
 */
const MAX_HELD_BYTES = 1 << 20;

/** Byte order marks of the encodings a spreadsheet may save "Unicode text" in. */
const BYTE_ORDER_MARKS: { bytes: number[]; encoding: string }[] = [
  { bytes: [0xff, 0xfe, 0x00, 0x00], encoding: 'UTF-32LE' },
  { bytes: [0x00, 0x00, 0xfe, 0xff], encoding: 'UTF-32BE' },
  { bytes: [0xff, 0xfe], encoding: 'UTF-16LE' },
  { bytes: [0xfe, 0xff], encoding: 'UTF-16BE' },
];
const LONGEST_MARK = 4;

/**
 * The input passed on in whole lines only, so that the rows read are rows the file
 * really holds: at a NUL byte, a UTF-16/32 byte order mark, or an error of the input
 * (a truncated gzip), it ends cleanly after the last whole line and keeps the reason,
 * instead of handing a cut line to the reader or an error event to nobody. It never
 * emits 'error'; the readers ask problem() once the content ended.
 */
export class WholeLines extends Transform {
  private held: Buffer | undefined;
  private started = false;
  private found: InputProblem | undefined;

  constructor(private readonly input: Readable) {
    super();
    input.on('error', (error: Error) => {
      if (!this.found && this.held) this.passOn(this.held, 'cut');
      this.stop({ kind: 'unreadable', error });
    });
    input.pipe(this);
  }

  /** Why the content ended early; undefined when the input was read to its end. */
  problem(): InputProblem | undefined {
    return this.found;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.found) this.passOn(this.held ? Buffer.concat([this.held, chunk]) : chunk, 'more');
    done();
  }

  override _flush(done: TransformCallback): void {
    if (!this.found && this.held) this.passOn(this.held, 'last');
    done();
  }

  /**
   * Passes on the whole lines of `bytes` and holds the rest for `more` to come; the
   * rest too when it is the `last` of the input; never the rest when the input was `cut`.
   */
  private passOn(bytes: Buffer, end: 'more' | 'last' | 'cut'): void {
    this.held = undefined;
    if (!this.started) {
      if (bytes.length < LONGEST_MARK && end === 'more') {
        this.held = bytes;
        return;
      }
      this.started = true;
      const mark = BYTE_ORDER_MARKS.find((candidate) => candidate.bytes.every((byte, i) => bytes[i] === byte));
      if (mark) return this.stop({ kind: 'byte-order-mark', encoding: mark.encoding });
    }
    const nul = bytes.indexOf(NUL);
    if (nul >= 0) {
      const before = bytes.lastIndexOf(NEWLINE, nul);
      if (before >= 0) this.push(bytes.subarray(0, before + 1));
      return this.stop({ kind: 'nul' });
    }
    const lineEnd = bytes.lastIndexOf(NEWLINE);
    if (end === 'cut') {
      if (lineEnd >= 0) this.push(bytes.subarray(0, lineEnd + 1));
      return;
    }
    if (end === 'last' || lineEnd + 1 === bytes.length || (lineEnd < 0 && bytes.length >= MAX_HELD_BYTES)) {
      this.push(bytes);
      return;
    }
    if (lineEnd < 0) {
      this.held = bytes;
      return;
    }
    this.held = bytes.subarray(lineEnd + 1);
    this.push(bytes.subarray(0, lineEnd + 1));
  }

  private stop(problem: InputProblem): void {
    if (this.found) return;
    this.found = problem;
    this.held = undefined;
    this.input.unpipe(this);
    this.input.destroy();
    this.push(null);
  }
}
