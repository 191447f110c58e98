import { Command } from 'ioredis';
import { digitCount, writeDecimal } from './decimal.js';

const CRLF_LENGTH = 2;
/** `*` or `$`, up to 16 digits of a count, CRLF. */
const HEADER_MAX = 1 + 16 + CRLF_LENGTH;

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
    const length = prefix.length + digitCount(value);
    this.reserve(HEADER_MAX + length + CRLF_LENGTH);
    this.header(0x24, length);
    this.at += prefix.copy(this.buffer, this.at);
    this.at = writeDecimal(this.buffer, this.at, value);
    return this.crlf();
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
