import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RespWriter } from '../../src/redis/prepared-command.js';

/** A command's RESP as a client library writes it from strings. */
function resp(args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`).join('')}`;
}

const PREFIXES = ['', '+', 'cg:{dnc}:dense:us:7:b:', 'a-prefix-longer-than-sixteen-bytes:'].map((text) => Buffer.from(text, 'latin1'));

describe('RespWriter', () => {
  it('writes number arguments as the RESP of their strings, across changes of prefix and digit count', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: PREFIXES.length - 1 }), fc.oneof(fc.nat({ max: 99 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }))), { maxLength: 60 }),
        fc.nat({ max: 3 }),
        (args, commands) => {
          // A small first buffer, so the writer grows in the middle of a command too.
          const writer = new RespWriter(32);
          const expected: string[] = [];
          const written: Buffer[] = [];
          for (let c = 0; c <= commands; c += 1) {
            writer.begin('MGET', 1 + args.length).text('key');
            for (const [p, value] of args) writer.number(PREFIXES[p] as Buffer, value);
            written.push(writer.end('key').toWritable());
            expected.push(resp(['MGET', 'key', ...args.map(([p, value]) => `${(PREFIXES[p] as Buffer).toString('latin1')}${value}`)]));
          }
          expect(written.map((bytes) => bytes.toString('latin1'))).toEqual(expected);
        },
      ),
    );
  });

  it('keeps the bytes of a command ended before the buffer grew', () => {
    const writer = new RespWriter(16);
    const first = writer.begin('SMISMEMBER', 2).text('k').number(Buffer.from('+'), 14155550100).end('k').toWritable();
    for (let n = 0; n < 100; n += 1) writer.begin('GET', 1).number(Buffer.from('cg:{l}:b:'), n).end('k');
    expect(first.toString('latin1')).toBe(resp(['SMISMEMBER', 'k', '+14155550100']));
  });
});
