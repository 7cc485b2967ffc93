/**
 * The streaming row reader (src/xlsx/stream-rows.ts) against the in-memory reader
 * (Workbook.sheet) on workbooks built in memory by test/helpers/xlsx-builder.ts and by
 * the ERO-LESA generator (bench/generate/lesa-xlsx.ts): the same cells for every cell
 * type, also when every tag, number and UTF-8 sequence is cut between pieces; and the
 * errors of a cut or corrupt sheet part.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { crc32, deflateRawSync } from 'node:zlib';
import { SourceFormatError } from '../../src/lib/errors.js';
import { CellError, type CellValue } from '../../src/xlsx/sheet.js';
import { decimalValue, streamSheetRows, XlsxFile, type StreamOptions, type StreamSource } from '../../src/xlsx/stream-rows.js';
import { Workbook, type SheetInfo } from '../../src/xlsx/workbook.js';
import { PRODUCTION, REDACTED, writeLesaXlsx } from '../../bench/generate/lesa-xlsx.js';
import { buildXlsx, cell, row, si, STYLE, xlsxParts, type XlsxSpec } from '../helpers/xlsx-builder.js';

const FILE = 'fixtures/2025-ICLI-00019_2024-ICFO-39357_Detention Stints_LESA-STU_FINAL Redacted.xlsx';

type Rows = Array<Array<CellValue | undefined> | undefined>;

/** Every row of a sheet through the streaming reader, indexed like Sheet.rows; checks batch sizes and order. */
async function streamed(source: StreamSource, info: SheetInfo, options: StreamOptions = {}): Promise<Rows> {
  const rows: Rows = [];
  let last = 0;
  for await (const batch of streamSheetRows(source, info, options)) {
    assert.ok(batch.length >= 1 && batch.length <= (options.batchSize ?? 1000), `batch of ${batch.length}`);
    for (const r of batch) {
      assert.ok(r.row > last, `row ${r.row} after row ${last}`);
      last = r.row;
      rows[r.row] = r.cells;
    }
  }
  return rows;
}

/** The streamed rows equal Sheet.rows for every sheet, whole and in tiny pieces. */
async function assertSameAsSheets(wb: Workbook, pieces: Array<number | undefined> = [undefined, 1, 2, 3, 7, 64]): Promise<void> {
  for (const info of wb.sheets) {
    const sheet = await wb.sheet(info);
    for (const chunkSize of pieces) {
      for (const batchSize of chunkSize === undefined ? [1, 2, 1000] : [1000]) {
        assert.deepStrictEqual(await streamed(wb, info, { chunkSize, batchSize }), sheet.rows, `sheet '${info.name}', pieces of ${chunkSize ?? 'any'} bytes, batches of ${batchSize}`);
      }
    }
  }
}

const utc = (y: number, m: number, d: number, h = 0, min = 0): Date => new Date(Date.UTC(y, m - 1, d, h, min));

/** Every cell type and quirk the in-memory reader's tests cover, and a few more. */
const STRINGS = [
  si.plain('R&D <draft> "quoted"'),
  si.rich(['ICE ', 'Removals', ': FY2026']),
  si.phonetic('東京', 'トウキョウ'),
  si.preserved('  padded  '),
  si.empty(),
  si.raw('<si><t>caf&#233; &#x2014; &#8211;</t></si>'),
  si.raw('<si>\n  <r><t>line </t></r>\n  <r><rPr><b/></rPr><t>two</t></r>\n</si>'),
  si.plain(REDACTED),
];

const TYPES: XlsxSpec = {
  sharedStrings: STRINGS,
  sheets: [
    {
      name: 'Types',
      rows: [
        row(1, ...STRINGS.map((_, i) => cell.shared(`${String.fromCharCode(65 + i)}1`, i))),
        row(
          2,
          cell.inline('A2', 'inline & <text>'),
          cell.num('B2', 3),
          cell.formula('D2', 'B2+C2', 7),
          cell.str('E2', 'B2&"x"', '3x & co'),
          cell.bool('F2', true),
          cell.bool('G2', false),
          cell.error('H2', '#N/A', 'NA()'),
          cell.error('I2', '#DIV/0!'),
          cell.inline('J2', 'Ciudad Juárez — 東京 🙂'),
          cell.str('K2', 'A1', 'São Tomé'),
        ),
        row(
          3,
          cell.num('A3', 46116, STYLE.builtinDate),
          cell.num('B3', 46116, STYLE.customDate),
          cell.num('C3', 46116.75, STYLE.builtinDate),
          cell.num('D3', 46116, STYLE.general),
          cell.num('E3', 12.5, STYLE.daysNumber),
          cell.num('F3', 1234567, STYLE.thousands),
          cell.formula('G3', 'A3+1', 46117, STYLE.builtinDate),
          cell.num('H3', 44835.239583333336, STYLE.builtinDate),
          '<c r="I3" s="1"><v>45202.607638888891</v></c>', // Excel's 17 digits
        ),
        row(
          4,
          cell.num('A4', -2.5),
          cell.num('B4', 1.5e-7),
          cell.num('C4', 123456789012345680000),
          cell.num('D4', 0),
          '<c r="E4"><v>-0.000123</v></c>',
          '<c r="F4"><v>1E-3</v></c>',
          '<c r="G4"><v>9007199254740993</v></c>',
          '<c r="H4"><v>12345678901234567890123</v></c>',
          '<c r="I4"><v></v></c>',
          '<c r="J4"><v>n/a &amp; more</v></c>', // a number cell holding text
        ),
        // styled empty cells, and cells without r after them
        row(5, cell.empty('A5'), cell.num(null, 1), cell.empty('D5'), cell.num(null, 2), cell.num(null, 3)),
        // a row element without r, cells without r
        row(null, cell.num(null, 10), cell.shared(null, 0), cell.inline(null, 'x')),
        // empty rows as Excel writes them, styled, self-closing
        '<row r="8" spans="1:3" ht="20.25" customHeight="1"/>',
        '<row r="9" spans="1:3"></row>',
        // attributes in another order, extra attributes, whitespace
        '<row spans="1:4" r="10" x14ac:dyDescent="0.25"><c t="s" s="2" r="A10"><v>1</v></c><c s="1" r="B10"\n t="n"><v>46116</v></c><c r="C10" cm="1" t="str"><f t="array" ref="C10">X()</f><v>array</v></c><c r="D10"><f>1+1</f><v>2</v></c></row>',
        // an ISO date cell (t="d"), an empty value, a <v/>
        row(11, '<c r="A11" t="d"><v>2026-04-04T10:30:00</v></c>', '<c r="B11" t="s"><v/></c>', '<c r="C11" t="inlineStr"><is><r><t>rich </t></r><r><rPr><b/></rPr><t>inline</t></r></is></c>'),
        // a far column
        row(12, cell.num('XFD12', 1), cell.num('AA12', 2)),
        row(1048576, cell.num('A1048576', 42)),
      ],
      merged: ['A1:C1'],
    },
    { name: 'Empty', rows: [] },
    { name: 'Hidden', state: 'hidden', rows: [row(1, cell.num('A1', 1))] },
  ],
};

describe('streamed rows equal the in-memory reader', () => {
  test('every cell type, in one piece and cut into pieces of 1 to 64 bytes, in batches of 1, 2 and 1000', async () => {
    const wb = await Workbook.open(buildXlsx(TYPES), FILE);
    await assertSameAsSheets(wb);
    const rows = await streamed(wb, wb.sheets[0]!);
    assert.equal(rows[1]![8], REDACTED);
    assert.equal(rows[2]![10], 'Ciudad Juárez — 東京 🙂');
    assert.equal(rows[2]![11], 'São Tomé');
    assert.deepEqual(rows[2]![8], new CellError('#N/A'));
    assert.deepEqual(rows[3]![8], new Date(Math.round((44835.239583333336 - 25569) * 86_400_000)));
    assert.equal(rows[4]![7], 9007199254740992, 'a 16-digit tie rounds to even, as Number does');
    assert.equal(rows[4]![10], 'n/a & more');
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((c) => rows[5]![c]), [undefined, 1, undefined, undefined, 2, 3], 'a cell without r follows the one before, empty or not');
    assert.deepEqual([1, 2, 3].map((c) => rows[6]![c]), [10, 'R&D <draft> "quoted"', 'x'], 'a row without r follows the one before');
    assert.equal(rows[8], undefined, 'an empty row is not yielded');
    assert.deepEqual(rows[11]![1], utc(2026, 4, 4, 10, 30));
    assert.equal(rows[11]![2], undefined, 'a <v/> holds no value');
    assert.equal(rows[12]![16384], 1);
    assert.equal(rows[1048576]![1], 42);
  });

  test('the 1904 date system', async () => {
    const spec: XlsxSpec = {
      date1904: true,
      sheets: [{ name: 'Mac', rows: [row(1, cell.num('A1', 44654, STYLE.builtinDate), cell.num('B1', 44654.5, STYLE.customDate), cell.num('C1', 44654))] }],
    };
    const wb = await Workbook.open(buildXlsx(spec), FILE);
    await assertSameAsSheets(wb);
    const rows = await streamed(wb, wb.sheets[0]!);
    assert.deepEqual(rows[1]!.slice(1), [utc(2026, 4, 4), utc(2026, 4, 4, 12), 44654]);
  });

  test('a stored (uncompressed) sheet part', async () => {
    const wb = await Workbook.open(buildXlsx({ ...TYPES, level: 0 }), FILE);
    await assertSameAsSheets(wb, [undefined, 5]);
  });

  test('many rows and shared strings: a part of several inflate chunks, read from a file by XlsxFile', async () => {
    const strings = Array.from({ length: 30_000 }, (_, i) => (i % 97 === 0 ? si.empty() : i % 89 === 0 ? si.rich([`run ${i} `, 'two']) : si.plain(`value ${i} ñ`)));
    const rows = Array.from({ length: 6_000 }, (_, i) =>
      row(i + 1, cell.shared(`A${i + 1}`, (i * 7) % strings.length), cell.num(`B${i + 1}`, 44835 + i / 1440, STYLE.builtinDate), cell.num(`C${i + 1}`, i * 0.1), cell.inline(`D${i + 1}`, `ä${i}`)),
    );
    const bytes = buildXlsx({ sharedStrings: strings, sheets: [{ name: 'Big', rows }] });
    const dir = mkdtempSync(join(tmpdir(), 'stream-rows-'));
    try {
      const path = join(dir, 'big.xlsx');
      writeFileSync(path, bytes);
      const wb = await Workbook.open(bytes, FILE);
      const file = await XlsxFile.open(path, FILE);
      try {
        assert.deepStrictEqual(file.ctx.sharedStrings, wb.streamSource.ctx.sharedStrings, 'shared strings read in pieces');
        assert.deepStrictEqual(file.sheets, wb.sheets);
        const sheet = await wb.sheet(wb.sheets[0]!);
        assert.deepStrictEqual(await streamed(file, file.sheets[0]!, { batchSize: 333 }), sheet.rows);
        assert.deepStrictEqual(await streamed(wb, wb.sheets[0]!), sheet.rows);
        assert.deepStrictEqual(await streamed(wb.streamSource, wb.sheets[0]!, { chunkSize: 4093 }), sheet.rows);
      } finally {
        await file.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('stopping early releases the stream; the sheet can be read again', async () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => row(i + 1, cell.num(`A${i + 1}`, i)));
    const wb = await Workbook.open(buildXlsx({ sheets: [{ name: 'S', rows }] }), FILE);
    for await (const batch of streamSheetRows(wb, wb.sheets[0]!, { batchSize: 10 })) {
      assert.equal(batch[0]!.row, 1);
      break;
    }
    assert.equal((await streamed(wb, wb.sheets[0]!)).length, 3_001);
  });
});

describe('an ERO-LESA workbook from the generator', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lesa-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const kind of ['detention-stints', 'arrests', 'removals'] as const) {
    test(`${kind}: banner, header on row 7, records from row 8 split over sheets, footnotes last; streamed = in memory`, async () => {
      const path = join(dir, `${kind}.xlsx`);
      const g = await writeLesaXlsx(path, kind, 1_250, { rowsPerSheet: 500 });
      assert.equal(g.sheets.length, 4);
      const file = await XlsxFile.open(path, FILE);
      const wb = await Workbook.open(readFileSync(path), FILE);
      try {
        assert.deepEqual(file.sheets.map((s) => s.name), g.sheets);
        assert.equal(file.sheets.at(-1)!.name, 'Footnotes');
        let records = 0;
        let cells = 0;
        for (const info of file.sheets.slice(0, -1)) {
          const rows = await streamed(file, info);
          assert.deepStrictEqual(rows, (await wb.sheet(info)).rows, info.name);
          assert.deepEqual(
            [1, 2, 3, 4, 6].map((r) => rows[r]![1]),
            ['ERO-LESA Statistical Tracking Unit', 'For Official Use Only (FOUO)/Pre-decisional', PRODUCTION, 'Please review the last tab for footnotes.', rows[6]![1]],
          );
          assert.match(String(rows[6]![1]), /^FY2023 - FY2026 YTD ICE /);
          assert.equal(rows[5], undefined, 'row 5 is blank');
          const header = rows[7]!.slice(1) as string[];
          assert.equal(header.length, { 'detention-stints': 53, arrests: 25, removals: 41 }[kind]);
          const birth = header.indexOf('Birth Date') + 1;
          for (let r = 8; r < rows.length; r++) {
            records++;
            assert.equal(rows[r]![birth], REDACTED);
            for (const v of rows[r]!) if (v !== undefined) cells++;
          }
        }
        assert.equal(records, 1_250);
        assert.equal(cells, g.cells);
        const notes = await streamed(file, file.sheets.at(-1)!);
        assert.equal(notes[1]![1], 'Footnotes');
      } finally {
        await file.close();
      }
    });
  }

  test('detention stints hold date-times as serial numbers with a date-time style and some as text, and person ids shared by stints', async () => {
    const path = join(dir, 'stints.xlsx');
    await writeLesaXlsx(path, 'detention-stints', 3_000);
    const file = await XlsxFile.open(path, FILE);
    try {
      const rows = await streamed(file, file.sheets[0]!);
      const header = rows[7]!;
      const col = (name: string): number => header.indexOf(name);
      let dates = 0;
      let texts = 0;
      const ids = new Map<unknown, number>();
      for (let r = 8; r < rows.length; r++) {
        const cells = rows[r]!;
        assert.ok(cells[col('Book In Date Time')] instanceof Date);
        const out = cells[col('Stay Book Out Date Time')];
        if (out instanceof Date) dates++;
        else if (typeof out === 'string') {
          texts++;
          assert.match(out, /^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/);
        }
        assert.match(String(cells[col('Detention Facility Code')]), /^[A-Z]{7}$/);
        const id = cells[col('Anonymized Identifier')];
        ids.set(id, (ids.get(id) ?? 0) + 1);
      }
      assert.ok(dates > 1_000 && texts > 10, `${dates} date-times, ${texts} as text`);
      assert.ok([...ids.values()].some((n) => n > 1), 'some people have several stints');
    } finally {
      await file.close();
    }
  });

  test('a workbook with Zip64 records is read by both readers', async () => {
    const path = join(dir, 'zip64.xlsx');
    await writeLesaXlsx(path, 'arrests', 300, { forceZip64: true });
    const file = await XlsxFile.open(path, FILE);
    const wb = await Workbook.open(readFileSync(path), FILE);
    try {
      assert.deepStrictEqual(await streamed(file, file.sheets[0]!), (await wb.sheet(wb.sheets[0]!)).rows);
    } finally {
      await file.close();
    }
  });
});

describe('errors name the file and the sheet', () => {
  /** A zip of the workbook's parts with the sheet part's stored bytes (and declared sizes) replaced. */
  function zipWithSheet(spec: XlsxSpec, sheetPart: (xml: Buffer) => { data: Buffer; size: number; crc?: number; method?: number }): Buffer {
    const local: Buffer[] = [];
    const central: Buffer[] = [];
    let offset = 0;
    for (const [name, content] of Object.entries(xlsxParts(spec))) {
      const raw = Buffer.from(content);
      const isSheet = name === 'xl/worksheets/sheet1.xml';
      const entry = isSheet ? sheetPart(raw) : { data: deflateRawSync(raw), size: raw.length };
      const crc = entry.crc ?? crc32(raw);
      const nameBuf = Buffer.from(name);
      const h = Buffer.alloc(30);
      h.writeUInt32LE(0x04034b50, 0);
      h.writeUInt16LE(20, 4);
      h.writeUInt16LE(entry.method ?? 8, 8);
      h.writeUInt32LE(crc, 14);
      h.writeUInt32LE(entry.data.length, 18);
      h.writeUInt32LE(entry.size, 22);
      h.writeUInt16LE(nameBuf.length, 26);
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4);
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(entry.method ?? 8, 10);
      c.writeUInt32LE(crc, 16);
      c.writeUInt32LE(entry.data.length, 20);
      c.writeUInt32LE(entry.size, 24);
      c.writeUInt16LE(nameBuf.length, 28);
      c.writeUInt32LE(offset, 42);
      local.push(h, nameBuf, entry.data);
      central.push(c, nameBuf);
      offset += 30 + nameBuf.length + entry.data.length;
    }
    const cd = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(central.length / 2, 8);
    end.writeUInt16LE(central.length / 2, 10);
    end.writeUInt32LE(cd.length, 12);
    end.writeUInt32LE(offset, 16);
    return Buffer.concat([...local, cd, end]);
  }

  const SPEC: XlsxSpec = {
    sharedStrings: [si.plain('x')],
    sheets: [{ name: 'Detention Stints 2', rows: Array.from({ length: 2_000 }, (_, i) => row(i + 1, cell.num(`A${i + 1}`, i), cell.shared(`B${i + 1}`, 0), cell.num(`C${i + 1}`, 44835.5 + i, STYLE.builtinDate))) }],
  };

  async function rejects(bytes: Buffer, why: RegExp, options: StreamOptions = {}): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'stream-rows-bad-'));
    try {
      const path = join(dir, 'bad.xlsx');
      writeFileSync(path, bytes);
      const file = await XlsxFile.open(path, FILE);
      try {
        for (const source of [await Workbook.open(bytes, FILE), file]) {
          await assert.rejects(streamed(source, source.sheets[0]!, options), (err: unknown) => {
            assert.ok(err instanceof SourceFormatError, `expected a SourceFormatError, got ${String(err)}`);
            assert.equal(err.location.file, FILE);
            assert.equal(err.location.sheet, 'Detention Stints 2');
            assert.ok(err.message.startsWith(`${FILE}, sheet 'Detention Stints 2': `), err.message);
            assert.match(err.reason, why);
            assert.equal(err.exitCode, 3);
            return true;
          });
        }
      } finally {
        await file.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('a sheet entry cut in the middle of its deflate stream', async () => {
    const bytes = zipWithSheet(SPEC, (xml) => {
      const packed = deflateRawSync(xml);
      return { data: packed.subarray(0, Math.floor(packed.length / 2)), size: xml.length };
    });
    await rejects(bytes, /^the sheet cannot be read \(truncated or corrupt download\?\): xl\/worksheets\/sheet1\.xml cannot be inflated \(a cut or corrupt deflate stream\): unexpected end of file$/);
    await rejects(bytes, /unexpected end of file/, { chunkSize: 3 });
  });

  test('a sheet part whose XML stops in the middle of a row', async () => {
    const bytes = zipWithSheet(SPEC, (xml) => {
      const cut = xml.subarray(0, Math.floor(xml.length / 2));
      return { data: deflateRawSync(cut), size: cut.length, crc: crc32(cut) };
    });
    await rejects(bytes, /the sheet part xl\/worksheets\/sheet1\.xml ends inside <sheetData>, after row \d+ \(truncated\?\)/);
  });

  test('a stored sheet part cut before <sheetData>', async () => {
    const bytes = zipWithSheet(SPEC, (xml) => {
      const cut = xml.subarray(0, 100);
      return { data: cut, size: cut.length, crc: crc32(cut), method: 0 };
    });
    await rejects(bytes, /ends before <sheetData>/);
  });

  test('a corrupt deflate stream', async () => {
    const bytes = zipWithSheet(SPEC, (xml) => {
      const packed = Buffer.from(deflateRawSync(xml));
      packed.fill(0xff, 0, 16);
      return { data: packed, size: xml.length };
    });
    await rejects(bytes, /xl\/worksheets\/sheet1\.xml cannot be inflated \(a cut or corrupt deflate stream\)/);
  });

  test('a part that inflates to another size than the zip directory says', async () => {
    const bytes = zipWithSheet(SPEC, (xml) => ({ data: deflateRawSync(xml), size: xml.length + 10 }));
    await rejects(bytes, /inflated to \d+ bytes, the zip directory says \d+/);
  });

  test('a sheet part missing from the zip', async () => {
    const wb = await Workbook.open(buildXlsx({ sheets: [{ name: 'Ok', rows: [] }, { name: 'Detention FY26', omitPart: true }] }), FILE);
    await assert.rejects(streamed(wb, wb.sheets[1]!), (err: unknown) => {
      assert.ok(err instanceof SourceFormatError);
      assert.equal(err.message, `${FILE}, sheet 'Detention FY26': sheet part xl/worksheets/sheet2.xml is missing from the zip`);
      return true;
    });
  });

  test('a file that is not an xlsx, or cut before its central directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stream-rows-bad-'));
    try {
      const html = join(dir, 'page.xlsx');
      writeFileSync(html, '<!DOCTYPE html><html><body>Access Denied</body></html>');
      await assert.rejects(XlsxFile.open(html, FILE), /HTML page/);
      const cut = join(dir, 'cut.xlsx');
      const bytes = buildXlsx(SPEC);
      writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
      await assert.rejects(XlsxFile.open(cut, FILE), (err: unknown) => err instanceof SourceFormatError && /cannot be unzipped \(truncated or corrupt download\?\)/.test(err.reason));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decimal numbers without a string', () => {
  const value = (text: string): number => {
    const b = Buffer.from(text, 'latin1');
    return decimalValue(b, 0, b.length);
  };

  test('the same double as Number, or NaN to leave it to Number', () => {
    let seed = 20260126;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    let handled = 0;
    let total = 0;
    for (let i = 0; i < 40_000; i++) {
      const x = 43000 + random() * 4000; // a date-time serial
      const y = 44835 + random();
      const half = y + 2 ** -38; // the midpoint between y and the next double
      let digits = '';
      const n = 1 + Math.floor(random() * 23);
      for (let k = 0; k < n; k++) digits += Math.floor(random() * 10);
      const point = Math.floor(random() * n);
      for (const text of [
        String(x),
        x.toPrecision(17),
        x.toPrecision(16),
        (-random() * 100).toPrecision(17),
        String(random()),
        (random() * 10 ** Math.floor(random() * 20)).toPrecision(1 + Math.floor(random() * 21)),
        `${digits.slice(0, point)}.${digits.slice(point)}`,
        half.toFixed(12),
        half.toFixed(13),
      ]) {
        total++;
        const got = value(text);
        if (Number.isNaN(got)) continue;
        handled++;
        assert.ok(Object.is(got, Number(text)), `${text}: ${got}, Number gives ${Number(text)}`);
      }
    }
    assert.ok(handled / total > 0.9, `${handled} of ${total} handled`);
  });

  test('shapes it leaves to Number', () => {
    for (const text of ['', '-', '.', '5.', '1e5', '1.5E-7', '12345678901234567890123.5', '0.00000000000000000000001', '1.2.3', '9007199254740993']) {
      assert.ok(Number.isNaN(value(text)), text);
    }
    assert.equal(value('.5'), 0.5);
    assert.ok(Object.is(value('-0.0'), -0));
    assert.equal(value('00012.500'), 12.5);
  });
});

