import type { Command } from 'commander';
import type { CliIo } from '../context.js';
import { registerAdd } from './add.js';
import { registerApi } from './api.js';
import { registerCall } from './call.js';
import { registerCampaign } from './campaign/index.js';
import { registerCancel } from './cancel.js';
import { registerCheck } from './check.js';
import { registerExport } from './export.js';
import { registerHours } from './hours.js';
import { registerImport } from './import.js';
import { registerList } from './list.js';
import { registerLists } from './lists.js';
import { registerReport } from './report.js';
import { registerRoute } from './route/index.js';
import { registerScrub } from './scrub.js';
import { registerServe } from './serve.js';
import { registerShow } from './show.js';
import { registerToken } from './token.js';
import { registerWebhook } from './webhook.js';

/** Every subcommand of `callguard`; each file under commands/ adds its own. */
export function registerCommands(program: Command, io: CliIo): void {
  registerLists(program, io);
  registerList(program, io);
  registerAdd(program, io);
  registerCancel(program, io);
  registerCheck(program, io);
  registerShow(program, io);
  registerExport(program, io);
  registerImport(program, io);
  registerScrub(program, io);
  registerRoute(program, io);
  registerReport(program, io);
  registerCampaign(program, io);
  registerHours(program, io);
  registerCall(program, io);
  registerServe(program, io);
  registerApi(program, io);
  registerToken(program, io);
  registerWebhook(program, io);
}
