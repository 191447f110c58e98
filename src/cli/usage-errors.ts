import { CommanderError, type Command } from 'commander';
import { escapeControlCharacters } from '../front-door/format.js';

/**
 * Commander's parse errors as callguard prints them: ONE line on stderr, `callguard: …`,
 * naming the command whose --help explains it, with control characters of the echoed
 * input escaped. Commander itself prints nothing (see buildProgram).
 */

/** Ends of a run where commander has already printed what was asked for: help or the version. */
const NOTHING_TO_ADD: ReadonlySet<string> = new Set([
  'commander.help',
  'commander.helpDisplayed',
  'commander.version',
  'commander.executeSubCommandAsync',
]);

/** A commander error and the command that raised it, so the message can point at its --help. */
export class CommandLineError extends CommanderError {
  constructor(
    error: CommanderError,
    readonly command: Command,
  ) {
    super(error.exitCode, error.code, error.message);
    this.name = 'CommandLineError';
  }
}

/** Makes every command of the tree throw a CommandLineError instead of exiting. */
export function throwCommandLineErrors(command: Command): void {
  command.exitOverride((error) => {
    throw new CommandLineError(error, command);
  });
  for (const sub of command.commands) throwCommandLineErrors(sub);
}

const SUGGESTION = /\n\(Did you mean (.+)\?\)$/;
const INVALID_OPTION_VALUE = /^option '([^']*)' argument '([\s\S]*)' is invalid\. ([\s\S]*)$/;
const INVALID_ARGUMENT_VALUE = /^command-argument value '([\s\S]*)' is invalid for argument '([^']*)'\. ([\s\S]*)$/;
const CHOICES = /^Allowed choices are (.*)\.$/;
/** `-l, --list <name>` → `--list <name>`: the long form is the one the docs use. */
const SHORT_FLAG = /'-[A-Za-z], (--[^']*)'/g;

/** The line to print for a commander error, or undefined when nothing is to be printed. */
export function usageErrorLine(error: CommanderError): string | undefined {
  if (NOTHING_TO_ADD.has(error.code)) return undefined;
  const command = error instanceof CommandLineError ? error.command : undefined;
  const help = command ? ` (see: ${commandPath(command)} --help)` : '';
  return `callguard: ${escapeControlCharacters(describe(error.message.replace(/^error: /, '')))}${help}`;
}

function describe(message: string): string {
  const option = INVALID_OPTION_VALUE.exec(message);
  if (option) return `${longFlag(option[1] ?? '')}: ${invalidValue(option[2] ?? '', option[3] ?? '')}`;
  const argument = INVALID_ARGUMENT_VALUE.exec(message);
  if (argument) return `<${argument[2] ?? ''}>: ${invalidValue(argument[1] ?? '', argument[3] ?? '')}`;
  return message.replace(SUGGESTION, ' (did you mean $1?)').replace(SHORT_FLAG, "'$1'");
}

/** Our parsers name the value in their reason; commander's choices check does not. */
function invalidValue(value: string, reason: string): string {
  const choices = CHOICES.exec(reason);
  return choices ? `${JSON.stringify(value)} is not one of ${choices[1] ?? ''}` : reason;
}

/** `--list` of `-l, --list <name>`: the long flag, as the docs write it. */
function longFlag(flags: string): string {
  const long = flags.split(/[ ,|]+/).find((part) => part.startsWith('--'));
  return long ?? flags;
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}
