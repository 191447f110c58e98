import type { ApiApp, ApiContext } from '../context.js';
import { registerAccess } from './access.js';
import { registerAudit } from './audit.js';
import { registerCallLog } from './call-log.js';
import { registerCalls } from './calls.js';
import { registerCampaigns } from './campaigns.js';
import { registerCheck } from './check.js';
import { registerConsole } from './console.js';
import { registerEntries } from './entries.js';
import { registerHealth } from './health.js';
import { registerImports } from './imports.js';
import { registerInboundRoutes } from './inbound-routes.js';
import { registerLists } from './lists.js';
import { registerScrub } from './scrub.js';
import { registerSession } from './session.js';
import { registerWebhooks } from './webhooks.js';
import { registerWombat } from './wombat.js';

/** Every route of the API; each file under routes/ adds its own. */
export async function registerRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  registerHealth(app, context);
  registerAccess(app, context);
  registerLists(app, context);
  registerEntries(app, context);
  registerCheck(app, context);
  registerInboundRoutes(app, context);
  registerCampaigns(app, context);
  registerCalls(app, context);
  await registerImports(app, context);
  await registerScrub(app, context);
  registerWombat(app, context);
  registerWebhooks(app, context);
  registerSession(app, context);
  registerCallLog(app, context);
  registerAudit(app, context);
  registerConsole(app, context);
}
