import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { importText } from '../import/helpers.js';
import { callguard, callguardJson } from './run-cli.js';

interface ShowJson {
  member: string;
  listed: { list: string; enabled: boolean; member: string; kind: string; expiresAt: string | null; reason: string | null; by: string | null; addedAt: string | null }[];
  cancelled: { list: string; member: string; reason: string; by: string; at: string }[];
  history: { list: string; action: string; by: string; reason: string | null; member: string | null }[];
  cannotTell: string[];
}

const redis = testRedis();
afterAll(() => redis.quit());

let ns: string;
beforeEach(async () => {
  ns = testNamespace();
  for (const list of ['dnc', 'harassment', 'premium']) await callguard(ns, 'list', 'create', list);
});

describe('show', () => {
  it('names every list holding the number with expiry, reason, who and when, then its cancellations and history', async () => {
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc', '--reason', 'opted out', '--by', 'alice');
    await callguard(ns, 'add', '+4930123456', '--list', 'harassment', '--reason', 'threats', '--by', 'bob', '--for', '12h');
    await callguard(ns, 'cancel', '+4930123456', '--list', 'dnc', '--reason', 'consent again', '--by', 'carol');

    const { code, json } = await callguardJson<ShowJson>(ns, 'show', '030123456', '--region', 'DE');
    expect(code).toBe(0);
    expect(json.member).toBe('+4930123456');
    expect(json.listed).toEqual([
      expect.objectContaining({ list: 'harassment', member: '+4930123456', kind: 'exact', reason: 'threats', by: 'bob', enabled: true }),
    ]);
    expect(json.listed[0]?.expiresAt).toMatch(/^\d{4}-/);
    expect(json.listed[0]?.addedAt).toMatch(/^\d{4}-/);
    expect(json.cancelled).toEqual([expect.objectContaining({ list: 'dnc', reason: 'consent again', by: 'carol' })]);
    expect(json.history.map((event) => [event.list, event.action, event.by])).toEqual([
      ['dnc', 'cancel', 'carol'],
      ['harassment', 'add', 'bob'],
      ['dnc', 'add', 'alice'],
    ]);
  });

  it('while a list lost entries, shows the lists that can tell and names that one as cannot tell, never as not holding it', async () => {
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc', '--reason', 'opted out');
    await callguard(ns, 'add', '+4930111', '+4930222', '--list', 'harassment');
    await callguard(ns, 'add', '+4930123456', '--list', 'premium');
    // Behind callguard's back: harassment loses an entry, premium the very number shown.
    expect(await redis.srem(listKeys(ns, 'harassment').exact, '+4930222')).toBe(1);
    expect(await redis.srem(listKeys(ns, 'premium').exact, '+4930123456')).toBe(1);
    const { code, json } = await callguardJson<ShowJson>(ns, 'show', '+4930123456');
    expect(code).toBe(0);
    expect(json.listed.map((entry) => entry.list)).toEqual(['dnc']);
    expect(json.cannotTell).toEqual(['harassment', 'premium']);
    const human = await callguard(ns, 'show', '+4930123456');
    expect(human.out).toMatch(/^cannot tell on: harassment, premium \(lost entries outside callguard; see callguard lists\)$/m);
    // A number a list that lost entries still holds is shown as held there.
    expect((await callguardJson<ShowJson>(ns, 'show', '+4930111')).json).toMatchObject({ listed: [expect.objectContaining({ list: 'harassment' })], cannotTell: ['premium'] });
  });

  it('shows the times of the history details in ISO 8601, never as epoch milliseconds', async () => {
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc', '--until', '2099-01-01T00:00:00Z');
    const human = await callguard(ns, 'show', '+4930123456');
    expect(human.out).toMatch(/\sadd\s+dnc\s.*change=added expiresAt=2099-01-01T00:00:00Z source=cli$/m);
    expect(human.out).not.toMatch(/\d{13}/);
    const { json } = await callguardJson<{ history: { details: Record<string, string> }[] }>(ns, 'show', '+4930123456');
    expect(json.history[0]?.details).toEqual({ change: 'added', expiresAt: '2099-01-01T00:00:00Z', source: 'cli' });
  });

  it('names a prefix entry that covers the number', async () => {
    await callguard(ns, 'add', '+4990*', '--list', 'premium', '--reason', 'premium rate');
    const { json } = await callguardJson<ShowJson>(ns, 'show', '+49900123456');
    expect(json.listed).toEqual([expect.objectContaining({ list: 'premium', member: '+4990*', kind: 'prefix' })]);
  });

  it('prints readable sections for people', async () => {
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc', '--reason', 'opted out', '--by', 'alice');
    await callguard(ns, 'list', 'disable', 'dnc');
    const { out } = await callguard(ns, 'show', '+4930123456');
    expect(out).toMatch(/listed on:\n\s+LIST\s+ENTRY\s+EXPIRES\s+REASON\s+BY\s+ADDED\n\s+dnc \(disabled\)\s+\+4930123456\s+forever\s+opted out\s+alice/);
    expect(out).toMatch(/history \(newest first\):\n\s+AT\s+ACTION/);
  });

  it("--help's JSON names every field --json gives, of a bulk entry's import and data dates too", async () => {
    await importText(redis, ns, 'dnc', '+4930123456\n', { sourceDate: Date.UTC(2026, 10, 1) });
    await callguard(ns, 'add', '+4930123456', '--list', 'harassment', '--reason', 'threats');
    const { json } = await callguardJson<Record<string, unknown>>(ns, 'show', '+4930123456');
    const keys = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value !== null && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          keys.add(key);
          // An event's details are its own, not the report's shape.
          if (key !== 'details') collect(inner);
        }
      }
    };
    collect(json);
    expect(keys).toContain('partData');
    const help = (await callguard(ns, 'show', '--help')).out;
    const named = new Set([...help.slice(help.indexOf('JSON:')).matchAll(/"(\w+)"/g)].map((match) => match[1]));
    expect([...keys].filter((key) => !named.has(key))).toEqual([]);
  });

  it('says so when a number is on no list', async () => {
    const { code, out } = await callguard(ns, 'show', '+4930123456');
    expect(code).toBe(0);
    expect(out).toContain('listed on: no list');
  });

  it('refuses an input that is not a number', async () => {
    const run = await callguard(ns, 'show', 'hello');
    expect(run.code).toBe(2);
    expect(run.err).toContain('"hello"');
  });
});
