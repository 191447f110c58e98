import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `docker compose` (plugin) or `docker-compose` (Debian's package); neither needs an engine for `config`. */
async function composeCommand(): Promise<string[] | undefined> {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    try {
      await execFileAsync(command[0]!, [...command.slice(1), 'version']);
      return command;
    } catch {
      // Not installed or no compose plugin: try the next client.
    }
  }
  return undefined;
}

const compose = await composeCommand();
if (!compose) {
  // scripts/prepare.sh installs docker-compose, so in CI a missing client is a broken setup.
  if (process.env.CI === 'true') throw new Error('CI=true but no docker compose client: run scripts/prepare.sh');
  console.warn('SKIPPED: docker compose config (apt-get install docker-compose)');
}

describe('docker-compose.yml', () => {
  it('mounts every shipped asterisk-config file, so compose runs the config the tests run', async () => {
    const shipped = (await readdir(`${ROOT}asterisk-config`)).filter((name) => name.endsWith('.conf')).sort();
    const text = await readFile(`${ROOT}docker-compose.yml`, 'utf8');
    const mounted = [...text.matchAll(/\.\/asterisk-config\/([\w.-]+\.conf):\/etc\/asterisk\/([\w.-]+\.conf):ro/g)];
    expect(mounted.every(([, from, to]) => from === to)).toBe(true);
    expect(mounted.map(([, name]) => name).sort()).toEqual(shipped);
  });

  it('runs callguard as a non-root user', async () => {
    const dockerfile = await readFile(`${ROOT}Dockerfile`, 'utf8');
    const lastUser = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
    expect(lastUser).toBeDefined();
    expect(lastUser).not.toMatch(/^(root|0)$/);
  });

  it.skipIf(!compose)('is a valid compose file with the services redis, asterisk and callguard', async () => {
    const [command, ...args] = compose ?? [];
    const { stdout } = await execFileAsync(command!, [...args, '-f', `${ROOT}docker-compose.yml`, 'config', '--services']);
    expect(stdout.trim().split('\n').sort()).toEqual(['asterisk', 'callguard', 'redis']);
  });
});
