import { LIST_NAME_PATTERN } from './keys.js';
import { ListError } from './types.js';

export function assertListName(name: string): void {
  if (!LIST_NAME_PATTERN.test(name)) {
    throw new ListError(
      `invalid list name ${JSON.stringify(name)}: a list name is 1 to 64 characters of a-z, 0-9, '_' and '-', starting with a letter or digit (${LIST_NAME_PATTERN.source})`,
      'invalid-name',
    );
  }
}

/** A check found no match in a list that lost entries: "not listed" cannot be told. */
export function entriesLost(name: string): ListError {
  return new ListError(
    `list ${name} lost entries outside callguard (its keys hold fewer members than its size; see callguard lists): ` +
      `load it again with callguard import --replace, or accept what is left with callguard list recount ${name}`,
    'entries-lost',
  );
}

export function noSuchList(name: string): ListError {
  return new ListError(`no such list: ${name} (create it with: callguard list create ${name})`, 'no-such-list', name);
}
