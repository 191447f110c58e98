import { basename } from 'node:path';
import { beforeEach } from 'vitest';
import { keepSandboxLogs } from './asterisk-sandbox.js';

// Setup file of the e2e project: a failed test keeps the log of the sandbox Asterisk it
// ran against, which stop() would delete with the run directory. A call that failed on
// a loaded machine only once is explained by that log or not at all.
beforeEach(({ task, onTestFailed }) => {
  onTestFailed(async () => {
    const kept = await keepSandboxLogs(`${basename(task.file.name, '.ts')} ${task.name}`);
    if (kept.length > 0) console.error(`Asterisk's log of the failed test "${task.name}": ${kept.join(', ')}`);
  });
});
