import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import { callguard, callguardOnTerminal, type CliRun } from '../cli/run-cli.js';
import { testNamespace, testRedis } from '../helpers/redis.js';

/** One `$ callguard …` line of a console block in README.md, with the lines it shows after it. */
interface Example {
  line: number;
  command: string;
  output: string[];
}

/**
 * Examples that need what this test does not make, each with the reason; every other
 * `$ callguard` line of README.md runs. A new example runs by itself, or goes here.
 */
const NOT_RUN: Record<string, string> = {
  'callguard show +49302222222': 'shows an entry loaded by the import of dnc-week-47.txt.gz, a file the examples do not make',
  'callguard import dnc-week-47.txt.gz --list dnc --region DE --reason "national DNC, week 47" --rejects rejects.csv':
    'needs the national file of 2,000,000 rows its output shows',
  'callguard import calls.csv --list harassment --column Caller --for 30d': 'needs a calls.csv the examples do not make',
  'callguard import week48.csv --list dnc --replace': 'needs a dnc list of 100,000 entries and a week48.csv of 10',
  'callguard campaign set us-leads --hours us --max-per-number 3/24h':
    'changes a campaign the examples do not make; a new one needs --endpoint, --context and an Asterisk to check the context',
  'callguard import dnc-all.zip --list us-dnc --country US --replace --source-date 2026-11-30': "needs the FTC's registry file (test/import/registry.test.ts loads zips)",
  'callguard import --changes adds.txt dels.txt --list us-dnc --country US': 'needs change list files the examples do not make (test/import/registry.test.ts applies them)',
  'callguard import left.txt --list dnc --delete': 'needs a left.txt the examples do not make (test/import/registry.test.ts deletes)',
  'callguard scrub leads.csv --lists dnc,us-dnc --region US -o clean.csv --removed removed.csv --rejects bad.csv': 'needs a lead file the examples do not make (test/cli/scrub.test.ts scrubs)',
};

/** Shown last: their output is the state the other examples leave behind. */
const LAST = ['callguard lists'];

function readmeExamples(markdown: string): Example[] {
  const examples: Example[] = [];
  let inConsole = false;
  let current: Example | undefined;
  markdown.split('\n').forEach((text, index) => {
    const line = text.trim();
    if (line.startsWith('```')) {
      inConsole = !inConsole && line === '```console';
      current = undefined;
      return;
    }
    if (!inConsole) return;
    if (line.startsWith('$ ')) {
      const command = line.slice(2).replace(/\s+#\s.*$/, '').trim();
      current = command.startsWith('callguard ') ? { line: index + 1, command, output: [] } : undefined;
      if (current) examples.push(current);
    } else if (current && line !== '' && line !== '...') {
      current.output.push(line);
    }
  });
  return examples;
}

/** The words of a command line as a shell splits them: quotes kept together, no expansion. */
function shellWords(command: string): string[] {
  const words = command.match(/'[^']*'|"[^"]*"|[^\s'"]+/g) ?? [];
  return words.map((word) => (/^(['"]).*\1$/.test(word) ? word.slice(1, -1) : word));
}

/** A pipe, a redirection, a variable or a condition: a shell example, not one command. */
function needsShell(command: string): boolean {
  return /[|<>]|\$|^callguard\b.*\bif\b|^[A-Z_]+=/.test(command);
}

const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z\b/g;

/** Times and spans differ from run to run; columns are aligned to their values. */
function comparable(line: string): string {
  return line
    .replace(ISO_TIME, '<time>')
    // A list's AGE column follows its DATA OF time.
    .replace(/<time>(\s+)\d+[smhdwy](?: \d+[smhdwy])?(?=\s|$)/g, '<time>$1<age>')
    .replace(/\(in [0-9dhms ]+\)/g, '(in <span>)')
    .replace(/\s+/g, ' ')
    .trim();
}

/** An example's date in the past (README's are fixed) moved on by whole years, so it stays in the future. */
function stillAhead(word: string, now: number): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(word)) return word;
  const date = new Date(word);
  while (date.getTime() <= now) date.setUTCFullYear(date.getUTCFullYear() + 1);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

describe("README.md's CLI examples, run against a real Redis", () => {
  let redis: Redis;
  let namespace: string;
  let dir: string;
  let examples: Example[];

  beforeAll(async () => {
    redis = testRedis();
    namespace = testNamespace();
    dir = await mkdtemp(join(tmpdir(), 'callguard-readme-'));
    examples = readmeExamples(await readFile(new URL('../../README.md', import.meta.url), 'utf8'));
    // What the examples take as given: the lists and the route they name besides dnc.
    const lists = new ListStore(redis, namespace);
    for (const name of ['harassment', 'spam', 'vip']) await lists.createList(name, { by: 'alice' });
    await lists.createList('test', { by: 'alice' });
    await lists.add('test', Array.from({ length: 12 }, (_, index) => ({ member: `+4930999000${String(index).padStart(2, '0')}` })), { by: 'alice' });
    await new RouteStore(redis, namespace).set(newRoute('night'));
  });

  afterAll(async () => {
    await redis.quit();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs one example: files it names are made and read in a directory of the test's own. */
  async function run(example: Example): Promise<CliRun & { questions: string[] }> {
    const now = Date.now();
    const words = shellWords(example.command)
      .slice(1)
      // The moment `hours check --at` reads the window at is the example's point, not a date to keep ahead.
      .map((word, index, all) => (all[index - 1] === '--at' ? word : stillAhead(word, now)))
      .map((word, index, all) => (all[index - 1] === '-o' || /\.csv$/.test(word)) && !isAbsolute(word) ? join(dir, word) : word);
    const answers = example.output.filter((text) => /\[y\/N\] y$/.test(text)).map(() => 'y');
    const result = answers.length > 0 ? await callguardOnTerminal(namespace, answers, ...words) : { ...(await callguard(namespace, ...words)), questions: [] };
    const strip = (text: string) => text.split(`${dir}/`).join('');
    return { ...result, out: strip(result.out), err: strip(result.err) };
  }

  it('every example runs or is listed as needing what the test cannot make', () => {
    const runnable = examples.filter((example) => !needsShell(example.command));
    expect(runnable.length).toBeGreaterThan(20);
    const unknown = Object.keys(NOT_RUN).filter((command) => !examples.some((example) => example.command === command));
    expect(unknown, 'NOT_RUN names a command README.md no longer has').toEqual([]);
  });

  it('each example exits as its output says and prints the lines README.md shows', async () => {
    const runnable = examples.filter((example) => !needsShell(example.command) && NOT_RUN[example.command] === undefined);
    const ordered = [...runnable.filter((example) => !LAST.includes(example.command)), ...runnable.filter((example) => LAST.includes(example.command))];
    const problems: string[] = [];
    for (const example of ordered) {
      const result = await run(example);
      // 10: a check that blocks, or an hours check whose window is closed.
      const expectedCode = example.output.some((text) => /^verdict:\s+blocked$|^window:\s+closed/.test(text)) ? 10 : 0;
      if (result.code !== expectedCode) {
        problems.push(`README.md:${example.line} ${example.command}: exit ${result.code}, not ${expectedCode}: ${result.err.trim()}`);
        continue;
      }
      const printed = [...result.out.split('\n'), ...result.err.split('\n'), ...result.questions.map((question) => `${question} y`)].map(comparable);
      for (const shown of example.output) {
        if (!printed.includes(comparable(shown))) problems.push(`README.md:${example.line} ${example.command}: does not print "${shown}"`);
      }
    }
    expect(problems).toEqual([]);
  });
});
