#!/usr/bin/env node
import { CommanderError } from 'commander';
import { ListError } from '../lists/types.js';
import { CliError } from './errors.js';
import { processIo } from './context.js';
import { buildProgram } from './program.js';

async function main(argv: string[]): Promise<number> {
  const program = buildProgram(processIo).exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      processIo.err(`callguard: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof ListError) {
      processIo.err(`callguard: ${error.message}`);
      return 1;
    }
    processIo.err(`callguard: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.CALLGUARD_DEBUG) processIo.err(String(error instanceof Error ? error.stack : error));
    return 1;
  }
}

process.exitCode = await main(process.argv);
