import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/**
 * serve and api migrate the list format at their start while they already take calls
 * and requests; a plain ListStore's checks would meet a list still in an old format
 * (a failed check, or with the old flag its prefixes skipped). Their stores are built
 * gated (GatedListStore, src/lists/migrate.ts), so every path that checks through them
 * (inbound, agent calls, the in-call block, FastAGI, the dialer; the api's check,
 * number report and scrubs) waits for the migration.
 */
describe('the stores serve and api check with', () => {
  it('are all gated by the list format migration: no plain ListStore is built in src/service or src/api', async () => {
    const plain: string[] = [];
    for (const dir of ['service', 'api']) {
      for (const name of await readdir(join(SRC, dir), { recursive: true })) {
        if (!name.endsWith('.ts')) continue;
        const text = await readFile(join(SRC, dir, name), 'utf8');
        if (/new ListStore\(/.test(text)) plain.push(`src/${dir}/${name}`);
      }
    }
    expect(plain).toEqual([]);
  });
});
