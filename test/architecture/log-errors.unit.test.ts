import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CallControlError } from '../../src/calls/call-control.js';
import { capturedLogger } from '../helpers/log-capture.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : Promise.resolve(entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []))),
  );
  return nested.flat();
}

/** The first-level keys of each object literal a log call (`.warn({ … }, …)`) starts with. */
function logCallKeys(text: string): { keys: string[]; at: number }[] {
  const calls: { keys: string[]; at: number }[] = [];
  for (const match of text.matchAll(/\.(?:trace|debug|info|warn|error|fatal)\(\s*\{/g)) {
    let depth = 0;
    let keys = '';
    for (let index = (match.index ?? 0) + match[0].length - 1; index < text.length; index += 1) {
      const char = text[index];
      if (char === '{' || char === '(' || char === '[') depth += 1;
      if (char === '}' || char === ')' || char === ']') depth -= 1;
      if (depth === 0) break;
      keys += depth === 1 ? char : ' ';
    }
    calls.push({ keys: [...keys.matchAll(/[{,]\s*([A-Za-z_$][\w$]*)\s*[:,}]/g)].map((key) => key[1] ?? ''), at: match.index ?? 0 });
  }
  return calls;
}

describe('errors in log lines have one shape: `err`, through pino’s error serializer', () => {
  it('no log call in src/ puts an error under another key', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(SRC)) {
      const text = await readFile(file, 'utf8');
      for (const { keys, at } of logCallKeys(text)) {
        if (keys.includes('error')) offenders.push(`${relative(SRC, file)}:${text.slice(0, at).split('\n').length}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('an ARI failure keeps its operation and HTTP status beside type, message and stack', () => {
    const { log, lines } = capturedLogger();
    log.error({ err: new CallControlError('hangup', 500, 'Internal Server Error') }, 'action failed');
    expect(lines()[0]?.err).toEqual({
      type: 'CallControlError',
      name: 'CallControlError',
      message: 'hangup failed with HTTP 500: Internal Server Error',
      stack: expect.stringContaining('CallControlError'),
      operation: 'hangup',
      status: 500,
      detail: 'Internal Server Error',
    });
  });

  it('a Redis error keeps the name of the command it failed, never its arguments (an AUTH password)', () => {
    const { log, lines } = capturedLogger();
    class ReplyError extends Error {}
    // As ioredis makes them: the failed command, with its arguments, on the error.
    const refused = Object.assign(new ReplyError('WRONGPASS invalid username-password pair'), {
      command: { name: 'auth', args: ['default', 'pw-never-in-a-log-line'] },
    });
    log.warn({ err: refused }, 'Redis error');
    expect(lines()[0]?.err).toMatchObject({ type: 'ReplyError', message: 'WRONGPASS invalid username-password pair', command: 'auth' });
    expect(JSON.stringify(lines())).not.toContain('pw-never-in-a-log-line');
  });
});
