/** The console's one way to the API: same-origin JSON, the session's CSRF token on every write, problems as errors. */

export interface FieldProblem {
  field: string;
  value?: unknown;
  reason: string;
}

/** A request the API names as the way past a conflict (a create refused over what a lost list left behind). */
export interface WayOut {
  way: 'create' | 'remove-left-behind';
  method: string;
  path: string;
  body?: Record<string, string>;
}

export interface Problem {
  status: number;
  title: string;
  detail: string;
  errors?: FieldProblem[];
  waysOut?: WayOut[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'ApiError';
  }
}

export type Role = 'viewer' | 'operator' | 'supervisor' | 'admin';
const ROLES: Role[] = ['viewer', 'operator', 'supervisor', 'admin'];

export interface Session {
  name: string;
  role: Role;
  lists: string[] | null;
  expiresAt: string | null;
  csrfToken: string | null;
  /** the region the API reads national numbers with when a request names none; null: none */
  defaultRegion: string | null;
}

/** What an empty region field means, for its placeholder: the API's default, named. */
export function defaultRegionText(session: Pick<Session, 'defaultRegion'>): string {
  return session.defaultRegion === null ? 'none: the API has no default' : `the API's default, ${session.defaultRegion}`;
}

/** Whether the signed-in role includes `needed` (the API checks it again on every request). */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

let csrfToken: string | null = null;
let onSignedOut: () => void = () => undefined;

export function useSession(session: Session | null, signedOut: () => void): void {
  csrfToken = session?.csrfToken ?? null;
  onSignedOut = signedOut;
}

/** The problem a refused answer carries, in the API's words. */
export async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (typeof body.detail === 'string') {
      return { status: response.status, title: body.title ?? response.statusText, detail: body.detail, ...(body.errors ? { errors: body.errors } : {}), ...(body.waysOut ? { waysOut: body.waysOut } : {}) };
    }
  } catch {
    // A proxy's HTML error page: the status says enough.
  }
  return { status: response.status, title: response.statusText, detail: `${response.status} ${response.statusText}` };
}

/** Headers every write of the session carries. */
export function writeHeaders(): Record<string, string> {
  return csrfToken === null ? {} : { 'x-csrf-token': csrfToken };
}

export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') Object.assign(headers, writeHeaders());
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, credentials: 'same-origin', signal, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!response.ok) {
    const problem = await problemOf(response);
    if (response.status === 401 && path !== '/v1/session') onSignedOut();
    throw new ApiError(problem);
  }
  return (await response.json()) as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal);

/** A path with its query added to any it has (a path the API handed out may have one): empty values left out. */
export function withQuery(path: string, query: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${text}`;
}

export function problemOfError(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { status: 0, title: 'Network error', detail: error instanceof Error ? error.message : String(error) };
}
