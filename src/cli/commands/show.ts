import { Option, type Command } from 'commander';
import { describeNumber } from '../../lists/number-report.js';
import type { AuditEvent, EntryState } from '../../lists/types.js';
import type { CliIo } from '../context.js';
import { UsageError } from '../errors.js';
import { describeExpiry, isoTime, table } from '../format.js';
import { numberReportJson } from '../json-shapes.js';
import { readEntry } from '../number-input.js';
import { positiveInteger, regionOption } from '../options.js';
import { withContext } from '../program.js';

interface ShowOptions {
  region?: string;
  limit: number;
}

const DEFAULT_HISTORY = 50;

export function registerShow(program: Command, io: CliIo): void {
  program
    .command('show')
    .description('everything about one number: the lists holding it, its cancellations, its audit history')
    .argument('<number>', 'a number, or a prefix ending in * as it was added')
    .addOption(regionOption())
    .addOption(
      new Option('--limit <n>', 'history events to show, newest first')
        .argParser(positiveInteger(10_000))
        .default(DEFAULT_HISTORY),
    )
    .addHelpText(
      'after',
      `
For a number, "listed" also names prefix entries that cover it (on enabled lists).
A disabled list is marked; it matches nothing until enabled again.

Examples:
  $ callguard show +4930123456
  $ callguard show 030123456 --region DE --limit 10
  $ callguard show '+1900*'

JSON: {"input","member","listed":[{"list","enabled","member","kind","expiresAt","reason","by","addedAt"}],
       "cancelled":[{"list","member","reason","by","at"}],
       "history":[{"id","list","action","at","by","reason","member","details"}]}`,
    )
    .action(async (input: string, options: ShowOptions, command: Command) => {
      const reading = readEntry(input, options.region);
      if (!reading.ok) throw new UsageError(`${JSON.stringify(input)} is not a number or prefix: ${reading.reason}`);
      const { member, kind } = reading.entry;
      await withContext(command, io, async (context) => {
        const { holding, enabled, cancelled, history } = await describeNumber(await context.store(), member, kind, options.limit);
        const now = Date.now();

        context.print(humanShow(member, holding, enabled, cancelled, history, now), numberReportJson(input, member, { holding, enabled, cancelled, history }));
      });
    });
}

function humanShow(
  member: string,
  holding: EntryState[],
  enabled: Map<string, boolean>,
  cancelled: { list: string; member: string; reason: string; by: string; at: number }[],
  history: AuditEvent[],
  now: number,
): string[] {
  const lines = [member, ''];
  if (holding.length === 0) lines.push('listed on: no list');
  else {
    lines.push('listed on:');
    lines.push(
      ...indent(
        table(
          ['LIST', 'ENTRY', 'EXPIRES', 'REASON', 'BY', 'ADDED'],
          holding.map((entry) => [
            enabled.get(entry.list) === false ? `${entry.list} (disabled)` : entry.list,
            entry.member,
            describeExpiry(entry.expiresAt, now),
            entry.reason,
            entry.by,
            isoTime(entry.addedAt) ?? undefined,
          ]),
        ),
      ),
    );
  }
  if (cancelled.length > 0) {
    lines.push('', 'cancelled:');
    lines.push(
      ...indent(
        table(
          ['LIST', 'ENTRY', 'AT', 'BY', 'REASON'],
          cancelled.map((c) => [c.list, c.member, isoTime(c.at) ?? undefined, c.by, c.reason]),
        ),
      ),
    );
  }
  lines.push('', history.length === 0 ? 'history: none' : 'history (newest first):');
  if (history.length > 0) {
    lines.push(
      ...indent(
        table(
          ['AT', 'ACTION', 'LIST', 'BY', 'REASON', 'DETAILS'],
          history.map((event) => [
            isoTime(event.at) ?? undefined,
            event.action,
            event.list,
            event.by,
            event.reason,
            Object.entries(event.details ?? {})
              .map(([name, value]) => `${name}=${value}`)
              .join(' '),
          ]),
        ),
      ),
    );
  }
  return lines;
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}
