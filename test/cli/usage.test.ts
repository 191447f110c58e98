import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { callguard, callguardJson } from './run-cli.js';

const redis = testRedis();
afterAll(() => redis.quit());

let ns: string;
beforeEach(async () => {
  ns = testNamespace();
  await callguard(ns, 'list', 'create', 'dnc');
});

async function nothingWritten(): Promise<boolean> {
  const keys = listKeys(ns, 'dnc');
  return (await redis.exists(keys.exact, keys.timed, keys.meta)) === 0;
}

describe('bad input exits 2 with a message naming it, and writes nothing', () => {
  it.each([
    ['a duration without a unit', ['--for', '30'], '30'],
    ['a duration with an unknown unit', ['--for', '3x'], '3x'],
    ['a time that is not ISO 8601', ['--until', 'tomorrow'], 'tomorrow'],
    ['a time in the past', ['--until', '2001-01-01T00:00:00Z'], 'in the past'],
    ['a duration of 0', ['--for', '0s'], '"0s" is not a duration: it must be more than 0'],
    ['a duration past any date (was exit 1, "got NaN")', ['--for', '285616y'], '"285616y" is too long: the longest is 100y; without --for and --until an entry never expires'],
    ['both --until and --for', ['--until', '2099-01-01', '--for', '1d'], '--for'],
    ['an unknown region', ['--region', 'XX'], 'XX'],
  ])('add with %s', async (_what, flags, named) => {
    const run = await callguard(ns, 'add', '+4930123456', '--list', 'dnc', ...flags);
    expect(run.code).toBe(2);
    expect(run.err).toContain(named);
    expect(run.err.split('\n').some((line) => line.includes('at '))).toBe(false);
    expect(await nothingWritten()).toBe(true);
  });

  it.each(['Bad_Name', '_underscore-first', 'a'.repeat(65), 'has space'])('the list name %j', async (name) => {
    const run = await callguard(ns, 'list', 'create', name);
    expect(run.code).toBe(2);
    expect(run.err).toContain('is not a list name');
  });

  it('a bad list name among the lists of check', async () => {
    const run = await callguard(ns, 'check', '+4930123456', '--list', 'dnc,Nope');
    expect(run.code).toBe(2);
    expect(run.err).toContain('"Nope"');
  });

  it('a hidden caller marker given to add', async () => {
    const run = await callguard(ns, 'add', 'anonymous', '--list', 'dnc');
    expect(run.code).toBe(2);
    expect(run.err).toContain('"anonymous"');
    expect(await nothingWritten()).toBe(true);
  });

  it('a national number without a region, with a hint', async () => {
    const run = await callguard(ns, 'add', '030123456', '--list', 'dnc');
    expect(run.code).toBe(2);
    expect(run.err).toContain('--region');
  });
});

describe("commander's own errors: one callguard line on stderr, exit 2", () => {
  it.each([
    ['a required option left out', ['cancel', '+4930123456', '--list', 'dnc'], "callguard: required option '--reason <text>' not specified (see: callguard cancel --help)"],
    ['an unknown command', ['lsts'], "callguard: unknown command 'lsts' (did you mean lists?) (see: callguard --help)"],
    ['an unknown option', ['check', '+4930123456', '--list', 'dnc', '--regoin', 'DE'], "callguard: unknown option '--regoin' (did you mean --region?) (see: callguard check --help)"],
    ['a value not among the choices', ['report', '--verdict', 'nope'], 'callguard: --verdict: "nope" is not one of blocked, allowed, clear, hidden, malformed, unavailable, unverified, would-block, outside-hours, capped, no-consent (see: callguard report --help)'],
    ['a bad list name argument', ['list', 'rm', 'Bad'], 'callguard: <name>: "Bad" is not a list name: 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit (see: callguard list rm --help)'],
    ['an option without its value', ['add', '+4930123456', '--list'], "callguard: option '--list <name>' argument missing (see: callguard add --help)"],
  ])('%s', async (_what, args, line) => {
    const run = await callguard(ns, ...args);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toBe(`${line}\n`);
  });

  it.each([
    ['route', ['report', '--route', 'Bad'], '--route', 'report'],
    ['campaign', ['call', '+4930123456', '--campaign', 'Bad'], '--campaign', 'call'],
    ['campaign', ['campaign', 'show', 'Bad'], '<name>', 'campaign show'],
    ['policy', ['hours', 'show', 'Bad'], '<name>', 'hours show'],
  ])('a bad %s name gets the same one rule as a list name (%j)', async (kind, args, where, command) => {
    const run = await callguard(ns, ...args);
    expect(run.code).toBe(2);
    expect(run.err).toBe(
      `callguard: ${where}: "Bad" is not a ${kind} name: 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit (see: callguard ${command} --help)\n`,
    );
  });

  it('escapes the control characters of the input it echoes', async () => {
    const unknown = await callguard(ns, '\u001b]0;owned\u0007');
    expect(unknown.err).toBe("callguard: unknown command '\\u001b]0;owned\\u0007' (see: callguard --help)\n");
    const badName = await callguard(ns, 'add', '+4930123456', '--list', 'dnc\nx\u001b[2J');
    expect(badName.code).toBe(2);
    expect(badName.err).toMatch(/^callguard: --list: "dnc\\nx\\u001b\[2J" is not a list name: [^\n]+\n$/);
  });

  it('help asked for is printed as usual and exits 0', async () => {
    const run = await callguard(ns, 'add', '--help');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^Usage: callguard add /);
    expect(run.err).toBe('');
  });
});

describe('lists and list', () => {
  it('lists shows each list with its state and size', async () => {
    await callguard(ns, 'list', 'create', 'vip', '--by', 'alice');
    await callguard(ns, 'add', '+4930123456', '+1900*', '--list', 'dnc');
    await callguard(ns, 'list', 'disable', 'vip');
    const { json } = await callguardJson<{ lists: { name: string; enabled: boolean; size: number; createdBy: string }[] }>(ns, 'lists');
    expect(json.lists.map(({ name, enabled, size }) => ({ name, enabled, size }))).toEqual([
      { name: 'dnc', enabled: true, size: 2 },
      { name: 'vip', enabled: false, size: 0 },
    ]);
    expect(json.lists[1]?.createdBy).toBe('alice');
    const human = await callguard(ns, 'lists');
    expect(human.out).toMatch(/^LIST\s+ENABLED\s+SIZE\s+CREATED\s+BY\s+DATA OF\s+AGE\ndnc\s+yes\s+2\s+/);
  });

  it('creating a list twice fails and says it exists', async () => {
    const run = await callguard(ns, 'list', 'create', 'dnc');
    expect(run.code).toBe(1);
    expect(run.err).toContain('exists');
  });

  it('a removed list is gone from lists and cannot be checked', async () => {
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc');
    expect((await callguardJson(ns, 'list', 'rm', 'dnc', '--yes')).json).toEqual({ list: 'dnc', action: 'removed' });
    expect((await callguardJson<{ lists: unknown[] }>(ns, 'lists')).json.lists).toEqual([]);
    const run = await callguard(ns, 'check', '+4930123456', '--list', 'dnc');
    expect(run.code).toBe(1);
    expect(run.err).toContain('no such list: dnc');
  });
});

describe('help', () => {
  it.each(['lists', 'list', 'add', 'cancel', 'check', 'show', 'export'])('%s --help shows examples', async (command) => {
    const run = await callguard(ns, command, '--help');
    expect(run.code).toBe(0);
    expect(run.out).toContain('Examples:');
    expect(run.out).toContain(`$ callguard ${command}`);
  });
});
