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
  /**
   * `plus`: written with a leading `+`; `star`: written with a trailing `*` (a prefix);
   * `extension`: the digits of an extension written after the number, left off `digits`.
   */
  | { kind: 'digits'; digits: string; plus: boolean; star: boolean; extension?: string };

const HIDDEN: DialString = { kind: 'hidden' };
const URI_SCHEME = /^(?:tel|sips?):/i;
const URI_USER_END = /[@;?]/;
const WORD_GAPS = /[\s_-]+/g;
/**
 * Spaces (any Unicode space separator, and the BOM some files carry), dashes, dots,
 * brackets and slashes. Not line breaks, tabs or other control characters: text with one
 * of those inside is two things run together (`+49301\n23456`), never one number.
 */
const SEPARATORS = /[\p{Zs}\ufeff\-.()/]/gu;
const DIAL_SHAPE = /^(\+?)(\d*)(\*?)$/;
const LETTER = /\p{L}/u;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/u;
/**
 * An extension after the number, as people and RFC 3966 write it: `;ext=12`, `ext 12`,
 * `ext. 12`, `extn 12`, `extension 12`, ` x 12`. A bare `x` needs a space or comma before
 * it, so a typo inside a number (`+49301234x567`) is not read as number and extension.
 */
const EXTENSION_SUFFIX = /^(.*[\d)])(?:\s*;\s*ext\s*=\s*|\s*,?\s*(?:extension|extn|ext)\.?\s*|(?:\s+|\s*,\s*)x\.?\s*)(\d{1,10})$/i;
const URI_EXTENSION_PARAMETER = /;\s*ext\s*=\s*(\d{1,10})\s*(?:;|$)/i;

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

/** The `;ext=` parameter of a tel: URI (RFC 3966), or of a SIP URI's telephone-subscriber user part. */
function uriExtension(uri: string): string | undefined {
  const afterScheme = uri.replace(URI_SCHEME, '');
  const userEnd = afterScheme.search(/[@?]/);
  return URI_EXTENSION_PARAMETER.exec(userEnd === -1 ? afterScheme : afterScheme.slice(0, userEnd))?.[1];
}

/** Why text that is not digits and separators is not a number, the most telling reason first. */
function notDigitsReason(text: string): string {
  const control = CONTROL.exec(text)?.[0];
  if (control !== undefined) {
    if (LINE_BREAK.test(control)) return 'contains a line break';
    if (control === '\t') return 'contains a tab';
    return `contains a control character (U+${control.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  }
  return LETTER.test(text) ? 'contains letters' : 'contains characters other than digits and separators';
}

export function readDialString(raw: string): DialString {
  if (typeof raw !== 'string') return malformed('not a string');
  if (raw.length > MAX_RAW_LENGTH) return malformed(`longer than ${MAX_RAW_LENGTH} characters`);
  let text = raw.trim();
  if (text.startsWith('<') && text.endsWith('>')) text = text.slice(1, -1).trim();
  let extension: string | undefined;
  if (URI_SCHEME.test(text)) {
    extension = uriExtension(text);
    const user = uriUserPart(text);
    if (typeof user !== 'string') return user;
    text = user.trim();
  }
  if (text === '' || (!startsLikeANumber(text) && isHiddenWord(text))) return HIDDEN;
  let shape = DIAL_SHAPE.exec(text.replace(SEPARATORS, ''));
  if (!shape) {
    // Only text that is not a number as it stands is read for an extension: the common case pays nothing.
    const suffix = EXTENSION_SUFFIX.exec(text);
    shape = suffix ? DIAL_SHAPE.exec((suffix[1] ?? '').replace(SEPARATORS, '')) : null;
    if (!shape || shape[3] === '*') return malformed(notDigitsReason(text));
    extension = suffix?.[2];
  }
  const digits = shape[2] ?? '';
  if (digits === '') return malformed('no digits');
  const read: DialString = { kind: 'digits', digits, plus: shape[1] === '+', star: shape[3] === '*' };
  return extension === undefined ? read : { ...read, extension };
}

/**
 * The extension written after a number (`+1 415 555 0100 ext 12`, `;ext=12`,
 * `tel:+14155550100;ext=12`), if any. The extension is not part of the E.164 number that
 * is dialled or presented, so normalize() leaves it off; front doors use this to say so.
 */
export function extensionOf(raw: string): string | undefined {
  const dial = readDialString(raw);
  return dial.kind === 'digits' ? dial.extension : undefined;
}
