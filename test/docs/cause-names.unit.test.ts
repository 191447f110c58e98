import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { NAMED_CAUSES } from '../../src/screening/causes.js';
import { callguardArgs } from '../cli/run-cli.js';

const repo = new URL('../..', import.meta.url);

describe('the named Q.850 causes, one table (src/screening/causes.ts)', () => {
  it('route set --help names every cause name with its code, and no other', async () => {
    const help = await callguardArgs(['route', 'set', '--help']);
    expect(help.code).toBe(0);
    const named = [...help.out.matchAll(/\b([a-z]+)\((\d+)\)/g)].map(([, name, code]) => [name, Number(code)]);
    expect(Object.fromEntries(named)).toEqual(NAMED_CAUSES);
  });

  it('docs/routes.md lists every cause name with its code, and no other', async () => {
    const routes = await readFile(new URL('docs/routes.md', repo), 'utf8');
    const rows = [...routes.matchAll(/^\| `([a-z]+)` +\| (\d+) +\|/gm)].map(([, name, code]) => [name, Number(code)]);
    expect(Object.fromEntries(rows)).toEqual(NAMED_CAUSES);
  });
});
