/**
 * Raw caller/callee text to bare digits: the shared first step of normalize() and
 * normalizePattern(). It knows URIs, visual separators and hidden-caller words; it knows
 * nothing about countries.
 */

/**
 * Longest raw input we look at. A SIP URI with parameters fits easily; anything longer is
 * not a phone number, and refusing it up front keeps the cost of hostile input constant.
 */
export const MAX_RAW_LENGTH = 128;

/**
 * Words that networks and PBXs put in place of a withheld caller ID (Asterisk, SIP
 * RFC 3323 `anonymous`, UK `withheld`, US `private`/`blocked`, CLASS "out of area").
 * Compared in lower case with runs of spaces, `-` and `_` read as one space.
 */
export const HIDDEN_WORDS: ReadonlySet<string> = new Set([
  'anonymous',
  'restricted',
  'unknown',
  'unavailable',
  'private',
  'withheld',
  'blocked',
  'hidden',
  'private number',
  'withheld number',
  'unknown number',
  'no caller id',
  'not available',
  'out of area',
]);

export type DialString =
  | { kind: 'hidden' }
  | { kind: 'malformed'; reason: string }
  /** `plus`: written with a leading `+`; `star`: written with a trailing `*` (a prefix). */
  | { kind: 'digits'; digits: string; plus: boolean; star: boolean };

const HIDDEN: DialString = { kind: 'hidden' };
const URI_SCHEME = /^(?:tel|sips?):/i;
const URI_USER_END = /[@;?]/;
const WORD_GAPS = /[\s_-]+/g;
const SEPARATORS = /[\s\-.()/]/g;
const DIAL_SHAPE = /^(\+?)(\d*)(\*?)$/;
const LETTER = /\p{L}/u;

function malformed(reason: string): DialString {
  return { kind: 'malformed', reason };
}

function isHiddenWord(text: string): boolean {
  return HIDDEN_WORDS.has(text.toLowerCase().replace(WORD_GAPS, ' ').trim());
}

/**
 * Every hidden word starts with a letter, and neither lower-casing nor the gap rule changes
 * a leading digit, `+` or `(`: such text (nearly every real number) skips the word check.
 */
function startsLikeANumber(text: string): boolean {
  const first = text.charCodeAt(0);
  return (first >= 0x30 && first <= 0x39) || first === 0x2b || first === 0x28;
}

/** The user part of a tel:/sip:/sips: URI: before `@`, `;` parameters and `?` headers, percent-decoded. */
function uriUserPart(uri: string): string | DialString {
  const afterScheme = uri.replace(URI_SCHEME, '');
  const end = afterScheme.search(URI_USER_END);
  const user = end === -1 ? afterScheme : afterScheme.slice(0, end);
  if (!user.includes('%')) return user;
  try {
    return decodeURIComponent(user);
  } catch {
    return malformed('bad percent-encoding in the URI');
  }
}

export function readDialString(raw: string): DialString {
  if (typeof raw !== 'string') return malformed('not a string');
  if (raw.length > MAX_RAW_LENGTH) return malformed(`longer than ${MAX_RAW_LENGTH} characters`);
  let text = raw.trim();
  if (text.startsWith('<') && text.endsWith('>')) text = text.slice(1, -1).trim();
  if (URI_SCHEME.test(text)) {
    const user = uriUserPart(text);
    if (typeof user !== 'string') return user;
    text = user.trim();
  }
  if (text === '' || (!startsLikeANumber(text) && isHiddenWord(text))) return HIDDEN;
  const shape = DIAL_SHAPE.exec(text.replace(SEPARATORS, ''));
  if (!shape) {
    return malformed(
      LETTER.test(text) ? 'contains letters' : 'contains characters other than digits and separators',
    );
  }
  const digits = shape[2] ?? '';
  if (digits === '') return malformed('no digits');
  return { kind: 'digits', digits, plus: shape[1] === '+', star: shape[3] === '*' };
}
