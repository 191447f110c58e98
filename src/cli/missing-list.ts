import { ListError } from '../lists/types.js';
import type { CliContext } from './context.js';
import { CliError } from '../front-door/errors.js';
import { didYouMean } from './suggest.js';

/** Lists a command names that do not exist: a mistyped name is the usual cause. */

/** The lists of `lists` that do not exist, in the order given. */
export async function missingLists(context: CliContext, lists: string[]): Promise<string[]> {
  if (lists.length === 0) return [];
  const store = await context.store();
  const exists = await Promise.all(lists.map((list) => store.hasList(list)));
  return lists.filter((_, i) => !exists[i]);
}

/** The names of the lists that exist, for suggestions. */
export async function existingListNames(context: CliContext): Promise<string[]> {
  return (await (await context.store()).lists()).map((list) => list.name);
}

/** `harasment (did you mean harassment?), spam`: each missing list with the existing names close to it. */
export function withSuggestions(missing: string[], existing: readonly string[]): string {
  return missing.map((list) => `${list}${didYouMean(list, existing)}`).join(', ');
}

/** The list a "no such list" error names, whether the store threw it or a command wrapped it. */
function missingListOf(error: unknown): string | undefined {
  const listError = error instanceof CliError && error.cause instanceof ListError ? error.cause : error;
  return listError instanceof ListError && listError.code === 'no-such-list' ? listError.list : undefined;
}

/**
 * `error` with "did you mean …?" when it says a list does not exist and an existing list
 * has a close name (same class and exit code); otherwise `error` itself.
 */
export async function withListSuggestion(error: unknown, context: CliContext): Promise<unknown> {
  const list = missingListOf(error);
  if (list === undefined) return error;
  // A suggestion is a courtesy: if the names cannot be read, the error stands as it is.
  const suggestion = didYouMean(list, await existingListNames(context).catch(() => []));
  if (suggestion === '') return error;
  const message = `no such list: ${list}${suggestion}`;
  if (error instanceof CliError) return new CliError(message, error.exitCode, { cause: error.cause });
  return new ListError(message, 'no-such-list', list);
}
