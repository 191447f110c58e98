import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/lists/import/source.js';
import { scrubLeads } from '../../src/screening/scrub.js';
import { ALICE, useStore } from '../lists/fixture.js';
import { collect } from '../helpers/collect.js';

describe('scrub rows read as bytes', () => {
  const t = useStore();

  it('keeps every row byte for byte, however it is read: BOM, CRLF, quotes, UTF-8, other countries, a last line without newline', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+12015550100' }, { member: '+4930123456' }], ALICE);
    const rows = [
      'name;phone;note',
      'Zoë Ångström;201-555-0100;ümlaut ✓',
      'Bo;(201) 555-0101;',
      '"Quoted; with delimiter";+1 201 555 0100;x',
      '',
      'Ed;+49 30 123456;Berlin',
      'Fy;hidden;',
      'Gu;+44 20 7946 0000;London',
      'Hu;2015550100',
    ];
    // Chunks cut inside rows and inside a multi-byte character.
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows.join('\r\n'))]);
    const cuts = [5, 17, 18, 40, 77, bytes.length];
    const chunks = cuts.map((cut, i) => bytes.subarray(i === 0 ? 0 : (cuts[i - 1] as number), cut));
    const [clean, removed] = [collect(), collect()];
    const rejected: { line: number; raw: string }[] = [];
    const summary = await scrubLeads(t.store, {
      source: await openSource('-', Readable.from(chunks)), lists: ['us'], region: 'US', clean, removed,
      rejects: { write: async (reject: { line: number; raw: string }) => void rejected.push(reject) } as never,
    });
    expect(summary).toMatchObject({ rows: 7, clean: 2, removed: 4, rejected: 1, header: 'name;phone;note' });
    expect(clean.bytes().toString('utf8')).toBe('name;phone;note\nBo;(201) 555-0101;\nGu;+44 20 7946 0000;London\n');
    expect(removed.bytes().toString('utf8')).toBe([
      'name;phone;note;callguard_list;callguard_entry',
      'Zoë Ångström;201-555-0100;ümlaut ✓;us;+12015550100',
      '"Quoted; with delimiter";+1 201 555 0100;x;us;+12015550100',
      'Ed;+49 30 123456;Berlin;us;+4930123456',
      'Hu;2015550100;us;+12015550100',
      '',
    ].join('\n'));
    expect(rejected).toMatchObject([{ line: 7, raw: 'hidden' }]);
  });

  it('writes runs of clean rows and the removed rows between them in the file\'s order, the number in the first column, in one window or many', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.createList('own', ALICE);
    const listed = (i: number): 'us' | 'own' | undefined => (i % 7 === 3 ? 'us' : i % 11 === 5 ? 'own' : undefined);
    const numberOf = (i: number): string => `201555${String(i).padStart(4, '0')}`;
    const lines = Array.from({ length: 600 }, (_, i) => `${numberOf(i)},lead ${i},${'x'.repeat(i % 5)}`);
    await t.store.add('us', lines.flatMap((_, i) => (listed(i) === 'us' ? [{ member: `+1${numberOf(i)}` }] : [])), ALICE);
    await t.store.add('own', lines.flatMap((_, i) => (listed(i) === 'own' ? [{ member: `+1${numberOf(i)}` }] : [])), ALICE);
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const chunks = [0, 1000, 1001, 5000, 9000].map((from, i, all) => bytes.subarray(from, all[i + 1] ?? bytes.length));
    // A window of 50 rows: each sorted and checked apart, written in turn.
    for (const windowRows of [undefined, 50]) {
      const [clean, removed] = [collect(), collect()];
      await scrubLeads(t.store, { source: await openSource('-', Readable.from(chunks)), lists: ['us', 'own'], region: 'US', clean, removed, batchSize: 64, windowRows });
      expect(clean.bytes().toString('utf8')).toBe(lines.filter((_, i) => listed(i) === undefined).map((line) => `${line}\n`).join(''));
      expect(removed.bytes().toString('utf8')).toBe(lines.flatMap((line, i) => { const list = listed(i); return list ? [`${line},${list},+1${numberOf(i)}\n`] : []; }).join(''));
    }
  });

  it('writes windows in the file\'s order while the next is asked, their batches answered out of order, and stops at a batch that fails', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    const numberOf = (i: number): string => `201555${String(i).padStart(4, '0')}`;
    const lines = Array.from({ length: 400 }, (_, i) => `${numberOf(i)},lead ${i}`);
    await t.store.add('us', lines.flatMap((_, i) => (i % 3 === 0 ? [{ member: `+1${numberOf(i)}` }] : [])), ALICE);
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    let calls = 0;
    // The real store, every third batch's answer held until the next batch is answered: with a batch a window, the window after it is answered first.
    const slow = (failAt: number) => {
      const answered = new Map<number, () => void>();
      const waits = new Map<number, Promise<void>>();
      const answeredAt = (call: number): Promise<void> => {
        if (!waits.has(call)) waits.set(call, new Promise((resolve) => answered.set(call, resolve)));
        return waits.get(call) as Promise<void>;
      };
      return {
        checkDigits: async (numbers: Float64Array, lists: string[]) => {
          const call = ++calls;
          if (call === failAt) throw new Error(`batch ${call} failed`);
          const found = await t.store.checkDigits(numbers, lists);
          // The last batch has no next one to wait for.
          if (call % 3 === 1 && call < lines.length / 16) await answeredAt(call + 1);
          void answeredAt(call);
          answered.get(call)?.();
          return found;
        },
      };
    };
    const [clean, removed] = [collect(), collect()];
    await scrubLeads(slow(0), { source: await openSource('-', Readable.from([bytes])), lists: ['us'], region: 'US', clean, removed, batchSize: 16, windowRows: 16 });
    expect(clean.bytes().toString('utf8')).toBe(lines.filter((_, i) => i % 3 !== 0).map((line) => `${line}\n`).join(''));
    expect(removed.bytes().toString('utf8')).toBe(lines.filter((_, i) => i % 3 === 0).map((line, n) => `${line},us,+1${numberOf(n * 3)}\n`).join(''));
    calls = 0;
    await expect(scrubLeads(slow(18), { source: await openSource('-', Readable.from([bytes])), lists: ['us'], region: 'US', clean: collect(), removed: collect(), batchSize: 16, windowRows: 16 })).rejects.toThrow('batch 18 failed');
  });
});
