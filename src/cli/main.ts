#!/usr/bin/env node
import { processIo } from './context.js';
import { EXIT_FAILURE, EXIT_OK } from '../front-door/errors.js';
import { runCli } from './run.js';

// A reader that stops early (`callguard export | head`) is the reader's choice, not our
// failure: end quietly, as Unix tools do, instead of an unhandled EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT_OK);
  processIo.err(`callguard: cannot write to stdout: ${error.message}`);
  process.exit(EXIT_FAILURE);
});

process.exitCode = await runCli(process.argv, processIo);
