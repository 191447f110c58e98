import { InvalidArgumentError } from 'commander';
import { parseDelay } from '../../../screening/campaign-syntax.js';
import { syntaxOption } from '../../options.js';

/** A delay such as 30s or 5m (`none` is not one: that is --retry's word). */
export function delayOption(text: string): number {
  const delay = syntaxOption(parseDelay)(text);
  if (delay === null) throw new InvalidArgumentError(`"${text}": give a delay such as 30s or 5m`);
  return delay;
}

export function wholeOption(text: string): number {
  if (!/^[1-9][0-9]{0,5}$/.test(text)) throw new InvalidArgumentError(`"${text}" is not a whole number from 1`);
  return Number(text);
}
