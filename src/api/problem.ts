import { InvalidArgumentError } from 'commander';
import type { FastifyError } from 'fastify';
import { TokenError } from '../access/tokens.js';
import { CliError, EXIT_USAGE } from '../front-door/errors.js';
import { BrokenFileError } from '../lists/import/broken-file.js';
import { ColumnError } from '../lists/import/columns.js';
import { NeedsRegionError } from '../lists/import/needs-region.js';
import { ImportError } from '../lists/import/run.js';
import { ReplaceBusyError, ReplaceLeaseLostError } from '../lists/import/replace-lease.js';
import { LeftBehindError } from '../lists/left-behind.js';
import { ListError } from '../lists/types.js';
import { ActionSyntaxError } from '../screening/actions.js';
import { CampaignSyntaxError } from '../screening/campaign-syntax.js';
import { CampaignError } from '../screening/campaigns.js';
import { RouteChangeError } from '../screening/route.js';
import { RouteError } from '../screening/routes.js';
import { WebhookError } from '../webhooks/store.js';

/**
 * Every error the API answers is an RFC 9457 problem (application/problem+json), made
 * here and nowhere else. Statuses carry the CLI's exit-code meanings: bad input 400 (not
 * readable as asked: JSON, types, missing fields) or 422 (readable but invalid: a number,
 * a time, a name), missing 404, exists already 409, Redis unreachable 503.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** One bad field: where (`body/numbers/1`, `query/region`), the value as sent, and why. */
export interface FieldProblem {
  field: string;
  value?: unknown;
  reason: string;
}

/**
 * A request that would get past a conflict, as the problem names it in words: a front
 * door (the console) offers it as a button instead of reading the words.
 */
export interface WayOut {
  /** `create`: a create that reads what is left; `remove-left-behind`: removes what is left */
  way: 'create' | 'remove-left-behind';
  method: 'POST' | 'DELETE';
  path: string;
  body?: Record<string, string>;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** the request path (never its query, which may hold a token) */
  instance: string;
  requestId: string;
  errors?: FieldProblem[];
  waysOut?: WayOut[];
}

/** Longest value echoed back in a problem: enough to recognise it, never a whole huge body. */
const MAX_ECHOED_LENGTH = 200;

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** An error a handler throws on purpose, with the status and the fields at fault. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    detail: string,
    readonly errors?: FieldProblem[],
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }
}

export function notFound(detail: string): ApiProblem {
  return new ApiProblem(404, 'not-found', detail);
}

export function invalid(field: string, value: unknown, reason: string): ApiProblem {
  return new ApiProblem(422, 'invalid-value', `${field}: ${reason}`, [{ field, value, reason }]);
}

interface Mapped {
  status: number;
  slug: string;
  detail: string;
  errors?: FieldProblem[];
  waysOut?: WayOut[];
}

export interface ProblemContext {
  requestId: string;
  path: string;
  /** the parsed request parts, to echo the value a validation error is about */
  request: { body?: unknown; query?: unknown; params?: unknown; headers?: unknown };
  /** true when the error is Redis being unreachable or gone */
  redisDown: (error: unknown) => boolean;
}

/** The problem for any error thrown while handling a request. Unknown errors are 500s (and get logged). */
export function problemFor(error: unknown, context: ProblemContext): ProblemBody {
  const mapped = mapError(error, context);
  const body: ProblemBody = {
    type: `urn:callguard:problem:${mapped.slug}`,
    title: TITLES[mapped.status] ?? 'Error',
    status: mapped.status,
    detail: mapped.detail,
    instance: context.path,
    requestId: context.requestId,
  };
  if (mapped.errors && mapped.errors.length > 0) body.errors = mapped.errors.map(echoSafely);
  if (mapped.waysOut) body.waysOut = mapped.waysOut;
  return body;
}

/** A problem that is not an error: 401, 403, 404 of an unknown route. */
export function problemOfStatus(status: number, slug: string, detail: string, context: Omit<ProblemContext, 'request' | 'redisDown'>): ProblemBody {
  return {
    type: `urn:callguard:problem:${slug}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance: context.path,
    requestId: context.requestId,
  };
}

function mapError(error: unknown, context: ProblemContext): Mapped {
  if (error instanceof ApiProblem) {
    return { status: error.status, slug: error.slug, detail: error.message, ...(error.errors ? { errors: error.errors } : {}) };
  }
  const fastify = error as Partial<FastifyError> & { validation?: ValidationEntry[]; validationContext?: string };
  if (Array.isArray(fastify.validation)) return validationProblem(fastify.validation, fastify.validationContext, context);
  // Fastify's own errors (body too large, bad media type) may be RangeErrors too: theirs first.
  if (typeof fastify.code === 'string' && fastify.code.startsWith('FST_') && typeof fastify.statusCode === 'number' && fastify.statusCode < 500) {
    return { status: fastify.statusCode, slug: slugOfFastifyCode(fastify.code, fastify.statusCode), detail: fastifyDetail(fastify, fastify.statusCode) };
  }
  if (error instanceof ListError) {
    if (error.code === 'no-such-list' || error.code === 'not-listed') return { status: 404, slug: 'not-found', detail: error.message };
    if (error.code === 'list-exists') return { status: 409, slug: 'exists', detail: error.message };
    // A create over what a lost list left behind, refused: a conflict with the keys there, not a bad value.
    if (error instanceof LeftBehindError && error.list !== undefined) return { status: 409, slug: 'left-behind', detail: error.message, waysOut: waysOutOfLeftBehind(error.list, error) };
    if (error.code === 'left-behind') return { status: 409, slug: 'left-behind', detail: error.message };
    // The list's state, not the request: its keys lost entries outside callguard (a client
    // told 422 would take its own input for wrong).
    if (error.code === 'entries-lost') return { status: 409, slug: 'entries-lost', detail: error.message };
    return { status: 422, slug: 'invalid-value', detail: error.message };
  }
  // The list's state, not the request: the same upload succeeds once the other replace has ended.
  if (error instanceof ReplaceBusyError || error instanceof ReplaceLeaseLostError) return { status: 409, slug: 'replace-running', detail: error.message };
  if (error instanceof TokenError || error instanceof WebhookError) {
    const status = error.code === 'exists' ? 409 : error.code === 'missing' ? 404 : 422;
    return { status, slug: status === 409 ? 'exists' : status === 404 ? 'not-found' : 'invalid-value', detail: error.message };
  }
  if (
    error instanceof InvalidArgumentError ||
    (error instanceof CliError && error.exitCode === EXIT_USAGE) ||
    error instanceof RouteChangeError ||
    error instanceof RouteError ||
    error instanceof CampaignSyntaxError ||
    error instanceof CampaignError ||
    error instanceof ActionSyntaxError ||
    error instanceof ColumnError ||
    error instanceof BrokenFileError ||
    error instanceof ImportError ||
    error instanceof NeedsRegionError ||
    error instanceof RangeError
  ) {
    return { status: 422, slug: 'invalid-value', detail: error.message };
  }
  const status = typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500 ? fastify.statusCode : 500;
  if (status !== 500) return { status, slug: slugOfFastifyCode(fastify.code, status), detail: fastifyDetail(fastify, status) };
  if (context.redisDown(error)) {
    return { status: 503, slug: 'redis-unavailable', detail: 'Redis cannot be reached; try again once it is back (GET /readyz tells)' };
  }
  return { status, slug: 'internal', detail: 'unexpected error; the request id finds it in the log' };
}

/** The ways out the refusal names: each create that reads what is left, then the removal of it. */
function waysOutOfLeftBehind(list: string, error: LeftBehindError): WayOut[] {
  return [
    ...error.creates.map((create): WayOut => ({ way: 'create', method: 'POST', path: '/v1/lists', body: { name: list, ...create } })),
    { way: 'remove-left-behind', method: 'DELETE', path: `/v1/lists/${list}?leftBehind=true` },
  ];
}

interface ValidationEntry {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** Schema failures: each names its field (`body/number`) and the value sent there. */
function validationProblem(entries: ValidationEntry[], where: string | undefined, context: ProblemContext): Mapped {
  const part = where ?? 'body';
  const root = rootOf(part, context.request);
  const errors = entries.map((entry): FieldProblem => {
    const missing = entry.keyword === 'required' ? String(entry.params.missingProperty ?? '') : undefined;
    const extra = entry.keyword === 'additionalProperties' ? String(entry.params.additionalProperty ?? '') : undefined;
    const path = `${entry.instancePath}${missing ? `/${missing}` : ''}${extra ? `/${extra}` : ''}`;
    const field = `${part}${path}`.replace(/^querystring/, 'query');
    const reason = missing ? 'is required' : extra ? 'is not a known field' : (entry.message ?? entry.keyword);
    const problem: FieldProblem = { field, reason };
    if (!missing) {
      const value = valueAt(root, path);
      if (value !== undefined) problem.value = value;
    }
    return problem;
  });
  const first = errors[0];
  const detail = first ? `${first.field} ${first.reason}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}` : 'the request is not valid';
  return { status: 400, slug: 'invalid-request', detail, errors };
}

function rootOf(part: string, request: ProblemContext['request']): unknown {
  if (part === 'querystring') return request.query;
  if (part === 'params') return request.params;
  if (part === 'headers') return request.headers;
  return request.body;
}

/** The value at a JSON pointer (`/numbers/1`), or undefined. */
function valueAt(root: unknown, pointer: string): unknown {
  let at: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function echoSafely(problem: FieldProblem): FieldProblem {
  if (problem.value === undefined) return problem;
  const text = typeof problem.value === 'string' ? problem.value : JSON.stringify(problem.value);
  if (text === undefined || text.length <= MAX_ECHOED_LENGTH) return problem;
  return { ...problem, value: `${text.slice(0, MAX_ECHOED_LENGTH)}… (${text.length} characters)` };
}

function slugOfFastifyCode(code: string | undefined, status: number): string {
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) return 'too-large';
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) return 'unsupported-media-type';
  if (status === 429) return 'rate-limited';
  if (status === 404) return 'not-found';
  return 'invalid-request';
}

function fastifyDetail(error: Partial<FastifyError>, status: number): string {
  if (status === 413) return 'the request body is larger than this API accepts';
  if (status === 415) return 'this content type is not accepted here (JSON: application/json; imports: text/csv, text/plain, application/gzip)';
  if (error instanceof SyntaxError) return `the body is not valid JSON: ${error.message}`;
  return error.message ?? 'the request is not valid';
}
