import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * A check looks for prefixes only of the lengths the list's info field `prefixes` names,
 * so a prefix written into the `timed` ZSET without its length there would silently not
 * match: a whole range unblocked. This holds every Lua script to the rule that makes that
 * impossible: a script that writes `timed` merges the lengths (merge_prefix_lengths) in
 * the same atomic call. Read from the sources, so a new script is held to it on the day
 * it is written.
 */
const FOLDERS = ['src/lists/scripts', 'src/lists/import/scripts'];
const scripts = FOLDERS.flatMap((folder) =>
  readdirSync(folder)
    .filter((file) => file.endsWith('.lua'))
    .map((file) => ({ file, lua: readFileSync(`${folder}/${file}`, 'utf8') })),
);

/** The names of a script's KEYS, from its header (`KEYS: info, exact, timed (...), ...`), 1-based. */
function keyNames(lua: string): string[] {
  const header = /KEYS:([\s\S]*?)ARGV:/.exec(lua)?.[1] ?? '';
  let flat = header.replace(/\s+/g, ' ');
  for (let before = ''; before !== flat; ) [before, flat] = [flat, flat.replace(/\([^()]*\)/g, '')];
  return flat.split(',').map((name) => name.trim());
}

/** Commands that write their first key (ZADD, *STORE) or their second (RENAME, COPY). */
const WRITES_FIRST = /'(ZADD|ZUNIONSTORE|ZINTERSTORE|ZDIFFSTORE|ZRANGESTORE)',\s*([^,)]+)/g;
const WRITES_SECOND = /'(RENAME|RENAMENX|COPY)',\s*([^,)]+),\s*([^,)]+)/g;
/** ZSETs of a script's own that are not a list's timed entries: a dense index, a call counter. */
const OTHER_ZSETS = new Set(['index', 'dense_index_key(root', 'key']);

interface TimedWrite {
  file: string;
  command: string;
  from?: string;
}

function timedWrites(file: string, lua: string): TimedWrite[] {
  const names = keyNames(lua);
  const nameOf = (expression: string): string => {
    const slot = /^KEYS\[(\d+)\]$/.exec(expression.trim());
    if (!slot) {
      if (!OTHER_ZSETS.has(expression.trim())) throw new Error(`${file}: a ZSET written through ${expression}: name it in KEYS, or add it here if it is not a list's timed ZSET`);
      return expression.trim();
    }
    return names[Number(slot[1]) - 1] ?? `KEYS[${slot[1]}]`;
  };
  const writes: TimedWrite[] = [];
  for (const [, command, key] of lua.matchAll(WRITES_FIRST)) if (nameOf(key as string) === 'timed') writes.push({ file, command: command as string });
  for (const [, command, from, to] of lua.matchAll(WRITES_SECOND)) {
    if (/^KEYS\[/.test((to as string).trim()) && nameOf(to as string) === 'timed') writes.push({ file, command: command as string, from: nameOf(from as string) });
  }
  return writes;
}

describe('the prefix-length index is kept by the scripts that write prefixes', () => {
  const writes = scripts.flatMap(({ file, lua }) => timedWrites(file, lua));

  it('finds the scripts that write a list\'s timed entries: add, the import batch and the replace swap', () => {
    expect([...new Set(writes.map((write) => write.file))].sort()).toEqual(['add-6.lua', 'import-batch-3.lua', 'swap-7.lua']);
  });

  it('every script that adds members to timed merges their prefix lengths in the same call', () => {
    for (const write of writes.filter((w) => w.from === undefined)) {
      const lua = scripts.find((script) => script.file === write.file)?.lua ?? '';
      expect({ file: write.file, merges: /merge_prefix_lengths\(/.test(lua) }).toEqual({ file: write.file, merges: true });
    }
  });

  it('timed is only ever renamed from a replace\'s staging timed, whose batches merged the lengths into the live list', () => {
    expect(writes.filter((w) => w.from !== undefined).map((w) => w.from)).toEqual(['staging timed']);
    const batch = timedWrites('import-batch-3.lua', scripts.find((script) => script.file === 'import-batch-3.lua')?.lua ?? '');
    expect(batch).toHaveLength(1);
    expect(keyNames(scripts.find((script) => script.file === 'import-batch-3.lua')?.lua ?? '')).toEqual(['exact', 'timed', 'info']);
  });
});
