import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellRef, columnLetters, parseCellRef } from '../../src/xlsx/cell-ref.js';

const COLUMNS: Array<[number, string]> = [
  [1, 'A'],
  [2, 'B'],
  [26, 'Z'],
  [27, 'AA'],
  [28, 'AB'],
  [52, 'AZ'],
  [53, 'BA'],
  [702, 'ZZ'],
  [703, 'AAA'],
  [16383, 'XFC'],
  [16384, 'XFD'],
];

test('columnLetters', () => {
  for (const [col, letters] of COLUMNS) assert.equal(columnLetters(col), letters, String(col));
});

test('cellRef and parseCellRef round trip', () => {
  for (const [col, letters] of COLUMNS) {
    for (const row of [1, 9, 10, 27, 1048576]) {
      const ref = cellRef(row, col);
      assert.equal(ref, `${letters}${row}`);
      assert.deepEqual(parseCellRef(ref), { row, col }, ref);
    }
  }
  assert.deepEqual(parseCellRef('AB12'), { row: 12, col: 28 });
  assert.deepEqual(parseCellRef('N27'), { row: 27, col: 14 });
});

test('every column from A to XFD survives a round trip', () => {
  for (let col = 1; col <= 16384; col++) {
    assert.equal(parseCellRef(cellRef(1, col))?.col, col);
  }
});

test('parseCellRef rejects text that is not a reference', () => {
  for (const ref of ['', 'A', 'XFD', '1', '12', 'a1', 'ab12', '$A$1', 'A$1', 'A0', 'A-1', 'A1.5', 'A1B', '1A', 'A1:B2', 'Sheet1!A1', '#REF!']) {
    assert.equal(parseCellRef(ref), undefined, JSON.stringify(ref));
  }
});

test(
  'parseCellRef rejects rows written other than as plain digits',
  () => {
    for (const ref of ['A1e2', 'A 1', 'A1 ', 'A+1', 'A0x1A', 'A\n1']) {
      assert.equal(parseCellRef(ref), undefined, JSON.stringify(ref));
    }
  },
);
