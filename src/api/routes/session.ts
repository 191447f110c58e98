import { Type } from 'typebox';
import { ROLES } from '../../access/roles.js';
import { isoTime } from '../../front-door/format.js';
import { principalOf, unauthorized } from '../auth.js';
import type { ApiApp, ApiContext } from '../context.js';
import { clearSessionCookie, sameOrigin, setSessionCookie } from '../session.js';
import { ApiProblem } from '../problem.js';
import { withProblems } from '../schemas.js';

const SessionShape = Type.Object({
  name: Type.String(),
  role: Type.Enum(ROLES),
  lists: Type.Union([Type.Array(Type.String()), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()], { description: 'when the session ends (sign in again then); for a bearer token its expiry' }),
  csrfToken: Type.Union([Type.String(), Type.Null()], { description: 'send it as X-CSRF-Token with every write of this session; null for a bearer token, which needs none' }),
  defaultRegion: Type.Union([Type.String(), Type.Null()], { description: "the region national numbers are read with when a request names none (the API's --region); null: none, and they are refused" }),
});

/** The console's sign-in: a token exchanged for a session cookie, the session itself, sign-out. */
export function registerSession(app: ApiApp, context: ApiContext): void {
  const { sessions, verifier, config } = context;

  app.post(
    '/v1/session',
    {
      // Public: the token is in the body. Only JSON is read, which a form of another site cannot send.
      config: { access: { role: 'public' } },
      schema: {
        tags: ['console session'],
        security: [],
        description: 'sign in: the token is exchanged for an HttpOnly, SameSite=Strict session cookie; the answer holds the CSRF token for writes',
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: withProblems({ 201: SessionShape }),
      },
    },
    async (request, reply) => {
      if (!sameOrigin(request)) throw new ApiProblem(403, 'forbidden', 'sign in from the console of this API (behind a proxy: --trust-proxy, so its X-Forwarded-Proto counts)');
      const verification = await verifier.verify(request.body.token);
      if (!verification.ok) throw unauthorized();
      const { principal } = verification;
      const session = await sessions.open(request.body.token, principal, config.sessionTtlMs);
      setSessionCookie(request, reply, session.id, session.expiresAt - Date.now());
      return reply.code(201).send({
        name: principal.name, role: principal.role, lists: principal.lists ? [...principal.lists] : null, expiresAt: isoTime(session.expiresAt), csrfToken: session.csrf,
        defaultRegion: config.defaultRegion ?? null,
      });
    },
  );

  app.get(
    '/v1/session',
    {
      config: { access: { role: 'viewer' } },
      schema: { tags: ['console session'], description: 'the console session of this cookie: who, until when, and its CSRF token (a page asks after a reload)', response: withProblems({ 200: SessionShape }) },
    },
    async (request) => {
      const session = request.consoleSession;
      const principal = principalOf(request);
      const lists = principal.lists ? [...principal.lists] : null;
      return {
        name: principal.name, role: principal.role, lists, expiresAt: isoTime(session ? session.expiresAt : principal.expiresAt), csrfToken: session?.csrf ?? null,
        defaultRegion: config.defaultRegion ?? null,
      };
    },
  );

  app.delete(
    '/v1/session',
    {
      config: { access: { role: 'viewer' } },
      schema: { tags: ['console session'], description: 'sign out: the session ends and its cookie is cleared', response: withProblems({ 200: Type.Object({ signedOut: Type.Boolean() }) }) },
    },
    async (request, reply) => {
      const session = request.consoleSession;
      if (session) await sessions.close(session.id);
      clearSessionCookie(request, reply);
      return { signedOut: session !== undefined };
    },
  );
}
