import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * Redis scripts kept as `.lua` files with their key count in the name (`check-4.lua`),
 * read once from `folder` (the build copies them next to the compiled module) and made
 * client methods with defineCommand, so ioredis calls them by SHA.
 */
export function luaScripts(folder: URL, files: Readonly<Record<string, string>>): (redis: Redis) => void {
  const scripts = Object.entries(files).map(([name, file]) => {
    const match = /-(\d+)\.lua$/.exec(file);
    if (!match?.[1]) throw new Error(`script file ${file} does not name its key count`);
    return { name, numberOfKeys: Number(match[1]), lua: readFileSync(new URL(file, folder), 'utf8') };
  });
  return (redis) => {
    for (const script of scripts) {
      if (!(script.name in redis)) redis.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    }
  };
}
