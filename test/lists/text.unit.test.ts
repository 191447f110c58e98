import { describe, expect, it } from 'vitest';
import { plainText } from '../../src/lists/text.js';

describe('plainText', () => {
  it.each([
    ['\u001b[1;31mred\u001b[0m', 'red'],
    ['\u001b]8;;http://evil.example\u001b\\link\u001b]8;;\u001b\\', 'link'],
    ['\u001b]0;title\u0007after', 'after'],
    ['\u009b31mc1', 'c1'],
    ['bell\u0007 nul\u0000 del\u007f bs\b', 'bell nul del bs'],
    ['\u001bcreset', 'reset'],
    ['\u001b(Bascii', 'ascii'],
  ])('%j is %j', (text, plain) => {
    expect(plainText(text)).toBe(plain);
  });

  it('keeps what a reason may hold: tabs, line breaks and any script', () => {
    expect(plainText('line 1\r\nline 2\tend — Grüße, 电话')).toBe('line 1\r\nline 2\tend — Grüße, 电话');
  });
});
