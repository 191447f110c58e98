import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfMatches, type OpenSession, type SessionStore } from '../access/sessions.js';
import type { CredentialReader } from './auth.js';
import { ApiProblem } from './problem.js';

/** The console's session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
export const SESSION_COOKIE = 'callguard_session';
/** The header a console write carries its session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
/** Methods that change nothing: no CSRF token needed. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    /** the console session the request came with, when it authenticated by cookie */
    consoleSession?: OpenSession & { id: string };
  }
}

/** One cookie's value from a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * The session cookie as a credential, read after the bearer token. A write (any method but
 * GET, HEAD, OPTIONS) must also carry the session's CSRF token in X-CSRF-Token and, when
 * the browser names an Origin, come from this API's own origin: SameSite=Strict already
 * keeps other sites' requests cookie-less, this holds even where a browser does not.
 */
export function sessionCredential(sessions: SessionStore): CredentialReader {
  return async (request) => {
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (id === undefined || id === '') return 'absent';
    const session = await sessions.get(id);
    if (!session) return 'invalid';
    if (!SAFE_METHODS.has(request.method)) {
      const header = request.headers[CSRF_HEADER];
      if (!csrfMatches(session, typeof header === 'string' ? header : undefined) || !sameOrigin(request)) throw csrfRefused();
    }
    request.consoleSession = { ...session, id };
    return session.principal;
  };
}

/** Whether the request's Origin, when it has one, is the API's own (as the browser reached it). */
export function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return origin === `${request.protocol}://${request.host}`;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string, maxAgeMs: number): void {
  // Secure where the browser came over TLS (the proxy's X-Forwarded-Proto, with --trust-proxy); on plain loopback it would not be kept.
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}${secure}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  setSessionCookie(request, reply, '', 0);
}

function csrfRefused(): ApiProblem {
  return new ApiProblem(403, 'forbidden', 'a write from a console session needs its X-CSRF-Token and this origin');
}
