/** Bundles the web console into `outdir` (default dist/console); see build-console.mjs. */
export function buildConsole(outdir?: string, options?: { minify?: boolean }): Promise<{ outdir: string; script: string; style: string }>;
