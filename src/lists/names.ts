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

export function noSuchList(name: string): ListError {
  return new ListError(`no such list: ${name} (create it with: callguard list create ${name})`, 'no-such-list', name);
}
