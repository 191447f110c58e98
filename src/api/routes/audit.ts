import { Type } from 'typebox';
import { historyJson } from '../../front-door/json-shapes.js';
import { readAudit } from '../../lists/audit-log.js';
import type { ApiApp, ApiContext } from '../context.js';
import { requireScope, visibleLists } from '../input.js';
import { ListName, OpenObject, withProblems } from '../schemas.js';

const MAX_AUDIT_LIMIT = 1_000;
const DEFAULT_AUDIT_LIMIT = 100;

/** Who changed what: the audit streams of the lists, newest first, by list and by person. */
export function registerAudit(app: ApiApp, context: ApiContext): void {
  const { lists: store, redis, namespace } = context;

  app.get(
    '/v1/audit',
    {
      config: { access: { role: 'viewer' } },
      schema: {
        tags: ['audit'],
        description: 'changes of the lists the token may see, newest first: creates, adds, cancels, expiries, imports, enables, disables; filter by list and by who made them',
        querystring: Type.Object({
          list: Type.Optional(ListName),
          by: Type.Optional(Type.String({ maxLength: 64, description: 'a token name, or the user a CLI change named' })),
          before: Type.Optional(Type.String({ pattern: '^\\d{1,20}-\\d{1,20}$', description: 'the id of the last event of the previous page' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AUDIT_LIMIT, default: DEFAULT_AUDIT_LIMIT })),
        }),
        response: withProblems({ 200: Type.Object({ events: Type.Array(OpenObject({})), more: Type.Boolean() }) }, 404),
      },
    },
    async (request) => {
      const { query } = request;
      let lists: string[];
      if (query.list !== undefined) {
        requireScope(request, [query.list]);
        lists = [query.list];
      } else {
        lists = visibleLists(request, (await store.lists()).map((list) => ({ list: list.name }))).map((item) => item.list);
      }
      const page = await readAudit(redis, namespace, lists, {
        limit: query.limit ?? DEFAULT_AUDIT_LIMIT,
        ...(query.by === undefined || query.by === '' ? {} : { by: query.by }),
        ...(query.before === undefined ? {} : { before: query.before }),
      });
      return { events: page.events.map(historyJson), more: page.more };
    },
  );
}
