/**
 * Sheets to CSV (src/xlsx/sheet-csv*.ts, row-blocks.ts) against the streaming row reader
 * (stream-rows.ts) as the oracle: every cell type and quirk, cut into blocks of any size,
 * on this thread to a file and on worker threads through a named pipe; the ERO-LESA
 * generator's workbooks; the errors of a cut sheet and of cells out of order.
 */
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SourceFormatError } from '../../src/lib/errors.js';
import { encodeCsvStrings, type CsvStrings } from '../../src/xlsx/csv-text.js';
import { RowBlocks } from '../../src/xlsx/row-blocks.js';
import { SheetCsvWriter, type SheetCsvSpec } from '../../src/xlsx/sheet-csv.js';
import { writeSheetCsv, type SheetCsvTask } from '../../src/xlsx/sheet-csv-file.js';
import { zipEntryLocations } from '../../src/xlsx/zip-entries.js';
import { sheetsToCsv } from '../../src/xlsx/sheet-csv-pool.js';
import { CellError, type CellValue } from '../../src/xlsx/sheet.js';
import { streamSheetRows } from '../../src/xlsx/stream-rows.js';
import { Workbook } from '../../src/xlsx/workbook.js';
import { writeLesaXlsx } from '../../bench/generate/lesa-xlsx.js';
import { parseCsv } from '../helpers/csv.js';
import { buildXlsx, cell, row, si, STYLE } from '../helpers/xlsx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-sheet-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const REDACTION = /^\s*\(\s*b\s*\)\s*\(\s*\d\s*\)/i;

/** Every cell type and quirk, with banner rows above a header on row 3. */
const STRINGS = [
  si.plain('R&D <draft> "quoted", with a comma'),
  si.rich(['ICE ', 'Removals', ': FY2026']),
  si.preserved('  padded  '),
  si.empty(),
  si.plain('(b)(6), (b)(7)(c)'),
  si.plain('line one\nline two'),
  si.plain('   '),
  si.raw('<si><t>caf&#233; &#x2014; 東京 🙂</t></si>'),
];

function typesWorkbook(): Uint8Array {
  return buildXlsx({
    sharedStrings: STRINGS,
    sheets: [
      {
        name: 'Types',
        rows: [
          row(1, cell.inline('A1', 'ERO-LESA Statistical Tracking Unit')),
          row(3, cell.inline('A3', 'Header'), cell.inline('B3', 'Header 2')),
          row(4, ...STRINGS.map((_, i) => cell.shared(`${String.fromCharCode(65 + i)}4`, i))),
          row(
            5,
            cell.inline('A5', 'inline & <text>, "quoted"'),
            cell.num('B5', 3),
            cell.formula('C5', 'B5+1', 4),
            cell.str('D5', 'A1', 'São Tomé'),
            cell.bool('E5', true),
            cell.error('F5', '#N/A', 'NA()'),
            cell.inline('G5', ' (b)(7)(E) '),
            cell.num('H5', 1234567, STYLE.thousands),
          ),
          row(
            6,
            cell.num('A6', 46116, STYLE.builtinDate),
            cell.num('B6', 46116.75, STYLE.customDate),
            cell.num('C6', 44835.239583333336, STYLE.builtinDate),
            '<c r="D6" s="1"><v>45202.607638888891</v></c>',
            cell.formula('E6', 'A6+1', 46117, STYLE.builtinDate),
            '<c r="F6" t="d"><v>2026-04-04T10:30:00</v></c>',
            cell.num('G6', 12.5, STYLE.daysNumber),
            cell.num('H6', 46116.0005, STYLE.builtinDate),
          ),
          row(7, cell.num('A7', -2.5), '<c r="B7"><v>1E-3</v></c>', '<c r="C7"><v>9007199254740993</v></c>', '<c r="D7"><v></v></c>', '<c r="E7"><v>n/a &amp; more</v></c>', cell.num('F7', 0)),
          // styled empty cells, and cells without r after them
          row(8, cell.empty('A8'), cell.num(null, 1), cell.empty('D8'), cell.num(null, 2), cell.num(null, 3)),
          // a row element without r, cells without r
          row(null, cell.num(null, 10), cell.shared(null, 1), cell.inline(null, 'x')),
          // empty rows, a row of only an empty string and a styled empty cell: no line
          '<row r="10" spans="1:3" ht="20.25" customHeight="1"/>',
          '<row r="11" spans="1:3"></row>',
          row(12, cell.shared('A12', 3), cell.empty('B12')),
          // attributes in another order, extra attributes, whitespace, formulas
          '<row spans="1:4" r="13" x14ac:dyDescent="0.25"><c t="s" s="2" r="A13"><v>1</v></c><c s="1" r="B13"\n t="n"><v>46116</v></c><c r="C13" cm="1" t="str"><f t="array" ref="C13">X()</f><v>array</v></c><c r="D13"><f>1+1</f><v>2</v></c></row>',
          // a row of only a redaction code and of white space: lines, with the flag, with an empty field
          row(14, cell.shared('C14', 4)),
          row(15, cell.shared('B15', 6)),
          // a column past the fields read, and a far one
          row(16, cell.num('B16', 7), cell.num('K16', 8), cell.num('XFD16', 9)),
          row(1048576, cell.num('A1048576', 42)),
        ],
      },
    ],
  });
}

/** Columns A–J read; B and F not written (only flagged); the header on row 3. */
const SPEC: Omit<SheetCsvSpec, 'dateStyles' | 'date1904'> = {
  headerRow: 3,
  fieldOf: [-1, 0, -1, 1, 2, 3, -1, 4, 5, 6, 7],
  fields: 8,
  flagNames: ['', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
  flag: REDACTION,
};

async function open(bytes: Uint8Array, name: string): Promise<{ path: string; wb: Workbook; strings: CsvStrings; spec: (headerRow?: number) => SheetCsvSpec; task: (sheet: number, spec: SheetCsvSpec, out: string) => Promise<SheetCsvTask> }> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const wb = await Workbook.open(bytes, path);
  const ctx = wb.streamSource.ctx;
  const entries = await zipEntryLocations(bytes, path);
  return {
    path,
    wb,
    strings: encodeCsvStrings(ctx.sharedStrings, (s) => REDACTION.test(s)),
    spec: (headerRow = SPEC.headerRow) => ({ ...SPEC, headerRow, dateStyles: [...ctx.dateStyles], date1904: ctx.date1904 }),
    task: async (sheet, spec, out) => ({ path, file: name, sheet: wb.sheets[sheet]!.name, entry: entries.get(wb.sheets[sheet]!.part)!, spec, out }),
  };
}

/** A date as the CSV writes it: YYYY-MM-DD, then the time unless midnight, then milliseconds unless none. */
function isoText(d: Date): string {
  const iso = d.toISOString().replace('T', ' ').replace('Z', '');
  return iso.replace(/ 00:00:00\.000$/, '').replace(/\.000$/, '');
}

function text(v: CellValue): string {
  if (v instanceof Date) return isoText(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof CellError) return v.code;
  return String(v);
}

/** The lines the oracle expects, each as [row, ...fields, flags] with numbers kept as numbers. */
async function expected(wb: Workbook, sheet: number, spec: SheetCsvSpec): Promise<Array<Array<string | number>>> {
  const lines: Array<Array<string | number>> = [];
  for await (const batch of streamSheetRows(wb, wb.sheets[sheet]!)) {
    for (const { row: r, cells } of batch) {
      if (r <= spec.headerRow) continue;
      const fields: Array<string | number> = Array.from({ length: spec.fields }, () => '');
      const flags: string[] = [];
      let any = false;
      for (let c = 1; c < spec.fieldOf.length; c++) {
        const v = cells[c];
        if (v === undefined || v === '') continue;
        any = true;
        if (typeof v === 'string' && REDACTION.test(v)) flags.push(spec.flagNames[c]!);
        else if (spec.fieldOf[c]! >= 0) fields[spec.fieldOf[c]!] = typeof v === 'number' ? v : text(v).trim();
      }
      if (any) lines.push([r, ...fields, flags.join('|')]);
    }
  }
  return lines;
}

/** CSV text to records, read by the tests' own reader; the text must end with a line end. */
function csvRecords(csv: string): string[][] {
  assert.ok(csv === '' || csv.endsWith('\n'), 'the CSV ends with a line end');
  return parseCsv(csv);
}

/** The CSV's records against the oracle's lines, numbers compared as numbers (the CSV keeps Excel's text of them). */
function assertSame(csv: string, lines: Array<Array<string | number>>, what: string): void {
  const got = csvRecords(csv).sort((a, b) => Number(a[0]) - Number(b[0]));
  assert.equal(got.length, lines.length, `${what}: lines`);
  got.forEach((rec, k) => {
    const want = lines[k]!;
    assert.equal(rec.length, want.length, `${what}: fields of line ${k + 1}`);
    rec.forEach((f, i) => {
      const w = want[i]!;
      if (typeof w === 'number') assert.equal(Number(f), w, `${what}: row ${rec[0]}, field ${i}`);
      else assert.equal(f, w, `${what}: row ${rec[0]}, field ${i}`);
    });
  });
}

/** The CSV of a sheet written on this thread, its blocks of rows cut at `blockSize` bytes. */
async function written(path: string, wb: Workbook, sheet: number, spec: SheetCsvSpec, strings: CsvStrings, blockSize: number, pieceSize: number): Promise<string> {
  const chunks: Buffer[] = [];
  const writer = new SheetCsvWriter(spec, strings, (bytes) => chunks.push(Buffer.from(bytes)));
  const blocks = new RowBlocks(blockSize);
  const { entryChunks } = await import('../../src/xlsx/sheet-csv-file.js');
  const entry = (await zipEntryLocations(readFileSync(path), path)).get(wb.sheets[sheet]!.part)!;
  for await (const chunk of entryChunks(path, entry)) {
    for (let at = 0; at < chunk.length; at += pieceSize) for (const b of blocks.push(chunk.subarray(at, at + pieceSize))) writer.writeRows(b);
  }
  blocks.end(entry.name);
  writer.finish();
  return Buffer.concat(chunks).toString('utf8');
}

describe('sheet rows as CSV lines', () => {
  test('every cell type: text as the cell holds it, trimmed and quoted, dates as ISO text, redactions flagged, in blocks of any size', async () => {
    const x = await open(typesWorkbook(), 'types.xlsx');
    const spec = x.spec();
    const lines = await expected(x.wb, 0, spec);
    assert.equal(lines.length, 11);
    for (const [blockSize, pieceSize] of [[1 << 20, 1 << 20], [1, 1 << 20], [64, 7], [300, 1], [1 << 20, 3]] as const) {
      assertSame(await written(x.path, x.wb, 0, spec, x.strings, blockSize, pieceSize), lines, `blocks of ${blockSize}, pieces of ${pieceSize}`);
    }
    const csv = await written(x.path, x.wb, 0, spec, x.strings, 1 << 20, 1 << 20);
    const byRow = new Map(csvRecords(csv).map((r) => [r[0], r]));
    // shared strings: quoted with commas and quotes, trimmed, an empty one no value, a redaction a flag, UTF-8 kept
    assert.deepEqual(byRow.get('4'), ['4', 'R&D <draft> "quoted", with a comma', 'padded', '', '', '', 'café — 東京 🙂', '', '', 'e']);
    assert.deepEqual(byRow.get('5'), ['5', 'inline & <text>, "quoted"', '4', 'São Tomé', 'TRUE', '', '1234567', '', '', 'g']);
    // dates of any style, as cached by a formula, of type d, to the millisecond; a number format that is not a date
    assert.deepEqual(byRow.get('6'), ['6', '2026-04-04', '2022-10-01 05:45:00', '2023-10-03 14:35:00', '2026-04-05', '12.5', '2026-04-04 00:00:43.200', '', '', '']);
    assert.deepEqual(byRow.get('7'), ['7', '-2.5', '9007199254740993', '', 'n/a & more', '', '', '', '', ''], "Excel's own text of a number, not a double's");
    assert.ok(!byRow.has('10') && !byRow.has('11') && !byRow.has('12'), 'rows without a value have no line');
    assert.deepEqual(byRow.get('14'), ['14', '', '', '', '', '', '', '', '', 'c']);
    assert.deepEqual(byRow.get('15'), ['15', '', '', '', '', '', '', '', '', '']);
    assert.deepEqual(byRow.get('16'), ['16', '', '', '', '', '', '', '', '', ''], 'B is read, not written; K and XFD are past the columns read');
  });

  test("the generator's ERO-LESA workbooks, every sheet", async () => {
    for (const kind of ['arrests', 'removals', 'detention-stints'] as const) {
      const path = join(dir, `${kind}.xlsx`);
      const g = await writeLesaXlsx(path, kind, 700, { rowsPerSheet: 300 });
      const x = await open(readFileSync(path), `${kind}.xlsx`);
      const ncols = 66;
      const spec: SheetCsvSpec = { ...x.spec(7), fieldOf: [-1, ...Array.from({ length: ncols - 1 }, (_, i) => (i % 3 === 1 ? -1 : i))], fields: ncols, flagNames: ['', ...Array.from({ length: ncols - 1 }, (_, i) => `c${i + 1}`)] };
      let records = 0;
      for (let s = 0; s < g.sheets.length - 1; s++) {
        const lines = await expected(x.wb, s, spec);
        records += lines.length;
        assertSame(await written(x.path, x.wb, s, spec, x.strings, 1 << 16, 1 << 20), lines, `${kind}, sheet ${s + 1}`);
      }
      assert.equal(records, 700, kind);
    }
  });

  test('written on worker threads through a named pipe, the same lines as on this thread, an empty sheet too; a file where pipes are not wanted', async () => {
    const path = join(dir, 'pipe.xlsx');
    await writeLesaXlsx(path, 'arrests', 3_000, { rowsPerSheet: 1_200 });
    const x = await open(readFileSync(path), 'pipe.xlsx');
    const spec: SheetCsvSpec = { ...x.spec(7), fieldOf: [-1, ...Array.from({ length: 25 }, (_, i) => i)], fields: 25, flagNames: ['', ...Array.from({ length: 25 }, (_, i) => `c${i + 1}`)] };
    // the footnotes sheet last: no line at all, so the writers are done at once (they must not close the pipe before DuckDB opens it)
    const tasks = await Promise.all([0, 1, 2, 3].map((s) => x.task(s, spec, join(dir, `pipe-${s}.csv`))));
    for (const [stream, workers] of [[true, 1], [true, 2], [false, 1]] as const) {
      let rows = 0;
      for await (const sheet of sheetsToCsv(tasks, x.strings, { stream, workers })) {
        const chunks: Buffer[] = [];
        // the reader opens the pipe a moment later, as DuckDB does
        await new Promise((resolve) => setTimeout(resolve, 20));
        for await (const c of createReadStream(sheet.path)) chunks.push(c as Buffer);
        const n = await sheet.rows;
        const csv = Buffer.concat(chunks).toString('utf8');
        const s = tasks.findIndex((t) => t.sheet === sheet.sheet);
        assertSame(csv, await expected(x.wb, s, spec), `${stream ? `pipe, ${workers} workers` : 'file'}, sheet ${sheet.sheet}`);
        assert.equal(n, parseCsv(csv).length);
        rows += n;
      }
      assert.equal(rows, 3_000);
    }
  });

  test('a stopped reader ends the writing; a sheet cut in the middle and cells out of order are errors naming the sheet', async () => {
    const path = join(dir, 'abort.xlsx');
    await writeLesaXlsx(path, 'arrests', 6_000);
    const x = await open(readFileSync(path), 'abort.xlsx');
    const spec: SheetCsvSpec = { ...x.spec(7), fieldOf: [-1, ...Array.from({ length: 25 }, (_, i) => i)], fields: 25, flagNames: ['', ...Array.from({ length: 25 }, (_, i) => `c${i + 1}`)] };
    const task = await x.task(0, spec, join(dir, 'abort.csv'));
    for (const workers of [1, 2]) {
      for await (const sheet of sheetsToCsv([task], x.strings, { stream: true, workers })) {
        // the reader reads a little, then fails: the writers, blocked on the full pipe, stop
        const stream = createReadStream(sheet.path);
        for await (const _ of stream) break;
        sheet.abort();
        await assert.rejects(sheet.rows, /loader stopped/);
        break;
      }
    }
    const bytes = readFileSync(path);
    const entry = (await zipEntryLocations(bytes, path)).get(x.wb.sheets[0]!.part)!;
    // the sheet's deflate stream cut short, the directory left as it was
    const cut = Buffer.from(bytes);
    cut.fill(0, entry.start + Math.floor(entry.compressedSize / 2), entry.start + entry.compressedSize);
    writeFileSync(join(dir, 'cut.xlsx'), cut);
    await assert.rejects(writeSheetCsv({ ...task, path: join(dir, 'cut.xlsx'), out: join(dir, 'cut.csv') }, x.strings), (err: Error) => {
      assert.ok(err instanceof SourceFormatError, String(err));
      assert.match(err.message, /abort\.xlsx, sheet 'Admin Arrests': the sheet cannot be read/);
      return true;
    });
    const writer = new SheetCsvWriter(spec, x.strings, () => undefined);
    assert.throws(() => writer.writeRows(Buffer.from('<row r="9"><c r="C9"><v>1</v></c><c r="B9"><v>2</v></c></row>')), /cell B9 comes after a cell to its right/);
  });
});
