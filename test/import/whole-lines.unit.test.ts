import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WholeLines } from '../../src/lists/import/whole-lines.js';

/** Everything WholeLines passes on, and the problem it kept, for input in these chunks. */
async function through(chunks: Buffer[], failWith?: Error): Promise<{ text: Buffer; problem: ReturnType<WholeLines['problem']> }> {
  async function* source(): AsyncGenerator<Buffer> {
    yield* chunks;
    if (failWith) throw failWith;
  }
  const guard = new WholeLines(Readable.from(source(), { objectMode: false }));
  const out: Buffer[] = [];
  for await (const chunk of guard) out.push(chunk as Buffer);
  return { text: Buffer.concat(out), problem: guard.problem() };
}

/** `bytes` cut at the given offsets. */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) parts.push(bytes.subarray(from, point));
    from = point;
  }
  return parts;
}

const text = fc.array(fc.stringMatching(/^[+0-9a-z ,;"\r]{0,12}$/), { maxLength: 30 }).map((lines) => lines.join('\n'));

describe('WholeLines', () => {
  it('passes text without NUL through unchanged, however it is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(400)), async (input, at) => {
        const bytes = Buffer.from(input);
        const { text: out, problem } = await through(cut(bytes, at));
        expect(problem).toBeUndefined();
        expect(out.equals(bytes)).toBe(true);
      }),
    );
  });

  it('at a NUL byte or an input error, passes on exactly the whole lines before it', async () => {
    await fc.assert(
      fc.asyncProperty(text, text, fc.boolean(), fc.array(fc.nat(400)), async (before, after, nul, at) => {
        const head = Buffer.from(before);
        const bytes = nul ? Buffer.concat([head, Buffer.from([0]), Buffer.from(after)]) : head;
        const { text: out, problem } = await through(cut(bytes, at), nul ? undefined : new Error('cut'));
        const wholeLines = head.subarray(0, head.lastIndexOf(0x0a) + 1);
        // A NUL in the first bytes may be read as part of a UTF-32 byte order mark; both stop.
        expect(problem?.kind).toMatch(nul ? /nul|byte-order-mark/ : /unreadable/);
        expect(out.equals(problem?.kind === 'byte-order-mark' ? Buffer.alloc(0) : wholeLines)).toBe(true);
      }),
    );
  });

  it('names the encoding of a UTF-16 or UTF-32 byte order mark', async () => {
    const utf16 = await through([Buffer.from([0xff]), Buffer.from([0xfe, 0x2b, 0x00])]);
    const utf32 = await through([Buffer.from([0x00, 0x00, 0xfe, 0xff, 0, 0, 0, 0x2b])]);
    expect(utf16.problem).toEqual({ kind: 'byte-order-mark', encoding: 'UTF-16LE' });
    expect(utf32.problem).toEqual({ kind: 'byte-order-mark', encoding: 'UTF-32BE' });
    expect(utf16.text.length + utf32.text.length).toBe(0);
  });
});
