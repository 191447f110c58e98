import { describe, expect, it } from 'vitest';
import { assertListName } from '../../src/lists/store.js';
import { ListError } from '../../src/lists/types.js';
import { ALICE, useStore } from './fixture.js';

describe('list names', () => {
  const t = useStore();

  it.each(['dnc', 'vip-2', 'a', '0day', 'x_y', 'a'.repeat(64)])('accepts %s', (name) => {
    expect(() => assertListName(name)).not.toThrow();
  });

  it.each([
    ['uppercase', 'DNC'],
    ['a leading dash', '-dnc'],
    ['a leading underscore', '_dnc'],
    ['65 characters', 'a'.repeat(65)],
    ['the empty string', ''],
    ['spaces', 'my list'],
    ['a colon', 'a:b'],
    ['braces', 'a{b}'],
  ])('refuses a name with %s, naming it and the rule', (_, name) => {
    let error: unknown;
    try {
      assertListName(name);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ListError);
    expect((error as ListError).code).toBe('invalid-name');
    expect((error as ListError).message).toContain(JSON.stringify(name));
    expect((error as ListError).message).toContain('[a-z0-9][a-z0-9_-]{0,63}');
  });

  it('refuses an invalid name in every store operation before touching Redis', async () => {
    await expect(t.store.createList('Bad Name', ALICE)).rejects.toMatchObject({ code: 'invalid-name' });
    await expect(t.store.add('Bad', [{ member: '+4930123456' }], ALICE)).rejects.toMatchObject({ code: 'invalid-name' });
    await expect(t.store.check('+4930123456', ['ok', 'Bad'])).rejects.toMatchObject({ code: 'invalid-name' });
    expect(await t.redis.exists(`${t.namespace}:lists`)).toBe(0);
  });
});
