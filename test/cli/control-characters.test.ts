import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { callguard, callguardJson } from './run-cli.js';

const redis = testRedis();
afterAll(() => redis.quit());

const ESC = '\u001b';
/** What an attacker or a careless paste may put in a reason: colour, clear screen, a window title, a backspace. */
const HOSTILE_REASON = `${ESC}[31mthreats${ESC}[0m${ESC}[2J ${ESC}]0;owned\u0007by phone\b`;

let ns: string;
beforeEach(async () => {
  ns = testNamespace();
  await callguard(ns, 'list', 'create', 'dnc');
});

interface CheckJson {
  match: { reason: string | null; by: string | null } | null;
}

describe('control characters in free text', () => {
  it('--reason and --by are stored without escape sequences or control characters', async () => {
    const added = await callguard(ns, 'add', '+4930123456', '--list', 'dnc', '--reason', HOSTILE_REASON, '--by', `mal${ESC}[8mlory`);
    expect(added.code).toBe(0);
    const stored = await redis.hget(listKeys(ns, 'dnc').meta, '+4930123456');
    expect(stored).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    const { json } = await callguardJson<CheckJson>(ns, 'check', '+4930123456', '--list', 'dnc');
    expect(json.match).toMatchObject({ reason: 'threats by phone', by: 'mallory' });
  });

  it('a reason of several lines keeps its lines in the store and prints them escaped', async () => {
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc', '--reason', 'asked twice\nsee ticket 4711');
    const { json } = await callguardJson<CheckJson>(ns, 'check', '+4930123456', '--list', 'dnc');
    expect(json.match?.reason).toBe('asked twice\nsee ticket 4711');
    const human = await callguard(ns, 'check', '+4930123456', '--list', 'dnc');
    expect(human.out).toMatch(/^reason: +asked twice\\nsee ticket 4711$/m);
  });

  it('a reason that is nothing but control characters is refused, nothing written', async () => {
    const run = await callguard(ns, 'add', '+4930123456', '--list', 'dnc', '--reason', `${ESC}[2J`);
    expect(run.code).toBe(2);
    expect(run.err).toBe('callguard: --reason: "\\u001b[2J" has no text (control characters are left out) (see: callguard add --help)\n');
    expect(await redis.exists(listKeys(ns, 'dnc').exact)).toBe(0);
  });

  describe('text stored before (or by another writer) never reaches the terminal raw', () => {
    beforeEach(async () => {
      await callguard(ns, 'add', '+4930123456', '--list', 'dnc', '--by', 'alice');
      await redis.hset(
        listKeys(ns, 'dnc').meta,
        '+4930123456',
        JSON.stringify({ reason: HOSTILE_REASON, by: `${ESC}[31mbob`, at: Date.now(), source: 'cli' }),
      );
    });

    it.each([
      ['check', ['check', '+4930123456', '--list', 'dnc']],
      ['show', ['show', '+4930123456']],
    ])('%s escapes them', async (_command, args) => {
      const run = await callguard(ns, ...args);
      expect(run.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      expect(run.out).toContain('\\u001b[31mthreats');
    });

    it('export leaves them out of the CSV', async () => {
      const run = await callguard(ns, 'export', '--list', 'dnc');
      expect(run.out).toContain('+4930123456,,threats by phone,bob,');
    });
  });
});
