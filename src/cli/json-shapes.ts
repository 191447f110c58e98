import type { Role } from '../access/roles.js';
import type { TokenInfo } from '../access/tokens.js';
import { isoTime } from './format.js';

/**
 * The stable JSON shapes of what the CLI prints with --json, which the HTTP API answers
 * too: one shape per thing, whichever front door shows it.
 */

/** A token, without its secret. */
export function tokenJson(token: TokenInfo): { name: string; role: Role; lists: string[] | null; expiresAt: string | null } {
  return { name: token.name, role: token.role, lists: token.lists, expiresAt: isoTime(token.expiresAt) };
}

