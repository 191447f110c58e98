import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '../redis/connect.js';
import { accessKeys } from '../lists/keys.js';
import type { Principal } from './roles.js';
import { TokenStore } from './tokens.js';

/** A session id and its CSRF token: 32 random bytes each, base64url (43 characters). */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

interface StoredSession {
  /** the id of the token signed in with: the session lives only while the token does */
  tokenId: string;
  csrf: string;
  expiresAt: number;
}

export interface NewSession {
  /** goes into the cookie, and nowhere else */
  id: string;
  /** the browser sends it back in a header on every write (a cross-site form cannot) */
  csrf: string;
  expiresAt: number;
  principal: Principal;
}

export interface OpenSession {
  principal: Principal;
  csrf: string;
  expiresAt: number;
}

/**
 * Console sessions: a token exchanged once for a random session id that the browser keeps
 * in an HttpOnly cookie, so no script of the page ever holds the token. Redis keeps the
 * session under the SHA-256 of its id, with the id of its token (not the token): a revoked
 * or expired token ends its sessions at their next request.
 */
export class SessionStore {
  private readonly keys: ReturnType<typeof accessKeys>;

  constructor(
    private readonly redis: RedisClient,
    namespace: string,
    private readonly tokens: TokenStore,
    private readonly clock: () => number = Date.now,
  ) {
    this.keys = accessKeys(namespace);
  }

  /** A session for a verified token, ending after `ttlMs` or with the token, whichever is first. */
  async open(token: string, principal: Principal, ttlMs: number): Promise<NewSession> {
    const tokenId = TokenStore.idOf(token);
    if (tokenId === undefined) throw new Error('a session needs a verified callguard token');
    const now = this.clock();
    const expiresAt = Math.min(now + ttlMs, principal.expiresAt ?? Number.POSITIVE_INFINITY);
    const id = randomBytes(32).toString('base64url');
    const stored: StoredSession = { tokenId, csrf: randomBytes(32).toString('base64url'), expiresAt };
    await this.redis.set(this.keys.session(sha256(id)), JSON.stringify(stored), 'PX', Math.max(1, expiresAt - now));
    return { id, csrf: stored.csrf, expiresAt, principal };
  }

  /** The session of a cookie's id while it and its token are valid. Two HGET/GET round trips. */
  async get(id: string): Promise<OpenSession | undefined> {
    if (!SECRET_PATTERN.test(id)) return undefined;
    const text = await this.redis.get(this.keys.session(sha256(id)));
    const stored = text === null ? undefined : parseStored(text);
    if (!stored || stored.expiresAt <= this.clock()) return undefined;
    const principal = await this.tokens.principalById(stored.tokenId);
    return principal ? { principal, csrf: stored.csrf, expiresAt: stored.expiresAt } : undefined;
  }

  async close(id: string): Promise<void> {
    if (SECRET_PATTERN.test(id)) await this.redis.del(this.keys.session(sha256(id)));
  }
}

/** Whether a presented CSRF token is the session's, compared in constant time. */
export function csrfMatches(session: OpenSession, presented: string | undefined): boolean {
  if (presented === undefined || !SECRET_PATTERN.test(presented)) return false;
  return timingSafeEqual(Buffer.from(presented), Buffer.from(session.csrf));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function parseStored(text: string): StoredSession | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not written by callguard: it opens no session.
    return undefined;
  }
  const raw = value as Partial<StoredSession> | null;
  if (typeof raw?.tokenId !== 'string' || typeof raw.csrf !== 'string' || !SECRET_PATTERN.test(raw.csrf) || typeof raw.expiresAt !== 'number') return undefined;
  return { tokenId: raw.tokenId, csrf: raw.csrf, expiresAt: raw.expiresAt };
}
