import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../front-door/errors.js';

/** How a command writes its output file. */
export type WriteMode =
  /** opens the file itself (created, or truncated when it exists) */
  | 'in-place'
  /** writes a file beside it and renames it over the path: the directory must take new files */
  | 'beside-and-rename';

/**
 * Refuses, before the command does any work, an output path it could not write: one
 * usage error naming the flag and the path, instead of a stream error once rows were read.
 */
export async function assertWritable(path: string, flag: string, mode: WriteMode): Promise<void> {
  const problem = await whyNotWritable(path, mode);
  if (problem) throw new UsageError(`cannot write ${flag} ${path}: ${problem}`);
}

/** A file and how the command line names it: a flag (`-o`), or `the input`. */
export interface NamedPath {
  path: string;
  flag: string;
}

/**
 * Refuses two outputs that are one file, or an output that is the input: the input is
 * still being read while the output is written (import's --rejects truncated the file it
 * was importing), and a scrub renaming its clean rows over the lead file it read loses
 * the leads that went elsewhere. One file is one inode, whatever the path says.
 */
export async function assertDistinct(outputs: readonly NamedPath[], input?: NamedPath): Promise<void> {
  const seen = new Map<string, NamedPath>();
  for (const named of input === undefined || input.path === '-' ? outputs : [input, ...outputs]) {
    const id = await fileIdentity(named.path);
    const earlier = seen.get(id);
    if (earlier) throw new UsageError(`${named.flag} ${named.path} is the same file as ${earlier.flag}; name another file`);
    seen.set(id, named);
  }
}

async function fileIdentity(path: string): Promise<string> {
  try {
    const info = await stat(path);
    return `inode ${info.dev}:${info.ino}`;
  } catch {
    return `path ${resolve(path)}`;
  }
}

async function whyNotWritable(path: string, mode: WriteMode): Promise<string | undefined> {
  const directory = dirname(resolve(path));
  let exists = true;
  try {
    if ((await stat(path)).isDirectory()) return 'it is a directory';
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') return describe(error, directory);
    exists = false;
  }
  try {
    await access(exists && mode === 'in-place' ? path : directory, constants.W_OK);
    return undefined;
  } catch (error) {
    return describe(error, directory);
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

function describe(error: unknown, directory: string): string {
  switch (errorCode(error)) {
    case 'ENOENT':
      return `there is no directory ${directory}`;
    case 'ENOTDIR':
      return 'a part of the path is a file, not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
