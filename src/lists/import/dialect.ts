/**
 * How an input file is laid out, read from its first lines: the field delimiter
 * (comma, semicolon or tab, as contact-centre tools export), or none at all for a
 * file of one number per line.
 */
export interface Dialect {
  /** undefined: one value per line, the whole line is the number */
  delimiter: ',' | ';' | '\t' | undefined;
}

const CANDIDATES = [',', ';', '\t'] as const;
const SAMPLE_LINES = 20;

/** Occurrences of `delimiter` outside double quotes in one line. */
function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === delimiter && !quoted) count += 1;
  }
  return count;
}

/**
 * The delimiter that appears on most of the sample's lines (ties: the one appearing
 * most often). Phone numbers themselves never hold a comma, semicolon or tab, so a
 * sample without any is a one-number-a-line file.
 */
export function detectDialect(sample: string): Dialect {
  const text = sample.charCodeAt(0) === 0xfeff ? sample.slice(1) : sample;
  const lines = text
    .split(/\r\n|\n|\r/)
    .slice(0, SAMPLE_LINES)
    .filter((line) => line.trim() !== '');
  let best: Dialect['delimiter'];
  let bestLines = 0;
  let bestTotal = 0;
  for (const delimiter of CANDIDATES) {
    const counts = lines.map((line) => countOutsideQuotes(line, delimiter));
    const withIt = counts.filter((count) => count > 0).length;
    const total = counts.reduce((sum, count) => sum + count, 0);
    if (withIt > bestLines || (withIt === bestLines && withIt > 0 && total > bestTotal)) {
      best = delimiter;
      bestLines = withIt;
      bestTotal = total;
    }
  }
  return { delimiter: best };
}
