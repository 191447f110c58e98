import { readFileSync } from 'node:fs';
import type { RedisClient } from './connect.js';

/** A script whose driver calls local functions kept in files of their own. */
export interface ComposedScript {
  /** the driver, its key count in the name (`check-5.lua`) unless `keys` is 'variable' */
  file: string;
  /**
   * Files of local functions placed before the driver, in this order, so that scripts
   * sharing logic run the same lines rather than copies that drift.
   */
  uses?: readonly string[];
  /**
   * The key count varies (say 5 a list): the file name carries none and the caller
   * passes the count as the first argument (ioredis' dynamic keys).
   */
  keys?: 'variable';
}

/**
 * Redis scripts kept as `.lua` files with their key count in the name (`check-5.lua`),
 * read once from `folder` (the build copies them next to the compiled module) and made
 * client methods with defineCommand, so ioredis calls them by SHA.
 */
export function luaScripts(
  folder: URL,
  files: Readonly<Record<string, string | ComposedScript>>,
): (redis: RedisClient) => void {
  const read = (file: string) => readFileSync(new URL(file, folder), 'utf8');
  const scripts = Object.entries(files).map(([name, spec]) => {
    const { file, uses = [], keys } = typeof spec === 'string' ? { file: spec } : spec;
    const lua = [...uses, file].map(read).join('\n');
    return { name, numberOfKeys: keyCount(file, keys), lua };
  });
  return (redis) => {
    for (const { name, numberOfKeys, lua } of scripts) {
      if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
    }
  };
}

/** The key count a file name states; none for a script declared variable, which must not state one. */
function keyCount(file: string, keys: 'variable' | undefined): number | undefined {
  const count = /-(\d+)\.lua$/.exec(file)?.[1];
  if (keys === 'variable') {
    if (count !== undefined) throw new Error(`script file ${file} names a key count but is declared variable`);
    return undefined;
  }
  if (count === undefined) throw new Error(`script file ${file} does not name its key count`);
  return Number(count);
}
