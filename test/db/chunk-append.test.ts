import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { prepareColumns, VECTOR_ROWS } from '../../src/db/chunk-append.js';
import { QueryError } from '../../src/lib/errors.js';

const SCHEMA = `
  CREATE TABLE t (
    id INTEGER NOT NULL, name VARCHAR, amount DOUBLE, count INTEGER, day DATE, flag BOOLEAN, extra JSON
  )`;
const COLUMNS = `id, name, amount, count, strftime(day, '%Y-%m-%d') AS day, flag, extra::VARCHAR AS extra`;

type Row = Record<string, string | number | boolean | null | Date | undefined>;

/** Rows of every kind the parsers hand over: short and long text (inline in DuckDB or not), non-ASCII, NULLs, dates. */
function rows(n: number): Row[] {
  const names = ['ICE', 'all', 'abcdefghijkl', 'abcdefghijklm', 'Adelanto ICE Processing Center', '', 'Mün', 'Ünter Zwölf Z', 'TX'];
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    name: i % 7 === 0 ? null : i % 11 === 0 ? `row ${i}` : names[i % names.length],
    amount: i % 5 === 0 ? undefined : i * 1.25 - 1000,
    count: i % 13 === 0 ? null : i - 1_000_000,
    day: i % 4 === 0 ? new Date(Date.UTC(2025, 0, 1 + (i % 300), i % 24)) : i % 4 === 1 ? '2024-02-29' : i % 4 === 2 ? `19${String(i % 100).padStart(2, '0')}-12-31` : null,
    flag: i % 3 === 0 ? true : i % 3 === 1 ? false : null,
    extra: i % 9 === 0 ? JSON.stringify({ 'Last Inspection': `row ${i}` }) : null,
  }));
}

async function stored(data: Row[], byValue: boolean): Promise<Array<Record<string, unknown>>> {
  const db = await Database.open(':memory:', { schemas: [SCHEMA] });
  try {
    await db.append('t', data, { byValue });
    return await db.all(`SELECT ${COLUMNS} FROM t ORDER BY id`);
  } finally {
    db.close();
  }
}

const COLS = [
  { column: 'id', type: 'INTEGER' },
  { column: 'name', type: 'VARCHAR' },
  { column: 'amount', type: 'DOUBLE' },
  { column: 'count', type: 'INTEGER' },
  { column: 'day', type: 'DATE' },
  { column: 'flag', type: 'BOOLEAN' },
  { column: 'extra', type: 'JSON' },
];

describe('appends a vector at a time', () => {
  test('store exactly what the value-at-a-time appender stores, over several vectors', async () => {
    const data = rows(2 * VECTOR_ROWS + 37);
    assert.ok(prepareColumns(data, COLS), 'these rows take the vector path');
    const byVector = await stored(data, false);
    assert.deepEqual(byVector, await stored(data, true));
    assert.equal(byVector.length, data.length);
    // and the values are the ones given, not merely the same on both paths
    assert.deepEqual(byVector[1], { id: 1, name: 'all', amount: 1.25 - 1000, count: 1 - 1_000_000, day: '2024-02-29', flag: false, extra: null });
    assert.deepEqual(byVector[0], { id: 0, name: null, amount: null, count: null, day: '2025-01-01', flag: true, extra: '{"Last Inspection":"row 0"}' });
    assert.equal(byVector[2]!.name, 'abcdefghijkl');
    assert.equal(byVector[3]!.name, 'abcdefghijklm');
    assert.equal(byVector[6]!.name, 'Mün');
    assert.equal(byVector[6]!.day, '1906-12-31');
    assert.equal(byVector[5]!.name, '');
    // inline and out-of-line texts compare and group as one value
    const db = await Database.open(':memory:', { schemas: [SCHEMA] });
    try {
      await db.append('t', data.slice(0, 100));
      await db.append('t', data.slice(100, 200), { byValue: true });
      const groups = await db.all(`SELECT name, count(*)::INTEGER AS n FROM t WHERE name IN ('ICE', 'abcdefghijkl') GROUP BY name ORDER BY name`);
      assert.deepEqual(groups.map((g) => g.name), ['ICE', 'abcdefghijkl']);
      assert.equal(groups.reduce((n, g) => n + (g.n as number), 0), data.slice(0, 200).filter((r) => r.name === 'ICE' || r.name === 'abcdefghijkl').length);
    } finally {
      db.close();
    }
  });

  test('a value the vector path does not take sends the whole append down the value path', () => {
    const data = rows(50);
    for (const [column, value] of [
      ['amount', '12.5'],
      ['count', 2.5],
      ['day', '02/29/2025'],
      ['day', '2025-02-29'],
      ['extra', '{not json'],
      ['flag', 'yes'],
      ['name', new Date(0)],
    ] as const) {
      const changed = data.map((r) => ({ ...r }));
      changed[3]![column] = value;
      assert.equal(prepareColumns(changed, COLS), undefined, `${column} = ${String(value)}`);
    }
    assert.equal(prepareColumns(data, [...COLS, { column: 'at', type: 'TIMESTAMP' }]), undefined);
  });

  test('such values are stored, or refused, as DuckDB casts them', async () => {
    const data = rows(VECTOR_ROWS + 3);
    data[2]!.amount = '12.5';
    data[4]!.count = '42';
    const db = await Database.open(':memory:', { schemas: [SCHEMA] });
    try {
      await db.append('t', data);
      const got = await db.all(`SELECT amount, count FROM t WHERE id IN (2, 4) ORDER BY id`);
      assert.deepEqual(got, [{ amount: 12.5, count: 2 - 1_000_000 }, { amount: 4 * 1.25 - 1000, count: 42 }]);
      data[6]!.day = '2025-02-29';
      await assert.rejects(db.append('t', data), (err: unknown) => err instanceof QueryError && /2025-02-29/.test(err.message) && err.sql === `append ${data.length} rows to "t"`);
      const nullId = rows(10);
      nullId[3]!.id = null;
      await assert.rejects(db.append('t', nullId), (err: unknown) => err instanceof QueryError && /NOT NULL/i.test(err.message));
    } finally {
      db.close();
    }
  });
});

describe('column types read ahead', () => {
  test('an append after prefetchColumnTypes stores its rows; a table created since is read again', async () => {
    const db = await Database.open(':memory:', { schemas: [SCHEMA] });
    try {
      db.prefetchColumnTypes();
      db.prefetchColumnTypes();
      await db.append('t', rows(3));
      await db.exec(`CREATE TABLE u (code VARCHAR NOT NULL, n INTEGER)`);
      await db.append('u', [{ code: 'ICE', n: 7 }]);
      assert.deepEqual(await db.all(`SELECT count(*)::INTEGER AS n FROM t`), [{ n: 3 }]);
      assert.deepEqual(await db.all(`SELECT code, n FROM u`), [{ code: 'ICE', n: 7 }]);
      await assert.rejects(db.append('missing', [{ a: 1 }]), (err: unknown) => err instanceof QueryError && /no table missing/.test(err.message));
    } finally {
      db.close();
    }
  });

  test('the schemas are created in one transaction: a broken one leaves no table of the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracker-schema-'));
    try {
      const path = join(dir, 'x.duckdb');
      await assert.rejects(Database.open(path, { schemas: [SCHEMA, 'CREATE TABLE broken ('] }), (err: unknown) => err instanceof QueryError && /broken/.test(err.message));
      const db = await Database.open(path, { schemas: [`CREATE TABLE IF NOT EXISTS v (x INTEGER)`] });
      try {
        const tables = (await db.all(`SELECT table_name FROM duckdb_tables() WHERE table_name IN ('t', 'v', 'releases') ORDER BY 1`)).map((r) => r.table_name);
        assert.deepEqual(tables, ['releases', 'v']);
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
