import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplyReader, type BulkReply, type StringSink } from '../../src/lists/bulk-connection.js';

// A block's bytes (1,250 in a dense list; fewer here so that every cut is tried quickly).
const block = Buffer.from(Array.from({ length: 60 }, (_, i) => (i * 37) & 0xff));
/** Replies of a batch's MULTI/EXEC and the RESP3 shapes around them, each with what it reads as. */
const replies: [string | Buffer, BulkReply][] = [
  ['+OK\r\n', Buffer.from('OK')],
  ['+QUEUED\r\n', Buffer.from('QUEUED')],
  [
    Buffer.concat([Buffer.from('*7\r\n*3\r\n$1\r\n1\r\n$-1\r\n_\r\n:0\r\n:-12\r\n'), Buffer.from(`$${block.length}\r\n`), block, Buffer.from('\r\n*3\r\n:1\r\n:0\r\n:1\r\n*2\r\n,inf\r\n_\r\n,1767000000000\r\n')]),
    [[Buffer.from('1'), null, null], 0, -12, block, [1, 0, 1], [Buffer.from('inf'), null], Buffer.from('1767000000000')],
  ],
  ['*-1\r\n', null],
  ['*0\r\n', []],
  ['%1\r\n+a\r\n:1\r\n', [Buffer.from('a'), 1]],
  ['=8\r\ntxt:some\r\n', Buffer.from('some')],
  ['#t\r\n', 1],
  // A push and an attribute are read and dropped: the value after the attribute is the reply.
  ['>2\r\n+message\r\n+x\r\n|1\r\n+ttl\r\n:3\r\n:7\r\n', 7],
  ['-WRONGTYPE Operation against a key holding the wrong kind of value\r\n', new Error('WRONGTYPE Operation against a key holding the wrong kind of value')],
  ['!5\r\nERR x\r\n', new Error('ERR x')],
];
const bytes = Buffer.concat(replies.map(([reply]) => Buffer.from(reply)));
const expected = replies.map(([, reply]) => reply);

function read(chunks: Buffer[]): BulkReply[] {
  const read: BulkReply[] = [];
  const reader = new ReplyReader((reply) => read.push(reply));
  for (const chunk of chunks) reader.write(chunk);
  return read;
}

describe('the bulk connection’s reply reader', () => {
  it('reads RESP2 and RESP3 replies whole', () => {
    expect(read([bytes])).toEqual(expected);
  });

  it('reads the same replies from two chunks cut at every byte, a block cut in its bytes, its CRLF or its header', () => {
    for (let cut = 1; cut < bytes.length; cut += 1) {
      expect(read([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual(expected);
    }
  });

  it('reads the same replies a byte a chunk', () => {
    expect(read(Array.from(bytes, (byte) => Buffer.from([byte])))).toEqual(expected);
  });

  it('answers a block read whole as a view of its chunk, and one cut by chunks as its own copy', () => {
    const whole = read([bytes])[2] as BulkReply[];
    expect((whole[3] as Buffer).buffer).toBe(bytes.buffer);
    const at = bytes.indexOf(block);
    const cut = read([bytes.subarray(0, at + 100), Buffer.from(bytes.subarray(at + 100))])[2] as BulkReply[];
    expect(cut[3]).toEqual(block);
  });

  it('reads any tree of integers, strings, nils and arrays, its bytes cut anywhere, as it was written', () => {
    type Tree = number | Buffer | null | Tree[];
    const { tree } = fc.letrec<{ tree: Tree }>((of) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
        fc.constant(null),
        fc.array(of('tree'), { maxLength: 5 }),
      ),
    }));
    const encode = (value: Tree, resp3: boolean): Buffer => {
      if (value === null) return Buffer.from(resp3 ? '_\r\n' : '$-1\r\n');
      if (typeof value === 'number') return Buffer.from(`:${value}\r\n`);
      if (Buffer.isBuffer(value)) return Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n')]);
      return Buffer.concat([Buffer.from(`*${value.length}\r\n`), ...value.map((item) => encode(item, resp3))]);
    };
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), (trees, resp3, cuts) => {
        const bytes = Buffer.concat(trees.map((value) => encode(value, resp3)));
        const at = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((from, i, all) => bytes.subarray(from, all[i + 1] ?? bytes.length)).filter((chunk) => chunk.length > 0);
        expect(read(chunks)).toEqual(trees);
      }),
    );
  });

  it('refuses a reply of a type it does not know rather than guessing its length', () => {
    expect(() => read([Buffer.from('?3\r\n')])).toThrow(/unknown type/);
  });

  describe('with a sink for the strings of an array inside a reply', () => {
    /** The replies read with a sink for element `element` of reply `reply`, and what the sink took (a copy of each string). */
    function sunk(chunks: Buffer[], reply: number, element: number): { replies: BulkReply[]; took: [number, Buffer | null][] } {
      const replies: BulkReply[] = [];
      const took: [number, Buffer | null][] = [];
      const sink: StringSink = (index, bytes, start, end) => took.push([index, bytes === null ? null : Buffer.from(bytes.subarray(start, end))]);
      const reader = new ReplyReader(
        (value) => replies.push(value),
        (at) => (replies.length === reply && at === element ? sink : undefined),
      );
      for (const chunk of chunks) reader.write(chunk);
      return { replies, took };
    }

    it('hands it the strings and nils in order, cut at every byte, and reads the array as its length', () => {
      const wanted = expected.map((reply, n) => (n === 2 ? [3, ...(reply as BulkReply[]).slice(1)] : reply));
      for (let cut = 0; cut < bytes.length; cut += 1) {
        const { replies, took } = sunk([bytes.subarray(0, cut), bytes.subarray(cut)].filter((chunk) => chunk.length > 0), 2, 0);
        expect(took, `cut at ${cut}`).toEqual([[0, Buffer.from('1')], [1, null], [2, null]]);
        expect(replies, `cut at ${cut}`).toEqual(wanted);
      }
    });

    it('hands it what reading without a sink gives, for any strings and nils cut anywhere', () => {
      fc.assert(
        fc.property(
          fc.array(fc.option(fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)), { nil: null }), { maxLength: 8 }),
          fc.boolean(),
          fc.array(fc.nat(), { maxLength: 6 }),
          (strings, resp3, cuts) => {
            const array = Buffer.concat([
              Buffer.from(`*${strings.length}\r\n`),
              ...strings.map((value) => (value === null ? Buffer.from(resp3 ? '_\r\n' : '$-1\r\n') : Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n')]))),
            ]);
            const all = Buffer.concat([Buffer.from('+OK\r\n*3\r\n:1\r\n'), array, Buffer.from(':2\r\n')]);
            const at = [...new Set(cuts.map((cut) => cut % (all.length + 1)))].sort((a, b) => a - b);
            const chunks = [0, ...at].map((from, i, every) => all.subarray(from, every[i + 1] ?? all.length)).filter((chunk) => chunk.length > 0);
            const { replies, took } = sunk(chunks, 1, 1);
            expect(took).toEqual(strings.map((value, index) => [index, value]));
            expect(replies).toEqual([Buffer.from('OK'), [1, strings.length, 2]]);
          },
        ),
      );
    });

    it('fails on an array that holds other than strings rather than dropping it', () => {
      expect(() => sunk([Buffer.from('*1\r\n*2\r\n$1\r\na\r\n:5\r\n')], 0, 0)).toThrow(/another shape/);
    });

    it('leaves the arrays of a push alone', () => {
      const { replies, took } = sunk([Buffer.from('>2\r\n*1\r\n$1\r\na\r\n$1\r\nb\r\n*1\r\n*1\r\n$1\r\nc\r\n')], 0, 0);
      expect(took).toEqual([[0, Buffer.from('c')]]);
      expect(replies).toEqual([[1]]);
    });
  });
});
