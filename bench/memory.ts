/**
 * Redis memory a list costs per entry, by kind (not a test): the figures docs/production.md
 * sizes a Redis with. Each kind is loaded the way users load it, into a list of its own
 * on a Redis of its own, and measured twice: MEMORY USAGE of the list's keys (every
 * member counted) and the growth of used_memory (what the server really spends).
 *
 *   npm run bench:memory
 *   BENCH_NUMBERS=200000 npm run bench:memory     # a quick run
 *
 * Kinds: numbers that never expire (import: the SET), numbers with an expiry (import
 * --for: the ZSET), prefixes (the ZSET, members ending in *), and numbers added one by
 * one with `callguard add` (the SET plus a meta HASH field and an audit stream entry each).
 */
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { importList } from '../src/lists/import/run.js';
import { openSource } from '../src/lists/import/source.js';
import { listKeys } from '../src/lists/keys.js';
import { MAX_ENTRIES_PER_CALL, ListStore } from '../src/lists/store.js';
import { startRedisServer } from '../test/helpers/redis-server.js';

const NUMBERS = Number(process.env.BENCH_NUMBERS ?? 1_000_000);
/** Numbers added one by one are few in practice (a supervisor's blocks): a tenth is plenty to measure. */
const ADDED = Math.max(1_000, Math.floor(NUMBERS / 10));
const NAMESPACE = 'bench-memory';
const DAY_MS = 86_400_000;

/** E.164 numbers of 13 characters, like a German mobile number: +49151 and 7 digits. */
function numberAt(n: number): string {
  return `+49151${String(n).padStart(7, '0')}`;
}

function lines(count: number, line: (n: number) => string): Readable {
  let n = 0;
  return new Readable({
    read() {
      let chunk = '';
      for (let i = 0; i < 10_000 && n < count; i++, n++) chunk += `${line(n)}\n`;
      this.push(chunk === '' ? null : chunk);
    },
  });
}

async function usedMemory(redis: Redis): Promise<number> {
  const match = /used_memory:(\d+)/.exec(await redis.info('memory'));
  if (!match?.[1]) throw new Error('INFO memory has no used_memory');
  return Number(match[1]);
}

async function keysBytes(redis: Redis, list: string): Promise<number> {
  let total = 0;
  for (const key of Object.values(listKeys(NAMESPACE, list))) total += Number((await redis.memory('USAGE', key, 'SAMPLES', 0)) ?? 0);
  return total;
}

interface Kind {
  list: string;
  what: string;
  entries: number;
  load(redis: Redis, store: ListStore): Promise<void>;
}

const KINDS: Kind[] = [
  {
    list: 'plain',
    what: 'number, never expires (import)',
    entries: NUMBERS,
    load: async (redis) => {
      await importList(redis, NAMESPACE, await bulk('plain', lines(NUMBERS, numberAt)));
    },
  },
  {
    list: 'timed',
    what: 'number with an expiry (import --for)',
    entries: NUMBERS,
    load: async (redis) => {
      await importList(redis, NAMESPACE, { ...(await bulk('timed', lines(NUMBERS, numberAt))), expiresAt: Date.now() + 30 * DAY_MS });
    },
  },
  {
    list: 'prefixes',
    what: 'prefix, never expires (import)',
    entries: NUMBERS,
    load: async (redis) => {
      await importList(redis, NAMESPACE, await bulk('prefixes', lines(NUMBERS, (n) => `+4930${String(n).padStart(7, '0')}*`)));
    },
  },
  {
    list: 'added',
    what: 'number added with callguard add',
    entries: ADDED,
    load: async (_redis, store) => {
      const actor = { by: 'supervisor', reason: 'asked not to be called', source: 'cli' };
      for (let from = 0; from < ADDED; from += MAX_ENTRIES_PER_CALL) {
        const count = Math.min(MAX_ENTRIES_PER_CALL, ADDED - from);
        await store.add('added', Array.from({ length: count }, (_, i) => ({ member: numberAt(from + i) })), actor);
      }
    },
  },
];

/** An import of `content` as stdin, with the importer's defaults. */
async function bulk(list: string, content: Readable) {
  return {
    list,
    source: await openSource('-', content),
    onDuplicate: 'skip' as const,
    replace: false,
    dryRun: false,
    actor: { by: 'bench' },
  };
}

async function main(): Promise<void> {
  console.log(`bench:memory  ${NUMBERS} entries a kind (${ADDED} added one by one)`);
  const rows: string[][] = [['kind', 'entries', 'MEMORY USAGE B/entry', 'used_memory B/entry']];
  for (const kind of KINDS) {
    const server = await startRedisServer();
    const redis = new Redis(server.url);
    try {
      const info = await redis.info('server');
      if (rows.length === 1) console.log(`Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`);
      const store = new ListStore(redis, NAMESPACE);
      await store.createList(kind.list, { by: 'bench' });
      const before = await usedMemory(redis);
      await kind.load(redis, store);
      const keys = await keysBytes(redis, kind.list);
      const used = (await usedMemory(redis)) - before;
      rows.push([kind.what, String(kind.entries), (keys / kind.entries).toFixed(1), (used / kind.entries).toFixed(1)]);
    } finally {
      await redis.quit();
      await server.stop();
    }
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => row[c]?.length ?? 0))) ?? [];
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  '));
}

await main();
