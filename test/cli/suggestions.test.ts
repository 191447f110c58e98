import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { didYouMean, editDistance, similarNames } from '../../src/cli/suggest.js';
import { testRedis } from '../helpers/redis.js';
import { callguard, namespaceWithLists } from './run-cli.js';

const redis = testRedis();
let dir: string;
let numbers: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'callguard-suggest-'));
  numbers = join(dir, 'numbers.txt');
  await writeFile(numbers, '+4930123456\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await redis.quit();
});

let ns: string;
beforeEach(async () => {
  ns = await namespaceWithLists(redis, 'harassment', 'dnc', 'vip');
});

describe('a mistyped list name is answered with the close existing name', () => {
  it.each([
    ['add', () => ['add', '+4930123456', '--list', 'harasment'], 1],
    ['cancel', () => ['cancel', '+4930123456', '--list', 'harasment', '--reason', 'consent'], 1],
    ['check', () => ['check', '+4930123456', '--list', 'dnc,harasment'], 1],
    ['export', () => ['export', '--list', 'harasment'], 1],
    ['import', () => ['import', numbers, '--list', 'harasment'], 2],
    ['list enable', () => ['list', 'enable', 'harasment'], 1],
    ['list disable', () => ['list', 'disable', 'harasment'], 1],
    ['list rm', () => ['list', 'rm', 'harasment'], 1],
  ])('%s', async (_command, args, code) => {
    const run = await callguard(ns, ...args());
    expect(run.code).toBe(code);
    expect(run.err).toBe('callguard: no such list: harasment (did you mean harassment?)\n');
  });

  it.each([
    ['route set --block', ['route', 'set', 'support', '--block', 'dnc,harasment']],
    ['route set --allow', ['route', 'set', 'support', '--allow', 'vpi']],
    ['campaign set --block', ['campaign', 'set', 'sales', '--block', 'dcn', '--endpoint', 'PJSIP/${NUMBER}@trunk', '--context', 'agents']],
  ])('%s', async (_command, args) => {
    const run = await callguard(ns, ...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^callguard: no list named (harasment \(did you mean harassment\?\)|vpi \(did you mean vip\?\)|dcn \(did you mean dnc\?\)): create it first/);
  });

  it('cancel --campaign names the close list of a block list that does not exist', async () => {
    await callguard(ns, 'campaign', 'set', 'sales', '--block', 'dnc,harasment', '--allow-missing-lists', '--endpoint', 'PJSIP/${NUMBER}@trunk', '--context', 'agents');
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc');
    const run = await callguard(ns, 'cancel', '+4930123456', '--campaign', 'sales', '--reason', 'consent');
    expect(run.code).toBe(0);
    expect(run.out).toContain('list harasment (did you mean harassment?) of campaign sales does not exist (skipped)');
  });

  it('a name like no existing list keeps the hint to create it', async () => {
    const run = await callguard(ns, 'add', '+4930123456', '--list', 'premium');
    expect(run.err).toBe('callguard: no such list: premium (create it with: callguard list create premium)\n');
  });

  it('import and scrub give a list that does not exist the same hint as add', async () => {
    const imported = await callguard(ns, 'import', numbers, '--list', 'premium');
    expect(imported.err).toBe('callguard: no such list: premium (create it with: callguard list create premium)\n');
    const clean = join(dir, `${ns}-clean.csv`);
    const scrubbed = await callguard(ns, 'scrub', numbers, '--list', 'premium', '-o', clean, '--removed', `${clean}.removed`);
    expect(scrubbed.err).toBe('callguard: no such list: premium (create it with: callguard list create premium)\n');
  });
});

describe('similar names', () => {
  it('counts inserts, deletes, substitutions and swaps of neighbours as one edit each', () => {
    expect(editDistance('harasment', 'harassment')).toBe(1);
    expect(editDistance('dcn', 'dnc')).toBe(1);
    expect(editDistance('dnc', 'dnc')).toBe(0);
    expect(editDistance('', 'vip')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only names within a typo of the one given, the nearest first', () => {
    expect(similarNames('harasment', ['dnc', 'harassment', 'harass'])).toEqual(['harassment']);
    expect(similarNames('dnc', ['vip', 'spam'])).toEqual([]);
    expect(similarNames('dnc', ['dnc'])).toEqual([]);
    expect(didYouMean('harasmentt', ['harassment', 'harasment'])).toBe(' (did you mean harasment?)');
    expect(didYouMean('dnc1', ['dnc2', 'dnc3'])).toBe(' (did you mean dnc2 or dnc3?)');
    expect(didYouMean('spam', ['dnc'])).toBe('');
  });
});
