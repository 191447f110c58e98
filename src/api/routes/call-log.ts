import { Type } from 'typebox';
import { isoTime } from '../../front-door/format.js';
import { callJson } from '../../front-door/json-shapes.js';
import { callsPerHour, HOUR_MS, type LoggedCall } from '../../screening/call-log.js';
import { LOGGED_VERDICTS } from '../../screening/types.js';
import type { ApiApp, ApiContext } from '../context.js';
import { sinceOf } from '../input.js';
import { invalid } from '../problem.js';
import { NAME_PATTERN, OpenObject, withProblems } from '../schemas.js';

/** A comment line sent this often keeps proxies from closing a quiet feed, and finds clients gone. */
const HEARTBEAT_MS = 15_000;
/** What an EventSource waits before it reconnects (with Last-Event-ID) after the feed broke. */
const RECONNECT_MS = 2_000;
/** The longest window of the hourly counts: a month of hours. */
const MAX_HOURLY_WINDOW_MS = 31 * 24 * HOUR_MS;
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** The call log for the console: new calls as server-sent events, and counts per verdict per hour. */
export function registerCallLog(app: ApiApp, context: ApiContext): void {
  const { feed, redis, namespace } = context;
  const open = new Set<() => void>();
  // A feed never ends by itself: at a stop each is ended, so closing waits for no browser.
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get(
    '/v1/report/live',
    {
      config: { access: { role: 'viewer', scope: 'installation' } },
      schema: {
        tags: ['report'],
        description:
          'screened calls as they are logged, as server-sent events (text/event-stream): event "call", data as a call of /v1/report, id its call-log id; Last-Event-ID (or ?after=) replays the calls missed since, up to 1,000',
        querystring: Type.Object({
          after: Type.Optional(Type.String({ pattern: STREAM_ID.source, description: 'a call-log id: start after it (what Last-Event-ID does)' })),
          verdict: Type.Optional(Type.Enum(LOGGED_VERDICTS)),
          route: Type.Optional(Type.String({ pattern: NAME_PATTERN })),
        }),
        response: withProblems({ 200: Type.String({ description: 'text/event-stream' }) }, 422),
      },
    },
    async (request, reply) => {
      const { query } = request;
      const header = request.headers['last-event-id'];
      const after = typeof header === 'string' && header !== '' ? header : query.after;
      if (after !== undefined && !STREAM_ID.test(after)) throw invalid('headers/last-event-id', after, 'a call-log id such as 1764583200123-0');
      const wanted = (call: LoggedCall) => (query.verdict === undefined || call.verdict === query.verdict) && (query.route === undefined || call.route === query.route);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // nginx buffers answers unless told not to; a feed must flow.
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
        // A feed ends only at a stop or when the browser leaves: its connection goes with it, not back to keep-alive.
        connection: 'close',
      });
      raw.write(`retry: ${RECONNECT_MS}\n\n`);
      const send = (calls: LoggedCall[]) => {
        for (const call of calls) if (wanted(call)) raw.write(`id: ${call.id}\nevent: call\ndata: ${JSON.stringify(callJson(call))}\n\n`);
      };
      let unsubscribe: (() => void) | undefined;
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe?.();
        open.delete(end);
        raw.end();
      };
      open.add(end);
      raw.once('close', end);
      try {
        unsubscribe = await feed.subscribe(after, send);
        if (!open.has(end)) unsubscribe();
      } catch (error) {
        request.log.warn({ err: error }, 'live call feed could not start');
        end();
      }
    },
  );

  app.get(
    '/v1/report/hours',
    {
      config: { access: { role: 'viewer', scope: 'installation' } },
      schema: {
        tags: ['report'],
        description: 'calls per verdict per hour over a window (default the last 24 h; 7d for a week), every hour present, oldest first',
        querystring: Type.Object({
          since: Type.Optional(Type.String({ maxLength: 40, description: '24h, 7d back, or an ISO 8601 time; at most 31 days back', default: '24h' })),
          route: Type.Optional(Type.String({ pattern: NAME_PATTERN })),
        }),
        response: withProblems(
          { 200: Type.Object({ since: Type.String(), hours: Type.Array(Type.Object({ start: Type.String(), counts: OpenObject({}) })) }) },
          422,
        ),
      },
    },
    async (request) => {
      const now = Date.now();
      const text = request.query.since ?? '24h';
      const since = sinceOf(text, 'query/since', now) ?? now;
      if (now - since > MAX_HOURLY_WINDOW_MS) throw invalid('query/since', text, 'at most 31 days back');
      const hours = await callsPerHour(redis, namespace, { since, now, ...(request.query.route === undefined ? {} : { route: request.query.route }) });
      return { since: isoTime(since) as string, hours: hours.map((hour) => ({ start: isoTime(hour.start) as string, counts: hour.counts })) };
    },
  );
}
