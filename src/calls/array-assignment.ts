/**
 * Several channel variables in one write: Asterisk's ARRAY() function, written as
 * `ARRAY(A,B,C)` = `a,b,c`, sets each name to its value in order. One ARI request (or
 * one AGI command) instead of one a variable: each costs a round trip to Asterisk while
 * the caller waits.
 */

/**
 * What ARRAY()'s argument parser (Asterisk's app.c, __ast_app_separate_args) reads as
 * syntax in a value: the comma that separates values, quotes, the parentheses and
 * brackets that stop a comma from separating, and the backslash that escapes. Each is
 * sent behind a backslash, which the parser drops, so an operator's reason arrives as typed.
 */
const ARRAY_SYNTAX = /[\\",()[\]]/g;

/** A variable name ARRAY() can carry: a comma or a parenthesis in it would split or end the list. */
const PLAIN_NAME = /^[A-Za-z0-9_]+$/;

/** The one write that sets every variable given, in order; undefined when there are none. */
export function arrayAssignment(variables: Readonly<Record<string, string>>): { name: string; value: string } | undefined {
  const entries = Object.entries(variables);
  const [first] = entries;
  if (first === undefined) return undefined;
  if (entries.length === 1) return { name: first[0], value: first[1] };
  for (const [name] of entries) {
    if (!PLAIN_NAME.test(name)) throw new Error(`channel variable ${JSON.stringify(name)} cannot be set through ARRAY()`);
  }
  return {
    name: `ARRAY(${entries.map(([name]) => name).join(',')})`,
    value: entries.map(([, value]) => value.replace(ARRAY_SYNTAX, (char) => `\\${char}`)).join(','),
  };
}
