import { Writable } from 'node:stream';

/** A stream that keeps what it is given as bytes. */
export function collect(): Writable & { bytes: () => Buffer } {
  const parts: Buffer[] = [];
  const out = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      parts.push(chunk);
      done();
    },
  }) as Writable & { bytes: () => Buffer };
  out.bytes = () => Buffer.concat(parts);
  return out;
}
