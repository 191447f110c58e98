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
