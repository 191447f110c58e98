/**
 * Redis' replies to a connection that did not log in: WRONGPASS (a wrong password or
 * user, Redis 6+), NOAUTH (no password given to a Redis that needs one), and the
 * "invalid password" of Redis before 6. ioredis reports them as errors of the
 * connection and then closes it, so what the caller sees is "Connection is closed".
 */
const AUTH_REPLY = /^(WRONGPASS|NOAUTH)\b|^ERR invalid password/;

export function isAuthError(error: unknown): boolean {
  return error instanceof Error && AUTH_REPLY.test(error.message);
}

/** Why Redis refused, to follow "Redis at <url>", without the password. */
export function authFailureReason(error: Error): string {
  return error.message.startsWith('NOAUTH') ? 'requires a password, and none was given' : 'refused the user name or password';
}
