/**
 * findTitledTables (src/xlsx/titled-tables.ts) on synthetic sheets laid out like
 * ICE's "Detention FYxx" sheets: side-by-side tables on one title row, a header
 * that starts right of its title, a header merged over the value column, and
 * two label columns.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Sheet, type CellValue } from '../../src/xlsx/sheet.js';
import { findTitledTables, type TitledTable } from '../../src/xlsx/titled-tables.js';

/** 1-based row and column of an A1 reference (local, so these tests do not lean on cell-ref.ts). */
function at(ref: string): { row: number; col: number } {
  const m = /^([A-Z]+)(\d+)$/.exec(ref);
  if (!m) throw new Error(`bad reference ${ref}`);
  let col = 0;
  for (const ch of m[1]!) col = col * 26 + (ch.charCodeAt(0) - 64);
  return { row: Number(m[2]), col };
}

/** Writes `values` left to right from `ref`; undefined leaves a cell empty. */
function put(sheet: Sheet, ref: string, ...values: Array<CellValue | undefined>): void {
  const { row, col } = at(ref);
  values.forEach((v, i) => {
    if (v !== undefined) sheet.set(row, col + i, v);
  });
}

function merge(sheet: Sheet, range: string): void {
  const [a, b] = range.split(':') as [string, string];
  const tl = at(a);
  const br = at(b);
  sheet.merged.push({ top: tl.row, left: tl.col, bottom: br.row, right: br.col });
}

type Shape = Pick<
  TitledTable,
  'title' | 'titleRow' | 'titleCol' | 'headerRow' | 'firstCol' | 'lastCol' | 'labelCols' | 'valueCols' | 'dataRows'
>;

function shape(t: TitledTable): Shape {
  const { title, titleRow, titleCol, headerRow, firstCol, lastCol, labelCols, valueCols, dataRows } = t;
  return { title, titleRow, titleCol, headerRow, firstCol, lastCol, labelCols, valueCols, dataRows };
}

const headers = (t: TitledTable): Record<number, string> => Object.fromEntries(t.headers);

describe('findTitledTables', () => {
  test('one table: title, header, three data rows; the note row under it is not data', () => {
    const s = new Sheet('Detention FY26', false);
    put(s, 'A1', 'Header sheet text'); // short text on its own: not a title
    put(s, 'A8', 'ICE Currently Detained by Processing Disposition and Detention Facility Type: FY2026');
    put(s, 'A9', 'Processing Disposition', 'FSC', 'Adult', 'Total');
    put(s, 'A10', 'Mandatory', 10, 20, 30);
    put(s, 'A11', 'Other Removal', 1, 2, 3);
    put(s, 'A12', 'Total', 11, 22, 33);
    put(s, 'A13', 'Data Source: IIDS as of 04/04/2026');
    put(s, 'A14', 'Memo', 5);
    const tables = findTitledTables(s);
    assert.deepEqual(tables.map(shape), [
      {
        title: 'ICE Currently Detained by Processing Disposition and Detention Facility Type: FY2026',
        titleRow: 8,
        titleCol: 1,
        headerRow: 9,
        firstCol: 1,
        lastCol: 4,
        labelCols: [1],
        valueCols: [2, 3, 4],
        dataRows: [10, 11, 12],
      },
    ]);
    assert.deepEqual(headers(tables[0]!), { 1: 'Processing Disposition', 2: 'FSC', 3: 'Adult', 4: 'Total' });
  });

  test('blank columns inside the header, blank rows before the data, whitespace in titles and headers', () => {
    const s = new Sheet('S', false);
    put(s, 'B2', '  ICE Average   Length of Stay by Month \n FY2026 ');
    put(s, 'B3', 'Month', undefined, 'Average\nDays', undefined, undefined, undefined, 'Ignored: three blank columns before it');
    put(s, 'B6', 'Oct', undefined, 41.5);
    put(s, 'B7', 'Nov', undefined, 43.25);
    const [t, ...rest] = findTitledTables(s);
    assert.equal(rest.length, 0);
    assert.deepEqual(shape(t!), {
      title: 'ICE Average Length of Stay by Month FY2026',
      titleRow: 2,
      titleCol: 2,
      headerRow: 3,
      firstCol: 2,
      lastCol: 4,
      labelCols: [2],
      valueCols: [4],
      dataRows: [6, 7],
    });
    assert.deepEqual(headers(t!), { 2: 'Month', 3: '', 4: 'Average Days' });
  });

  test('three tables side by side on one title row end where the next title begins', () => {
    // 'Detention FY26'!A27, H27 and N27 of the FY2026 workbooks
    const s = new Sheet('Detention FY26', false);
    put(s, 'A27', 'ICE Initial Book-Ins by Facility Type and Criminality: FY2026');
    put(s, 'H27', 'ICE Final Book Outs by Facility Type: FY2026');
    put(s, 'N27', 'ICE Removals: FY2026');
    put(s, 'A28', 'Facility Type', 'Convicted Criminal', 'Pending Criminal Charges', 'Other Immigration Violator', 'Total');
    put(s, 'H28', 'Facility Type', undefined, 'Total');
    put(s, 'N28', 'Removals', undefined, 'Total');
    put(s, 'A29', 'Total', 66524, 68417, 95413, 230354, undefined, undefined, 'Total', undefined, 227695, undefined, undefined, undefined, 'Total', undefined, 234236);
    put(s, 'A30', 'FSC', 0, 3, 40, 43, undefined, undefined, 'FSC', undefined, 1423, undefined, undefined, undefined, 'Removals with a FAMU Identifier', undefined, 23658);
    put(s, 'A31', 'Adult', 66524, 68414, 95373, 230311, undefined, undefined, 'Adult', undefined, 226272);
    for (const m of ['A27:E27', 'H27:L27', 'N27:R27', 'H28:I28', 'N28:O28', 'H29:I29', 'N29:O29', 'H30:I30', 'N30:O30', 'H31:I31']) merge(s, m);
    const tables = findTitledTables(s);
    assert.deepEqual(tables.map(shape), [
      {
        title: 'ICE Initial Book-Ins by Facility Type and Criminality: FY2026',
        titleRow: 27,
        titleCol: 1,
        headerRow: 28,
        firstCol: 1,
        lastCol: 5,
        labelCols: [1],
        valueCols: [2, 3, 4, 5],
        dataRows: [29, 30, 31],
      },
      {
        title: 'ICE Final Book Outs by Facility Type: FY2026',
        titleRow: 27,
        titleCol: 8,
        headerRow: 28,
        firstCol: 8,
        lastCol: 10,
        labelCols: [8],
        valueCols: [10],
        dataRows: [29, 30, 31],
      },
      {
        title: 'ICE Removals: FY2026',
        titleRow: 27,
        titleCol: 14,
        headerRow: 28,
        firstCol: 14,
        lastCol: 16,
        labelCols: [14],
        valueCols: [16],
        dataRows: [29, 30],
      },
    ]);
  });

  test('the next title on the row bounds a header that would otherwise run into it', () => {
    const s = new Sheet('S', false);
    put(s, 'A1', 'Left Table Title Here', undefined, undefined, 'Right Table Title Here');
    put(s, 'A2', 'Label', 'Count', undefined, 'Label', 'Count');
    put(s, 'A3', 'x', 1, undefined, 'y', 2);
    put(s, 'A4', 'z', 3, undefined, 'w', 4);
    const tables = findTitledTables(s);
    assert.deepEqual(
      tables.map((t) => [t.title, t.firstCol, t.lastCol, t.labelCols, t.valueCols, t.dataRows]),
      [
        ['Left Table Title Here', 1, 2, [1], [2], [3, 4]],
        ['Right Table Title Here', 4, 5, [4], [5], [3, 4]],
      ],
    );
  });

  test("a header that starts right of its title: 'ICE Removals' at N27, header in P28", () => {
    // FY2022 layout: N28:O28 merged and empty, 'Removals' in P28 merged over P28:R28
    const s = new Sheet('Detention FY22', false);
    put(s, 'N27', 'ICE Removals: FY2022');
    put(s, 'P28', 'Removals');
    put(s, 'N29', 'Total', undefined, 10876);
    put(s, 'N30', 'Removals with a FSC Detention', undefined, 19);
    for (const m of ['N27:R27', 'N28:O28', 'P28:R28', 'N29:O29', 'P29:R29', 'N30:O30', 'P30:R30']) merge(s, m);
    const tables = findTitledTables(s);
    assert.deepEqual(tables.map(shape), [
      {
        title: 'ICE Removals: FY2022',
        titleRow: 27,
        titleCol: 14,
        headerRow: 28,
        firstCol: 14,
        lastCol: 18,
        labelCols: [14],
        valueCols: [16],
        dataRows: [29, 30],
      },
    ]);
    assert.deepEqual(headers(tables[0]!), { 14: '', 15: '', 16: 'Removals', 17: '', 18: '' });
  });

  test('a header one column right of its title, without merges', () => {
    const s = new Sheet('S', false);
    put(s, 'B2', 'Stateless Noncitizens by Detention Facility');
    put(s, 'C3', 'Facility', 'Count');
    put(s, 'C4', 'Krome', 4);
    put(s, 'C5', 'Otero', 2);
    assert.deepEqual(findTitledTables(s).map(shape), [
      {
        title: 'Stateless Noncitizens by Detention Facility',
        titleRow: 2,
        titleCol: 2,
        headerRow: 3,
        firstCol: 2,
        lastCol: 4,
        labelCols: [3],
        valueCols: [4],
        dataRows: [4, 5],
      },
    ]);
  });

  describe("a merged header widens the span: 'Total' over J28:L28, numbers in L", () => {
    // 'Detention FY22'!H27 of 2022-01-11: values in L29:L31 (84026 / 22094 / 61932)
    function fy22(withMerge: boolean): Sheet {
      const s = new Sheet('Detention FY22', false);
      put(s, 'H27', 'ICE Final Releases by Facility Type: FY2022');
      put(s, 'H28', 'Facility Type', undefined, 'Total');
      put(s, 'H29', 'Total', undefined, undefined, undefined, 84026);
      put(s, 'H30', 'FSC', undefined, undefined, undefined, 22094);
      put(s, 'H31', 'Adult', undefined, undefined, undefined, 61932);
      for (const m of ['H27:L27', 'H28:I28', 'H29:I29', 'H30:I30', 'H31:I31']) merge(s, m);
      if (withMerge) merge(s, 'J28:L28');
      return s;
    }

    test('the numbers in L are in the table', () => {
      const tables = findTitledTables(fy22(true));
      assert.deepEqual(tables.map(shape), [
        {
          title: 'ICE Final Releases by Facility Type: FY2022',
          titleRow: 27,
          titleCol: 8,
          headerRow: 28,
          firstCol: 8,
          lastCol: 12,
          labelCols: [8],
          valueCols: [12],
          dataRows: [29, 30, 31],
        },
      ]);
      assert.deepEqual(headers(tables[0]!), { 8: 'Facility Type', 9: '', 10: 'Total', 11: '', 12: '' });
    });

    test('without the merge the span stops at J and no data is found', () => {
      assert.deepEqual(findTitledTables(fy22(false)), []);
    });

    test('a merge running past the next title is cut at that title', () => {
      const s = fy22(false);
      merge(s, 'J28:N28');
      put(s, 'N27', 'ICE Removals: FY2022');
      put(s, 'P28', 'Removals');
      put(s, 'N29', 'Total', undefined, 10876);
      const tables = findTitledTables(s);
      assert.deepEqual(
        tables.map((t) => [t.title, t.firstCol, t.lastCol, t.labelCols, t.valueCols, t.dataRows]),
        [
          ['ICE Final Releases by Facility Type: FY2022', 8, 13, [8], [12], [29, 30, 31]],
          ['ICE Removals: FY2022', 14, 16, [14], [16], [29]],
        ],
      );
    });
  });

  test('two label columns: the reason on the first row of its group, the criminality on every row', () => {
    const s = new Sheet('Detention FY26', false);
    put(s, 'A36', 'ICE Final Book Outs by Release Reason, Month and Criminality: FY2026');
    put(s, 'A37', 'Release Reason', 'Criminality', 'Oct', 'Nov', 'Dec', 'Total');
    put(s, 'A38', 'Total', undefined, 37537, 36448, 38736, 112721);
    put(s, 'A39', 'Bonded Out', 'Total', 1086, 1269, 2072, 4427);
    put(s, 'B40', 'Convicted Criminal', 116, 149, 237, 502);
    put(s, 'B41', 'Pending Criminal Charges', 291, 366, 579, 1236);
    put(s, 'B42', 'Other Immigration Violator', 679, 754, 1256, 2689);
    put(s, 'A43', 'Bond Set by ICE', 'Total', 91, 104, 132, 327);
    put(s, 'B44', 'Convicted Criminal', 18, 18, 28, 64);
    put(s, 'A46', 'Note: a release reason with no releases this year is not listed');
    const tables = findTitledTables(s);
    assert.deepEqual(tables.map(shape), [
      {
        title: 'ICE Final Book Outs by Release Reason, Month and Criminality: FY2026',
        titleRow: 36,
        titleCol: 1,
        headerRow: 37,
        firstCol: 1,
        lastCol: 6,
        labelCols: [1, 2],
        valueCols: [3, 4, 5, 6],
        dataRows: [38, 39, 40, 41, 42, 43, 44],
      },
    ]);
    assert.equal(tables[0]!.headers.get(2), 'Criminality');
  });

  test('text cells that are not titles are ignored', () => {
    const s = new Sheet('S', false);
    // a heading with nothing under it
    put(s, 'A1', 'Source: ICE Integrated Decision Support database');
    // a heading with text under it but no numbers
    put(s, 'A4', 'Notes on the tables of this sheet');
    put(s, 'A5', 'Counts are as of the run date.');
    put(s, 'A6', 'FSC means Family Staging Center.');
    // a short label with a header and numbers: not heading-like under the default rule
    put(s, 'A12', 'Removals');
    put(s, 'A13', 'Type', 'Count');
    put(s, 'A14', 'Total', 5);
    // a heading whose numbers start five rows down: too far for a table
    put(s, 'A18', 'Average Daily Population by Month');
    put(s, 'A19', 'Month', 'ADP');
    put(s, 'A23', 'Oct', 100);
    // a heading with a header but numbers only left of it
    put(s, 'K30', 'Left Numbers Only Here');
    put(s, 'K31', 'Header');
    put(s, 'J32', 7);
    put(s, 'J33', 8);
    assert.deepEqual(findTitledTables(s), []);
  });

  test('a title rule accepts short titles the default heuristic skips', () => {
    const s = new Sheet('S', false);
    put(s, 'A8', 'Removals');
    put(s, 'A9', 'Type', 'Count');
    put(s, 'A10', 'Total', 5);
    put(s, 'A11', 'FSC', 1);
    assert.deepEqual(findTitledTables(s), []);
    const tables = findTitledTables(s, { isTitle: (t) => t === 'Removals' });
    assert.deepEqual(tables.map((t) => [t.title, t.firstCol, t.lastCol, t.labelCols, t.valueCols, t.dataRows]), [
      ['Removals', 1, 2, [1], [2], [10, 11]],
    ]);
  });

  test('row labels that look like headings inside a table are not titles of their own', () => {
    const s = new Sheet('S', false);
    put(s, 'A1', 'ICE Initial Book-Ins by Arresting Agency and Month: FY2026');
    put(s, 'A2', 'Arresting Agency', 'Oct', 'Nov');
    put(s, 'A3', 'Total Initial Book-Ins Count', 10, 12);
    put(s, 'A4', 'Customs and Border Protection', 6, 7);
    put(s, 'A5', 'Immigration and Customs Enforcement', 4, 5);
    const tables = findTitledTables(s);
    assert.deepEqual(
      tables.map((t) => [t.title, t.dataRows]),
      [['ICE Initial Book-Ins by Arresting Agency and Month: FY2026', [3, 4, 5]]],
    );
  });

  test('an empty sheet has no tables', () => {
    assert.deepEqual(findTitledTables(new Sheet('Empty', false)), []);
  });
});
