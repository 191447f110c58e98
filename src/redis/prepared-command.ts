import { Command } from 'ioredis';
import { digitCount, writeDecimal, writeDigits } from './decimal.js';

const CRLF_LENGTH = 2;
/** `*` or `$`, up to 16 digits of a count, CRLF. */
const HEADER_MAX = 1 + 16 + CRLF_LENGTH;
/** An argument's header and prefix up to this many bytes are copied by a loop, longer ones by TypedArray.set. */
const SHORT_HEAD = 16;

/**
 * A command whose RESP bytes were written by a RespWriter, sent by ioredis as they are
 * (in a MULTI too) and answered raw (bulk replies as Buffers). For commands of thousands
 * of arguments made from numbers held as digits, a scrub batch's SMISMEMBER: ioredis
 * takes a JS string an argument and builds the request from them, which measured a
 * quarter of the scrub's CLI time with the garbage of those strings. ioredis is given
 * one key of the command's slot (a list's keys share a hash tag), which is all a Redis
 * Cluster needs to route it; the bytes are never read back into arguments.
 */
export class PreparedCommand extends Command {
  constructor(
    name: string,
    private readonly bytes: Buffer,
    private readonly slotKey: string,
  ) {
    super(name, [], { replyEncoding: null });
  }

  override toWritable(): Buffer {
    return this.bytes;
  }

  override getKeys(): string[] {
    return [this.slotKey];
  }
}

/**
 * RESP commands written as bytes into one growing buffer: a command's arguments are
 * ASCII strings, or a prefix and a number's digits written straight from the number
 * (a block key, an E.164 member), so no string is made an argument.
 */
export class RespWriter {
  private buffer: Buffer;
  private at = 0;
  private start = 0;
  private name = '';
  private head: Buffer = Buffer.alloc(0);
  private headPrefix: Buffer | undefined;
  private headDigits = -1;

  constructor(capacity = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Starts a command of `argumentCount` arguments after its name. */
  begin(name: string, argumentCount: number): this {
    this.start = this.at;
    this.name = name.toLowerCase();
    this.reserve(2 * HEADER_MAX + name.length + CRLF_LENGTH);
    this.header(0x2a, argumentCount + 1);
    return this.text(name);
  }

  /** An ASCII argument. */
  text(value: string): this {
    this.reserve(HEADER_MAX + value.length + CRLF_LENGTH);
    this.header(0x24, value.length);
    this.at += this.buffer.write(value, this.at, 'latin1');
    return this.crlf();
  }

  /** An argument of `prefix` then the decimal digits of a non-negative integer (below 2^53). */
  number(prefix: Buffer, value: number): this {
    const count = digitCount(value);
    // A batch's arguments come in runs of one prefix and digit count (a SMISMEMBER's
    // members, an MGET's block keys): their `$<length>\r\n<prefix>` is made once a run.
    if (prefix !== this.headPrefix || count !== this.headDigits) {
      this.head = Buffer.from(`$${prefix.length + count}\r\n${prefix.toString('latin1')}`, 'latin1');
      this.headPrefix = prefix;
      this.headDigits = count;
    }
    const head = this.head;
    this.reserve(head.length + count + CRLF_LENGTH);
    const buffer = this.buffer;
    let at = this.at;
    // Measured (a batch's 2,000 members, its 1,000 block keys): Buffer.copy cost ~14 ns
    // a call in its JavaScript checks, a byte loop less up to ~16 bytes, TypedArray.set less above.
    if (head.length <= SHORT_HEAD) for (let k = 0; k < head.length; k += 1) buffer[at++] = head[k] as number;
    else {
      buffer.set(head, at);
      at += head.length;
    }
    at = writeDigits(buffer, at, value, count);
    buffer[at++] = 0x0d;
    buffer[at++] = 0x0a;
    this.at = at;
    return this;
  }

  /** The command begun last, as one to send; `slotKey`: one of its keys, or a key of their hash tag. */
  end(slotKey: string): PreparedCommand {
    return new PreparedCommand(this.name, this.buffer.subarray(this.start, this.at), slotKey);
  }

  private header(kind: number, count: number): void {
    this.buffer[this.at++] = kind;
    this.at = writeDecimal(this.buffer, this.at, count);
    this.crlf();
  }

  private crlf(): this {
    this.buffer[this.at++] = 0x0d;
    this.buffer[this.at++] = 0x0a;
    return this;
  }

  /** Room for `bytes` more; a full buffer is left to the commands already ended (their views keep it). */
  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at - this.start + bytes));
    this.buffer.copy(grown, 0, this.start, this.at);
    this.at -= this.start;
    this.start = 0;
    this.buffer = grown;
  }
}
