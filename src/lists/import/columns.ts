/**
 * Which column holds the number (and the expiry), from `--column` / `--expires-column`
 * (a 1-based position or a header name) and the first row of the file.
 */

/** A column as the user named it: a 1-based position, or a header name. */
export type ColumnSpec = { kind: 'position'; index: number } | { kind: 'name'; name: string };

export class ColumnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ColumnError';
  }
}

export function parseColumnSpec(text: string, flag: string): ColumnSpec {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const position = Number(trimmed);
    if (position < 1) throw new ColumnError(`${flag} ${text}: columns count from 1`);
    return { kind: 'position', index: position - 1 };
  }
  if (trimmed === '') throw new ColumnError(`${flag} needs a column number (from 1) or a header name`);
  return { kind: 'name', name: trimmed };
}

/** Header names that say "this column is the phone number", in the languages our users export in. */
const NUMBER_HEADER = /^(number|phone|phone ?number|telephone|tel|msisdn|e164|caller|caller ?id|callerid|cli|ani|dnis|nummer|rufnummer|telefon|telefonnummer|numero|número|numéro|telefono|teléfono)$/i;
/** The header of `callguard export`, whose expiry column import reads back by default. */
const EXPORT_HEADER = ['number', 'expires', 'reason', 'by', 'added'];

export interface ColumnPlan {
  /** the first row is a header, not data */
  header: boolean;
  numberIndex: number;
  expiresIndex: number | undefined;
}

const normalizeHeader = (cell: string): string => cell.trim().toLowerCase();

function findByName(header: string[], name: string, flag: string): number {
  const index = header.findIndex((cell) => normalizeHeader(cell) === normalizeHeader(name));
  if (index < 0) {
    throw new ColumnError(`${flag} ${name}: no such column in the header (${header.join(', ')})`);
  }
  return index;
}

/**
 * Decides from the first row. It is a header when the cell where the number would be has
 * no digit at all (`number`, `Telefon`), or when a column is asked for by name. Without
 * `--column`, a header cell named like a phone number picks the column, else the first.
 * A file exported by callguard (`number,expires,reason,by,added`) brings its expiries
 * back unless `--expires-column`, `--until` or `--for` says otherwise.
 */
export function planColumns(
  firstRow: string[],
  number: ColumnSpec | undefined,
  expires: ColumnSpec | undefined,
  expiryGiven: boolean,
): ColumnPlan {
  const byName = number?.kind === 'name' || expires?.kind === 'name';
  const guessIndex = number?.kind === 'position' ? number.index : 0;
  const header = byName || !/\d/.test(firstRow[guessIndex] ?? '');

  let numberIndex = guessIndex;
  if (number?.kind === 'name') numberIndex = findByName(firstRow, number.name, '--column');
  else if (!number && header) {
    const named = firstRow.findIndex((cell) => NUMBER_HEADER.test(cell.trim()));
    numberIndex = named >= 0 ? named : 0;
  }

  let expiresIndex: number | undefined;
  if (expires?.kind === 'name') expiresIndex = findByName(firstRow, expires.name, '--expires-column');
  else if (expires?.kind === 'position') expiresIndex = expires.index;
  else if (!expiryGiven && header && isExportHeader(firstRow)) expiresIndex = 1;

  if (expiresIndex !== undefined && expiresIndex >= firstRow.length) {
    throw new ColumnError(`--expires-column ${expiresIndex + 1}: the first row has ${firstRow.length} column(s)`);
  }
  if (expiresIndex !== undefined && expiresIndex === numberIndex) {
    throw new ColumnError('--expires-column names the same column as the number');
  }
  return { header, numberIndex, expiresIndex };
}

function isExportHeader(row: string[]): boolean {
  return row.length >= EXPORT_HEADER.length && EXPORT_HEADER.every((name, i) => normalizeHeader(row[i] ?? '') === name);
}
