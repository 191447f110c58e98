// Bundles the web console (console/) into dist/console: one script and one stylesheet
// with a content hash in their names (cached for good by the API), and index.html naming
// them. No CDN, nothing fetched at run time: PBX networks are often closed.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Builds into `outdir` (default dist/console); the tests build into a folder of their own. */
export async function buildConsole(outdir = join(root, 'dist/console'), { minify = true } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(root, 'console/src/main.tsx') },
    bundle: true,
    format: 'esm',
    target: ['chrome111', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    sourcemap: 'linked',
    entryNames: '[name]-[hash]',
    outdir,
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
  const script = outputs.find((name) => name.endsWith('.js'));
  const style = outputs.find((name) => name.endsWith('.css'));
  if (!script || !style) throw new Error(`the console build made no script or stylesheet: ${outputs.join(', ')}`);
  const html = readFileSync(join(root, 'console/index.html'), 'utf8').replace('%SCRIPT%', `/console/${script}`).replace('%STYLE%', `/console/${style}`);
  writeFileSync(join(outdir, 'index.html'), html);
  return { outdir, script, style };
}

if (import.meta.url === `file://${process.argv[1]}`) await buildConsole();
