import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/redis-server.js';
import { redisUrl, testNamespace } from '../helpers/redis.js';
import { spawnCallguard } from './run-cli.js';

/** The real `callguard` process: exit codes, stdout/stderr separation, no stack traces. */
describe('the callguard binary', () => {
  it('says in one line that Redis is unreachable and exits 3, without a stack trace', async () => {
    const port = await freePort();
    const run = await spawnCallguard(['--redis', `redis://:secret@127.0.0.1:${port}`, 'lists']);
    expect(run.code).toBe(3);
    expect(run.out).toBe('');
    const lines = run.err.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^callguard: cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
    expect(run.err).not.toContain('secret');
  });

  it('prints a bad option value as one line with its control characters escaped, exit 2', async () => {
    const run = await spawnCallguard(['add', '+4930123456', '--list', 'x\u001b[2J\u001b[31m']);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).not.toContain('\u001b');
    expect(run.err).toMatch(/^callguard: --list: "x\\u001b\[2J\\u001b\[31m" is not a list name: [^\n]+ \(see: callguard add --help\)\n$/);
  });

  it('prints JSON on stdout and exits with the verdict of check', async () => {
    const env = { REDIS_URL: redisUrl(), CALLGUARD_NAMESPACE: testNamespace() };
    expect((await spawnCallguard(['list', 'create', 'dnc'], env)).code).toBe(0);

    const added = await spawnCallguard(['--json', 'add', '+4930123456', '--list', 'dnc', '--reason', 'opted out'], env);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.out)).toMatchObject({ list: 'dnc', added: 1, extended: 0, unchanged: 0, expiresAt: null });

    const blocked = await spawnCallguard(['check', '+4930123456', '--list', 'dnc', '--json'], env);
    expect(blocked.code).toBe(10);
    expect(blocked.err).toBe('');
    expect(JSON.parse(blocked.out)).toMatchObject({ verdict: 'blocked', match: { list: 'dnc', reason: 'opted out' } });

    const clear = await spawnCallguard(['check', '+4930654321', '--list', 'dnc'], env);
    expect(clear.code).toBe(0);
    expect(clear.out).toMatch(/^verdict:\s+clear$/m);
  });

  it('rejects a bad number with exit 2 and streams an export to stdout', async () => {
    const env = { REDIS_URL: redisUrl(), CALLGUARD_NAMESPACE: testNamespace(), CALLGUARD_REGION: 'DE' };
    await spawnCallguard(['list', 'create', 'dnc'], env);
    const bad = await spawnCallguard(['add', '030123456', 'x1', '--list', 'dnc'], env);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('"x1"');
    expect(bad.err).not.toMatch(/^\s+at /m);

    await spawnCallguard(['add', '030123456', '--list', 'dnc', '--by', 'alice'], env);
    const exported = await spawnCallguard(['export', '--list', 'dnc'], env);
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/^number,expires,reason,by,added\n\+4930123456,,,alice,\d{4}-[^\n]+\n$/);
    expect(exported.err).toContain('exported 1 entry of dnc');
  });

  it('ends quietly with exit 0 when the reader of stdout stops early', async () => {
    const env = { REDIS_URL: redisUrl(), CALLGUARD_NAMESPACE: testNamespace() };
    await spawnCallguard(['list', 'create', 'big'], env);
    const numbers = Array.from({ length: 3000 }, (_, i) => `+4930${String(1_000_000 + i)}`);
    expect((await spawnCallguard(['add', ...numbers, '--list', 'big'], env)).code).toBe(0);
    const run = await spawnCallguard(['export', '--list', 'big'], env, { stopReadingAfterFirstChunk: true });
    expect(run.out).toMatch(/^number,expires,reason,by,added\n/);
    expect(run.code).toBe(0);
    expect(run.err).toBe('');
  });
});
