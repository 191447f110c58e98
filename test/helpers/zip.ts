import { writeFile } from 'node:fs/promises';
import yazl from 'yazl';

/** A zip of these members (name -> text), in this order, each dated `date` when given. */
export async function zipOf(members: Record<string, string>, date?: Date) {
  const zip = new yazl.ZipFile();
  for (const [member, text] of Object.entries(members)) zip.addBuffer(Buffer.from(text), member, date ? { mtime: date } : {});
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** zipOf written to `path`; returns the path. */
export async function writeZip(path: string, members: Record<string, string>, date?: Date): Promise<string> {
  await writeFile(path, await zipOf(members, date));
  return path;
}
