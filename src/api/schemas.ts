import { Type, type TSchema } from 'typebox';
import { LIST_NAME_PATTERN } from '../lists/keys.js';

/** Schemas shared by several route files; each route file keeps its own beside its handlers. */

export const NAME_PATTERN = LIST_NAME_PATTERN.source;

export const ListName = Type.String({ pattern: NAME_PATTERN, description: 'a list name: 1 to 64 characters of a-z 0-9 _ -' });
export const ListParams = Type.Object({ list: ListName });
export const NameParams = Type.Object({ name: Type.String({ pattern: NAME_PATTERN }) });

/** Who made a change and why, as the CLI's --reason. `by` is never taken from the request: it is the token's name. */
export const Reason = Type.String({ maxLength: 1000, description: 'why; kept in the audit stream' });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    requestId: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), value: Type.Optional(Type.Unknown()), reason: Type.String() })),
    ),
    waysOut: Type.Optional(
      Type.Array(
        Type.Object({
          way: Type.String({ description: 'create (reads what is left) or remove-left-behind' }),
          method: Type.String(),
          path: Type.String(),
          body: Type.Optional(Type.Record(Type.String(), Type.String())),
        }),
        { description: 'the requests that get past the conflict, as the detail names them (409 left-behind)' },
      ),
    ),
  },
  { description: 'RFC 9457 problem details (application/problem+json)' },
);

/** The error answers every authenticated route may give, and `more` of its own, for the OpenAPI document. */
export function withProblems<T extends Record<number, TSchema>>(responses: T, ...more: number[]): T & Record<number, TSchema> {
  const problems: Record<number, TSchema> = { 400: Problem, 401: Problem, 403: Problem, 429: Problem, 503: Problem };
  for (const status of more) problems[status] = Problem;
  return { ...problems, ...responses };
}

/** A JSON object whose properties are documented but not all listed: the serializer keeps every field. */
export function OpenObject(properties: Record<string, TSchema>, description?: string): TSchema {
  return Type.Object(properties, { additionalProperties: true, ...(description ? { description } : {}) });
}
