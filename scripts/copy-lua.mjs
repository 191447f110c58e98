// tsc copies no .lua files: every Redis script under src/ goes to the same place in dist/.
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const source = 'src';
for (const entry of readdirSync(source, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.lua')) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join('dist', relative(source, from)));
}
