import { readFile, writeFile } from 'node:fs/promises';

/**
 * Rewrites the perf map node writes with --perf-basic-prof (/tmp/perf-<pid>.map) so that
 * where V8 reused code space, the code written there last names the address. The map
 * keeps every entry ever written, and perf reads an address reused by later code as the
 * older function: in a profile of serve a quarter of the samples came out under an undici
 * getter called from a stream's addChunk, in frames that were ws' receiver. Older entries
 * that overlap a later one are dropped; samples taken before the reuse are then
 * unnamed, which is rarer than the misnaming for a profile taken warm.
 *
 *   npx tsx bench/perf-map.ts /tmp/perf-<serve pid>.map     # once serve has stopped, before perf report
 */

interface Entry {
  start: number;
  end: number;
  line: string;
}

const path = process.argv[2];
if (path === undefined) {
  console.error('usage: tsx bench/perf-map.ts /tmp/perf-<pid>.map');
  process.exit(2);
}

const entries: Entry[] = [];
for (const line of (await readFile(path, 'utf8')).split('\n')) {
  const [start, size] = line.split(' ', 2);
  if (start === undefined || size === undefined || line === '') continue;
  const from = Number.parseInt(start, 16);
  entries.push({ start: from, end: from + Number.parseInt(size, 16), line });
}

/** the entries kept, sorted by start, none overlapping */
const kept: Entry[] = [];
for (const entry of entries.reverse()) {
  let low = 0;
  let high = kept.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((kept[middle] as Entry).start <= entry.start) low = middle + 1;
    else high = middle;
  }
  const before = kept[low - 1];
  const after = kept[low];
  if ((before !== undefined && before.end > entry.start) || (after !== undefined && after.start < entry.end)) continue;
  kept.splice(low, 0, entry);
}

await writeFile(path, `${kept.map((entry) => entry.line).join('\n')}\n`);
console.log(`${path}: ${entries.length} entries, ${kept.length} kept (the latest where code space was reused)`);
