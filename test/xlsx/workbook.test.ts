/**
 * The xlsx reader (src/xlsx/workbook.ts, zip.ts, parse-sheet.ts) on workbooks built
 * in memory by test/helpers/xlsx-builder.ts: every cell type with its real expected
 * value, the sheet list, merged ranges, and the errors a bad download produces.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { SourceFormatError } from '../../src/lib/errors.js';
import { isDateFormat, Workbook } from '../../src/xlsx/workbook.js';
import { CellError, type Sheet } from '../../src/xlsx/sheet.js';
import { buildXlsx, cell, row, si, STYLE, worksheetXml, xlsxParts, zipFiles, type XlsxSpec } from '../helpers/xlsx-builder.js';

const FILE = 'fixtures/FY26_detentionStats.xlsx';

async function open(spec: XlsxSpec, file = FILE): Promise<Workbook> {
  return Workbook.open(buildXlsx(spec), file);
}

async function onlySheet(spec: XlsxSpec): Promise<Sheet> {
  const wb = await open(spec);
  return wb.sheet(wb.sheets[0]!);
}

const utc = (y: number, m: number, d: number): Date => new Date(Date.UTC(y, m - 1, d));

/** Shared strings of the cell-types workbook, by index. */
const STRINGS = [
  si.plain('R&D <draft> "quoted"'), // 0: entities in a plain item
  si.rich(['ICE ', 'Removals', ': FY2026']), // 1: rich text runs
  si.phonetic('東京', 'トウキョウ'), // 2: a phonetic run after the text
  si.preserved('  padded  '), // 3: xml:space="preserve"
  si.empty(), // 4: <si/>
  si.raw('<si><t>caf&#233; &#x2014; &#8211;</t></si>'), // 5: numeric character references
  si.raw('<si>\n  <r><t>line </t></r>\n  <r><rPr><b/></rPr><t>two</t></r>\n</si>'), // 6: pretty-printed runs
  si.raw('<si><r><t>Fear </t></r><r><t>Decisions</t></r><rPh sb="0" eb="4"><t>ふぃあ</t></rPh><phoneticPr fontId="1" type="noConversion"/></si>'), // 7
];

const TYPES: XlsxSpec = {
  sharedStrings: STRINGS,
  sheets: [
    {
      name: 'Types',
      rows: [
        row(1, cell.shared('A1', 0), cell.shared('B1', 1), cell.shared('C1', 2), cell.shared('D1', 3), cell.shared('E1', 4), cell.shared('F1', 5), cell.shared('G1', 6), cell.shared('H1', 7)),
        row(
          2,
          cell.inline('A2', 'inline & <text>'),
          cell.num('B2', 3),
          cell.num('C2', 4),
          cell.formula('D2', 'B2+C2', 7),
          cell.str('E2', 'B2&"x"', '3x & co'),
          cell.bool('F2', true),
          cell.bool('G2', false),
          cell.error('H2', '#N/A', 'NA()'),
          cell.error('I2', '#DIV/0!'),
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
          cell.num('H3', 46116),
        ),
        row(4, cell.num('A4', -2.5), cell.num('B4', 1.5e-7), cell.num('C4', 123456789012345680000), cell.num('D4', 0)),
      ],
    },
  ],
};

describe('cell values', () => {
  test('shared strings: entities decoded, rich runs concatenated, phonetic runs left out, blanks kept', async () => {
    const s = await onlySheet(TYPES);
    assert.equal(s.get(1, 1), 'R&D <draft> "quoted"');
    assert.equal(s.get(1, 2), 'ICE Removals: FY2026');
    assert.equal(s.get(1, 3), '東京');
    assert.equal(s.get(1, 4), '  padded  ');
    assert.equal(s.text(1, 4), 'padded');
    assert.equal(s.get(1, 5), '');
    assert.equal(s.get(1, 6), 'café — –');
    assert.equal(s.get(1, 7), 'line two');
    assert.equal(s.get(1, 8), 'Fear Decisions');
  });

  test('a shared-strings part of several 64 KB pieces, with multi-byte text at every cut', async () => {
    const texts = Array.from({ length: 10_000 }, (_, i) => `Größe ${i} — 東京 & «${'é'.repeat(i % 7)}»`);
    const s = await onlySheet({
      sharedStrings: texts.map((t, i) => (i % 3 === 0 ? si.rich([t.slice(0, 5), t.slice(5)]) : si.plain(t))),
      sheets: [{ name: 'S', rows: [0, 1, 2999, 5000, 9998, 9999].map((k, r) => row(r + 1, cell.shared(`A${r + 1}`, k))) }],
    });
    assert.ok(Buffer.byteLength(texts.join('')) > 3 * 65536, 'the part spans several pieces');
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((r) => s.get(r, 1)), [0, 1, 2999, 5000, 9998, 9999].map((k) => texts[k]));
  });

  test('inline strings, formula results, booleans and errors', async () => {
    const s = await onlySheet(TYPES);
    assert.equal(s.get(2, 1), 'inline & <text>');
    assert.equal(s.get(2, 2), 3);
    assert.equal(s.get(2, 3), 4);
    assert.equal(s.get(2, 4), 7, 'formula <f>B2+C2</f><v>7</v> gives its cached value');
    assert.equal(s.get(2, 5), '3x & co', 't="str" is the text result of a formula');
    assert.equal(s.get(2, 6), true);
    assert.equal(s.get(2, 7), false);
    const na = s.get(2, 8);
    assert.ok(na instanceof CellError, `H2 is ${String(na)}`);
    assert.equal(na.code, '#N/A');
    assert.equal(s.text(2, 8), '#N/A');
    assert.deepEqual(s.get(2, 9), new CellError('#DIV/0!'));
    assert.equal(s.number(2, 8), undefined, 'an error is not a number');
    // an error code Excel does not define is kept as written, entities decoded
    const odd = await onlySheet({ sheets: [{ name: 'E', rows: [row(1, '<c r="A1" t="e"><v>#ODD&amp;!</v></c>')] }] });
    assert.deepEqual(odd.get(1, 1), new CellError('#ODD&!'));
    assert.equal(s.number(2, 4), 7);
  });

  test('numbers with a date style are dates; other number formats stay numbers', async () => {
    const s = await onlySheet(TYPES);
    assert.deepEqual(s.get(3, 1), utc(2026, 4, 4), 'serial 46116 with built-in format 14');
    assert.deepEqual(s.get(3, 2), utc(2026, 4, 4), 'serial 46116 with custom yyyy-mm-dd');
    assert.deepEqual(s.get(3, 3), new Date(Date.UTC(2026, 3, 4, 18)), 'the fraction is the time of day');
    assert.equal(s.text(3, 1), '2026-04-04');
    assert.equal(s.get(3, 4), 46116, 'General style: a number');
    assert.equal(s.get(3, 5), 12.5, '0.0" days": the d and y are quoted text, not a date format');
    assert.equal(s.get(3, 6), 1234567);
    assert.deepEqual(s.get(3, 7), utc(2026, 4, 5), 'a formula with a date style');
    assert.equal(s.get(3, 8), 46116, 'no s attribute: style 0, General');
  });

  test('signed, fractional, exponent and large numbers', async () => {
    const s = await onlySheet(TYPES);
    assert.equal(s.get(4, 1), -2.5);
    assert.equal(s.get(4, 2), 1.5e-7);
    assert.equal(s.get(4, 3), 123456789012345680000);
    assert.equal(s.get(4, 4), 0);
  });

  test('the 1904 date system shifts serials by 1462 days', async () => {
    const spec: XlsxSpec = {
      date1904: true,
      sheets: [{ name: 'Mac', rows: [row(1, cell.num('A1', 44654, STYLE.builtinDate), cell.num('B1', 0, STYLE.customDate), cell.num('C1', 44654))] }],
    };
    const s = await onlySheet(spec);
    assert.deepEqual(s.get(1, 1), utc(2026, 4, 4));
    assert.deepEqual(s.get(1, 2), utc(1904, 1, 1));
    assert.equal(s.get(1, 3), 44654);
  });

  test('t="d" ISO dates are read in UTC like serial dates', async () => {
    const before = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const s = await onlySheet({
        sheets: [{ name: 'D', rows: [row(1, '<c r="A1" t="d"><v>2026-04-04T00:00:00</v></c>', '<c r="B1" t="d"><v>2026-04-04</v></c>')] }],
      });
      assert.deepEqual(s.get(1, 2), utc(2026, 4, 4));
      assert.deepEqual(s.get(1, 1), utc(2026, 4, 4));
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  test('isDateFormat', () => {
    for (const code of ['yyyy\\-mm\\-dd', 'm/d/yyyy', 'mmm-yy', 'd-mmm', 'h:mm', 'hh:mm:ss', '[$-409]mmmm d, yyyy;@', 'mmmm']) {
      assert.equal(isDateFormat(code), true, code);
    }
    for (const code of ['General', '0', '#,##0', '0.0" days"', '0.00%', '[Red]#,##0', '#,##0_);[Red]\\(#,##0\\)', '0 \\d', '@']) {
      assert.equal(isDateFormat(code), false, code);
    }
  });
});

describe('cell positions', () => {
  test('cells without r follow the previous cell; rows without r follow the previous row', async () => {
    const s = await onlySheet({
      sharedStrings: [si.plain('third')],
      sheets: [
        {
          name: 'NoRefs',
          rows: [
            row(3, cell.num('A3', 1), cell.num(null, 2), cell.shared(null, 0)),
            row(null, cell.num(null, 9), cell.num(null, 10)),
            row(6, cell.num('C6', 1), cell.num(null, 2)),
          ],
        },
      ],
    });
    assert.equal(s.get(3, 1), 1);
    assert.equal(s.get(3, 2), 2);
    assert.equal(s.get(3, 3), 'third');
    assert.equal(s.get(4, 1), 9);
    assert.equal(s.get(4, 2), 10);
    assert.equal(s.get(6, 3), 1);
    assert.equal(s.get(6, 4), 2);
    assert.deepEqual(
      [...s.cells()].map((c) => `${s.ref(c.row, c.col)}=${String(c.value)}`),
      ['A3=1', 'B3=2', 'C3=third', 'A4=9', 'B4=10', 'C6=1', 'D6=2'],
    );
  });

  test(
    'a self-closing styled cell still takes a column for the cells without r after it',
    async () => {
      const s = await onlySheet({
        sheets: [
          {
            name: 'Gaps',
            rows: [row(1, cell.num('A1', 1), cell.empty('B1'), cell.num(null, 3)), row(2, cell.empty(null), cell.num(null, 5))],
          },
        ],
      });
      assert.equal(s.get(1, 3), 3, '<c r="A1"><v>1</v></c><c r="B1" s="3"/><c><v>3</v></c>: the 3 is in C1');
      assert.equal(s.get(1, 2), undefined);
      assert.equal(s.get(2, 2), 5, '<c s="3"/><c><v>5</v></c>: the 5 is in B2');
      assert.equal(s.get(2, 1), undefined);
    },
  );

  test('styled empty cells are not stored, even across a row to column XFC', async () => {
    const wide: string[] = [cell.num('A5', 42), '<c r="B5" s="3"></c>'];
    for (let c = 3; c <= 16383; c++) wide.push(cell.empty(colName(c) + '5'));
    const s = await onlySheet({
      sheets: [
        {
          name: 'FY25 Monthly Segregation',
          rows: [
            row(2, cell.num('A2', 1), cell.empty('B2'), cell.num('C2', 3)),
            `<row r="5" spans="1:16383" s="3" customFormat="1">${wide.join('')}</row>`,
            row(6, cell.num('XFC6', 7)),
          ],
        },
      ],
    });
    assert.equal(s.get(2, 2), undefined, '<c r="B2" s="3"/> is empty');
    assert.equal(s.text(2, 2), '');
    assert.equal(s.get(2, 3), 3);
    assert.equal(s.get(5, 1), 42);
    assert.equal(s.rowWidth(5), 1);
    assert.equal(s.get(5, 16383), undefined);
    assert.equal(s.get(6, 16383), 7, 'XFC6');
    assert.equal(s.maxCol, 16383, 'only the XFC6 value reaches column XFC');
    assert.equal(s.maxRow, 6);
    assert.equal([...s.cells()].length, 4);
  });

  test('after runs of empty cells: rich text with <color> and <charset>, cells and rows without r', async () => {
    const empties = (cols: string, r: number) => [...cols].map((c) => cell.empty(`${c}${r}`)).join('');
    const rich = '<c r="F1" t="inlineStr"><is><r><rPr><color rgb="FFFF0000"/><charset val="1"/></rPr><t>red</t></r><r><t> text</t></r></is></c>';
    const s = await onlySheet({
      sheets: [
        {
          name: 'Runs',
          rows: [
            `<row r="1">${empties('ABCDE', 1)}${rich}${empties('GH', 1)}</row>`,
            `<row r="2">${empties('ABC', 2)}${cell.num(null, 4)}${empties('EF', 2)}</row>`,
            `<row>${empties('A', 3)}${cell.num(null, 8)}</row>`,
            `<row r="7">${empties('ABCDEFGHIJ', 7)}${cell.num('K7', 11)}</row>`,
          ],
        },
      ],
    });
    assert.deepEqual(
      [...s.cells()].map((c) => `${s.ref(c.row, c.col)}=${String(c.value)}`),
      ['F1=red text', 'D2=4', 'B3=8', 'K7=11'],
    );
  });

  test('attributes in Excel’s order or any other, extra attributes, values with and without a formula', async () => {
    const s = await onlySheet({
      sharedStrings: [si.plain('first'), si.plain('second')],
      sheets: [
        {
          name: 'Layouts',
          rows: [
            '<row r="2">' +
              '<c r="A2" s="0" t="s"><v>1</v></c>' + // Excel's order
              '<c s="0" r="B2" t="s"><v>0</v></c>' + // s before r
              '<c r="C2" t="s" s="0"><v>1</v></c>' + // t before s
              '<c r="D2" s="0" cm="1"><v>4.25</v></c>' + // an attribute Excel adds for dynamic arrays
              '<c r="E2"><f>D2*2</f><v>8.5</v></c>' + // a formula before the value
              '<c r="F2" t="b"><v>0</v></c>' +
              `<c r="G2" s="${STYLE.builtinDate}"><v>46116</v></c>` + // a date style
              '<c r="H2"><v>-1.5E-3</v></c>' +
              '<c r="I2" t="inlineStr"><v>ignored</v><is><t>kept</t></is></c>' +
              `<c r="J2" t="n" s="${STYLE.builtinDate}"><v>46117</v></c>` + // t before a date style
              '</row>',
          ],
        },
      ],
    });
    assert.deepEqual(
      [...s.cells()].map((c) => `${s.ref(c.row, c.col)}=${c.value instanceof Date ? c.value.toISOString().slice(0, 10) : String(c.value)}`),
      ['A2=second', 'B2=first', 'C2=second', 'D2=4.25', 'E2=8.5', 'F2=false', 'G2=2026-04-04', 'H2=-0.0015', 'I2=kept', 'J2=2026-04-05'],
    );
  });

  test('whitespace between elements (pretty-printed parts) is ignored', async () => {
    const xml = worksheetXml({
      rows: ['\n  <row r="1">\n    <c r="A1" t="s">\n      <v>0</v>\n    </c>\n    <c r="B1">\n      <v>2</v>\n    </c>\n  </row>\n'],
    });
    const s = await onlySheet({ sharedStrings: [si.plain('x')], sheets: [{ name: 'P', xml }] });
    assert.equal(s.get(1, 1), 'x');
    assert.equal(s.get(1, 2), 2);
  });

  test('an empty sheet and a formula cell without a cached value', async () => {
    const wb = await open({
      sheets: [
        { name: 'Empty' },
        { name: 'NoCache', rows: [row(1, '<c r="A1"><f>SUM(B1:B9)</f></c>', '<c r="B1" t="str"><f>"a"</f><v/></c>', cell.num('C1', 1))] },
      ],
    });
    const empty = await wb.sheet(wb.sheets[0]!);
    assert.equal(empty.maxRow, 0);
    assert.deepEqual([...empty.cells()], []);
    const s = await wb.sheet(wb.sheets[1]!);
    assert.equal(s.get(1, 1), undefined);
    assert.equal(s.get(1, 2), undefined);
    assert.equal(s.get(1, 3), 1);
  });

  test('merged ranges, including a single-cell range', async () => {
    const s = await onlySheet({
      sheets: [{ name: 'M', rows: [row(27, cell.inline('N27', 'ICE Removals: FY2026'))], merged: ['N27:R27', 'J28:L28', 'B3', 'A36:E36'] }],
    });
    assert.deepEqual(s.merged, [
      { top: 27, left: 14, bottom: 27, right: 18 },
      { top: 28, left: 10, bottom: 28, right: 12 },
      { top: 3, left: 2, bottom: 3, right: 2 },
      { top: 36, left: 1, bottom: 36, right: 5 },
    ]);
  });
});

/** Column letters, written here rather than imported so the test does not lean on cell-ref.ts. */
function colName(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

describe('sheets', () => {
  const SHEETS: XlsxSpec = {
    sheets: [
      { name: 'Header', rows: [row(1, cell.inline('A1', 'header'))] },
      { name: 'Detention FY25', state: 'hidden', rows: [row(1, cell.num('A1', 25))] },
      { name: 'Detention FY26', target: 'absolute', rows: [row(1, cell.num('A1', 26))] },
      { name: ' ICLOS and Detainees ', rows: [row(1, cell.num('A1', 3))] },
      { name: 'Old', state: 'veryHidden', rows: [] },
      { name: 'Vulnerable & Special Population', part: 'xl/worksheets/special.xml', rows: [row(1, cell.num('A1', 5))] },
      { name: 'Détention', target: 'absolute', part: 'xl/worksheets/sheet99.xml', rows: [row(1, cell.inline('A1', 'é'))] },
    ],
  };

  test('names, positions, hidden and veryHidden states, and parts from the relationships', async () => {
    const wb = await open(SHEETS);
    assert.deepEqual(wb.sheets, [
      { name: 'Header', index: 0, hidden: false, part: 'xl/worksheets/sheet1.xml' },
      { name: 'Detention FY25', index: 1, hidden: true, part: 'xl/worksheets/sheet2.xml' },
      { name: 'Detention FY26', index: 2, hidden: false, part: 'xl/worksheets/sheet3.xml' },
      { name: ' ICLOS and Detainees ', index: 3, hidden: false, part: 'xl/worksheets/sheet4.xml' },
      { name: 'Old', index: 4, hidden: true, part: 'xl/worksheets/sheet5.xml' },
      { name: 'Vulnerable & Special Population', index: 5, hidden: false, part: 'xl/worksheets/special.xml' },
      { name: 'Détention', index: 6, hidden: false, part: 'xl/worksheets/sheet99.xml' },
    ]);
    assert.deepEqual(
      wb.visibleSheets().map((s) => s.name),
      ['Header', 'Detention FY26', ' ICLOS and Detainees ', 'Vulnerable & Special Population', 'Détention'],
    );
  });

  test('each sheet reads its own part, absolute or relative target', async () => {
    const wb = await open(SHEETS);
    const values = await Promise.all(wb.sheets.map(async (info) => (await wb.sheet(info)).get(1, 1)));
    assert.deepEqual(values, ['header', 25, 26, 3, undefined, 5, 'é']);
    const hidden = await wb.sheet(wb.sheets[1]!);
    assert.equal(hidden.hidden, true);
    assert.equal(hidden.name, 'Detention FY25');
    const spaced = await wb.sheet(wb.sheets[3]!);
    assert.equal(spaced.name, ' ICLOS and Detainees ');
    assert.equal(await wb.sheet(wb.sheets[2]!), await wb.sheet(wb.sheets[2]!), 'a sheet is parsed once');
  });

  test('a "../" relationship target resolves from xl/', async () => {
    const parts = xlsxParts({ sheets: [{ name: 'S', rows: [row(1, cell.num('A1', 1))] }] });
    parts['xl/_rels/workbook.xml.rels'] = String(parts['xl/_rels/workbook.xml.rels']).replace(
      'Target="worksheets/sheet1.xml"',
      'Target="../xl/worksheets/./sheet1.xml"',
    );
    const wb = await Workbook.open(zipFiles(parts), FILE);
    assert.equal(wb.sheets[0]!.part, 'xl/worksheets/sheet1.xml');
    assert.equal((await wb.sheet(wb.sheets[0]!)).get(1, 1), 1);
  });

  test('stored (uncompressed) parts read the same as deflated ones', async () => {
    const s = await onlySheet({ ...TYPES, level: 0 });
    assert.equal(s.get(1, 2), 'ICE Removals: FY2026');
    assert.deepEqual(s.get(3, 1), utc(2026, 4, 4));
  });

  test('no sharedStrings.xml and no styles.xml: numbers and inline strings still read', async () => {
    const s = await onlySheet({ stylesXml: null, sheets: [{ name: 'Bare', rows: [row(1, cell.num('A1', 46116, 1), cell.inline('B1', 'x'))] }] });
    assert.equal(s.get(1, 1), 46116, 'without styles.xml no style is a date');
    assert.equal(s.get(1, 2), 'x');
  });
});

describe('builder', () => {
  test('another reader (exceljs) agrees with the values of the built workbook', async () => {
    const bytes = buildXlsx({ ...TYPES, sheets: [...TYPES.sheets, { name: 'Hidden', state: 'hidden', target: 'absolute', rows: [row(1, cell.num('A1', 1))] }] });
    const other = new ExcelJS.Workbook();
    await other.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
    const ws = other.worksheets[0]!;
    assert.equal(ws.name, 'Types');
    assert.equal(other.worksheets[1]!.state, 'hidden');
    assert.equal(ws.getCell('A1').value, 'R&D <draft> "quoted"');
    assert.equal(ws.getCell('C1').value, '東京');
    assert.deepEqual(
      (ws.getCell('B1').value as ExcelJS.CellRichTextValue).richText.map((r) => r.text),
      ['ICE ', 'Removals', ': FY2026'],
    );
    assert.equal(ws.getCell('A2').value, 'inline & <text>');
    assert.deepEqual(ws.getCell('D2').value, { formula: 'B2+C2', result: 7 });
    assert.deepEqual(ws.getCell('E2').value, { formula: 'B2&"x"', result: '3x & co' });
    assert.equal(ws.getCell('F2').value, true);
    assert.deepEqual(ws.getCell('I2').value, { error: '#DIV/0!' });
    assert.deepEqual(ws.getCell('A3').value, utc(2026, 4, 4));
    assert.deepEqual(ws.getCell('B3').value, utc(2026, 4, 4));
    assert.equal(ws.getCell('E3').value, 12.5);

    const ours = await onlySheet(TYPES);
    assert.equal(ours.get(1, 1), ws.getCell('A1').value);
    assert.deepEqual(ours.get(3, 2), ws.getCell('B3').value);
  });
});

describe('errors', () => {
  async function rejects(bytes: Uint8Array, why: RegExp, file = FILE): Promise<SourceFormatError> {
    let caught: unknown;
    try {
      await Workbook.open(bytes, file);
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof SourceFormatError, `expected a SourceFormatError, got ${String(caught)}`);
    assert.equal(caught.location.file, file);
    assert.ok(caught.message.startsWith(`${file}: `), caught.message);
    assert.match(caught.reason, why);
    assert.equal(caught.exitCode, 3);
    return caught;
  }

  test('empty bytes', async () => {
    const err = await rejects(new Uint8Array(0), /empty \(0 bytes\)/);
    assert.equal(err.message, `${FILE}: the file is empty (0 bytes)`);
  });

  test('an HTML page saved as .xlsx', async () => {
    const html = new TextEncoder().encode('<!DOCTYPE html>\n<html lang="en"><head><title>Access Denied</title></head><body>…</body></html>');
    await rejects(html, /not an xlsx file \(no zip signature\): it is an HTML page/);
    await rejects(new TextEncoder().encode('  <html><body>login</body></html>'), /HTML page/);
  });

  test('other bytes that are not a zip', async () => {
    await rejects(new TextEncoder().encode('Date,Count\n2026-04-04,1\n'), /no zip signature\): it starts with "Date,Count 2026-04-04,1"/);
    await rejects(new Uint8Array([0x50]), /no zip signature/);
  });

  test('a zip cut in half', async () => {
    const bytes = buildXlsx(TYPES);
    await rejects(bytes.subarray(0, Math.floor(bytes.length / 2)), /cannot be unzipped \(truncated or corrupt download\?\)/);
  });

  test('a zip without xl/workbook.xml (a .docx)', async () => {
    const docx = zipFiles({
      '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
      '_rels/.rels': '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
      'word/document.xml': '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
    });
    await rejects(docx, /not a spreadsheet: the zip has no xl\/workbook\.xml/);
  });

  test('an empty zip', async () => {
    await rejects(zipFiles({}), /not a spreadsheet: the zip has no xl\/workbook\.xml/);
  });

  test('a sheet part missing from the zip is reported with the sheet name', async () => {
    const wb = await open({ sheets: [{ name: 'Ok', rows: [] }, { name: 'Detention FY26', omitPart: true }] });
    assert.equal(wb.sheets.length, 2);
    await assert.rejects(wb.sheet(wb.sheets[1]!), (err: unknown) => {
      assert.ok(err instanceof SourceFormatError);
      assert.equal(err.message, `${FILE}, sheet 'Detention FY26': sheet part xl/worksheets/sheet2.xml is missing from the zip`);
      return true;
    });
  });

  test('a corrupt deflate stream is reported when the sheet is read', async () => {
    const bytes = buildXlsx({ sheets: [{ name: 'S', rows: Array.from({ length: 50 }, (_, i) => row(i + 1, cell.num(`A${i + 1}`, i))) }] });
    const corrupt = Buffer.from(bytes);
    const at = localEntryData(corrupt, 'xl/worksheets/sheet1.xml');
    corrupt.fill(0xff, at.start, at.start + Math.min(16, at.size));
    const wb = await Workbook.open(corrupt, FILE);
    await assert.rejects(wb.sheet(wb.sheets[0]!), (err: unknown) => {
      assert.ok(err instanceof SourceFormatError);
      assert.match(err.message, /^fixtures\/FY26_detentionStats\.xlsx: the xlsx cannot be unzipped/);
      return true;
    });
  });
});

/** Offset and size of an entry's stored bytes, found through its local header. */
function localEntryData(buf: Buffer, name: string): { start: number; size: number } {
  for (let at = buf.indexOf(0x50); at >= 0 && at + 30 <= buf.length; at = buf.indexOf(0x50, at + 1)) {
    if (buf.readUInt32LE(at) !== 0x04034b50) continue;
    const nameLen = buf.readUInt16LE(at + 26);
    const extraLen = buf.readUInt16LE(at + 28);
    if (buf.toString('utf8', at + 30, at + 30 + nameLen) === name) {
      return { start: at + 30 + nameLen + extraLen, size: buf.readUInt32LE(at + 18) };
    }
  }
  throw new Error(`no local header for ${name}`);
}
