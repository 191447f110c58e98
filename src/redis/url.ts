/** Where a Redis URL comes from, for messages: the global flag and its variable. */
export const REDIS_URL_SETTING = '--redis (REDIS_URL)';

const EXAMPLE = 'redis://127.0.0.1:6379';
const MAX_PORT = 65_535;

/**
 * Why `text` cannot be used as a Redis URL, or undefined when it can. The answer names
 * the cause people meet (a port out of range, a missing scheme) instead of the URL
 * parser's bare "Invalid URL", and quotes the URL with any password masked.
 */
export function redisUrlProblem(text: string): string | undefined {
  const quoted = `"${maskPassword(text)}"`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const port = /^[a-z]+:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#]*):([^/?#]*)/i.exec(text)?.[1];
    if (port !== undefined && !/^\d+$/.test(port)) return `${quoted} has port "${port}", which is not a number; write e.g. ${EXAMPLE}`;
    if (port !== undefined && Number(port) > MAX_PORT) return `${quoted} has port ${port}; a port is 1 to ${MAX_PORT}, e.g. ${EXAMPLE}`;
    return `${quoted} is not a URL; write e.g. ${EXAMPLE}`;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return `${quoted} must start with redis:// or rediss:// (TLS), e.g. ${EXAMPLE}`;
  }
  if (url.port === '0') return `${quoted} has port 0; a port is 1 to ${MAX_PORT}, e.g. ${EXAMPLE}`;
  return undefined;
}

/**
 * The URL with its password replaced by ***, found by its shape rather than by parsing,
 * so a URL the parser refuses is masked too.
 */
export function maskPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}
