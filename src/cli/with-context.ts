import type { Command } from 'commander';
import { contextOf, type CliContext, type CliIo } from './context.js';
import { withListSuggestion } from './missing-list.js';

/** Runs a command's work with a context that is always closed afterwards. */
export async function withContext<T>(
  command: Command,
  io: CliIo,
  work: (context: CliContext) => Promise<T>,
): Promise<T> {
  const context = contextOf(command, io);
  try {
    return await work(context);
  } catch (error) {
    throw context.lostRedis(error) ?? (await withListSuggestion(error, context));
  } finally {
    await context.close();
  }
}
