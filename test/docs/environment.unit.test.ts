import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { COMMAND_ENVIRONMENT } from '../../src/cli/environment.js';
import { callguardArgs } from '../cli/run-cli.js';

const repo = new URL('../..', import.meta.url);
const read = (path: string) => readFile(new URL(path, repo), 'utf8');

/** The text from a `## heading` to the next heading of that level. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section "## ${heading}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** Every environment variable a Markdown table names in its cells. */
function tableVariables(text: string): string[] {
  const rows = text.split('\n').filter((line) => line.startsWith('|'));
  return [...new Set(rows.flatMap((row) => row.match(/\b(?:REDIS_URL|ARI_[A-Z]+|CALLGUARD_[A-Z_]+)\b/g) ?? []))];
}

/** Where each command's variables are documented: a file and its section with the table. */
const DOCS: Record<string, { file: string; heading: string }> = {
  '': { file: 'README.md', heading: 'Configuration' },
  add: { file: 'README.md', heading: 'Configuration' },
  'campaign set': { file: 'README.md', heading: 'Configuration' },
  serve: { file: 'docs/serve.md', heading: 'Configuration' },
  api: { file: 'docs/api.md', heading: 'Configuration' },
};

const everyVariable = new Set(COMMAND_ENVIRONMENT.flatMap(({ settings }) => Object.values(settings).map(({ env }) => env)));

describe('the environment variables of every command, one table (src/cli/environment.ts)', () => {
  for (const { commands, settings } of COMMAND_ENVIRONMENT) {
    const variables = Object.values(settings).map(({ env }) => env);
    for (const command of commands) {
      it(`callguard ${command || '(global options)'} --help names ${variables.join(', ')}`, async () => {
        const help = await callguardArgs([...command.split(' ').filter(Boolean), '--help']);
        expect(help.code).toBe(0);
        const missing = variables.filter((name) => !new RegExp(`\\b${name}\\b`).test(help.out));
        expect(missing).toEqual([]);
      });
    }
    const doc = DOCS[commands[0] ?? ''];
    if (doc) {
      it(`${doc.file} ("${doc.heading}") names every variable of callguard ${commands.join(', ') || '(global options)'}`, async () => {
        const documented = tableVariables(section(await read(doc.file), doc.heading));
        expect(variables.filter((name) => !documented.includes(name))).toEqual([]);
      });
    }
  }

  it('the configuration tables of README.md, docs/serve.md and docs/api.md name no variable the code does not read', async () => {
    const documented = new Set<string>();
    for (const { file, heading } of Object.values(DOCS)) {
      for (const name of tableVariables(section(await read(file), heading))) documented.add(name);
    }
    expect([...documented].filter((name) => !everyVariable.has(name))).toEqual([]);
  });
});
