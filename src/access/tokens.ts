import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '../redis/connect.js';
import { accessKeys, LIST_NAME_PATTERN } from '../lists/keys.js';
import { isRole, type Principal, type Role } from './roles.js';

/** Token names follow the list-name rule: they appear in audit entries and log lines. */
export const TOKEN_NAME_PATTERN = LIST_NAME_PATTERN;

/**
 * `cg_<id>_<secret>`: the id (8 random bytes, hex) finds the stored token in one HGET,
 * the secret (32 random bytes, base64url) is what proves it. 256 bits of secret make a
 * fast hash (SHA-256) enough: nothing to brute-force, unlike a password.
 */
const TOKEN_PATTERN = /^cg_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface TokenInfo {
  name: string;
  role: Role;
  /** the lists it may touch; null: every list */
  lists: string[] | null;
  /** ms since epoch; null: never */
  expiresAt: number | null;
  createdAt: number;
  createdBy: string;
}

interface StoredToken extends TokenInfo {
  id: string;
  /** SHA-256 of the whole token, hex */
  hash: string;
}

export class TokenError extends Error {
  constructor(
    message: string,
    readonly code: 'exists' | 'missing' | 'invalid',
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

export interface NewToken {
  name: string;
  role: Role;
  lists?: string[] | null;
  expiresAt?: number | null;
  createdBy: string;
}

/** Why a presented token does not authenticate; never shown to the client. */
export type Verification = { ok: true; principal: Principal } | { ok: false; reason: string };

/**
 * API tokens in Redis (keys.ts accessKeys). Only a hash of each token is stored; a
 * presented token is compared with it in constant time.
 */
export class TokenStore {
  private readonly keys: ReturnType<typeof accessKeys>;

  constructor(
    private readonly redis: RedisClient,
    namespace: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.keys = accessKeys(namespace);
  }

  /** Creates a token and returns it with its secret: the only time the secret is seen. */
  async create(input: NewToken): Promise<TokenInfo & { token: string }> {
    if (!TOKEN_NAME_PATTERN.test(input.name)) {
      throw new TokenError(
        `"${input.name}" is not a token name: 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit`,
        'invalid',
      );
    }
    const now = this.clock();
    if (input.expiresAt !== undefined && input.expiresAt !== null && input.expiresAt <= now) {
      throw new TokenError(`the expiry ${new Date(input.expiresAt).toISOString()} is in the past`, 'invalid');
    }
    const id = randomBytes(8).toString('hex');
    const token = `cg_${id}_${randomBytes(32).toString('base64url')}`;
    const stored: StoredToken = {
      name: input.name,
      role: input.role,
      lists: input.lists && input.lists.length > 0 ? [...new Set(input.lists)] : null,
      expiresAt: input.expiresAt ?? null,
      createdAt: now,
      createdBy: input.createdBy,
      id,
      hash: sha256(token),
    };
    if ((await this.redis.hsetnx(this.keys.names, input.name, id)) === 0) {
      throw new TokenError(`a token named ${input.name} exists already (revoke it first)`, 'exists');
    }
    await this.redis.hset(this.keys.tokens, id, JSON.stringify(stored));
    return { ...infoOf(stored), token };
  }

  /** Every token, by name, without secrets or hashes. */
  async list(): Promise<TokenInfo[]> {
    const all = await this.redis.hgetall(this.keys.tokens);
    return Object.values(all)
      .map((text) => parseStored(text))
      .filter((stored): stored is StoredToken => stored !== undefined)
      .map(infoOf)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async revoke(name: string): Promise<void> {
    const id = await this.redis.hget(this.keys.names, name);
    if (id === null) throw new TokenError(`no token named ${name}`, 'missing');
    await this.redis.multi().hdel(this.keys.tokens, id).hdel(this.keys.names, name).exec();
  }

  /** The principal of a presented token. One HGET; rejects only when Redis fails. */
  async verify(token: string): Promise<Verification> {
    const parts = TOKEN_PATTERN.exec(token);
    if (!parts) return { ok: false, reason: 'not a callguard token' };
    const text = await this.redis.hget(this.keys.tokens, parts[1] as string);
    const stored = text === null ? undefined : parseStored(text);
    if (!stored) return { ok: false, reason: 'unknown token' };
    const presented = Buffer.from(sha256(token), 'hex');
    const expected = Buffer.from(stored.hash, 'hex');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      return { ok: false, reason: 'wrong secret' };
    }
    if (stored.expiresAt !== null && stored.expiresAt <= this.clock()) return { ok: false, reason: 'expired' };
    return { ok: true, principal: { name: stored.name, role: stored.role, lists: stored.lists, expiresAt: stored.expiresAt } };
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function infoOf(stored: StoredToken): TokenInfo {
  return {
    name: stored.name,
    role: stored.role,
    lists: stored.lists,
    expiresAt: stored.expiresAt,
    createdAt: stored.createdAt,
    createdBy: stored.createdBy,
  };
}

/** A stored token, or undefined when the entry is not one callguard wrote (skipped, never trusted). */
function parseStored(text: string): StoredToken | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A hand-edited entry that is not JSON authenticates nobody.
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const raw = value as Record<string, unknown>;
  if (typeof raw.name !== 'string' || !isRole(raw.role) || typeof raw.hash !== 'string' || typeof raw.id !== 'string') return undefined;
  // A scope that cannot be read must never widen to "every list".
  const scoped = Array.isArray(raw.lists) && raw.lists.every((list) => typeof list === 'string');
  if (!scoped && raw.lists !== null) return undefined;
  const lists = scoped ? (raw.lists as string[]) : null;
  return {
    name: raw.name,
    role: raw.role,
    lists,
    expiresAt: typeof raw.expiresAt === 'number' ? raw.expiresAt : null,
    createdAt: typeof raw.createdAt === 'number' ? raw.createdAt : 0,
    createdBy: typeof raw.createdBy === 'string' ? raw.createdBy : '',
    id: raw.id,
    hash: raw.hash,
  };
}
