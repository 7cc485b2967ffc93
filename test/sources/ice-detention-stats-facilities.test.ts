import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFacilities } from '../../src/sources/ice/detention-stats/facilities.js';
import { Sheet, type CellValue } from '../../src/xlsx/sheet.js';

/** A Facilities sheet: a title, the header on row 3, then the rows given. */
function sheet(headers: string[], rows: Array<Array<CellValue | undefined>>): Sheet {
  const s = new Sheet('Facilities FY26', false);
  s.set(1, 1, 'Data Source: ICE Integrated Decision Support (IIDS), 04/02/2026');
  headers.forEach((h, i) => s.set(3, i + 1, h));
  rows.forEach((cells, r) => cells.forEach((v, c) => v !== undefined && s.set(4 + r, c + 1, v)));
  return s;
}

const BASE = ['Name', 'City', 'State', 'AOR', 'Male Crim', 'Last Inspection End Date'];

describe('parseFacilities', () => {
  test('crosswalked columns, a text in the date column, notes under the list', () => {
    const res = parseFacilities(
      sheet(BASE, [
        ['ADELANTO ICE PROCESSING CENTER ', 'ADELANTO', 'CA', 'LOS', 1234.5, new Date(Date.UTC(2025, 4, 6))],
        ['STEWART DETENTION CENTER', 'LUMPKIN', 'GA', 'ATL', 1700, 'Scheduled FY26'],
        ['OTAY MESA', 'SAN DIEGO', 'CA', 'SND', '12', '2/29/2025'],
        ['*ODO inspections are not listed', undefined, undefined, undefined],
      ]),
      'f.xlsx',
      'r1',
    );
    assert.equal(res.headerRow, 3);
    assert.equal(res.dataSourceDate, '2026-04-02');
    assert.deepEqual(
      res.rows.map((r) => [r.row, r.name, r.city, r.male_crim, r.last_inspection_date, r.last_inspection_note, r.other_columns]),
      [
        [4, 'ADELANTO ICE PROCESSING CENTER', 'ADELANTO', 1234.5, '2025-05-06', null, null],
        [5, 'STEWART DETENTION CENTER', 'LUMPKIN', 1700, null, 'Scheduled FY26', null],
        [6, 'OTAY MESA', 'SAN DIEGO', null, null, '2/29/2025', null],
      ],
    );
    assert.deepEqual(res.invalidDates, [{ cell: 'F6', text: '2/29/2025' }]);
    assert.deepEqual(res.notes, [{ row: 7, text: '*ODO inspections are not listed' }]);
  });

  test('columns the crosswalk does not map are kept as JSON, as JSON.stringify writes the object', () => {
    for (const extra of [
      ['Second to Last Inspection Type', 'Nakamoto "Rating"'],
      ['Notes', 'Notes'], // one key in an object: the later value
      ['12', 'Comment'], // an integer-like key comes first in an object
    ]) {
      const res = parseFacilities(
        sheet([...BASE, ...extra], [
          ['A', 'X', 'TX', 'HOU', 1, undefined, 'first', 'second, "quoted"'],
          ['B', 'Y', 'TX', 'HOU', 2, undefined, undefined, ''],
          ['C', 'Z', 'TX', 'HOU', 3, undefined, undefined, 'only the second'],
        ]),
        'f.xlsx',
        'r1',
      );
      const object = (values: Array<string | undefined>) => {
        const o: Record<string, string> = {};
        values.forEach((v, k) => v && (o[extra[k]!] = v));
        return Object.keys(o).length ? JSON.stringify(o) : null;
      };
      assert.deepEqual(
        res.rows.map((r) => r.other_columns),
        [object(['first', 'second, "quoted"']), null, object([undefined, 'only the second'])],
        extra.join(' | '),
      );
    }
  });
});
