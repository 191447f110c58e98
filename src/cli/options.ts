import { userInfo } from 'node:os';
import { InvalidArgumentError, Option } from 'commander';
import { LIST_NAME_PATTERN } from '../lists/keys.js';
import { plainText } from '../lists/text.js';
import { parseRegion as readRegion } from '../numbers/index.js';
import { ActionSyntaxError } from '../screening/actions.js';
import { CampaignSyntaxError } from '../screening/campaign-syntax.js';
import { HoursSyntaxError } from '../screening/hours/syntax.js';
import { ObserveSyntaxError } from '../screening/observe.js';
import { RateSyntaxError } from '../screening/rate.js';
import { MAX_DURATION_YEARS, parseDuration, parseDurationOrTime, parseIsoTime } from '../front-door/duration.js';
import { SHARED_SETTINGS } from '../config.js';

/** Options shared by several commands, each validated when commander reads it. */

/** The syntax errors of the written forms screening parses (actions, delays, rates, hours, observe). */
const SYNTAX_ERRORS = [ActionSyntaxError, CampaignSyntaxError, HoursSyntaxError, ObserveSyntaxError, RateSyntaxError];

/** A parser of a written form as a commander argument parser: its syntax error becomes commander's usage error. */
export function syntaxOption<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      if (SYNTAX_ERRORS.some((kind) => error instanceof kind)) throw new InvalidArgumentError((error as Error).message);
      throw error;
    }
  };
}

/**
 * The argument parser of a name: lists, routes, campaigns and policies share one rule
 * (LIST_NAME_PATTERN), so one check and one message; `hint` says where to find good ones.
 */
export function nameParser(kind: string, hint = ''): (name: string) => string {
  return (name) => {
    if (!LIST_NAME_PATTERN.test(name)) {
      throw new InvalidArgumentError(
        `"${name}" is not a ${kind} name: 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit${hint}`,
      );
    }
    return name;
  };
}

export const parseListName = nameParser('list');
export const parseRouteName = nameParser('route');
export const parseCampaignName = nameParser('campaign');

/** `a,b,c` (repeating the option adds more); order is kept, duplicates dropped. */
export function parseListNames(text: string, previous: string[] = []): string[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw new InvalidArgumentError(`"${text}" has an empty list name`);
  return [...new Set([...previous, ...names.map(parseListName)])];
}

/** A two-letter region (ISO 3166 alpha-2, any case) that the number metadata knows. */
export function parseRegion(text: string): string {
  const result = readRegion(text);
  if (!result.ok) throw new InvalidArgumentError(result.reason);
  return result.region;
}

/** Who made a change when --by is not given: the operating-system user. */
export function defaultActor(): string {
  try {
    return userInfo().username;
  } catch {
    // Containers may run with a uid that has no passwd entry; the environment may still name it.
    return process.env.USER ?? process.env.LOGNAME ?? `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

export function listOption(description = 'the list'): Option {
  return new Option('-l, --list <name>', `${description} (required)`).argParser(parseListName).makeOptionMandatory();
}

export function listsOption(description: string): Option {
  return new Option('-l, --list <names>', `${description} (required)`).argParser(parseListNames).makeOptionMandatory();
}

export function regionOption(): Option {
  return new Option('--region <CC>', 'region for numbers written without a country code, e.g. DE')
    .env(SHARED_SETTINGS.region.env)
    .argParser(parseRegion);
}

/**
 * Free text of a change (--reason, --by) as it is stored: escape sequences and control
 * characters removed, so check, show and export can never send them to a terminal.
 */
export function parseFreeText(text: string): string {
  const plain = plainText(text);
  if (plain.trim() === '') throw new InvalidArgumentError(`${JSON.stringify(text)} has no text (control characters are left out)`);
  return plain;
}

export function byOption(): Option {
  return new Option('--by <who>', 'who makes the change (default: your user name)').argParser(parseFreeText);
}

export function reasonOption(description: string): Option {
  return new Option('--reason <text>', description).argParser(parseFreeText);
}

export function untilOption(): Option {
  return new Option('--until <time>', 'expires at this ISO 8601 time, e.g. 2026-12-31T18:00:00Z')
    .argParser(parseIsoTime)
    .conflicts('for');
}

export function forOption(): Option {
  return new Option('--for <duration>', `expires after this long: 30m, 12h, 30d, 2w, 1y (at most ${MAX_DURATION_YEARS}y)`)
    .argParser((text) =>
      parseDuration(text, `the longest is ${MAX_DURATION_YEARS}y; without --for and --until an entry never expires`),
    )
    .conflicts('until');
}

/** `--since 12h` (that long ago) or `--since 2026-11-01` (an ISO 8601 time); resolved when the command runs. */
export function sinceOption(what: string): Option {
  return new Option('--since <when>', `only ${what} of the last 30m, 12h, 7d... or since an ISO 8601 time`).argParser((text) =>
    parseDurationOrTime(text, -1),
  );
}

/** A whole number from 1 to `max`. */
export function positiveInteger(max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < 1 || value > max) {
      throw new InvalidArgumentError(`"${text}" is not a whole number from 1 to ${max}`);
    }
    return value;
  };
}
