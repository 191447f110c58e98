import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { spawnCallguard } from './run-cli.js';

async function cli(...args: string[]): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const code = await runCli(['node', 'callguard', ...args], { out: () => undefined, err: (text) => void err.push(text) });
  return { code, err };
}

describe('a Redis that refuses the login', () => {
  let server: RunningRedis;
  let address: string;

  beforeAll(async () => {
    server = await startRedisServer(undefined, ['--requirepass', 'right-pw']);
    address = `127.0.0.1:${server.port}`;
  });

  afterAll(() => server?.stop());

  it('a wrong password says authentication failed, exit 3, the password masked', async () => {
    const run = await cli('--redis', `redis://:wrong-s3cret@${address}`, 'lists');
    expect(run.code).toBe(3);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(
      new RegExp(`^callguard: authentication failed: Redis at redis://:\\*\\*\\*@${address.replace(/\./g, '\\.')} refused the user name or password \\(WRONGPASS .*\\); set the right password in --redis or REDIS_URL`),
    );
    expect(run.err[0]).not.toContain('s3cret');
  });

  it('no password says Redis requires one', async () => {
    const run = await cli('--redis', `redis://${address}`, 'add', '+4930000001', '--list', 'dnc');
    expect(run.code).toBe(3);
    expect(run.err).toEqual([expect.stringMatching(/^callguard: authentication failed: Redis at redis:\/\/127\.0\.0\.1:\d+ requires a password, and none was given \(NOAUTH /)]);
  });

  it('the right password works', async () => {
    expect((await cli('--redis', `redis://:right-pw@${address}`, 'lists')).code).toBe(0);
  });
});

describe('a REDIS_URL that is not a Redis URL', () => {
  it('a port out of range is one line naming --redis (REDIS_URL), exit 2, password masked', async () => {
    const run = await spawnCallguard(['lists'], { REDIS_URL: 'redis://:pw-s3cret@127.0.0.1:99999' });
    expect(run.code).toBe(2);
    expect(run.err).toBe(
      'callguard: --redis (REDIS_URL): "redis://:***@127.0.0.1:99999" has port 99999; a port is 1 to 65535, e.g. redis://127.0.0.1:6379\n',
    );
  });

  it('other mistakes name what is wrong', async () => {
    expect((await cli('--redis', 'redis://127.0.0.1:63x9', 'lists')).err).toEqual([
      'callguard: --redis (REDIS_URL): "redis://127.0.0.1:63x9" has port "63x9", which is not a number; write e.g. redis://127.0.0.1:6379',
    ]);
    expect((await cli('--redis', '127.0.0.1:6379', 'lists')).err).toEqual([
      'callguard: --redis (REDIS_URL): "127.0.0.1:6379" is not a URL; write e.g. redis://127.0.0.1:6379',
    ]);
    const scheme = await cli('--redis', 'http://127.0.0.1:6379', 'lists');
    expect(scheme.code).toBe(2);
    expect(scheme.err[0]).toContain('must start with redis:// or rediss://');
  });
});
