/** What a raw caller/callee string turns out to be. normalize() never throws. */
export type Normalized =
  | { kind: 'e164'; e164: string }
  | { kind: 'hidden' }
  | { kind: 'malformed'; reason: string };

/**
 * What an operator may put on a list: one E.164 number, or a prefix that covers a
 * range (written `+1900*`, or `0900*` with region DE). `prefix` is kept without the
 * star, in E.164 form (`+1900`, `+49900`).
 */
export type Pattern = { kind: 'exact'; e164: string } | { kind: 'prefix'; prefix: string };

export type PatternResult = { ok: true; pattern: Pattern } | { ok: false; reason: string };
