/**
 * What a token may do. Each role includes the one before it:
 *   viewer      check, show, report, read lists, routes and campaigns
 *   operator    + add and cancel entries, queue a call
 *   supervisor  + create, enable, disable and remove lists, import, export, routes, campaigns
 *   admin       + tokens and webhooks
 */
export const ROLES = ['viewer', 'operator', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` includes `needed`. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * Who is asking: the token's name (the audit's `by`), its role, the lists it may touch
 * (null: every list), and until when.
 */
export interface Principal {
  name: string;
  role: Role;
  lists: readonly string[] | null;
  /** ms since epoch; null: never */
  expiresAt: number | null;
}

/** True when the principal may touch every one of `lists`. */
export function inScope(principal: Principal, lists: readonly string[]): boolean {
  const scope = principal.lists;
  return scope === null || lists.every((list) => scope.includes(list));
}
