import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { QueryError } from '../../src/lib/errors.js';

// more rows than the arrays are first sized for, over many of DuckDB's 2,048-row vectors, in every column type taken
const ROWS = 70_001;
const SQL = `SELECT CAST(i % 100 - 50 AS TINYINT) AS t, CAST(i % 30000 - 15000 AS SMALLINT) AS s, CAST(i * 7 - 300000 AS INTEGER) AS n,
                    CAST(i % 256 AS UTINYINT) AS ut, CAST(i % 65536 AS USMALLINT) AS us, CAST(i * 61 AS UINTEGER) AS u,
                    i / 8 - 0.125 AS d
               FROM range(${ROWS}) r(i) ORDER BY i`;

/** What each column holds at row i, worked out here rather than read back from DuckDB. */
const expected = (i: number) => [(i % 100) - 50, (i % 30000) - 15000, i * 7 - 300000, i % 256, i % 65536, i * 61, i / 8 - 0.125];

describe('Database.readNumberColumns', () => {
  test('reads every number type into its typed array, values and row count exact, across vectors and past the size hint', async () => {
    const db = await Database.open(':memory:');
    try {
      const { rows, columns } = await db.readNumberColumns(SQL, undefined, 1000);
      assert.equal(rows, ROWS);
      assert.deepEqual(
        columns.map((c) => c.constructor.name),
        ['Int8Array', 'Int16Array', 'Int32Array', 'Uint8Array', 'Uint16Array', 'Uint32Array', 'Float64Array'],
      );
      for (const c of columns) assert.equal(c.length, ROWS);
      for (const i of [0, 1, 2047, 2048, 2049, 4095, 4096, 65535, 65536, ROWS - 1]) {
        assert.deepEqual(columns.map((c) => c[i]), expected(i), `row ${i}`);
      }
      let sum = 0;
      for (let i = 0; i < ROWS; i++) sum += columns[2]![i]!;
      assert.equal(sum, 7 * ((ROWS - 1) * ROWS) / 2 - 300000 * ROWS);
    } finally {
      db.close();
    }
  });

  test('with progress: shared arrays at their final size, handed over after the first chunk, and the count of rows copied', async () => {
    const db = await Database.open(':memory:');
    try {
      const copied = new Int32Array(new SharedArrayBuffer(4));
      let handed: { shared: boolean; length: number; copiedThen: number } | undefined;
      const { rows, columns } = await db.readNumberColumns(SQL, undefined, 16, {
        copied,
        rows: ROWS,
        onColumns: (cols) => (handed = { shared: cols[0]!.buffer instanceof SharedArrayBuffer, length: cols[0]!.length, copiedThen: Atomics.load(copied, 0) }),
      });
      assert.deepEqual(handed, { shared: true, length: ROWS, copiedThen: 0 });
      assert.equal(Atomics.load(copied, 0), ROWS);
      assert.equal(rows, ROWS);
      assert.deepEqual(columns.map((c) => c[ROWS - 1]), expected(ROWS - 1));
    } finally {
      db.close();
    }
  });

  test('with progress, a result of another length than the caller counted is an error, and the counter says the copy failed', async () => {
    const db = await Database.open(':memory:');
    try {
      for (const expectRows of [ROWS - 1, ROWS + 1]) {
        const copied = new Int32Array(new SharedArrayBuffer(4));
        await assert.rejects(db.readNumberColumns(SQL, undefined, 16, { copied, rows: expectRows, onColumns: () => {} }), (err: unknown) => {
          assert.ok(err instanceof QueryError);
          assert.match(err.message, expectRows < ROWS ? new RegExp(`more rows than the ${expectRows} expected`) : new RegExp(`${ROWS} rows where ${expectRows} were expected`));
          return true;
        });
        assert.equal(Atomics.load(copied, 0), -1);
      }
      // the connection is usable after a read given up half-way
      assert.deepEqual((await db.readNumberColumns(`SELECT 7::INTEGER AS a`)).columns.map((c) => Array.from(c)), [[7]]);
    } finally {
      db.close();
    }
  });

  test('an empty result gives empty columns of the right types; a column that is not numbers is refused by name', async () => {
    const db = await Database.open(':memory:');
    try {
      const empty = await db.readNumberColumns(`SELECT 1::INTEGER AS a, 2.5::DOUBLE AS b WHERE false`);
      assert.equal(empty.rows, 0);
      assert.deepEqual(empty.columns.map((c) => [c.constructor.name, c.length]), [['Int32Array', 0], ['Float64Array', 0]]);
      await assert.rejects(db.readNumberColumns(`SELECT 1::INTEGER AS a, 'x' AS b`), (err: unknown) => {
        assert.ok(err instanceof QueryError);
        assert.match(err.message, /column 2 is not a column of numbers \(VARCHAR\)/);
        return true;
      });
      await assert.rejects(db.readNumberColumns(`SELECT 1::BIGINT AS a`), /column 1 is not a column of numbers \(BIGINT\)/);
    } finally {
      db.close();
    }
  });
});
