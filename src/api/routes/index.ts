import type { ApiApp, ApiContext } from '../context.js';
import { registerAccess } from './access.js';
import { registerHealth } from './health.js';

/** Every route of the API; each file under routes/ adds its own. */
export async function registerRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  registerHealth(app, context);
  registerAccess(app, context);
}
