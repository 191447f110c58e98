import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOG_MODULE = fileURLToPath(new URL('../../src/log.ts', import.meta.url));
/** Lines the child writes: far more than a pipe's 64 KB holds. */
const LINES = 2_000;

/** A node process that logs through the service logger; its stdout is a pipe the test holds. */
function logging(script: string): ReturnType<typeof spawn> {
  const program = `import { createLogger } from ${JSON.stringify(LOG_MODULE)};\nconst log = createLogger();\n${script}`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  const chunks: Buffer[] = [];
  stream?.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

function exited(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('the service log on stdout', () => {
  it('keeps the event loop turning while nobody reads the pipe, and loses no line once it is read', async () => {
    // The child logs, then reports (on stderr) whether its timers still ran while stdout was full.
    const child = logging(`
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      for (let n = 0; n < ${LINES}; n++) log.info({ channel: 'c' + n, padding: 'x'.repeat(100) }, 'call screened');
      process.stderr.write('logged\\n');
      setTimeout(() => { clearInterval(timer); process.stderr.write('ticks ' + ticks + '\\n'); }, 200);
    `);
    child.stdout?.pause();
    const stderr = collect(child.stderr);
    await new Promise<void>((resolve) => {
      const poll = (): void => void (/ticks \d+/.test(stderr()) ? resolve() : setTimeout(poll, 20));
      poll();
    });
    expect(Number(/ticks (\d+)/.exec(stderr())?.[1])).toBeGreaterThan(5);
    const stdout = collect(child.stdout);
    child.stdout?.resume();
    expect(await exited(child)).toBe(0);
    const lines = stdout().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { channel: string; msg: string });
    expect(lines).toHaveLength(LINES);
    expect(lines.at(-1)).toMatchObject({ channel: `c${LINES - 1}`, msg: 'call screened' });
  });

  it('goes on without its log once the reader is gone, and says so once on stderr', async () => {
    const child = logging(`
      let n = 0;
      const timer = setInterval(() => {
        log.info({ n: n++ }, 'tick');
        if (n === 50) { clearInterval(timer); process.stderr.write('still running\\n'); }
      }, 2);
    `);
    const stderr = collect(child.stderr);
    child.stdout?.destroy();
    expect(await exited(child)).toBe(0);
    expect(stderr()).toContain('still running');
    expect(stderr().match(/callguard: log output lost: /g)).toHaveLength(1);
  });
});
