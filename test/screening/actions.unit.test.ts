import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionSyntaxError, formatAction, invalidActionReason, parseAction } from '../../src/screening/actions.js';
import type { Action } from '../../src/screening/types.js';

describe('parseAction', () => {
  it.each<[string, Action]>([
    ['hangup:21', { type: 'hangup', cause: 21 }],
    ['hangup', { type: 'hangup', cause: 21 }],
    ['hangup:busy', { type: 'hangup', cause: 17 }],
    ['hangup:congestion', { type: 'hangup', cause: 34 }],
    ['hangup:rejected', { type: 'hangup', cause: 21 }],
    ['hangup:normal', { type: 'hangup', cause: 16 }],
    ['hangup:noanswer', { type: 'hangup', cause: 19 }],
    ['hangup:unallocated', { type: 'hangup', cause: 1 }],
    ['HANGUP:Busy', { type: 'hangup', cause: 17 }],
    ['announce:custom/blocked', { type: 'announce', sound: 'custom/blocked', cause: 21 }],
    ['announce:custom/closed:busy', { type: 'announce', sound: 'custom/closed', cause: 17 }],
    ['announce:tt-monkeys:16', { type: 'announce', sound: 'tt-monkeys', cause: 16 }],
    ['continue:queues,support,1', { type: 'continue', context: 'queues', extension: 'support', priority: 1 }],
    ['continue:anonymous,s', { type: 'continue', context: 'anonymous', extension: 's', priority: 1 }],
    ['continue:from-trunk,+4930123456,3', { type: 'continue', context: 'from-trunk', extension: '+4930123456', priority: 3 }],
  ])('reads %s', (text, action) => {
    expect(parseAction(text)).toEqual(action);
  });

  it.each([
    ['drop:21', /unknown action "drop"/],
    ['hangup:0', /outside Q.850/],
    ['hangup:128', /outside Q.850/],
    ['hangup:loud', /neither a Q.850 code.*busy/],
    ['hangup:-3', /neither a Q.850 code/],
    ['announce:', /sound "" must be a sound name/],
    ['announce:../../etc/passwd', /must be a sound name/],
    ['announce:a:b:c', /announce:<sound>\[:<cause>\]/],
    ['continue:queues', /continue:<context>,<exten>/],
    ['continue:queues,support,1,2', /continue:<context>,<exten>/],
    ['continue:queues,support,0', /priority "0"/],
    ['continue:queues,support,first', /priority "first"/],
    ['continue:my queue,support', /not a dialplan context/],
    ['continue:queues,sup port', /not a dialplan extension/],
    ['', /unknown action ""/],
  ])('refuses %j, naming the problem', (text, message) => {
    expect(() => parseAction(text)).toThrow(ActionSyntaxError);
    expect(() => parseAction(text)).toThrow(message);
  });
});

const word = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,15}$/);
const anyAction: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ type: fc.constant('hangup' as const), cause: fc.integer({ min: 1, max: 127 }) }),
  fc.record({
    type: fc.constant('announce' as const),
    sound: fc.tuple(word, fc.option(word, { nil: undefined })).map(([a, b]) => (b ? `${a}/${b}` : a)),
    cause: fc.integer({ min: 1, max: 127 }),
  }),
  fc.record({
    type: fc.constant('continue' as const),
    context: word,
    extension: word,
    priority: fc.integer({ min: 1, max: 999_999 }),
  }),
);

describe('formatAction', () => {
  it('writes the canonical form', () => {
    expect(formatAction({ type: 'hangup', cause: 17 })).toBe('hangup:17');
    expect(formatAction({ type: 'announce', sound: 'custom/blocked', cause: 21 })).toBe('announce:custom/blocked:21');
    expect(formatAction({ type: 'continue', context: 'queues', extension: 'support', priority: 1 })).toBe(
      'continue:queues,support,1',
    );
  });

  it('parseAction reads back every action formatAction writes', () => {
    fc.assert(
      fc.property(anyAction, (action) => {
        expect(parseAction(formatAction(action))).toEqual(action);
      }),
    );
  });

  it('every action formatAction writes is valid as stored JSON', () => {
    fc.assert(
      fc.property(anyAction, (action) => {
        expect(invalidActionReason(JSON.parse(JSON.stringify(action)))).toBeUndefined();
      }),
    );
  });
});

describe('invalidActionReason', () => {
  it.each<[unknown, RegExp]>([
    [null, /not an object/],
    [{ type: 'hangup', cause: 500 }, /cause 500/],
    [{ type: 'hangup', cause: '21' }, /cause 21 is not/],
    [{ type: 'announce', sound: 'a b', cause: 21 }, /sound name/],
    [{ type: 'continue', context: 'q', extension: 's', priority: 1.5 }, /priority 1.5/],
    [{ type: 'continue', context: 'q,x', extension: 's', priority: 1 }, /continue:<context>/],
    [{ type: 'redirect' }, /unknown action type "redirect"/],
  ])('names what is wrong with %j', (value, reason) => {
    expect(invalidActionReason(value)).toMatch(reason);
  });
});
