import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { testNamespace } from '../helpers/redis.js';
import { cliTestFiles } from '../import/helpers.js';
import { callguard, callguardJson } from './run-cli.js';

const files = cliTestFiles('callguard-show-import-');

interface Loaded {
  certain: boolean;
  imports: { action: string; file: string | null; by: string; reason: string | null; at: string }[];
}
interface ShowJson {
  listed: { list: string; member: string; reason: string | null; loadedBy: Loaded | null }[];
}

let ns: string;
beforeEach(async () => {
  ns = testNamespace();
  await callguard(ns, 'list', 'create', 'dnc');
});

async function importFile(name: string, numbers: string[], ...args: string[]): Promise<string> {
  const path = join(files.dir, `${ns}-${name}`);
  await writeFile(path, `${numbers.join('\n')}\n`);
  const run = await callguard(ns, 'import', path, '--list', 'dnc', ...args);
  expect(run.code).toBe(0);
  return path;
}

const loadedBy = async (number: string): Promise<Loaded | null> =>
  (await callguardJson<ShowJson>(ns, 'show', number)).json.listed.find((entry) => entry.list === 'dnc')?.loadedBy ?? null;

describe('show, for a number loaded by an import', () => {
  it('names the replace that brought it: file, reason, who, when (measured: "- - -" and "history: none")', async () => {
    const week47 = await importFile('week47.txt', ['+49302222222', '+49302222223'], '--replace', '--reason', 'national DNC, week 47', '--by', 'ops');
    expect(await loadedBy('+49302222222')).toEqual({
      certain: true,
      imports: [expect.objectContaining({ action: 'replace', file: week47, by: 'ops', reason: 'national DNC, week 47', at: expect.stringMatching(/^\d{4}-/) })],
    });
    const { out } = await callguard(ns, 'show', '+49302222222');
    expect(out).toMatch(/loaded by:\n  dnc \+49302222222: loaded by this replace .*\n\s+AT\s+ACTION\s+FILE\s+BY\s+REASON\n\s+\S+Z\s+replace\s+\S+week47\.txt\s+ops\s+national DNC, week 47/);
    expect(out).not.toMatch(/history: none/);
  });

  it('says it cannot tell when several imports since the last replace could have brought it', async () => {
    await importFile('base.txt', ['+49302222222'], '--replace', '--by', 'ops');
    await importFile('extra.txt', ['+49302222222', '+49302222229'], '--by', 'bob', '--reason', 'complaints');
    const loaded = await loadedBy('+49302222222');
    expect(loaded?.certain).toBe(false);
    expect(loaded?.imports.map((event) => [event.action, event.by])).toEqual([['import', 'bob'], ['replace', 'ops']]);
    expect((await callguard(ns, 'show', '+49302222222')).out).toMatch(/one of these 2 imports since the last replace; the audit cannot tell which/);
  });

  it('rules out imports that cannot have left the entry as it is: another expiry, or nothing new', async () => {
    await importFile('base.txt', ['+49302222222'], '--replace', '--by', 'ops');
    await importFile('timed.txt', ['+49302222222', '+49302222224'], '--by', 'bob', '--for', '30d');
    await importFile('again.txt', ['+49302222222'], '--by', 'carol');
    expect(await loadedBy('+49302222222')).toMatchObject({ certain: true, imports: [{ action: 'replace', by: 'ops' }] });
    expect(await loadedBy('+49302222224')).toMatchObject({ certain: true, imports: [{ action: 'import', by: 'bob' }] });
  });

  it('names the import that brought a number back after it was cancelled, not the one before', async () => {
    await importFile('first.txt', ['+49302222222'], '--by', 'ops');
    await callguard(ns, 'cancel', '+49302222222', '--list', 'dnc', '--reason', 'consent');
    await importFile('second.txt', ['+49302222222'], '--by', 'bob');
    expect(await loadedBy('+49302222222')).toMatchObject({ certain: true, imports: [{ by: 'bob' }] });
  });

  it('leaves entries added one by one as they are: they have their own record', async () => {
    await callguard(ns, 'add', '+49302222222', '--list', 'dnc', '--reason', 'asked', '--by', 'alice');
    expect(await loadedBy('+49302222222')).toBeNull();
    expect((await callguard(ns, 'show', '+49302222222')).out).not.toMatch(/loaded by/);
  });
});
