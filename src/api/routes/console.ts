import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { ApiApp, ApiContext } from '../context.js';
import { notFound } from '../problem.js';

/** Content types of the files a console build holds. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
/** Bundled assets carry a content hash in their name (app-3F2A9C1B.js): cached for good. */
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z]+$/;
const FILE_NAME = /^[A-Za-z0-9._-]{1,100}$/;
/** Nothing but this origin's own files: no inline script, no other host (PBX networks are closed anyway). */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface ConsoleFile {
  body: Buffer;
  type: string;
  etag: string;
}

/**
 * The web console: the files `npm run build` bundled, read once at start and served from
 * memory (index.html at /, the rest under /console/). Only the files of the build are
 * served, by name, so no path of the machine can be asked for.
 */
export function registerConsole(app: ApiApp, context: ApiContext): void {
  const files = readConsoleFiles(context.consoleDir);
  const open = { access: { role: 'public' as const, quiet: true }, rateLimit: false };

  const send = (name: string, reply: FastifyReply, ifNoneMatch: string | undefined): FastifyReply => {
    const file = files.get(name);
    if (!file) throw notFound(name === 'index.html' ? 'the console is not built here: run npm run build' : `no console file ${name}`);
    reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('etag', file.etag)
      .header('cache-control', HASHED_NAME.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (ifNoneMatch === file.etag) return reply.code(304).send();
    return reply.type(file.type).send(file.body);
  };

  app.get(
    '/',
    { config: open, schema: { tags: ['console'], security: [], description: 'the web console (sign in with a token)', response: { 200: Type.String() } } },
    async (request, reply) => send('index.html', reply, request.headers['if-none-match']),
  );

  app.get(
    '/console/:file',
    {
      config: open,
      schema: { tags: ['console'], security: [], description: "the console's scripts and styles", params: Type.Object({ file: Type.String({ pattern: FILE_NAME.source }) }), response: { 200: Type.String() } },
    },
    async (request, reply) => send(request.params.file, reply, request.headers['if-none-match']),
  );
}

function readConsoleFiles(dir: string | undefined): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  if (dir === undefined || !existsSync(dir)) return files;
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    if (type === undefined || !FILE_NAME.test(name)) continue;
    const body = readFileSync(join(dir, name));
    files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return files;
}
