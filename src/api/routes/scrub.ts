import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Type } from 'typebox';
import { parseColumnSpec } from '../../lists/import/columns.js';
import { noSuchList } from '../../lists/names.js';
import type { ApiApp, ApiContext } from '../context.js';
import { actorOf, parsed, regionOf, requireScope } from '../input.js';
import { ApiProblem, invalid, notFound } from '../problem.js';
import { SCRUB_FILES } from '../scrub-jobs.js';
import { NAME_PATTERN, OpenObject, withProblems } from '../schemas.js';
import { FILE_NAME_PATTERN, UPLOAD_CONTENT_TYPES, isStream, spool, tooLarge } from './imports.js';

/** A list name inside a comma-separated query value. */
const ONE_NAME = NAME_PATTERN.slice(1, -1);
/** As many lists as a check may name. */
const MAX_SCRUB_LISTS = 100;

const ScrubJobShape = OpenObject(
  {
    id: Type.String(),
    lists: Type.Array(Type.String()),
    source: Type.String(),
    region: Type.Union([Type.String(), Type.Null()], { description: "the region national numbers are read with: the one asked, else the API's --region; null: none, so a national number is rejected" }),
    status: Type.String({ description: 'running; done, interrupted (the API stopped), or failed (a list missing or damaged, a broken file: no file is offered)' }),
    progress: OpenObject({ rows: Type.Integer(), bytesRead: Type.Integer() }),
    summary: Type.Union([OpenObject({}), Type.Null()]),
    error: Type.Union([OpenObject({}), Type.Null()]),
    files: Type.Union([OpenObject({ clean: Type.String(), removed: Type.String(), rejects: Type.String() }), Type.Null()]),
  },
  'a scrub job: progress while it runs, the summary of callguard scrub and the links of its files when done',
);

const ScrubQuery = Type.Object(
  {
    lists: Type.String({ pattern: `^${ONE_NAME}(,${ONE_NAME})*$`, description: 'the do-not-call lists, in order: a,b (the first that matches is named)' }),
    region: Type.Optional(Type.String({ maxLength: 8 })),
    column: Type.Optional(Type.String({ maxLength: 100, description: 'the number column: position from 1, or header name' })),
    filename: Type.Optional(Type.String({ maxLength: 200, description: 'what the summary calls the file' })),
  },
  { additionalProperties: false },
);
const JobParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$' }) });

const listsOf = (request: { query: unknown }): string[] => [...new Set((request.query as { lists: string }).lists.split(','))];

/** `callguard scrub` as an upload that becomes a job, the job, and its clean, removed and rejects files. */
export async function registerScrub(app: ApiApp, context: ApiContext): Promise<void> {
  const { scrubs, lists: store, config } = context;

  await app.register(async (uploads: ApiApp) => {
    uploads.addContentTypeParser(UPLOAD_CONTENT_TYPES, (_request, payload, done) => done(null, payload));
    uploads.post(
      '/v1/scrub',
      {
        config: { access: { role: 'operator', scope: listsOf } },
        bodyLimit: config.uploadLimitBytes,
        schema: {
          tags: ['import and export'],
          description:
            'a lead file as the body (CSV with any columns, or one number a line; gzip or zip) split as callguard scrub splits it: rows on none of the lists, rows on one (with the list and entry), rows without a number. Answers 202 with the job once the upload is in; GET /v1/scrubs/{id} follows it',
          querystring: ScrubQuery,
          response: withProblems({ 202: Type.Object({ job: ScrubJobShape }) }, 404, 413, 415, 422),
        },
      },
      async (request, reply) => {
        const { query } = request;
        const lists = listsOf(request);
        if (lists.length > MAX_SCRUB_LISTS) throw invalid('query/lists', query.lists, `at most ${MAX_SCRUB_LISTS} lists`);
        const region = regionOf(query.region, 'query/region', config.defaultRegion);
        const column = query.column === undefined ? undefined : parsed('query/column', query.column, (text) => parseColumnSpec(text, 'column'));
        const filename = query.filename ?? 'upload';
        if (!FILE_NAME_PATTERN.test(filename)) throw invalid('query/filename', filename, 'a file name: printable, without / or \\');
        for (const list of lists) if (!(await store.hasList(list))) throw noSuchList(list);
        const declared = Number(request.headers['content-length']);
        if (Number.isFinite(declared) && declared > config.uploadLimitBytes) throw tooLarge(config.uploadLimitBytes);
        if (!isStream(request.body)) throw new ApiProblem(415, 'unsupported-media-type', `send the file as the body, typed ${UPLOAD_CONTENT_TYPES.slice(0, 3).join(', ')}`);

        const id = scrubs.newId();
        const upload = scrubs.pathOf(id, 'upload');
        await spool(request.body, upload, config.uploadLimitBytes).catch(async (error: unknown) => {
          await rm(upload, { force: true });
          throw error;
        });
        const job = await scrubs.start(id, filename, {
          lists, by: actorOf(request).by, ...(region === undefined ? {} : { region }), ...(column === undefined ? {} : { column }),
        });
        return reply.code(202).header('location', `/v1/scrubs/${job.id}`).send({ job });
      },
    );
  });

  const jobOf = async (id: string, request: Parameters<typeof requireScope>[0]) => {
    const job = await scrubs.get(id);
    if (!job) throw notFound(`no scrub job ${id} (jobs are kept for a day)`);
    requireScope(request, job.lists);
    return job;
  };

  app.get(
    '/v1/scrubs/:id',
    {
      config: { access: { role: 'operator' } },
      schema: { tags: ['import and export'], description: 'a scrub job: progress (rows read), the summary (clean, removed by list, rejected) and its files when done', params: JobParams, response: withProblems({ 200: Type.Object({ job: ScrubJobShape }) }, 404) },
    },
    async (request) => ({ job: await jobOf(request.params.id, request) }),
  );

  app.get(
    '/v1/scrubs/:id/:file',
    {
      config: { access: { role: 'operator' } },
      schema: {
        tags: ['import and export'],
        description: 'a file of a finished scrub job: clean (the rows on no list), removed (with callguard_list and callguard_entry), rejects (line,raw,reason; of a zip line,raw,reason,member, each line counted by its member); kept by the API instance that ran the job',
        params: Type.Object({ id: JobParams.properties.id, file: Type.Union(SCRUB_FILES.map((file) => Type.Literal(file))) }),
        response: withProblems({ 200: Type.String() }, 404),
      },
    },
    async (request, reply) => {
      const { id, file } = request.params;
      const job = await jobOf(id, request);
      const path = scrubs.pathOf(job.id, file);
      if (job.files === null) throw notFound(`scrub job ${job.id} has no files: it is ${job.status}`);
      if (!(await stat(path).catch(() => undefined))) throw notFound(`the files of scrub job ${job.id} are kept by the API instance that ran it, or were removed after a day`);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="scrub-${job.id}-${file}.csv"`).send(createReadStream(path));
    },
  );
}
