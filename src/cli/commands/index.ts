import type { Command } from 'commander';
import type { CliIo } from '../context.js';

/** Every subcommand of `callguard`; each file under commands/ adds its own. */
export function registerCommands(program: Command, io: CliIo): void {
  void program;
  void io;
}
