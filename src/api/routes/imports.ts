import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { parseSourceDate } from '../../front-door/duration.js';
import { parseColumnSpec } from '../../lists/import/columns.js';
import { PREVIEW_MAX_BYTES, PREVIEW_ROWS, previewImport } from '../../lists/import/preview.js';
import { ReplaceLease } from '../../lists/import/replace-lease.js';
import { nationalPlanOf } from '../../lists/import/run.js';
import { exportList } from '../../lists/export.js';
import { noSuchList } from '../../lists/names.js';
import type { ApiApp, ApiContext } from '../context.js';
import { actorOf, expiryOf, parsed, regionOf, requireScope } from '../input.js';
import { ApiProblem, invalid, notFound } from '../problem.js';
import { ListParams, OpenObject, withProblems } from '../schemas.js';

/** Content types an upload may have; gzip is recognised by its bytes whatever the type says. */
export const UPLOAD_CONTENT_TYPES = ['text/csv', 'text/plain', 'application/gzip', 'application/x-gzip', 'application/octet-stream'];
/** A file name for the audit and the summary: printable, no path. */
export const FILE_NAME_PATTERN = /^[^\u0000-\u001f\u007f/\\]{1,200}$/;

const JobShape = OpenObject(
  {
    id: Type.String(),
    list: Type.String(),
    source: Type.String(),
    status: Type.String({ description: 'running; done, interrupted, broken (the file broke at a line: a replace changed nothing) or refused (a replace guard, summary.refusal: max-shrink, max-rejects, or list-changed when the entries of the list changed while the upload was read); or failed' }),
    progress: OpenObject({ rows: Type.Integer(), imported: Type.Integer(), duplicates: Type.Integer(), rejected: Type.Integer() }),
    summary: Type.Union([OpenObject({}), Type.Null()]),
    error: Type.Union([OpenObject({}), Type.Null()]),
    rejects: Type.Union([Type.String(), Type.Null()]),
  },
  'an import job: progress while it runs, the summary of callguard import when done',
);

const ImportQuery = Type.Object(
  {
    region: Type.Optional(Type.String({ maxLength: 8 })),
    column: Type.Optional(Type.String({ maxLength: 100, description: 'the number column: position from 1, or header name' })),
    expiresColumn: Type.Optional(Type.String({ maxLength: 100, description: "the column of each row's expiry" })),
    onDuplicate: Type.Optional(Type.Union([Type.Literal('skip'), Type.Literal('override')], { default: 'skip' })),
    replace: Type.Optional(Type.Boolean({ description: 'replace the whole list with the file, atomically' })),
    dryRun: Type.Optional(Type.Boolean({ description: 'read and check every row, write nothing' })),
    for: Type.Optional(Type.String({ maxLength: 16 })),
    until: Type.Optional(Type.String({ maxLength: 40 })),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
    filename: Type.Optional(Type.String({ maxLength: 200, description: 'what the audit calls the file' })),
    country: Type.Optional(Type.String({ maxLength: 2, description: 'a plain national file of this country (US, CA... or GB), read fast (docs/registries.md)' })),
    delete: Type.Optional(Type.Boolean({ description: "take the file's numbers out of the list (a deletion change list)" })),
    sourceDate: Type.Optional(Type.String({ maxLength: 40, description: "the date of the file's data (ISO 8601); default the time of the import" })),
  },
  { additionalProperties: false },
);

/** `callguard import` as an upload that becomes a job, the job's progress and rejects, and `callguard export`. */
export async function registerImports(app: ApiApp, context: ApiContext): Promise<void> {
  const { jobs, lists: store, config, bulkRedis, namespace } = context;
  const ofParam = (request: { params: unknown }) => [(request.params as { list: string }).list];

  // The upload routes get the body as the raw stream: it is spooled to disk, never held in memory.
  await app.register(async (uploads: ApiApp) => {
    uploads.addContentTypeParser(UPLOAD_CONTENT_TYPES, (_request, payload, done) => done(null, payload));
    uploads.post(
      '/v1/lists/:list/import',
      {
        config: { access: { role: 'supervisor', scope: ofParam } },
        bodyLimit: config.uploadLimitBytes,
        schema: {
          tags: ['import and export'],
          description:
            'the file as the body (text/csv, text/plain or application/gzip): one number a line, or CSV, as callguard import reads it. Answers 202 with the job once the upload is in; GET /v1/jobs/{id} follows it',
          params: ListParams,
          querystring: ImportQuery,
          response: withProblems({ 202: Type.Object({ job: JobShape }) }, 404, 409, 413, 415, 422),
        },
      },
      async (request, reply) => {
        const { query, params } = request;
        const options = {
          list: params.list,
          region: regionOf(query.region, 'query/region', config.defaultRegion),
          ...(query.column === undefined ? {} : { column: parsed('query/column', query.column, (text) => parseColumnSpec(text, 'column')) }),
          ...(query.expiresColumn === undefined ? {} : { expiresColumn: parsed('query/expiresColumn', query.expiresColumn, (text) => parseColumnSpec(text, 'expiresColumn')) }),
          expiresAt: expiryOf({ ...(query.for === undefined ? {} : { for: query.for }), ...(query.until === undefined ? {} : { until: query.until }) }, Date.now()),
          onDuplicate: query.onDuplicate ?? 'skip',
          replace: Boolean(query.replace),
          dryRun: Boolean(query.dryRun),
          actor: { ...actorOf(request, query.reason), source: 'import' },
          operation: query.delete ? ('delete' as const) : ('add' as const),
          ...(query.country === undefined ? {} : { country: parsed('query/country', query.country, (text) => nationalPlanOf(text) && text.toUpperCase()) }),
          ...(query.sourceDate === undefined ? {} : { sourceDate: parsed('query/sourceDate', query.sourceDate, (text) => parseSourceDate(text)) }),
        };
        if (options.replace && options.operation === 'delete') throw invalid('query/delete', 'true', 'a deletion file cannot replace a list: leave out replace or delete');
        if (options.country !== undefined && (query.column ?? query.expiresColumn) !== undefined) {
          throw invalid(query.column === undefined ? 'query/expiresColumn' : 'query/column', (query.column ?? query.expiresColumn) as string, 'a national file (country) is read a whole line a number: leave out the column, or country');
        }
        if (options.expiresColumn && options.expiresAt !== undefined) throw invalid('query/expiresColumn', query.expiresColumn, 'give expiresColumn or for/until, not both');
        const filename = query.filename ?? 'upload';
        if (!FILE_NAME_PATTERN.test(filename)) throw invalid('query/filename', filename, 'a file name: printable, without / or \\');
        if (!(await store.hasList(params.list))) throw noSuchList(params.list);
        if (options.replace && !options.dryRun) await ReplaceLease.assertFree(bulkRedis, namespace, params.list);
        const declared = Number(request.headers['content-length']);
        if (Number.isFinite(declared) && declared > config.uploadLimitBytes) throw tooLarge(config.uploadLimitBytes);

        if (!isStream(request.body)) throw new ApiProblem(415, 'unsupported-media-type', `send the file as the body, typed ${UPLOAD_CONTENT_TYPES.slice(0, 3).join(', ')}`);
        const upload = jobs.newUpload();
        await spool(request.body, upload.path, config.uploadLimitBytes).catch(async (error: unknown) => {
          await rm(upload.path, { force: true });
          throw error;
        });
        const job = await jobs.start(upload.id, upload.path, filename, options);
        return reply.code(202).header('location', `/v1/jobs/${job.id}`).send({ job });
      },
    );

    uploads.post(
      '/v1/lists/:list/import/preview',
      {
        config: { access: { role: 'supervisor', scope: ofParam } },
        bodyLimit: PREVIEW_MAX_BYTES,
        schema: {
          tags: ['import and export'],
          description: `the start of a file (up to ${PREVIEW_MAX_BYTES} bytes, gzip too) read as an import would read it, writing nothing: the delimiter, the header, the number column, and the first ${PREVIEW_ROWS} rows each with what it would be stored as or why it would be rejected`,
          params: ListParams,
          querystring: Type.Object(
            {
              region: ImportQuery.properties.region,
              column: ImportQuery.properties.column,
              expiresColumn: ImportQuery.properties.expiresColumn,
              for: ImportQuery.properties.for,
              until: ImportQuery.properties.until,
              partial: Type.Optional(Type.Boolean({ description: 'the body is only the start of the file: its last, cut line is left out' })),
            },
            { additionalProperties: false },
          ),
          response: withProblems(
            {
              200: Type.Object({
                gzip: Type.Boolean(),
                delimiter: Type.Union([Type.String(), Type.Null()], { description: 'comma, semicolon, tab, or null: one number a line' }),
                header: Type.Union([Type.Array(Type.String()), Type.Null()]),
                numberColumn: Type.Integer(),
                expiresColumn: Type.Union([Type.Integer(), Type.Null()]),
                rows: Type.Array(OpenObject({ line: Type.Integer(), cells: Type.Array(Type.String()), member: Type.Union([Type.String(), Type.Null()]), reason: Type.Union([Type.String(), Type.Null()]) })),
              }),
            },
            404,
            413,
            415,
            422,
          ),
        },
      },
      async (request) => {
        const { query, params } = request;
        const now = Date.now();
        const region = regionOf(query.region, 'query/region', config.defaultRegion);
        const expiresAt = expiryOf({ ...(query.for === undefined ? {} : { for: query.for }), ...(query.until === undefined ? {} : { until: query.until }) }, now);
        if (!(await store.hasList(params.list))) throw noSuchList(params.list);
        if (!isStream(request.body)) throw new ApiProblem(415, 'unsupported-media-type', `send the start of the file as the body, typed ${UPLOAD_CONTENT_TYPES.slice(0, 3).join(', ')}`);
        const start = await readAtMost(request.body, PREVIEW_MAX_BYTES);
        const preview = await previewImport(start, {
          ...(region === undefined ? {} : { region }),
          ...(query.column === undefined ? {} : { column: parsed('query/column', query.column, (text) => parseColumnSpec(text, 'column')) }),
          ...(query.expiresColumn === undefined ? {} : { expiresColumn: parsed('query/expiresColumn', query.expiresColumn, (text) => parseColumnSpec(text, 'expiresColumn')) }),
          expiryGiven: expiresAt !== undefined,
          partial: Boolean(query.partial),
          now,
        });
        return { ...preview, delimiter: DELIMITER_NAMES[preview.delimiter ?? ''] ?? null };
      },
    );
  });

  const jobOf = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const job = await jobs.get(request.params.id);
    if (!job) throw notFound(`no job ${request.params.id} (jobs are kept for a day)`);
    requireScope(request, [job.list]);
    return job;
  };
  const JobParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$' }) });

  app.get(
    '/v1/jobs/:id',
    {
      config: { access: { role: 'viewer' } },
      schema: { tags: ['import and export'], description: 'an import job: progress (rows read, imported, duplicates, rejected), and the summary at the end', params: JobParams, response: withProblems({ 200: Type.Object({ job: JobShape }) }, 404) },
    },
    async (request) => ({ job: await jobOf(request) }),
  );

  app.get(
    '/v1/jobs/:id/rejects',
    {
      config: { access: { role: 'viewer' } },
      schema: { tags: ['import and export'], description: 'the rejected rows of a job as CSV: line,raw,reason, of a zip line,raw,reason,member with the line counted by its member (kept by the API instance that ran the job)', params: JobParams, response: withProblems({ 200: Type.String() }, 404) },
    },
    async (request, reply) => {
      const job = await jobOf(request);
      const path = jobs.rejectsPath(job.id);
      if (job.rejects === null || !(await stat(path).catch(() => undefined))) {
        throw notFound(job.rejects === null ? `job ${job.id} has no rejects (yet)` : `the rejects of job ${job.id} are kept by the API instance that ran it, or were removed after a day`);
      }
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${job.list}-rejects.csv"`).send(createReadStream(path));
    },
  );

  app.get(
    '/v1/lists/:list/export',
    {
      config: { access: { role: 'supervisor', scope: ofParam } },
      schema: {
        tags: ['import and export'],
        description:
          'the list as CSV (number,expires,reason,by,added), streamed, as callguard export writes it (formula-safe); gzip=true gives a .csv.gz file, Accept-Encoding: gzip a compressed transfer',
        params: ListParams,
        querystring: Type.Object({ gzip: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: withProblems({ 200: Type.String() }, 404),
      },
    },
    async (request, reply) => {
      const { list } = request.params;
      if (!(await store.hasList(list))) throw noSuchList(list);
      const csv = new PassThrough();
      exportList(bulkRedis, namespace, list, csv).then(
        () => csv.end(),
        (error: unknown) => {
          request.log.error({ err: error, list }, 'export failed mid-stream');
          csv.destroy(error instanceof Error ? error : new Error(String(error)));
        },
      );
      const asFile = Boolean(request.query.gzip);
      const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
      reply.header('content-disposition', `attachment; filename="${list}.csv${asFile ? '.gz' : ''}"`);
      if (asFile) return reply.type('application/gzip').send(csv.pipe(createGzip()));
      reply.type('text/csv; charset=utf-8');
      if (acceptsGzip) return reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(csv.pipe(createGzip()));
      return reply.send(csv);
    },
  );
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

/** The body's bytes, refusing it (413) past `limit`. */
async function readAtMost(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) throw new ApiProblem(413, 'too-large', `a preview reads at most the first ${limit} bytes of a file`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Writes the upload to `path`, refusing it (413) past `limit` bytes. */
export async function spool(body: Readable, path: string, limit: number): Promise<void> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(bytes > limit ? tooLarge(limit) : null, chunk);
    },
  });
  await pipeline(body, counter, createWriteStream(path, { flags: 'wx' }));
}

export function tooLarge(limit: number): ApiProblem {
  return new ApiProblem(413, 'too-large', `the upload is larger than ${limit} bytes (--upload-limit)`);
}

export function isStream(body: unknown): body is Readable {
  return typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function';
}
