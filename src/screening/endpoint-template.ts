import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * The channel a campaign originates, written as Asterisk's dial string with placeholders:
 *
 *   ${NUMBER}    the callee in E.164, with the plus: +4930123456   (alias ${E164})
 *   ${DIGITS}    E.164 without the plus: 4930123456, for trunks that want 00-less digits
 *   ${NATIONAL}  the national dialling form of the callee's own country, digits only:
 *                030123456 for +4930123456 (the trunk prefix included)
 *
 * The callee is always normalized first, so only digits and a plus ever reach the dial
 * string: a request cannot smuggle `&` or a second channel into it.
 */
export const ENDPOINT_PLACEHOLDERS = ['NUMBER', 'E164', 'DIGITS', 'NATIONAL'] as const;
export type EndpointPlaceholder = (typeof ENDPOINT_PLACEHOLDERS)[number];

const PLACEHOLDER = /\$\{([^}]*)\}/g;
/** Technology/resource, printable, no spaces (an originate endpoint is one token). */
const ENDPOINT_SHAPE = /^[A-Za-z][A-Za-z0-9_-]*\/[\x21-\x7e]+$/;
const MAX_ENDPOINT_LENGTH = 256;

/** Why a template cannot be used, or undefined when it can. */
export function invalidEndpointReason(template: string): string | undefined {
  if (template.length > MAX_ENDPOINT_LENGTH) return `longer than ${MAX_ENDPOINT_LENGTH} characters`;
  if (!ENDPOINT_SHAPE.test(template)) {
    return `"${template}" is not a dial string such as PJSIP/\${NUMBER}@trunk (Technology/resource, no spaces)`;
  }
  const names = [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
  const unknown = names.find((name) => !(ENDPOINT_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown !== undefined) {
    return `unknown placeholder \${${unknown}}; use ${ENDPOINT_PLACEHOLDERS.map((name) => `\${${name}}`).join(', ')}`;
  }
  if (names.length === 0) return `"${template}" has no \${NUMBER} (or \${DIGITS}, \${NATIONAL}) for the callee`;
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('${') || rest.includes('$')) return `"${template}" has an unterminated placeholder`;
  return undefined;
}

/** The dial string for one callee; `e164` must be a normalized E.164 number. */
export function renderEndpoint(template: string, e164: string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => placeholderValue(name as EndpointPlaceholder, e164));
}

function placeholderValue(name: EndpointPlaceholder, e164: string): string {
  switch (name) {
    case 'NUMBER':
    case 'E164':
      return e164;
    case 'DIGITS':
      return e164.slice(1);
    case 'NATIONAL':
      return nationalDigits(e164);
  }
}

function nationalDigits(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  // A number normalize() accepted always parses; the digits are the safe fallback for a range libphonenumber lacks.
  if (!parsed) return e164.slice(1);
  return parsed.formatNational().replace(/[^0-9]/g, '');
}
