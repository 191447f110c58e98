/**
 * Who may use the feature codes (FreePBX's *30 / *31 / *32), from one setting:
 *
 *   PJSIP/supervisor-*=30,31,32; PJSIP/1001=32; PJSIP/1002
 *
 * Entries are separated by `;` (or line breaks); each names an endpoint as Asterisk does
 * (technology/resource, the technology in any case) or a family of them with a trailing
 * `*`, and after `=` the codes it may use; without `=` all of them. An endpoint no entry
 * names may use none: listing and cancelling numbers of a do-not-call list is a
 * supervisor's decision unless the configuration says otherwise.
 */

/** *30 lists a number, *31 cancels it, *32 lists the last caller of the extension. */
export const FEATURE_CODES = ['30', '31', '32'] as const;
export type FeatureCode = (typeof FEATURE_CODES)[number];

export interface FeaturePermission {
  /** `PJSIP/1001`, or `PJSIP/agent-*` for every endpoint starting so */
  endpoint: string;
  codes: ReadonlySet<FeatureCode>;
}

export class FeaturePermissionSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeaturePermissionSyntaxError';
  }
}

/** Technology/resource, e.g. PJSIP/1001 or PJSIP/agent-*; a star only at the end. */
const ENDPOINT_PATTERN = /^[A-Za-z][A-Za-z0-9]*\/[^\s;=,*]+\*?$|^[A-Za-z][A-Za-z0-9]*\/\*$/;

export function parseFeaturePermissions(text: string): FeaturePermission[] {
  const permissions: FeaturePermission[] = [];
  for (const entry of text.split(/[;\n]/).map((part) => part.trim()).filter(Boolean)) {
    const [endpoint = '', codesText, ...rest] = entry.split('=').map((part) => part.trim());
    if (rest.length > 0 || !ENDPOINT_PATTERN.test(endpoint)) {
      throw new FeaturePermissionSyntaxError(
        `"${entry}" is not <technology>/<endpoint>[=codes], e.g. PJSIP/1001=30,31,32 or PJSIP/agent-*=32`,
      );
    }
    permissions.push({ endpoint, codes: codesText === undefined ? new Set(FEATURE_CODES) : parseCodes(codesText, entry) });
  }
  return permissions;
}

function parseCodes(text: string, entry: string): Set<FeatureCode> {
  const codes = new Set<FeatureCode>();
  for (const code of text.split(',').map((part) => part.trim().replace(/^\*/, ''))) {
    if (!(FEATURE_CODES as readonly string[]).includes(code)) {
      throw new FeaturePermissionSyntaxError(`"${entry}": "${code}" is not one of the codes ${FEATURE_CODES.join(', ')}`);
    }
    codes.add(code as FeatureCode);
  }
  return codes;
}

/** Whether `endpoint` (`PJSIP/1001`) may use `code`. */
export function mayUseFeatureCode(permissions: readonly FeaturePermission[], endpoint: string, code: FeatureCode): boolean {
  return permissions.some((permission) => permission.codes.has(code) && endpointMatches(permission.endpoint, endpoint));
}

function endpointMatches(pattern: string, endpoint: string): boolean {
  const [patternTech = '', patternName = ''] = splitEndpoint(pattern);
  const [tech = '', name = ''] = splitEndpoint(endpoint);
  if (patternTech.toLowerCase() !== tech.toLowerCase()) return false;
  return patternName.endsWith('*') ? name.startsWith(patternName.slice(0, -1)) : name === patternName;
}

function splitEndpoint(endpoint: string): [string, string] {
  const slash = endpoint.indexOf('/');
  return slash < 0 ? [endpoint, ''] : [endpoint.slice(0, slash), endpoint.slice(slash + 1)];
}

/** The setting as written back, for the start-up log line. */
export function describeFeaturePermissions(permissions: readonly FeaturePermission[]): string[] {
  return permissions.map((permission) => `${permission.endpoint}=${[...permission.codes].join(',')}`);
}
