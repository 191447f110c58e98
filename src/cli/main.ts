#!/usr/bin/env node
import { processIo } from './context.js';
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv, processIo);
