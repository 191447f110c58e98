import { InvalidArgumentError } from 'commander';
import { parseDelay } from '../../../screening/campaign-syntax.js';
import { MAX_LIST_AGE_MS, MIN_LIST_AGE_MS } from '../../../screening/campaign.js';
import { syntaxOption } from '../../options.js';

/** A delay such as 30s or 5m (`none` is not one: that is --retry's word). */
export function delayOption(text: string): number {
  const delay = syntaxOption(parseDelay)(text);
  if (delay === null) throw new InvalidArgumentError(`"${text}": give a delay such as 30s or 5m`);
  return delay;
}

/** --max-list-age: an age in the words a person writes, refused in those words (not the stored field's ms). */
export function listAgeOption(text: string): number {
  let age: number | null = null;
  try {
    age = parseDelay(text);
  } catch {
    // Said below, in this option's own words.
  }
  if (age === null || age < MIN_LIST_AGE_MS || age > MAX_LIST_AGE_MS) {
    throw new InvalidArgumentError(`"${text}" is not a list age from 1m to 366d: write e.g. 31d, 4w or 12h`);
  }
  return age;
}

export function wholeOption(text: string): number {
  if (!/^[1-9][0-9]{0,5}$/.test(text)) throw new InvalidArgumentError(`"${text}" is not a whole number from 1`);
  return Number(text);
}
