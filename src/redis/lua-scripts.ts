import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './connect.js';
import type { ScriptSource } from './prepared-script.js';

/** The script bodies defined on each client, for loadScriptsOnReady. */
const definedScripts = new WeakMap<RedisClient, Set<string>>();

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
 * client methods that call them by SHA (EVALSHA), sending the body (EVAL) only when the
 * server answers NOSCRIPT.
 *
 * Why not ioredis' defineCommand: ioredis 6 sends the whole body (EVAL) the first time
 * a script runs on each new socket, whether or not the server has it, so after every
 * reconnect the first call's check shipped and hashed the script inside its deadline,
 * even with the scripts loaded on ready (loadScriptsOnReady).
 * `sources` names each script's SHA and body, for a caller that writes its calls as
 * bytes (prepared-script.ts).
 */
export function luaScripts<Name extends string>(
  folder: URL,
  files: Readonly<Record<Name, string | ComposedScript>>,
): ((redis: RedisClient) => void) & { sources: Readonly<Record<Name, ScriptSource>> } {
  const read = (file: string) => readFileSync(new URL(file, folder), 'utf8');
  const scripts = (Object.entries(files) as [Name, string | ComposedScript][]).map(([name, spec]) => {
    const { file, uses = [], keys } = typeof spec === 'string' ? { file: spec } : spec;
    const lua = [...uses, file].map(read).join('\n');
    return { name, numberOfKeys: keyCount(file, keys), lua, sha: createHash('sha1').update(lua).digest('hex') };
  });
  const sources = Object.fromEntries(scripts.map(({ name, sha, lua }) => [name, { sha, lua }])) as Record<Name, ScriptSource>;
  const define = (redis: RedisClient): void => {
    let bodies = definedScripts.get(redis);
    if (bodies === undefined) definedScripts.set(redis, (bodies = new Set()));
    for (const { name, numberOfKeys, lua, sha } of scripts) {
      if (!(name in redis)) {
        const run = (...args: ScriptArgument[]): Promise<unknown> =>
          runScript(redis, lua, sha, numberOfKeys === undefined ? args : [numberOfKeys, ...args]);
        Object.defineProperty(redis, name, { value: run });
      }
      bodies.add(lua);
    }
  };
  return Object.assign(define, { sources });
}

type ScriptArgument = string | number | Buffer;

/** `args` start with the key count. */
async function runScript(redis: RedisClient, lua: string, sha: string, args: ScriptArgument[]): Promise<unknown> {
  const [keyCount = 0, ...rest] = args;
  try {
    return await redis.evalsha(sha, keyCount as number, ...rest);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(lua, keyCount as number, ...rest);
  }
}

/**
 * Loads every script defined on `redis` (now and later) into each server it talks to
 * whenever that connection becomes ready: after a restart or a failover the server's
 * script cache is empty, and ioredis would learn that from the first call's EVALSHA
 * (NOSCRIPT) and send the whole body again, two round trips and a compile inside a
 * call's decision deadline. Commands sent after `ready` queue behind the SCRIPT LOADs
 * on the same connection, so they find the scripts. A failed load is only reported:
 * ioredis' EVAL fallback still answers.
 */
export function loadScriptsOnReady(redis: RedisClient, onError: (error: unknown) => void): void {
  const load = (server: Redis): void => {
    for (const lua of definedScripts.get(redis) ?? []) server.script('LOAD', lua).catch(onError);
  };
  if (!isCluster(redis)) {
    redis.on('ready', () => load(redis));
    if (redis.status === 'ready') load(redis);
    return;
  }
  const watch = (node: Redis): void => {
    node.on('ready', () => load(node));
    if (node.status === 'ready') load(node);
  };
  for (const node of redis.nodes()) watch(node);
  redis.on('+node', watch);
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
