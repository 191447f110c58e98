import { MissingListsError } from '../../screening/settings.js';
import { ApiProblem } from '../problem.js';

/** A route or campaign change naming lists that do not exist: 422 naming them, nothing saved. */
export function missingListsProblem(error: unknown): never {
  if (error instanceof MissingListsError) {
    throw new ApiProblem(
      422,
      'missing-lists',
      `${error.message}: create it first (POST /v1/lists) or send "allowMissingLists": true; nothing was saved`,
      error.lists.map((list) => ({ field: 'body', value: list, reason: 'no such list' })),
    );
  }
  throw error;
}
