import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = join(repoRoot, '.dependency-cruiser.cjs');
const CRUISER = join(repoRoot, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
/** A cruise of src/ takes a few seconds; on a loaded machine several times that. */
const CRUISE_TIMEOUT_MS = 120_000;

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

/** dependency-cruiser over `dir` with the project's rules, as `npm run check:layers` runs it. */
async function violations(cwd: string, dir = 'src'): Promise<Violation[]> {
  const args = [CRUISER, dir, '--config', CONFIG, '--output-type', 'json'];
  const { stdout } = await run(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }).catch(
    // It exits non-zero when a rule is broken; the JSON on stdout says which.
    (error: { stdout?: string; stderr?: string }) => {
      if (!error.stdout) throw new Error(`dependency-cruiser failed: ${error.stderr ?? String(error)}`);
      return { stdout: error.stdout };
    },
  );
  const result = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return result.summary.violations;
}

function describeViolation(violation: Violation): string {
  const path = violation.cycle?.map((step) => step.name).join(' → ');
  return `${violation.rule.name}: ${violation.from} → ${path ?? violation.to}`;
}

describe('the layers of src/ (README, "Layers")', () => {
  it('hold: no module imports a layer above its own or a neighbour, none is in an import circle', { timeout: CRUISE_TIMEOUT_MS }, async () => {
    const found = await violations(repoRoot);
    expect(found.map(describeViolation)).toEqual([]);
  });

  describe('the rules themselves', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'callguard-layers-'));
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
        // lists importing the CLI: upward
        'src/lists/store.ts': "import { run } from '../cli/run.js';\nexport const store = run;\n",
        'src/cli/run.ts': 'export const run = 1;\n',
        // two numbers modules importing each other: a circle
        'src/numbers/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
        'src/numbers/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
        // api and service are neighbours
        'src/api/start.ts': "import { serve } from '../service/service.js';\nexport const start = serve;\n",
        'src/service/service.ts': 'export const serve = 1;\n',
        // a folder in no layer
        'src/gadgets/thing.ts': "import { run } from '../cli/run.js';\nexport const thing = run;\n",
      };
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('refuse an upward import, a circle, an import between neighbours and a folder outside every layer', { timeout: CRUISE_TIMEOUT_MS }, async () => {
      const found = (await violations(dir)).map((violation) => `${violation.rule.name}: ${violation.from}`);
      expect(found).toEqual(
        expect.arrayContaining([
          'layer-lists: src/lists/store.ts',
          'no-circular: src/numbers/a.ts',
          'layer-api: src/api/start.ts',
          'in-a-layer: src/gadgets/thing.ts',
        ]),
      );
    });
  });
});
