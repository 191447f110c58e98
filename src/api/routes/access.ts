import { Type } from 'typebox';
import { ROLES } from '../../access/roles.js';
import { addDuration, parseDuration, parseIsoTime } from '../../front-door/duration.js';
import { isoTime } from '../../front-door/format.js';
import { tokenJson } from '../../front-door/json-shapes.js';
import { principalOf } from '../auth.js';
import type { ApiApp, ApiContext } from '../context.js';
import { invalid } from '../problem.js';
import { ListName, NAME_PATTERN, NameParams, OpenObject, withProblems } from '../schemas.js';

const Role = Type.Enum(ROLES);
const Lists = Type.Union([Type.Array(ListName, { maxItems: 1000 }), Type.Null()], { description: 'the lists it may touch; null: every list' });
const TokenShape = Type.Object({ name: Type.String(), role: Role, lists: Lists, expiresAt: Type.Union([Type.String(), Type.Null()]) });

/** Who the token is (for a console's first request), and the admin's token management. */
export function registerAccess(app: ApiApp, context: ApiContext): void {
  app.get(
    '/v1/whoami',
    {
      config: { access: { role: 'viewer' } },
      schema: { tags: ['access'], description: "this token's name, role and lists", response: withProblems({ 200: TokenShape }) },
    },
    async (request) => {
      const principal = principalOf(request);
      return { name: principal.name, role: principal.role, lists: principal.lists ? [...principal.lists] : null, expiresAt: isoTime(principal.expiresAt) };
    },
  );

  const admin = { access: { role: 'admin' as const, scope: 'installation' as const } };

  app.get(
    '/v1/tokens',
    {
      config: admin,
      schema: {
        tags: ['access'],
        description: 'every token: name, role, lists, expiry (never a secret)',
        response: withProblems({ 200: Type.Object({ tokens: Type.Array(OpenObject({ name: Type.String(), role: Role })) }) }),
      },
    },
    async () => {
      const now = Date.now();
      const tokens = await context.tokens.list();
      return {
        tokens: tokens.map((t) => ({ ...tokenJson(t), expired: t.expiresAt !== null && t.expiresAt <= now, createdAt: isoTime(t.createdAt), createdBy: t.createdBy })),
      };
    },
  );

  app.post(
    '/v1/tokens',
    {
      config: admin,
      schema: {
        tags: ['access'],
        description: 'create a token; the answer holds it, the only time it is shown',
        body: Type.Object(
          {
            name: Type.String({ pattern: NAME_PATTERN }),
            role: Role,
            lists: Type.Optional(Lists),
            expires: Type.Optional(Type.String({ description: 'stops working after this long: 30d, 90d, 1y', maxLength: 20 })),
            expiresAt: Type.Optional(Type.String({ description: 'or at this ISO 8601 time', maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 201: Type.Object({ ...TokenShape.properties, token: Type.String() }) }, 409, 422),
      },
    },
    async (request, reply) => {
      const { body } = request;
      if (body.expires !== undefined && body.expiresAt !== undefined) throw invalid('body/expiresAt', body.expiresAt, 'give expires or expiresAt, not both');
      const expiresAt = expiryOf(body.expires, body.expiresAt);
      const created = await context.tokens.create({
        name: body.name,
        role: body.role,
        lists: body.lists ?? null,
        expiresAt,
        createdBy: principalOf(request).name,
      });
      return reply.code(201).send({ ...tokenJson(created), token: created.token });
    },
  );

  app.delete(
    '/v1/tokens/:name',
    {
      config: admin,
      schema: { tags: ['access'], description: 'revoke a token', params: NameParams, response: withProblems({ 200: Type.Object({ revoked: Type.String() }) }, 404) },
    },
    async (request) => {
      await context.tokens.revoke(request.params.name);
      context.verifier.forget();
      return { revoked: request.params.name };
    },
  );
}

function expiryOf(expires: string | undefined, expiresAt: string | undefined): number | null {
  if (expires !== undefined) {
    try {
      return addDuration(Date.now(), parseDuration(expires));
    } catch (error) {
      throw invalid('body/expires', expires, error instanceof Error ? error.message : String(error));
    }
  }
  if (expiresAt !== undefined) {
    try {
      return parseIsoTime(expiresAt);
    } catch (error) {
      throw invalid('body/expiresAt', expiresAt, error instanceof Error ? error.message : String(error));
    }
  }
  return null;
}
