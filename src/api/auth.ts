import type { FastifyRequest } from 'fastify';
import { inScope, roleAtLeast, type Principal, type Role } from '../access/roles.js';
import type { TokenStore, Verification } from '../access/tokens.js';
import { ApiProblem } from './problem.js';

/** What a route needs of the one asking; every route declares it (server.ts refuses a route without). */
export interface RouteAccess {
  /** the least role, or 'public' for health, metrics and the OpenAPI document */
  role: Role | 'public';
  /**
   * 'installation': the route spans every list (tokens, webhooks, call logs), so it needs
   * a token not limited to lists. A function: the lists this request touches, read once
   * the request is validated; each must be in the token's scope.
   */
  scope?: 'installation' | ((request: FastifyRequest) => readonly string[]);
  /** the Wombat-compatible routes also take the token as a `token` query parameter */
  queryToken?: boolean;
  /** a high-volume read (check): its request line is logged at debug, not info */
  quiet?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * One kind of credential: reads what the request presents and says who it is,
 * 'absent' when the request carries none of this kind, 'invalid' when it carries one
 * that does not authenticate. Bearer tokens today; a console's session cookie is another.
 */
export type CredentialReader = (request: FastifyRequest, access: RouteAccess) => Promise<Principal | 'absent' | 'invalid'>;

/** Verified tokens are remembered this long, so a check costs no Redis round trip for its token; a revoke takes effect within it. */
export const TOKEN_CACHE_MS = 2_000;
/** Cached verifications kept at most; past it the cache starts over (a flood of made-up tokens cannot grow it). */
const TOKEN_CACHE_MAX = 10_000;

/** TokenStore.verify with a short cache of its answers, good and bad. */
export class TokenVerifier {
  private readonly cache = new Map<string, { verification: Verification; until: number }>();

  constructor(
    private readonly tokens: TokenStore,
    private readonly clock: () => number = Date.now,
  ) {}

  async verify(token: string): Promise<Verification> {
    const now = this.clock();
    const cached = this.cache.get(token);
    if (cached && cached.until > now) return cached.verification;
    const verification = await this.tokens.verify(token);
    if (this.cache.size >= TOKEN_CACHE_MAX) this.cache.clear();
    const expiresAt = verification.ok ? verification.principal.expiresAt : null;
    this.cache.set(token, { verification, until: Math.min(now + TOKEN_CACHE_MS, expiresAt ?? Number.POSITIVE_INFINITY) });
    return verification;
  }

  /** Forgets every cached answer, so a revoke in this process applies at once. */
  forget(): void {
    this.cache.clear();
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** `Authorization: Bearer <token>`, and for routes that allow it, `?token=<token>`. */
export function tokenCredential(verifier: TokenVerifier): CredentialReader {
  return async (request, access) => {
    const header = request.headers.authorization;
    let presented: string | undefined;
    if (header !== undefined) {
      const match = BEARER.exec(header);
      if (!match) return 'invalid';
      presented = match[1];
    } else if (access.queryToken) {
      const query = request.query as Record<string, unknown> | undefined;
      if (typeof query?.token === 'string') presented = query.token;
    }
    if (presented === undefined) return 'absent';
    const verification = await verifier.verify(presented);
    return verification.ok ? verification.principal : 'invalid';
  };
}

/**
 * The one authentication hook (onRequest): who is asking, from the first credential
 * kind present, then whether the role and the installation-wide scope allow the route.
 * 401 and 403 carry the same few words whatever went wrong, so they teach a guesser nothing.
 */
export function authenticate(readers: readonly CredentialReader[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const access = accessOf(request);
    if (access.role === 'public') return;
    let principal: Principal | undefined;
    for (const read of readers) {
      const result = await read(request, access);
      if (result === 'absent') continue;
      if (result === 'invalid') throw unauthorized();
      principal = result;
      break;
    }
    if (!principal) throw unauthorized();
    request.principal = principal;
    if (!roleAtLeast(principal.role, access.role)) throw forbidden();
    if (access.scope === 'installation' && principal.lists !== null) throw forbidden();
  };
}

/** The list-scope hook (preHandler, after validation, so the lists named in a body are known). */
export async function checkScope(request: FastifyRequest): Promise<void> {
  const access = accessOf(request);
  if (typeof access.scope !== 'function' || !request.principal) return;
  if (!inScope(request.principal, access.scope(request))) throw forbidden();
}

/** The principal of an authenticated route; handlers call it for the audit's `by`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`route ${request.routeOptions.url ?? request.url} ran without a principal`);
  return request.principal;
}

export function accessOf(request: FastifyRequest): RouteAccess {
  // Unknown routes (404) have no config; treat them as needing a token, like everything not public.
  return request.routeOptions.config.access ?? { role: 'viewer' };
}

export function unauthorized(): ApiProblem {
  return new ApiProblem(401, 'unauthorized', 'a valid token is required (Authorization: Bearer <token>)');
}

export function forbidden(): ApiProblem {
  return new ApiProblem(403, 'forbidden', 'this token may not do this');
}
