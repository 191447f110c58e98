import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The CLI as shipped (compiled JavaScript, as the `callguard` bin runs), compiled like
 * `npm run build` with every Lua script beside its module into a private folder inside
 * node_modules (so it resolves its dependencies; git ignores it). Returns the path of
 * its main.js and a function that removes the folder.
 */
export function buildCli(name: string): { cli: string; remove: () => Promise<void> } {
  const buildDir = join(root, 'node_modules', '.cache', `callguard-${name}-${process.pid}`);
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', buildDir], {
      cwd: root,
      stdio: 'inherit',
    });
  } catch (error) {
    // tsc writes what it can compile even when it fails: nothing of a failed build is kept.
    rmSync(buildDir, { recursive: true, force: true });
    throw error;
  }
  const src = join(root, 'src');
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.lua')) {
      const from = join(entry.parentPath, entry.name);
      cpSync(from, join(buildDir, relative(src, dirname(from)), entry.name));
    }
  }
  return { cli: join(buildDir, 'cli', 'main.js'), remove: () => rm(buildDir, { recursive: true, force: true }) };
}
