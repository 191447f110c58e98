import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { detectDialect } from '../../src/lists/import/dialect.js';
import { ColumnError, parseColumnSpec, planColumns } from '../../src/lists/import/columns.js';
import { readExpiryCell } from '../../src/lists/import/expiry.js';

describe('detectDialect', () => {
  it('finds no delimiter in a file of one number a line, spaced numbers included', () => {
    expect(detectDialect('+49 30 1234567\n030 1234567\n(415) 555-0100\n')).toEqual({ delimiter: undefined });
  });

  it('finds the comma, the semicolon and the tab of contact-centre exports', () => {
    expect(detectDialect('number,date,description\n+4930123,2026-01-01,x\n').delimiter).toBe(',');
    expect(detectDialect('\ufeffNummer;Datum;Text\r\n030123;01.01.2026;"a, b"\r\n').delimiter).toBe(';');
    expect(detectDialect('number\tdate\n+4930123\t2026-01-01\n').delimiter).toBe('\t');
  });

  it('ignores delimiters inside quoted fields', () => {
    expect(detectDialect('"+49 30 1, office"\n"+49 30 2, home"\n').delimiter).toBeUndefined();
  });

  it('never throws on any text', () => {
    fc.assert(fc.property(fc.string(), (text) => detectDialect(text) !== undefined));
  });
});

describe('planColumns', () => {
  it('takes a first row without digits in the number cell as a header', () => {
    expect(planColumns(['number', 'date'], undefined, undefined, false)).toMatchObject({ header: true, numberIndex: 0 });
    expect(planColumns(['+4930123', '2026'], undefined, undefined, false)).toMatchObject({ header: false, numberIndex: 0 });
  });

  it('picks the column named like a phone number when no --column is given', () => {
    expect(planColumns(['date', 'Rufnummer', 'text'], undefined, undefined, false).numberIndex).toBe(1);
  });

  it('reads --column by position and by header name, case-insensitively', () => {
    expect(planColumns(['a', '+4930123'], parseColumnSpec('2', '--column'), undefined, false).numberIndex).toBe(1);
    expect(planColumns(['Date', 'Caller'], parseColumnSpec('caller', '--column'), undefined, false)).toMatchObject({
      header: true,
      numberIndex: 1,
    });
  });

  it('refuses a column name the header does not have, naming the columns it has', () => {
    expect(() => planColumns(['number', 'date'], parseColumnSpec('phone', '--column'), undefined, false)).toThrow(
      /no such column.*number, date/,
    );
    expect(() => parseColumnSpec('0', '--column')).toThrow(ColumnError);
  });

  it('reads expiries back from a file written by callguard export, unless an expiry is given', () => {
    const header = ['number', 'expires', 'reason', 'by', 'added'];
    expect(planColumns(header, undefined, undefined, false).expiresIndex).toBe(1);
    expect(planColumns(header, undefined, undefined, true).expiresIndex).toBeUndefined();
  });
});

describe('readExpiryCell', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads empty and never as forever, and an ISO time as ms', () => {
    expect(readExpiryCell('', now)).toEqual({ ok: true, expiry: 'inf' });
    expect(readExpiryCell('never', now)).toEqual({ ok: true, expiry: 'inf' });
    expect(readExpiryCell('2026-06-01T12:00:00.000Z', now)).toEqual({ ok: true, expiry: String(Date.parse('2026-06-01T12:00:00Z')) });
  });

  it('refuses a time already past and text that is no time', () => {
    expect(readExpiryCell('2025-12-31', now)).toMatchObject({ ok: false, reason: expect.stringMatching(/already past/) });
    expect(readExpiryCell('tomorrow', now)).toMatchObject({ ok: false, reason: expect.stringMatching(/not an ISO 8601/) });
  });
});
