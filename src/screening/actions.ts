import { CAUSES, MAX_CAUSE, MIN_CAUSE, NAMED_CAUSES } from './causes.js';
import type { Action } from './types.js';

/**
 * The written form of an action, as operators type it and as the call log records it:
 *
 *   hangup:<cause>                        hangup:21, hangup:busy
 *   announce:<sound>[:<cause>]            announce:custom/blocked, announce:custom/closed:busy
 *   continue:<context>,<exten>[,<prio>]   continue:queues,support,1
 *
 * A cause is a Q.850 code (1-127) or one of NAMED_CAUSES (causes.ts).
 */

/** Cause of an announce without one, and of a plain rejection: 21, call rejected. */
export const DEFAULT_CAUSE = CAUSES.callRejected;

/** Priority of a continue without one. */
export const DEFAULT_PRIORITY = 1;

/** Sound names as Asterisk's sounds directory holds them (`custom/blocked`), without `sound:`. */
const SOUND_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_./-]{0,127}$/;
/** Dialplan context names: no comma, colon, brackets or spaces, which would break the dialplan. */
const CONTEXT_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/;
/** A concrete extension (no pattern): digits, letters such as `s`, and the dial characters `+*#`. */
const EXTENSION_PATTERN = /^[A-Za-z0-9_+*#][A-Za-z0-9_+*#.-]{0,79}$/;

export class ActionSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionSyntaxError';
  }
}

/** The name of a cause when it has one (`busy` for 17), for people reading a route. */
export function causeName(cause: number): string | undefined {
  return Object.entries(NAMED_CAUSES).find(([, code]) => code === cause)?.[0];
}

export function parseCause(text: string, context: string): number {
  const named = NAMED_CAUSES[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d{1,3}$/.test(text)) {
    throw new ActionSyntaxError(
      `${context}: cause "${text}" is neither a Q.850 code (${MIN_CAUSE}-${MAX_CAUSE}) nor one of ${Object.keys(NAMED_CAUSES).join(', ')}`,
    );
  }
  const code = Number(text);
  if (code < MIN_CAUSE || code > MAX_CAUSE) {
    throw new ActionSyntaxError(`${context}: cause ${code} is outside Q.850's ${MIN_CAUSE}-${MAX_CAUSE}`);
  }
  return code;
}

/** Parses `hangup:21`, `announce:custom/blocked:busy`, `continue:queues,support,1`. Throws ActionSyntaxError. */
export function parseAction(text: string): Action {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const type = (colon < 0 ? trimmed : trimmed.slice(0, colon)).toLowerCase();
  const rest = colon < 0 ? '' : trimmed.slice(colon + 1);
  const context = `action "${text}"`;
  switch (type) {
    case 'hangup':
      return { type: 'hangup', cause: rest === '' ? DEFAULT_CAUSE : parseCause(rest, context) };
    case 'announce':
      return parseAnnounce(rest, context);
    case 'continue':
      return parseContinue(rest, context);
    default:
      throw new ActionSyntaxError(
        `${context}: unknown action "${type}"; write hangup:<cause>, announce:<sound>[:<cause>] or continue:<context>,<exten>[,<priority>]`,
      );
  }
}

function parseAnnounce(rest: string, context: string): Action {
  const parts = rest.split(':');
  if (parts.length > 2) throw new ActionSyntaxError(`${context}: write announce:<sound>[:<cause>]`);
  const [sound = '', cause] = parts;
  if (!SOUND_PATTERN.test(sound) || sound.includes('..')) {
    throw new ActionSyntaxError(
      `${context}: sound "${sound}" must be a sound name such as custom/blocked (letters, digits, _ . - /)`,
    );
  }
  return { type: 'announce', sound, cause: cause === undefined ? DEFAULT_CAUSE : parseCause(cause, context) };
}

function parseContinue(rest: string, context: string): Action {
  const parts = rest.split(',');
  if (parts.length < 2 || parts.length > 3) {
    throw new ActionSyntaxError(`${context}: write continue:<context>,<exten>[,<priority>]`);
  }
  const [dialplanContext = '', extension = '', priorityText] = parts;
  if (!CONTEXT_PATTERN.test(dialplanContext)) {
    throw new ActionSyntaxError(`${context}: "${dialplanContext}" is not a dialplan context name`);
  }
  if (!EXTENSION_PATTERN.test(extension)) {
    throw new ActionSyntaxError(`${context}: "${extension}" is not a dialplan extension`);
  }
  let priority = DEFAULT_PRIORITY;
  if (priorityText !== undefined) {
    if (!/^[1-9]\d{0,5}$/.test(priorityText)) {
      throw new ActionSyntaxError(`${context}: priority "${priorityText}" must be a whole number from 1`);
    }
    priority = Number(priorityText);
  }
  return { type: 'continue', context: dialplanContext, extension, priority };
}

/** The canonical written form; parseAction(formatAction(a)) equals a. */
export function formatAction(action: Action): string {
  switch (action.type) {
    case 'hangup':
      return `hangup:${action.cause}`;
    case 'announce':
      return `announce:${action.sound}:${action.cause}`;
    case 'continue':
      return `continue:${action.context},${action.extension},${action.priority}`;
  }
}

/**
 * Checks an action read from storage (JSON), with the same rules as the written form.
 * Returns the reason it is invalid, or undefined when it is valid.
 */
export function invalidActionReason(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const candidate = value as Record<string, unknown>;
  try {
    switch (candidate.type) {
      case 'hangup':
        if (!isCause(candidate.cause)) return `cause ${String(candidate.cause)} is not a Q.850 code`;
        return undefined;
      case 'announce':
        if (!isCause(candidate.cause)) return `cause ${String(candidate.cause)} is not a Q.850 code`;
        if (typeof candidate.sound !== 'string') return 'sound is not a string';
        parseAction(`announce:${candidate.sound}`);
        return undefined;
      case 'continue':
        if (typeof candidate.context !== 'string' || typeof candidate.extension !== 'string') {
          return 'context and extension must be strings';
        }
        if (typeof candidate.priority !== 'number' || !Number.isInteger(candidate.priority) || candidate.priority < 1) {
          return `priority ${String(candidate.priority)} is not a whole number from 1`;
        }
        parseAction(`continue:${candidate.context},${candidate.extension},${candidate.priority}`);
        return undefined;
      default:
        return `unknown action type ${JSON.stringify(candidate.type)}`;
    }
  } catch (error) {
    if (error instanceof ActionSyntaxError) return error.message;
    throw error;
  }
}

function isCause(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_CAUSE && value <= MAX_CAUSE;
}

/** Only the action's own fields, so stray keys in storage do not travel further. */
export function copyAction(action: Action): Action {
  switch (action.type) {
    case 'hangup':
      return { type: 'hangup', cause: action.cause };
    case 'announce':
      return { type: 'announce', sound: action.sound, cause: action.cause };
    case 'continue':
      return { type: 'continue', context: action.context, extension: action.extension, priority: action.priority };
  }
}
