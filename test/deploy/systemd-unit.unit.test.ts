import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HANDOVER_WAIT_MS } from '../../src/calls/ari-connection.js';
import { DRAIN_LIMIT_MS } from '../../src/calls/stasis-app.js';
import { SETTINGS } from '../../src/config.js';

const execFileAsync = promisify(execFile);
const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const UNIT = join(DEPLOY, 'callguard@.service');
const ENV_EXAMPLE = join(DEPLOY, 'callguard.env.example');

const analyzer = await execFileAsync('systemd-analyze', ['--version']).then(
  () => undefined,
  () => 'systemd-analyze is not installed',
);

function directive(unit: string, name: string): string | undefined {
  return new RegExp(`^${name}=(.*)$`, 'm').exec(unit)?.[1];
}

describe('the systemd unit in deploy/', () => {
  it.skipIf(analyzer !== undefined)('is a unit systemd accepts, without a warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'callguard-unit-'));
    try {
      const instance = join(dir, 'callguard@a.service');
      await copyFile(UNIT, instance);
      const { stderr } = await execFileAsync('systemd-analyze', ['verify', instance]);
      expect(stderr.split('\n').filter((line) => line.includes('callguard@'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('restarts serve when it fails, and gives a SIGTERM drain its whole limit before SIGKILL', async () => {
    const unit = await readFile(UNIT, 'utf8');
    expect(directive(unit, 'Restart')).toBe('on-failure');
    expect(directive(unit, 'KillSignal')).toBe('SIGTERM');
    expect(Number(directive(unit, 'TimeoutStopSec')) * 1000).toBeGreaterThan(DRAIN_LIMIT_MS + 2 * HANDOVER_WAIT_MS);
    expect(directive(unit, 'ExecStart')).toMatch(/\/dist\/cli\/main\.js serve$/);
  });

  it('has an environment example naming exactly the settings serve reads', async () => {
    const example = await readFile(ENV_EXAMPLE, 'utf8');
    const named = [...example.matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    const settings = Object.values(SETTINGS).map((setting) => setting.env);
    expect(named.filter((name) => name !== 'NODE_ENV').sort()).toEqual([...settings].sort());
  });
});
